"""The enablement demo: templates for every partner type, checklists from Onboard on with some steps
overdue, a catalogue with certifications, completions with some expired, and a second run adds nothing."""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from partners import demo_enablement
from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    Partner,
    PartnerType,
    Side,
    Stage,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from prm.models import Membership, Role, Tenant, User
from prm.tenancy import tenant_context


def _counts() -> tuple[int, ...]:
    return (
        ChecklistTemplate.objects.count(),
        ChecklistItem.objects.count(),
        Training.objects.count(),
        TrainingCompletion.objects.count(),
    )


def test_demo_seed_is_realistic_and_idempotent(db: Any) -> None:
    tenant = Tenant.objects.create(slug="acme", name="Acme Software")
    with tenant_context(tenant):
        staff = User.objects.create_user(email="staff@acme.test", password=None)
        Membership.objects.create(user=staff, role=Role.VENDOR_STAFF)
        partners = []
        for index, stage in enumerate(Stage):
            partner = Partner.objects.create(
                name=f"Partner {index}", partner_type=list(PartnerType)[index % 5], stage=stage
            )
            partners.append(partner)
            for n in range(3):
                user = User.objects.create_user(email=f"p{index}-{n}@acme.test", password=None)
                role = Role.PARTNER_ADMIN if n == 0 else Role.PARTNER_USER
                Membership.objects.create(user=user, role=role, partner=partner)
        demo_enablement.seed(tenant=tenant, rng=random.Random("test"), partners=partners)
        first = _counts()
        demo_enablement.seed(tenant=tenant, rng=random.Random("again"), partners=partners)
        assert _counts() == first

        today = timezone.localdate()
        assert set(ChecklistTemplate.objects.values_list("partner_type", flat=True)) == set(
            PartnerType.values
        )
        for template in ChecklistTemplate.objects.all():
            sides = set(template.items.values_list("owner_side", flat=True))
            assert 5 <= template.items.count() <= 8 and sides == {Side.PARTNER, Side.VENDOR}
        started = set(ChecklistItem.objects.values_list("partner__stage", flat=True).distinct())
        assert Stage.STRATEGIZE not in started and Stage.RECRUIT not in started and Stage.ONBOARD in started
        assert ChecklistItem.objects.filter(completed_at__isnull=False).exists()
        assert ChecklistItem.objects.filter(completed_at__isnull=True, due_on__lt=today).exists()
        assert Training.objects.count() >= 6
        assert Training.objects.filter(name="Acme Certified Administrator", validity_days=730).exists()
        certs = TrainingCompletion.objects.filter(training__kind=TrainingKind.CERTIFICATION)
        assert certs.filter(expires_on__lt=today).exists()
        assert certs.filter(expires_on__gte=today).exists()
