"""Forms of the attribution and referral-code pages. Weights, dates and sources are checked by the
services (the sourced-weight rule needs the ledger), so they stay text here."""

from __future__ import annotations

from typing import Any

from django import forms

from revenue.forms_ledger import FilterForm, date_field, set_choices, text_field
from revenue.models import AttributionKind, AttributionSource


class AttributionFilterForm(FilterForm):
    q = forms.CharField(required=False)
    partner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        required=False, choices=[("", "Sourced and influenced"), *AttributionKind.choices]
    )
    source = forms.ChoiceField(required=False, choices=[("", "All sources"), *AttributionSource.choices])
    in_force_on = forms.DateField(
        required=False, label="In force on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, partners: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:  # the portal: a partner sees its own credit only
            del self.fields["partner"]
        else:
            set_choices(self, "partner", partners, "All partners")

    def selector_kwargs(self) -> dict[str, Any]:
        values = self.values()
        return {
            "q": (values["q"] or "").strip(),
            "partner_id": values.get("partner"),
            "kind": values["kind"] or "",
            "source": values["source"] or "",
            "in_force_on": values["in_force_on"],
        }


class AttributionForm(forms.Form):
    partner = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the partner."})
    customer = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the customer."})
    revenue_entry = forms.IntegerField(
        label="Revenue row #",
        required=False,
        min_value=1,
        help_text="Blank: credit for the whole customer. A row number: credit for that revenue row only.",
    )
    kind = forms.ChoiceField(choices=AttributionKind.choices, initial=AttributionKind.SOURCED)
    weight = text_field(
        max_length=20,
        initial="1",
        help_text="Above 0, at most 1. A customer's sourced weights never add up to more than 1 on any day.",
    )
    effective_from = date_field("In force from")
    effective_to = date_field("Until (exclusive)", help_text="Blank: open-ended.")
    source = forms.ChoiceField(choices=AttributionSource.choices, initial=AttributionSource.MANUAL)
    deal = forms.IntegerField(
        label="Deal #", required=False, min_value=1, help_text="For the source “Deal registration”."
    )
    referral_code = text_field("Referral code", max_length=40, help_text="For the source “Referral code”.")
    marketplace_ref = text_field(
        "Marketplace listing", max_length=200, help_text="For the source “Marketplace listing”."
    )
    reason = text_field(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a manual entry; the partner sees it.",
    )

    def __init__(
        self, *args: Any, partners: list[tuple[int, str]], customers: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "partner", partners, "— choose a partner —")
        set_choices(self, "customer", customers, "— choose a customer —")


class AttributionEndForm(forms.Form):
    effective_to = date_field("Ends on", help_text="The last day of credit is the day before.")
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the credit ends; both sides see it."},
    )


class AttributionWeightForm(forms.Form):
    weight = text_field("New weight", max_length=20)
    effective_from = date_field("From", help_text="The current version ends, the new one starts, that day.")
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the credit changes; both sides see it."},
    )


# --- referral codes ---------------------------------------------------------------------------------


class ReferralCodeFilterForm(FilterForm):
    q = forms.CharField(required=False)
    partner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "partner", partners, "All partners")

    def selector_kwargs(self) -> dict[str, Any]:
        values = self.values()
        return {"q": (values["q"] or "").strip(), "partner_id": values["partner"]}


class ReferralCodeForm(forms.Form):
    partner = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the partner."})
    code = text_field(max_length=40, help_text="Blank: we generate one. 3-40 letters, digits and hyphens.")
    label = text_field(max_length=120, help_text="What the code is for, e.g. “Spring webinar”.")
    landing_url = text_field(
        "Landing page",
        max_length=500,
        help_text="Where the tracked link goes. Blank: the vendor's website.",
    )

    def __init__(self, *args: Any, partners: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:  # the portal creates codes for the partner's own organisation
            del self.fields["partner"]
        else:
            set_choices(self, "partner", partners, "— choose a partner —")
