"""Referral codes: every new partner gets one, codes are unique per tenant, partner admins manage their
own, and a code quoted on a revenue row credits its partner by itself (sourced credit if nobody holds
it, influence on the row otherwise)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners.models import Partner, PartnerType
from prm.tenancy import tenant_context
from revenue.models import Attribution, ReferralClick, ReferralCode
from revenue.services_customers import (
    referral_click_record,
    referral_code_create,
    referral_code_set_active,
)
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import give_credit, make_customer, record_revenue, staff

pytestmark = pytest.mark.django_db


def test_a_new_partner_gets_its_default_code(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        partner = Partner.objects.create(name="Harbor Light", partner_type=PartnerType.SERVICES)
        codes = list(ReferralCode.objects.filter(partner=partner))
    assert [code.label for code in codes] == ["Default code"]
    assert re.fullmatch(r"HARBORLI-[0-9A-F]{4}", codes[0].code) and codes[0].is_active
    # The world's own partners got theirs too, each distinct.
    all_codes = unscoped(ReferralCode).filter(tenant=world.alpha.tenant).values_list("code", flat=True)
    assert len(set(all_codes)) == len(all_codes) == 3


def test_codes_are_checked_and_unique_per_tenant(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        code = referral_code_create(
            actor=staff(world), partner=world.alpha.p1, code="spring-25", label="Spring"
        )
        assert code.code == "SPRING-25"
        with pytest.raises(ValidationError) as caught:
            referral_code_create(actor=staff(world), partner=world.alpha.p2, code="SPRING-25")
        assert "taken" in caught.value.message_dict["code"][0]
        with pytest.raises(ValidationError) as caught:
            referral_code_create(
                actor=staff(world), partner=world.alpha.p1, code="no spaces!", landing_url="ftp://x"
            )
        assert set(caught.value.message_dict) == {"code", "landing_url"}
    with tenant_context(world.bravo.tenant):
        referral_code_create(
            actor=world.bravo.members["vendor_staff"], partner=world.bravo.p1, code="SPRING-25"
        )


def test_partner_admins_manage_their_own_codes_only(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        own = referral_code_create(actor=alpha.members["partner_admin"], partner=alpha.p1, label="Newsletter")
        assert own.partner_id == alpha.p1.pk
        with pytest.raises(PermissionDenied):
            referral_code_create(actor=alpha.members["partner_admin"], partner=alpha.p2)
        with pytest.raises(PermissionDenied):
            referral_code_create(actor=alpha.members["partner_user"], partner=alpha.p1)
        with pytest.raises(PermissionDenied):
            referral_code_set_active(actor=alpha.members["partner_user"], referral_code=own, is_active=False)
        off = referral_code_set_active(
            actor=alpha.members["partner_admin"], referral_code=own, is_active=False
        )
        assert off.is_active is False
        p2_code = alpha.p2.referral_codes.get()
        with pytest.raises(PermissionDenied):
            referral_code_set_active(
                actor=alpha.members["partner_admin"], referral_code=p2_code, is_active=False
            )


def test_a_quoted_code_gives_sourced_credit_when_nobody_holds_it(world: World) -> None:
    customer = make_customer(world)
    with tenant_context(world.alpha.tenant):
        code = world.alpha.p1.referral_codes.get()
    entry = record_revenue(world, customer, on="2025-04-01", referral_code=code.code.lower())
    credit = unscoped(Attribution).get(customer=customer)
    assert (credit.partner_id, credit.kind, credit.weight, credit.source) == (
        world.alpha.p1.pk,
        "sourced",
        1,
        "referral_code",
    )
    assert credit.referral_code_id == code.pk and credit.revenue_entry_id is None
    assert str(credit.effective_from) == "2025-04-01" and entry.pk
    # Quoting it again changes nothing: the partner already has the customer.
    record_revenue(world, customer, on="2025-05-01", referral_code=code.code)
    assert unscoped(Attribution).filter(customer=customer).count() == 1


def test_a_quoted_code_is_influence_on_the_row_when_sourced_credit_is_held(world: World) -> None:
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="1")
    with tenant_context(world.alpha.tenant):
        p2_code = world.alpha.p2.referral_codes.get()
    entry = record_revenue(world, customer, referral_code=p2_code.code)
    influence = unscoped(Attribution).get(customer=customer, partner=world.alpha.p2)
    assert (influence.kind, influence.revenue_entry_id, influence.source) == (
        "influenced",
        entry.pk,
        "referral_code",
    )


def test_unknown_and_inactive_codes_are_field_errors(world: World) -> None:
    customer = make_customer(world)
    with tenant_context(world.alpha.tenant):
        code = world.alpha.p1.referral_codes.get()
        referral_code_set_active(actor=staff(world), referral_code=code, is_active=False)
    for quoted, message in (("NOPE-0000", "No referral code"), (code.code, "no longer active")):
        with pytest.raises(ValidationError) as caught:
            record_revenue(world, customer, referral_code=quoted)
        assert message in caught.value.message_dict["referral_code"][0]
    assert not unscoped(Attribution).filter(customer=customer).exists()


def test_a_click_is_recorded_with_its_referrer(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        code = world.alpha.p1.referral_codes.get()
        click = referral_click_record(referral_code=code, referrer="https://blog.example/" + "x" * 600)
    assert click.code_id == code.pk and len(click.referrer) == 500
    assert unscoped(ReferralClick).filter(code=code).count() == 1
