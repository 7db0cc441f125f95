"""Customer writes: domains are normalised and unique per tenant, external references too, and only
the vendor's team records customers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from prm.models import AuditEvent
from prm.tenancy import tenant_context
from revenue.models import Customer
from revenue.services_customers import customer_create, customer_match_or_create, customer_update
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import make_customer, staff

pytestmark = pytest.mark.django_db


def test_domain_is_normalised_and_the_name_keyed(world: World) -> None:
    customer = make_customer(world, name="Initech Inc.", domain="https://www.Initech.example/about?x=1")
    assert customer.domain == "initech.example"
    assert customer.name_key == "initech"
    assert unscoped(AuditEvent).filter(verb="customer.created", object_id=str(customer.pk)).exists()


def test_a_second_customer_with_the_same_domain_is_a_field_error(world: World) -> None:
    first = make_customer(world, domain="initech.example")
    with pytest.raises(ValidationError) as caught:
        make_customer(world, name="Initech Germany", domain="WWW.INITECH.EXAMPLE")
    assert list(caught.value.message_dict) == ["domain"]
    assert first.name in caught.value.message_dict["domain"][0]
    assert unscoped(Customer).filter(tenant=world.alpha.tenant).count() == 1


def test_external_references_are_unique_and_blank_domains_are_not(world: World) -> None:
    make_customer(world, name="One", domain="", external_ref="CRM-1")
    make_customer(world, name="Two", domain="", external_ref="")
    make_customer(world, name="Three", domain="", external_ref="")
    with pytest.raises(ValidationError) as caught:
        make_customer(world, name="Four", domain="", external_ref=" CRM-1 ")
    assert list(caught.value.message_dict) == ["external_ref"]


def test_the_same_domain_may_exist_in_another_tenant(world: World) -> None:
    make_customer(world, domain="initech.example")
    with tenant_context(world.bravo.tenant):
        other = customer_create(
            actor=world.bravo.members["vendor_staff"], name="Initech", domain="initech.example"
        )
    assert other.tenant_id == world.bravo.tenant.pk


def test_every_bad_field_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        make_customer(world, name=" ", domain="not a domain", country="Germany", size="huge")
    assert set(caught.value.message_dict) == {"name", "domain", "country", "size"}


def test_update_keeps_its_own_domain_and_refuses_anothers(world: World) -> None:
    customer = make_customer(world, name="Initech", domain="initech.example")
    make_customer(world, name="Globex", domain="globex.example")
    with tenant_context(world.alpha.tenant):
        renamed = customer_update(
            actor=staff(world), customer=customer, name="Initech AG", domain="initech.example"
        )
        assert renamed.name == "Initech AG" and renamed.name_key == "initech"
        with pytest.raises(ValidationError) as caught:
            customer_update(actor=staff(world), customer=customer, name="Initech AG", domain="globex.example")
    assert list(caught.value.message_dict) == ["domain"]
    assert unscoped(Customer).get(pk=customer.pk).domain == "initech.example"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_record_or_edit_customers(world: World, role: str) -> None:
    customer = make_customer(world)
    actor = world.alpha.members[role]
    with tenant_context(world.alpha.tenant):
        with pytest.raises(PermissionDenied):
            customer_create(actor=actor, name="Sneaky", domain="sneaky.example")
        with pytest.raises(PermissionDenied):
            customer_update(actor=actor, customer=customer, name="Renamed")
    assert not unscoped(Customer).filter(name="Sneaky").exists()


def test_a_won_deal_finds_its_customer_by_domain_then_by_name(world: World) -> None:
    by_domain = make_customer(world, name="Initech", domain="initech.example")
    by_name = make_customer(world, name="Umbrella Corp", domain="")
    with tenant_context(world.alpha.tenant):
        assert customer_match_or_create(name="Whatever", domain="initech.example") == by_domain
        assert customer_match_or_create(name="Umbrella", domain="umbrella.example") == by_name
        created = customer_match_or_create(name="Hooli", domain="hooli.example")
    assert created.domain == "hooli.example" and created.pk not in (by_domain.pk, by_name.pk)
