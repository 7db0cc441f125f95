"""The demo seed gives each tenant a realistic partner base, keeps the original logins, and is
idempotent (running it twice changes nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from partners.models import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerStatus,
    PartnerType,
    Program,
    Segment,
    Stage,
    StageChange,
    Tier,
    TierChange,
)
from prm.models import Membership, Role, Tenant, User
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (
        Partner,
        PartnerSegment,
        StageChange,
        TierChange,
        AcquisitionCost,
        Segment,
        Program,
        Tier,
        Membership,
    )
    totals = {}
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            for model in models:
                totals[f"{tenant.slug}.{model.__name__}"] = model.objects.count()
    totals["users"] = User.objects.count()
    return totals


def test_demo_partner_base_is_complete_and_idempotent() -> None:
    call_command("seed_demo", stdout=_Sink())
    first = counts()
    call_command("seed_demo", stdout=_Sink())
    assert counts() == first
    for slug, segments in (
        ("acme", {"MSP", "Mid-market SaaS", "Enterprise SI"}),
        ("globex", {"Industrial OEM", "Regional dealer", "Field service"}),
    ):
        tenant = Tenant.objects.get(slug=slug)
        with tenant_context(tenant):
            partners = Partner.objects.all()
            assert partners.count() >= 40
            assert set(partners.values_list("partner_type", flat=True)) == set(PartnerType.values)
            assert set(partners.values_list("stage", flat=True)) == set(Stage.values)
            assert set(partners.values_list("status", flat=True)) == set(PartnerStatus.values)
            assert segments <= set(Segment.objects.values_list("name", flat=True))
            program = Program.objects.get(is_default=True)
            tiers = list(
                Tier.objects.filter(program=program).order_by("rank").values_list("name", "benefits")
            )
            assert [name for name, _ in tiers] == ["Registered", "Silver", "Gold", "Platinum"]
            assert all(benefits for _, benefits in tiers)
            owners = set(partners.exclude(owner=None).values_list("owner__email", flat=True))
            assert owners == {f"staff@{slug}.example", f"admin@{slug}.example"}
            assert partners.filter(
                partner_type=PartnerType.RESELLER, parent__partner_type=PartnerType.DISTRIBUTOR
            )
            assert not partners.filter(stage_changes=None).exists()
            moves = StageChange.objects.exclude(from_stage="").values_list("partner_id", flat=True)
            assert len(set(moves)) > 20
            oldest = StageChange.objects.order_by("created_at").first()
            assert (
                oldest is not None
                and (oldest.created_at.date() - partners.first().created_at.date()).days < 731
            )
            assert AcquisitionCost.objects.count() >= 40
            assert _partner_of(f"partner@{slug}.example") == FIRST_TWO[slug][0]
            assert _partner_of(f"partner2@{slug}.example") == FIRST_TWO[slug][1]
            for email, role in (
                (f"partner@{slug}.example", Role.PARTNER_ADMIN),
                (f"lead@{_domain(slug)}", Role.PARTNER_ADMIN),
            ):
                membership = Membership.objects.get(user__email=email)
                assert membership.role == role
            assert Membership.objects.filter(user__email__startswith="rep2@").count() >= 40


FIRST_TWO = {
    "acme": ("Northwind Solutions", "Bluebird Consulting"),
    "globex": ("Ironworks Dealers", "Precision Field Service"),
}


def _partner_of(email: str) -> str:
    return str(Membership.objects.select_related("partner").get(user__email=email).partner.name)  # type: ignore[union-attr]


def _domain(slug: str) -> str:
    return {"acme": "northwind.example", "globex": "ironworks.example"}[slug]


class _Sink:
    def write(self, *args: Any, **kwargs: Any) -> None:
        pass

    def flush(self) -> None:
        pass
