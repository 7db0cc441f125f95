"""Forms of the core concept. They parse and bound input; the services own the rules (duplicates,
tenant checks, dates), and their field errors are put back on these forms by the views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from partners.models import PartnerStatus, PartnerType, Stage
from partners.selectors import SORTS, UNASSIGNED

BOARD_REASON = "Moved on the board"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _with_blank(choices: list[tuple[Any, str]], blank: str) -> list[tuple[Any, str]]:
    return [("", blank), *choices]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """Choices known only per request (this tenant's programs, owners...)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class PartnerForm(forms.Form):
    """New partner (with status and stage) or edit (without: those change with a reason elsewhere)."""

    name = forms.CharField(max_length=200)
    partner_type = forms.ChoiceField(label="Partner type", choices=PartnerType.choices)
    website_domain = forms.CharField(
        label="Website",
        max_length=300,
        required=False,
        help_text="e.g. example.com; we keep the domain only.",
    )
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter ISO code, e.g. US, DE, GB.")
    program = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    segments = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    owner = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, help_text="The channel manager for this partner."
    )
    parent = forms.TypedChoiceField(
        label="Buys through distributor", coerce=int, required=False, empty_value=None
    )
    joined_on = forms.DateField(label="Joined on", required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(choices=PartnerStatus.choices, initial=PartnerStatus.PROSPECT)
    stage = forms.ChoiceField(label="Lifecycle stage", choices=Stage.choices, initial=Stage.RECRUIT)

    def __init__(
        self, *args: Any, options: dict[str, list[Any]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "program", _with_blank(options["programs"], "— default program —"))
        if editing:
            _set_choices(self, "program", _with_blank(options["programs"], "— no program —"))
            del self.fields["status"], self.fields["stage"]
        _set_choices(self, "segments", options["segments"])
        _set_choices(self, "owner", _with_blank(options["owners"], "— nobody yet —"))
        _set_choices(self, "parent", _with_blank(options["parents"], "— sells direct —"))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "partner_type": data["partner_type"],
            "website_domain": data["website_domain"],
            "country": data["country"],
            "program_id": data["program"],
            "segment_ids": data["segments"],
            "owner_id": data["owner"],
            "parent_id": data["parent"],
            "joined_on": data["joined_on"],
        }
        if "status" in self.fields:
            fields.update(status=data["status"], stage=data["stage"])
        return fields


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=Stage.choices)
    reason = forms.CharField(max_length=500)
    # Where the move was made, so the answer goes back there: the board or the partner page.
    return_to = forms.ChoiceField(choices=[("partner", "partner"), ("board", "board")], required=False)
    board_query = forms.CharField(max_length=1000, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=PartnerStatus.choices)
    reason = forms.CharField(max_length=500)


class TierOverrideForm(forms.Form):
    tier = forms.TypedChoiceField(coerce=int)
    reason = forms.CharField(max_length=500, help_text="Required: overrides are audited.")

    def __init__(self, *args: Any, tiers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "tier", tiers)


class AcquisitionCostForm(forms.Form):
    incurred_on = forms.DateField(label="Date", widget=DATE_WIDGET)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    description = forms.CharField(max_length=300, help_text="e.g. recruiting event, onboarding workshop.")


class PortalProfileForm(forms.Form):
    website_domain = forms.CharField(label="Website", max_length=300, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter ISO code, e.g. US.")


class DirectoryFilterForm(forms.Form):
    """Directory and board filters. A value that does not parse is ignored rather than refused, so a
    stale bookmark still shows a list."""

    q = forms.CharField(required=False, max_length=200)
    type = forms.ChoiceField(required=False, choices=_with_blank(PartnerType.choices, "All types"))
    segment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(required=False, choices=_with_blank(Stage.choices, "All stages"))
    status = forms.ChoiceField(required=False, choices=_with_blank(PartnerStatus.choices, "All statuses"))
    owner = forms.ChoiceField(required=False)
    program = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tier = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))

    def __init__(self, *args: Any, options: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "segment", _with_blank(options["segments"], "All segments"))
        owners = [(str(pk), name) for pk, name in options["owners"]]
        _set_choices(self, "owner", [("", "All owners"), (UNASSIGNED, "No owner"), *owners])
        _set_choices(self, "program", _with_blank(options["programs"], "All programs"))
        _set_choices(self, "tier", _with_blank(options["tiers"], "All tiers"))

    def selector_kwargs(self) -> dict[str, Any]:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        owner = data["owner"] or None
        return {
            "search": (data["q"] or "").strip(),
            "partner_type": data["type"] or "",
            "segment_id": data["segment"],
            "stage": data["stage"] or "",
            "status": data["status"] or "",
            "owner": owner if owner in (None, UNASSIGNED) else int(owner),
            "program_id": data["program"],
            "tier_id": data["tier"],
            "sort": data["sort"] or "name",
        }
