"""Health assessments: a vendor-configured questionnaire, answered by staff and by the partner."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partners.models.core import Partner
from prm.tenancy import TenantScopedModel


class Questionnaire(TenantScopedModel):
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="questionnaire_name_unique")]

    def __str__(self) -> str:
        return self.name


class Question(TenantScopedModel):
    """Scored 1 (weak) to 5 (strong); `domain` groups questions (investment and planning, ...)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    domain = models.CharField(max_length=80)
    text = models.CharField(max_length=300)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.domain}: {self.text}"[:200]


class Respondent(models.TextChoices):
    VENDOR = "vendor", "Vendor assessment"
    PARTNER = "partner", "Partner self-assessment"


class Assessment(TenantScopedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="assessments")
    respondent_side = models.CharField(max_length=10, choices=Respondent.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    domain_scores = models.JSONField(default=dict, help_text="Domain -> weighted mean score on 0-100.")
    overall_score = models.DecimalField(max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_respondent_side_display()} #{self.pk} ({self.overall_score})"


class Answer(TenantScopedModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "assessment", "question"], name="one_answer_per_question"
            )
        ]
