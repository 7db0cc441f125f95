"""Onboard and Enable: onboarding checklists, trainings and certifications."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from partners.models.core import Partner, PartnerType
from prm.tenancy import TenantScopedModel


class Side(models.TextChoices):
    PARTNER = "partner", "Partner"
    VENDOR = "vendor", "Vendor"


class ChecklistTemplate(TenantScopedModel):
    """Onboarding steps for one partner type; copied onto a partner when its onboarding starts."""

    name = models.CharField(max_length=120)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices)

    class Meta:
        ordering = ["partner_type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner_type"], name="one_checklist_template_per_type")
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(TenantScopedModel):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    owner_side = models.CharField(max_length=10, choices=Side.choices)
    due_days = models.PositiveSmallIntegerField(help_text="Days after onboarding starts.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(TenantScopedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="checklist_items")
    title = models.CharField(max_length=200)
    owner_side = models.CharField(max_length=10, choices=Side.choices)
    due_on = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class TrainingKind(models.TextChoices):
    TRAINING = "training", "Training"
    CERTIFICATION = "certification", "Certification"


class Training(TenantScopedModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TrainingKind.choices)
    description = models.TextField(blank=True)
    validity_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: never expires."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="training_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class TrainingCompletion(TenantScopedModel):
    """A partner person completed a training or earned a certification."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="completions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="training_completions")
    person = models.ForeignKey(
        "prm.Membership", on_delete=models.CASCADE, related_name="training_completions"
    )
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "training", "person", "completed_on"],
                name="one_completion_per_person_per_day",
            )
        ]

    def __str__(self) -> str:
        # Names only when already loaded, so a list of completions never costs a query per row.
        loaded = self._state.fields_cache
        training = self.training.name if "training" in loaded else f"training {self.training_id}"
        person = (
            self.person.user.email
            if "person" in loaded and "user" in self.person._state.fields_cache
            else f"member {self.person_id}"
        )
        return f"{training}: {person} on {self.completed_on}"
