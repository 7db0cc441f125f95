"""Forms of the market and health pages. They parse; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from partners.models import MdfStatus, Question

SCORE_CHOICES = (
    ("1", "1 · Strongly disagree"),
    ("2", "2 · Disagree"),
    ("3", "3 · Neutral"),
    ("4", "4 · Agree"),
    ("5", "5 · Strongly agree"),
)


class DateInput(forms.DateInput):
    input_type = "date"


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    starts_on = forms.DateField(label="Starts on", widget=DateInput)
    ends_on = forms.DateField(label="Ends on", widget=DateInput)
    goal = forms.CharField(
        max_length=300, help_text="What the campaign should achieve, e.g. 40 qualified leads."
    )
    budget = forms.DecimalField(
        max_digits=14, decimal_places=2, help_text="Total budget in the tenant's currency."
    )


class MdfRequestForm(forms.Form):
    purpose = forms.CharField(max_length=300, help_text="What the funds pay for: an event, ads, a webinar...")
    amount_requested = forms.DecimalField(label="Amount requested", max_digits=14, decimal_places=2)
    campaign = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Campaign")

    def __init__(self, *args: Any, campaign_choices: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.TypedChoiceField)
        campaign.choices = [("", "— no campaign —"), *(campaign_choices or [])]


class MdfApproveForm(forms.Form):
    amount_approved = forms.DecimalField(label="Amount to approve", max_digits=14, decimal_places=2)
    reason = forms.CharField(max_length=500, required=False, label="Note to the partner")


class MdfRejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        error_messages={"required": "Give the partner a reason for the rejection."},
    )


class MdfClaimForm(forms.Form):
    amount_claimed = forms.DecimalField(label="Amount spent", max_digits=14, decimal_places=2)
    claim_proof = forms.CharField(
        label="Proof of spend",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the proof of spend: invoice numbers, links, results."},
        help_text="Invoice numbers, links to the ads or the event page, results achieved.",
    )


class MdfFilterForm(forms.Form):
    q = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *MdfStatus.choices])
    partner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, partner_choices: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        partner = self.fields["partner"]
        assert isinstance(partner, forms.TypedChoiceField)
        partner.choices = [("", "All partners"), *(partner_choices or [])]

    def values(self) -> dict[str, Any]:
        """The valid filters; an unknown status or partner simply does not filter."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "partner_id": data.get("partner"),
        }


class QuestionForm(forms.Form):
    domain = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"list": "health-domains"}))
    text = forms.CharField(
        max_length=300, label="Question", help_text="A statement scored 1 (weak) to 5 (strong)."
    )
    weight = forms.IntegerField(
        min_value=1, max_value=10, initial=1, help_text="1 to 10: how much it counts."
    )
    position = forms.IntegerField(
        min_value=0, required=False, label="Order", help_text="Lower comes first; empty puts it last."
    )


class QuestionnaireVersionForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name of the new version")


class AssessmentAnswers:
    """The assessment form: one `question` (hidden id) and one `score` per question, in page order.

    Field names do not carry question ids, so a form filled in against an older version of the
    questionnaire still says which question each score belongs to."""

    def __init__(self, questions: list[tuple[str, list[Question]]], data: QueryDict | None = None) -> None:
        self.groups = questions
        self.scores: dict[int, str] = {}
        self.question_errors: dict[int, str] = {}
        self.errors: list[str] = []
        if data is None:
            return
        ids, scores = data.getlist("question"), data.getlist("score")
        if len(ids) != len(scores):
            self.errors.append("The form arrived incomplete; please answer every question again.")
            return
        for raw_id, score in zip(ids, scores, strict=True):
            try:
                self.scores[int(raw_id)] = score
            except ValueError:
                self.errors.append("The form arrived damaged; please answer every question again.")
                return

    def answers(self) -> dict[int, Any]:
        return dict(self.scores)

    def apply(self, error: ValidationError) -> None:
        """Put the service's per-question errors next to their questions."""
        if not hasattr(error, "error_dict"):
            self.errors.extend(error.messages)
            return
        for key, messages in error.message_dict.items():
            question_id = key.removeprefix("question_")
            if key.startswith("question_") and question_id.isdigit():
                self.question_errors[int(question_id)] = " ".join(messages)
            else:
                self.errors.extend(messages)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.question_errors)

    def rows(self) -> list[dict[str, Any]]:
        """Per domain, its questions with the chosen score and the error, ready for the template."""
        return [
            {
                "domain": domain,
                "questions": [
                    {
                        "question": question,
                        "score": self.scores.get(question.pk, ""),
                        "error": self.question_errors.get(question.pk, ""),
                    }
                    for question in questions
                ],
            }
            for domain, questions in self.groups
        ]
