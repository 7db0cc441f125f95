"""The tenant context and the fail-closed tenant-scoped models (Python layer; RLS is in test_rls.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from partners.models import Partner, PartnerType
from prm.models import AuditEvent, Membership, Role, Tenant, User
from prm.tenancy import (
    CrossTenantError,
    TenantNotSetError,
    current_tenant_id,
    no_tenant_context,
    tenant_context,
)
from tests.conftest import World, unscoped

# --- TenantManager fails closed --------------------------------------------------------------

NO_TENANT_READS: dict[str, Callable[[World], Any]] = {
    "all": lambda w: list(Membership.objects.all()),
    "count": lambda w: Membership.objects.count(),
    "filter": lambda w: Membership.objects.filter(role=Role.VENDOR_ADMIN).exists(),
    "get": lambda w: Membership.objects.get(pk=w.alpha.members["vendor_admin"].pk),
    "partner": lambda w: list(Partner.objects.all()),
    "audit": lambda w: AuditEvent.objects.count(),
    "reverse_relation": lambda w: list(w.alpha.members["vendor_admin"].user.memberships.all()),
    "update": lambda w: Membership.objects.update(is_active=False),
    "delete": lambda w: AuditEvent.objects.all().delete(),
}


@pytest.mark.parametrize("operation", sorted(NO_TENANT_READS))
def test_manager_without_tenant_raises(world: World, operation: str) -> None:
    total = unscoped(Membership).count(), unscoped(Membership).filter(is_active=True).count()
    audit_total = unscoped(AuditEvent).count()
    with no_tenant_context(), pytest.raises(TenantNotSetError):
        NO_TENANT_READS[operation](world)
    assert (unscoped(Membership).count(), unscoped(Membership).filter(is_active=True).count()) == total
    assert unscoped(AuditEvent).count() == audit_total


def test_no_context_is_the_default(world: World) -> None:
    assert current_tenant_id() is None
    with pytest.raises(TenantNotSetError):
        Membership.objects.count()


# --- tenant_context --------------------------------------------------------------------------


def test_tenant_context_nests_and_restores(world: World) -> None:
    alpha, bravo = world.alpha.tenant, world.bravo.tenant
    assert current_tenant_id() is None
    with tenant_context(alpha) as outer:
        assert outer == alpha.pk == current_tenant_id()
        with tenant_context(bravo) as inner:
            assert inner == bravo.pk == current_tenant_id()
            assert set(Partner.objects.values_list("pk", flat=True)) == {world.bravo.p1.pk, world.bravo.p2.pk}
            with no_tenant_context():
                assert current_tenant_id() is None
            assert current_tenant_id() == bravo.pk
        assert current_tenant_id() == alpha.pk
        assert set(Partner.objects.values_list("pk", flat=True)) == {world.alpha.p1.pk, world.alpha.p2.pk}
    assert current_tenant_id() is None


def test_tenant_context_restores_when_block_raises(world: World) -> None:
    alpha, bravo = world.alpha.tenant, world.bravo.tenant

    class Boom(Exception):
        pass

    with tenant_context(alpha):
        with pytest.raises(Boom), tenant_context(bravo):
            assert current_tenant_id() == bravo.pk
            raise Boom
        assert current_tenant_id() == alpha.pk
        assert set(Partner.objects.values_list("pk", flat=True)) == {world.alpha.p1.pk, world.alpha.p2.pk}
    with pytest.raises(Boom), tenant_context(alpha):
        raise Boom
    assert current_tenant_id() is None


def test_tenant_context_accepts_pk(world: World) -> None:
    with tenant_context(world.bravo.tenant.pk):
        assert set(Membership.objects.values_list("tenant_id", flat=True)) == {world.bravo.tenant.pk}


def test_tenant_context_refuses_unsaved_tenant(db: Any) -> None:
    with pytest.raises(TenantNotSetError), tenant_context(Tenant(slug="ghost", name="Ghost")):
        pass
    assert current_tenant_id() is None


# --- saving ---------------------------------------------------------------------------------


def test_creating_row_without_context_raises(world: World) -> None:
    count = unscoped(Partner).count()
    with no_tenant_context(), pytest.raises(TenantNotSetError):
        Partner(name="Orphan", partner_type=PartnerType.RESELLER).save()
    with no_tenant_context(), pytest.raises(TenantNotSetError):
        Partner.objects.create(name="Orphan", partner_type=PartnerType.RESELLER)
    assert unscoped(Partner).count() == count
    assert not unscoped(Partner).filter(name="Orphan").exists()


def test_updating_existing_row_without_context_raises(world: World) -> None:
    partner = world.alpha.p1
    original = partner.name
    partner.name = "Renamed without a tenant"
    with no_tenant_context(), pytest.raises(TenantNotSetError):
        partner.save()
    assert unscoped(Partner).get(pk=partner.pk).name == original


def test_saving_row_of_other_tenant_raises(world: World) -> None:
    bravo_partner = world.bravo.p1
    original = bravo_partner.name
    bravo_partner.name = "Hijacked from alpha"
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        bravo_partner.save()
    assert unscoped(Partner).get(pk=bravo_partner.pk).name == original


def test_creating_row_for_other_tenant_raises(world: World) -> None:
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        Partner.objects.create(tenant=world.bravo.tenant, name="Planted", partner_type=PartnerType.REFERRAL)
    assert not unscoped(Partner).filter(name="Planted").exists()


def test_repointing_fk_at_other_tenants_row_raises(world: World) -> None:
    member = world.alpha.members["partner_user"]
    with tenant_context(world.alpha.tenant):
        member = Membership.objects.get(pk=member.pk)
        member.partner = world.bravo.p1
        with pytest.raises(CrossTenantError):
            member.save()
    assert unscoped(Membership).get(pk=member.pk).partner_id == world.alpha.p1.pk


def test_repointing_fk_by_id_at_other_tenants_row_raises(world: World) -> None:
    member = world.alpha.members["partner_user"]
    with tenant_context(world.alpha.tenant):
        member = Membership.objects.get(pk=member.pk)
        member.partner_id = world.bravo.p2.pk
        with pytest.raises(CrossTenantError):
            member.save(update_fields=["partner"])
    assert unscoped(Membership).get(pk=member.pk).partner_id == world.alpha.p1.pk


@pytest.mark.parametrize("by_id", [False, True], ids=["object", "id"])
def test_new_row_pointing_at_other_tenants_row_writes_nothing(world: World, by_id: bool) -> None:
    user = User.objects.create_user(email="cross@x.test", password="pw")
    count = unscoped(Membership).count()
    target = world.bravo.p1
    link: dict[str, Any] = {"partner_id": target.pk} if by_id else {"partner": target}
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        Membership.objects.create(user=user, role=Role.PARTNER_USER, **link)
    assert unscoped(Membership).count() == count
    assert not unscoped(Membership).filter(user=user).exists()


def test_pointing_fk_at_own_tenants_row_is_fine(world: World) -> None:
    member = world.alpha.members["partner_user"]
    with tenant_context(world.alpha.tenant):
        member = Membership.objects.get(pk=member.pk)
        member.partner = world.alpha.p2
        member.save()
    assert unscoped(Membership).get(pk=member.pk).partner_id == world.alpha.p2.pk


# --- bulk_create -----------------------------------------------------------------------------


def test_bulk_create_assigns_context_tenant(world: World) -> None:
    names = [f"Bulk Partner {n}" for n in range(5)]
    with tenant_context(world.bravo.tenant):
        Partner.objects.bulk_create(Partner(name=name, partner_type=PartnerType.SERVICES) for name in names)
    rows = unscoped(Partner).filter(name__in=names)
    assert rows.count() == len(names)
    assert set(rows.values_list("tenant_id", flat=True)) == {world.bravo.tenant.pk}
    with tenant_context(world.alpha.tenant):
        assert not Partner.objects.filter(name__in=names).exists()


def test_bulk_create_without_context_raises(world: World) -> None:
    with no_tenant_context(), pytest.raises(TenantNotSetError):
        Partner.objects.bulk_create([Partner(name="Bulk Orphan", partner_type=PartnerType.SERVICES)])
    assert not unscoped(Partner).filter(name="Bulk Orphan").exists()


def test_bulk_create_refuses_other_tenants_rows(world: World) -> None:
    objs = [
        Partner(name="Bulk Mine", partner_type=PartnerType.SERVICES),
        Partner(tenant=world.bravo.tenant, name="Bulk Theirs", partner_type=PartnerType.SERVICES),
    ]
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        Partner.objects.bulk_create(objs)
    assert not unscoped(Partner).filter(name__startswith="Bulk ").exists()


def test_bulk_create_refuses_fk_to_other_tenant(world: World) -> None:
    user = User.objects.create_user(email="bulk-cross@x.test", password="pw")
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        Membership.objects.bulk_create(
            [Membership(user=user, role=Role.PARTNER_USER, partner=world.bravo.p1)]
        )
    assert not unscoped(Membership).filter(user=user).exists()


# --- reads see only the context tenant -------------------------------------------------------


@pytest.mark.parametrize("model", [Partner, Membership, AuditEvent], ids=lambda m: m.__name__)
@pytest.mark.parametrize("side", ["alpha", "bravo"])
def test_objects_returns_only_context_tenants_rows(
    world: World, model: type[models.Model], side: str
) -> None:
    tenant = getattr(world, side).tenant
    other = world.bravo.tenant if side == "alpha" else world.alpha.tenant
    own = set(unscoped(model).filter(tenant=tenant).values_list("pk", flat=True))  # type: ignore[attr-defined]
    theirs = set(unscoped(model).filter(tenant=other).values_list("pk", flat=True))  # type: ignore[attr-defined]
    assert own and theirs, "the world must give both tenants rows of this kind"
    with tenant_context(tenant):
        assert set(model.objects.values_list("pk", flat=True)) == own  # type: ignore[attr-defined]
        assert not model.objects.filter(pk__in=theirs).exists()  # type: ignore[attr-defined]
        with pytest.raises(model.DoesNotExist):  # type: ignore[attr-defined]
            model.objects.get(pk=next(iter(theirs)))  # type: ignore[attr-defined]


def test_bulk_update_and_delete_touch_only_context_tenant(world: World) -> None:
    bravo_names = dict(unscoped(Partner).filter(tenant=world.bravo.tenant).values_list("pk", "country"))
    bravo_events = unscoped(AuditEvent).filter(tenant=world.bravo.tenant).count()
    with tenant_context(world.alpha.tenant):
        Partner.objects.update(country="DE")
        AuditEvent.objects.all().delete()
    assert set(unscoped(Partner).filter(tenant=world.alpha.tenant).values_list("country", flat=True)) == {
        "DE"
    }
    assert (
        dict(unscoped(Partner).filter(tenant=world.bravo.tenant).values_list("pk", "country")) == bravo_names
    )
    assert unscoped(AuditEvent).filter(tenant=world.alpha.tenant).count() == 0
    assert unscoped(AuditEvent).filter(tenant=world.bravo.tenant).count() == bravo_events


def test_related_manager_is_scoped_to_context(world: World) -> None:
    """A login with memberships in two tenants sees, through `user.memberships`, only the context's."""
    user = world.alpha.members["vendor_staff"].user
    with tenant_context(world.bravo.tenant):
        bravo_membership = Membership.objects.create(user=user, role=Role.VENDOR_STAFF)
    with tenant_context(world.alpha.tenant):
        assert list(user.memberships.values_list("pk", flat=True)) == [world.alpha.members["vendor_staff"].pk]
    with tenant_context(world.bravo.tenant):
        assert list(user.memberships.values_list("pk", flat=True)) == [bravo_membership.pk]
