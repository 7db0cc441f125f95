"""Forms of the enablement pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from partners.models import PartnerType, Side, TrainingKind
from partners.services_enablement import MAX_DUE_DAYS, MAX_POSITION
from partners.services_enablement_training import MAX_VALIDITY_DAYS


class DateInput(forms.DateInput):
    input_type = "date"


class ChecklistTemplateForm(forms.Form):
    partner_type = forms.ChoiceField(choices=PartnerType.choices, label="Partner type")
    name = forms.CharField(max_length=120)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A template belongs to its type for life; renaming is the only edit.
            del self.fields["partner_type"]


class ChecklistStepForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner_side = forms.ChoiceField(choices=Side.choices, label="Who completes it")
    due_days = forms.IntegerField(
        min_value=0, max_value=MAX_DUE_DAYS, label="Due (days after start)", initial=7
    )
    position = forms.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False, help_text="Empty: at the end of the list."
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["position"].required = True
            self.fields["position"].help_text = "Steps are listed by position, lowest first."


class TrainingForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TrainingKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    validity_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_VALIDITY_DAYS,
        required=False,
        label="Valid for (days)",
        help_text="Certifications only; empty means it never expires. A change applies to new completions.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Offered (active)")


class CompletionForm(forms.Form):
    """Person and training are chosen from lists the view builds for the actor, so another partner's
    people or a withdrawn training are simply not valid choices."""

    person = forms.TypedChoiceField(coerce=int, label="Person")
    training = forms.TypedChoiceField(coerce=int, label="Training or certification")
    completed_on = forms.DateField(widget=DateInput(), label="Completed on")

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]],
        trainings: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", "— choose a person —"), *people]
        cast(forms.ChoiceField, self.fields["training"]).choices = [("", "— choose a training —"), *trainings]
