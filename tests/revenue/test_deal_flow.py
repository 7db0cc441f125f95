"""The whole registration flow through the services: register, conflict, resolve, approve, win."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    AttributionKind,
    ConflictCase,
    ConflictStatus,
    DealEvent,
    DealStatus,
    RecomputeMark,
    RevenueEntry,
)
from revenue.services_deals import (
    DuplicateDealError,
    conflict_default_winner,
    conflict_resolve,
    deal_approve,
    deal_create,
    deal_win,
)

pytestmark = pytest.mark.django_db

DEAL = {
    "title": "Rollout",
    "customer_name": "Initech Inc.",
    "customer_domain": "https://www.initech.com/",
    "amount": "5000",
}


def test_register_conflict_resolve_approve_win(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        first = deal_create(actor=alpha.p2_members["partner_admin"], partner=alpha.p2, submit=True, **DEAL)
        second = deal_create(
            actor=alpha.members["partner_user"],
            partner=alpha.p1,
            submit=True,
            **{**DEAL, "customer_domain": "initech.com", "customer_name": "Initech"},
        )
        assert first.customer_domain == "initech.com"
        case = ConflictCase.objects.get(deal=second)
        assert case.other_deal == first and case.match_kind == "domain"
        assert conflict_default_winner(case) == first
        staff = alpha.members["vendor_staff"]
        with pytest.raises(ValidationError):
            deal_approve(actor=staff, deal=second)
        conflict_resolve(actor=staff, case=case, winner=second, reason="P1 ran the evaluation")
        first.refresh_from_db()
        assert first.status == DealStatus.REJECTED
        assert ConflictCase.objects.get(pk=case.pk).status == ConflictStatus.RESOLVED
        approved = deal_approve(actor=staff, deal=second)
        assert approved.protection_ends_at is not None
        won = deal_win(actor=staff, deal=approved, amount="4800.00", closed_on="2026-11-01")
        assert won.status == DealStatus.WON and won.customer is not None
        entry = RevenueEntry.objects.get(deal=won)
        assert entry.amount == Decimal("4800.00") and entry.stream == "new" and entry.margin_is_default
        credit = Attribution.objects.get(customer=won.customer)
        assert credit.partner == alpha.p1 and credit.kind == AttributionKind.SOURCED and credit.weight == 1
        assert RecomputeMark.objects.filter(partner=alpha.p1).exists()
        assert [e.action for e in DealEvent.objects.filter(deal=first)] == [
            "created",
            "submitted",
            "conflict_lost",
        ]


def test_second_open_registration_of_same_customer_is_duplicate(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        deal_create(actor=alpha.members["partner_user"], partner=alpha.p1, **DEAL)
        with pytest.raises(DuplicateDealError):
            deal_create(actor=alpha.members["partner_admin"], partner=alpha.p1, **{**DEAL, "title": "Again"})
