"""Forms of the recruit concept. They parse input; the services decide what is valid and say why."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from partners.models import CriterionKind, PartnerType, ProfileCriterion, ProspectStatus
from partners.services_profile import criterion_clean
from partners.services_recruit import MANUAL_STATUSES


def split_list(text: str) -> list[str]:
    """Comma- or newline-separated text as a list of non-empty items."""
    return [item.strip() for item in (text or "").replace("\n", ",").split(",") if item.strip()]


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_default = forms.BooleanField(
        required=False, label="Default program", help_text="New partners join the default program."
    )


class TierForm(forms.Form):
    name = forms.CharField(max_length=60)
    rank = forms.IntegerField(
        min_value=1,
        max_value=999,
        required=False,
        help_text="1 is the entry tier. Leave empty to add on top.",
    )
    benefits = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, rank_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rank_required:
            self.fields["rank"].required = True
            self.fields["rank"].help_text = "1 is the entry tier; ranks are unique within the program."


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class IdealProfileForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, help_text="Defaults to “Ideal <program> partner”.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *CriterionKind.choices], required=False)
    values = forms.CharField(required=False, max_length=2000)
    min_value = forms.IntegerField(required=False, min_value=0, label="Min employees")
    max_value = forms.IntegerField(required=False, min_value=0, label="Max employees")
    weight = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("kind") and not data.get("values") and data.get("weight") is None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("kind"):
            self.add_error("kind", "Choose what this criterion tests.")
            return data
        try:
            data["criterion"] = criterion_clean(
                kind=data["kind"],
                values=split_list(data.get("values", "")),
                min_value=data.get("min_value"),
                max_value=data.get("max_value"),
                weight=data.get("weight") if data.get("weight") is not None else "",
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


CriterionFormSet = forms.formset_factory(CriterionForm, extra=3, can_delete=True, max_num=30, absolute_max=60)


def criterion_initial(criterion: ProfileCriterion, segment_names: dict[int, str]) -> dict[str, Any]:
    values = criterion.values or []
    if criterion.kind == CriterionKind.SEGMENT:
        values = [segment_names.get(int(pk), str(pk)) for pk in values]
    return {
        "kind": criterion.kind,
        "values": ", ".join(str(value) for value in values),
        "min_value": criterion.min_value,
        "max_value": criterion.max_value,
        "weight": criterion.weight,
    }


class ProspectForm(forms.Form):
    name = forms.CharField(max_length=200)
    partner_type = forms.ChoiceField(choices=PartnerType.choices, label="Partner type")
    program = forms.TypedChoiceField(coerce=int, label="Program")
    website_domain = forms.CharField(max_length=253, required=False, label="Website domain")
    country = forms.CharField(max_length=2, required=False, help_text="ISO code, e.g. US.")
    employees = forms.IntegerField(min_value=0, required=False, label="Employees")
    segments = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Segments"
    )
    capabilities = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated, e.g. cloud migration, managed services."
    )
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        program_choices: list[tuple[int, str]],
        segment_choices: list[tuple[int, str]],
        owner_choices: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices
        self.fields["segments"].choices = segment_choices
        self.fields["owner"].choices = [("", "— nobody yet —"), *owner_choices]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "partner_type": data["partner_type"],
            "program_id": data["program"],
            "website_domain": data["website_domain"],
            "country": data["country"],
            "employees": data["employees"],
            "segment_ids": data["segments"],
            "capabilities": split_list(data["capabilities"]),
            "owner_id": data["owner"],
            "notes": data["notes"],
        }


class ProspectStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in MANUAL_STATUSES])
    reason = forms.CharField(
        max_length=500, required=False, help_text="Required when rejecting; kept in the audit log."
    )


class ProspectFilterForm(forms.Form):
    """Filters of the prospect list; anything unknown is ignored rather than an error."""

    q = forms.CharField(required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *ProspectStatus.choices], required=False)
    type = forms.ChoiceField(choices=[("", "All types"), *PartnerType.choices], required=False)
    program = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, program_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "All programs"), *program_choices]

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {"q": "", "status": "", "type": "", "program": None}
        if self.is_valid():
            data.update(self.cleaned_data)
        else:
            for name in data:
                if name not in self.errors and name in getattr(self, "cleaned_data", {}):
                    data[name] = self.cleaned_data[name]
        data["q"] = (data["q"] or "").strip()
        return data
