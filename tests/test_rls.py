"""PostgreSQL row-level security: the database itself refuses other tenants' rows, even to raw SQL
run with the wrong tenant set, and the tenant setting survives savepoint rollbacks correctly."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from prm.models import Membership
from prm.tenancy import no_tenant_context, tenant_context
from tests.conftest import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def scalar(sql: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_app_role_is_neither_superuser_nor_bypassrls() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
    assert (superuser, bypass) == (False, False)


def test_raw_select_of_other_tenant_returns_nothing(world: World) -> None:
    bravo_id = world.bravo.tenant.pk
    with tenant_context(world.alpha.tenant):
        assert scalar("SELECT count(*) FROM prm_membership WHERE tenant_id = %s", [bravo_id]) == 0
        assert scalar("SELECT count(*) FROM partners_partner WHERE tenant_id = %s", [bravo_id]) == 0
        assert scalar("SELECT count(*) FROM prm_membership") == Membership.objects.count() > 0
    with tenant_context(world.bravo.tenant):
        assert scalar("SELECT count(*) FROM prm_membership WHERE tenant_id = %s", [bravo_id]) > 0


def test_raw_update_and_delete_of_other_tenant_change_nothing(world: World) -> None:
    bravo_id = world.bravo.tenant.pk
    with tenant_context(world.bravo.tenant):
        bravo_events = scalar("SELECT count(*) FROM prm_auditevent")
    assert bravo_events > 0  # so a DELETE that got through would show
    with tenant_context(world.alpha.tenant), connection.cursor() as cursor:
        cursor.execute("UPDATE prm_membership SET is_active = false WHERE tenant_id = %s", [bravo_id])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM prm_auditevent WHERE tenant_id = %s", [bravo_id])
        assert cursor.rowcount == 0
    with tenant_context(world.bravo.tenant):
        assert Membership.objects.filter(is_active=False).count() == 0
        assert scalar("SELECT count(*) FROM prm_auditevent") == bravo_events


def test_raw_insert_into_other_tenant_is_refused(world: World) -> None:
    user_id = world.bravo.members["vendor_staff"].user_id
    with tenant_context(world.alpha.tenant):
        refused = pytest.raises(DatabaseError, match="row-level security")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO prm_auditevent (tenant_id, actor_id, verb, object_type, object_id, object_repr,"
                " created_at) VALUES (%s, %s, 'forged', 'x', '1', 'x', now())",
                [world.bravo.tenant.pk, user_id],
            )
        # Moving an own row into the other tenant is a write into it too.
        refused = pytest.raises(DatabaseError, match="row-level security")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE prm_auditevent SET tenant_id = %s", [world.bravo.tenant.pk])


def test_no_tenant_sees_no_rows(world: World) -> None:
    with no_tenant_context():
        assert scalar("SELECT count(*) FROM prm_membership") == 0
        assert scalar("SELECT count(*) FROM partners_partner") == 0


def test_setting_is_resent_after_savepoint_rollback(world: World) -> None:
    """A set_config made inside a rolled-back savepoint is undone by PostgreSQL; the backend must
    notice, or the next query would run with the outer (wrong) tenant."""
    alpha_id = world.alpha.tenant.pk
    with tenant_context(world.bravo.tenant):
        scalar("SELECT 1 FROM prm_membership LIMIT 1")  # session now says bravo
        with tenant_context(world.alpha.tenant):
            with pytest.raises(RuntimeError), transaction.atomic():
                scalar("SELECT count(*) FROM prm_membership")  # alpha applied inside the savepoint
                raise RuntimeError("roll the savepoint back")
            assert scalar("SELECT count(*) FROM prm_membership WHERE tenant_id <> %s", [alpha_id]) == 0
            assert scalar("SELECT count(*) FROM prm_membership WHERE tenant_id = %s", [alpha_id]) > 0
        assert scalar("SELECT count(*) FROM prm_membership WHERE tenant_id = %s", [alpha_id]) == 0
