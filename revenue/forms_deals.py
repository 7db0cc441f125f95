"""Forms of the deal registration pages. They collect input; the services parse and decide what is
valid (their field errors are put back next to these fields, so the names match the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from prm.models import REVENUE_STREAMS
from revenue.models import ConflictStatus, DealStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The live duplicate check: typing in either customer field asks the server, at most every 300 ms.
CHECK_TRIGGER = "keyup changed delay:300ms, change"


class DealForm(forms.Form):
    """A registration (partner) or a direct opportunity (vendor): the fields of services_deals.deal_values."""

    title = forms.CharField(max_length=200, label="Deal title", help_text="e.g. ERP rollout, 200 seats")
    customer_name = forms.CharField(max_length=200, label="Customer name")
    customer_domain = forms.CharField(
        max_length=253,
        required=False,
        label="Customer website",
        help_text="Its domain, e.g. initech.com: the surest way to spot a customer already registered.",
    )
    country = forms.CharField(
        max_length=2, required=False, label="Country", help_text="Two-letter code, e.g. US or DE."
    )
    stream = forms.ChoiceField(choices=REVENUE_STREAMS, initial="new", label="Revenue stream")
    amount = forms.CharField(
        max_length=20,
        label="Expected value",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "25000.00"}),
    )
    expected_close_on = forms.DateField(required=False, label="Expected close date", widget=DATE_WIDGET)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args: Any, check_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if check_url:
            for name in ("customer_name", "customer_domain"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": check_url,
                        "hx-trigger": CHECK_TRIGGER,
                        "hx-target": "#duplicate-check",
                        "hx-swap": "outerHTML",
                        "hx-include": "#id_customer_name, #id_customer_domain, #check-exclude",
                        "hx-sync": "closest form:replace",
                        "autocomplete": "off",
                    }
                )

    def clean(self) -> dict[str, Any]:
        """Report every field's problem in one round: the service's parse errors join the form's
        own (a missing title must not hide a malformed domain until the next submit)."""
        from revenue.services_deals import deal_values

        cleaned = super().clean() or {}
        raw = {name: self.data.get(self.add_prefix(name), "") for name in self.fields}
        try:
            deal_values(**raw)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class PortalFilterForm(forms.Form):
    q = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *DealStatus.choices])

    def values(self) -> dict[str, Any]:
        """The valid filters; an unknown status simply does not filter."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": (data.get("q") or "").strip(), "status": data.get("status") or ""}


class DealFilterForm(PortalFilterForm):
    partner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    direct = forms.BooleanField(required=False, label="Direct opportunities only")

    def __init__(self, *args: Any, partner_choices: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        partner = self.fields["partner"]
        assert isinstance(partner, forms.TypedChoiceField)
        partner.choices = [("", "All partners"), *(partner_choices or [])]

    def values(self) -> dict[str, Any]:
        values = super().values()
        data = getattr(self, "cleaned_data", {})
        values["partner_id"] = data.get("partner")
        values["direct"] = True if data.get("direct") else None
        return values


class ApproveForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label="Note to the partner")


class ReasonForm(forms.Form):
    """Reject, lose, ask for an extension: a reason both sides will read."""

    reason = forms.CharField(
        max_length=500, label="Reason", error_messages={"required": "Give a reason; both sides see it."}
    )


class LoseForm(ReasonForm):
    closed_on = forms.DateField(required=False, label="Lost on", widget=DATE_WIDGET)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("deny", "Deny")])
    reason = forms.CharField(max_length=500, required=False, label="Reason")


class WinForm(forms.Form):
    amount = forms.CharField(
        max_length=20,
        required=False,
        label="Won amount",
        help_text="Blank keeps the expected value.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    closed_on = forms.DateField(
        required=False, label="Closed on", widget=DATE_WIDGET, help_text="Blank: today."
    )
    margin = forms.CharField(
        max_length=10,
        required=False,
        label="Gross margin",
        help_text="0.35 or 35%; blank uses the tenant's default for the stream.",
    )
    contract_start = forms.DateField(required=False, label="Contract start", widget=DATE_WIDGET)
    contract_end = forms.DateField(required=False, label="Contract end", widget=DATE_WIDGET)


class ConflictResolveForm(forms.Form):
    """`winner` names a side of the case, not a deal id, so a form can only pick one of its two."""

    winner = forms.ChoiceField(
        choices=[("deal", "The newer registration"), ("other_deal", "The earlier holder")],
        widget=forms.RadioSelect,
        error_messages={"required": "Pick the registration that keeps the customer."},
    )
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both partners read it in their deal's history.",
        error_messages={"required": "Say why this registration wins; both partners see it."},
    )


class ConflictFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[(ConflictStatus.OPEN, "Open"), (ConflictStatus.RESOLVED, "Resolved"), ("all", "All")],
    )

    def values(self) -> dict[str, str]:
        self.is_valid()
        status = getattr(self, "cleaned_data", {}).get("status") or ConflictStatus.OPEN
        return {"status": "" if status == "all" else status, "chosen": status}
