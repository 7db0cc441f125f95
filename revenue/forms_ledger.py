"""Forms of the customer, revenue and cost pages. They parse and bound the input; the services own
the rules (normalised domains, duplicates, margins, currencies) and their field errors are put back
on these forms by the views, so most values stay text here and reach the service as typed."""

from __future__ import annotations

from typing import Any

from django import forms

from revenue.models import CostKind, Stream
from revenue.models.customers import CustomerSize

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def set_choices(
    form: forms.Form, name: str, choices: list[tuple[Any, str]], blank: str | None = None
) -> None:
    """Choices known only per request (this tenant's partners, customers, segments)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", blank), *choices] if blank is not None else choices


def text_field(label: str | None = None, *, max_length: int = 200, **kwargs: Any) -> forms.CharField:
    """Optional text the service checks (and explains) itself."""
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


def date_field(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=DATE_WIDGET, **kwargs)


class FilterForm(forms.Form):
    """A list's filters: invalid values simply do not filter (a stale link still shows a page)."""

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields}


# --- customers --------------------------------------------------------------------------------------


class CustomerFilterForm(FilterForm):
    q = forms.CharField(required=False)
    segment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    country = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, options: dict[str, list[tuple[Any, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "segment", options["segments"], "All segments")
        set_choices(self, "country", options["countries"], "All countries")

    def selector_kwargs(self) -> dict[str, Any]:
        values = self.values()
        return {
            "q": (values["q"] or "").strip(),
            "segment_id": values["segment"],
            "country": values["country"] or "",
        }


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Give the customer name."})
    domain = text_field(
        "Website",
        max_length=300,
        help_text="e.g. example.com; we keep the domain only, one customer per domain.",
    )
    country = text_field(max_length=40, help_text="Two-letter ISO code, e.g. US, DE, GB.")
    industry = text_field(max_length=100)
    size = forms.ChoiceField(required=False, choices=[("", "—"), *CustomerSize.choices])
    segment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    persona = text_field("Buyer persona", max_length=100, help_text="e.g. IT director.")
    external_ref = text_field(
        "External reference",
        max_length=100,
        help_text="The customer's id in your CRM/ERP; imports match on it.",
    )

    def __init__(self, *args: Any, segments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "segment", segments, "— no segment —")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["segment_id"] = data.pop("segment")
        return data


# --- revenue ----------------------------------------------------------------------------------------


class RevenueFilterForm(FilterForm):
    q = forms.CharField(required=False)
    stream = forms.ChoiceField(required=False, choices=[("", "All streams"), *Stream.choices])
    customer = forms.IntegerField(required=False, min_value=1)
    date_from = forms.DateField(required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(required=False, widget=DATE_WIDGET)

    def selector_kwargs(self) -> dict[str, Any]:
        values = self.values()
        return {
            "q": (values["q"] or "").strip(),
            "stream": values["stream"] or "",
            "customer_id": values["customer"],
            "date_from": values["date_from"],
            "date_to": values["date_to"],
        }


class RevenueForm(forms.Form):
    customer = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the customer."})
    occurred_on = date_field("Date", help_text="When the revenue was earned (invoice date).")
    amount = text_field(max_length=40, help_text="e.g. 1500.00; positive, corrections are reversals.")
    currency = text_field(max_length=10, help_text="Blank means the tenant's currency.")
    stream = forms.ChoiceField(choices=[("", "— choose —"), *Stream.choices], required=False)
    margin = text_field(
        "Gross margin",
        max_length=20,
        help_text="0.35 or 35%; blank takes the tenant's default for the stream.",
    )
    contract_start = date_field("Contract start", help_text="For subscriptions and support contracts.")
    contract_end = date_field("Contract end")
    external_ref = text_field("External reference", max_length=100, help_text="The invoice or order number.")
    referral_code = text_field(
        "Referral code",
        max_length=40,
        help_text="A partner's code quoted on the order: it credits the partner by itself.",
    )

    def __init__(self, *args: Any, customers: list[tuple[int, str]], currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "customer", customers, "— choose a customer —")
        self.fields["currency"].widget.attrs["placeholder"] = currency

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("customer")
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why, for the audit trail."},
        help_text="Both the original row and its reversal stay in the ledger.",
    )


# --- partner costs ----------------------------------------------------------------------------------


class CostFilterForm(FilterForm):
    q = forms.CharField(required=False)
    partner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *CostKind.choices])

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "partner", partners, "All partners")

    def selector_kwargs(self) -> dict[str, Any]:
        values = self.values()
        return {
            "q": (values["q"] or "").strip(),
            "partner_id": values["partner"],
            "kind": values["kind"] or "",
        }


class CostForm(forms.Form):
    partner = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the partner."})
    kind = forms.ChoiceField(choices=[("", "— choose —"), *CostKind.choices], required=False)
    incurred_on = date_field("Date")
    amount = text_field(max_length=40, help_text="e.g. 1500.00 in the tenant's currency.")
    description = text_field(max_length=300)
    external_ref = text_field("External reference", max_length=100)

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "partner", partners, "— choose a partner —")
