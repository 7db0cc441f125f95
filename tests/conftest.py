"""Shared fixtures: a two-tenant world with two partners in each, and role-bound clients.

Everything of tenant `bravo` and of partner P2 carries a marker string, so the isolation crawler
can prove that none of it ever reaches a page rendered for someone else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client

from partners.models import Partner, PartnerType, Stage
from prm.audit import audit_record
from prm.models import AuditEvent, Membership, Role, Tenant, User
from prm.tenancy import platform_context, tenant_context

ROLES = ("vendor_admin", "vendor_staff", "partner_admin", "partner_user")
BRAVO_MARKER = "MARKERBRAVO"
P2_MARKER = "MARKERPTWO"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests skip on SQLite, unless CI demands them (then skipping is a failure).
    Tests that need a real Celery worker run only when asked for (.ci/run does)."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    require_pg = os.environ.get("PRM_REQUIRE_POSTGRES") == "1"
    run_worker = os.environ.get("PRM_RUN_CELERY_WORKER_TESTS") == "1"
    selected, deselected = [], []
    for item in items:
        if item.get_closest_marker("celery_worker") and not run_worker:
            deselected.append(item)
            continue
        if item.get_closest_marker("postgres") and not on_postgres:
            if require_pg:
                raise pytest.UsageError(
                    "PRM_REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL."
                )
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        selected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks() -> Any:
    """Tests run tasks in-process even when REDIS_URL is set; only the worker test uses the broker."""
    from prm.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@dataclass
class TenantWorld:
    tenant: Tenant
    p1: Partner
    p2: Partner
    marker: str = ""
    members: dict[str, Membership] = field(default_factory=dict)
    p2_members: dict[str, Membership] = field(default_factory=dict)
    audit_event: AuditEvent | None = None
    built: dict[tuple[str, bool], int] = field(default_factory=dict)

    def obj_pk(self, kind: str, *, other_partner: bool = False) -> int:
        """The pk the matrix names by `kind`; `other_partner` swaps in partner P2's counterpart.

        Kinds beyond the three below come from `tests/world_objects*.py` factories, built once per
        test inside this tenant's context, with this tenant's marker in their visible text."""
        builtin = {
            "p1_member": (self.p2_members if other_partner else self.members)["partner_user"],
            "p1": self.p2 if other_partner else self.p1,
            "audit_event": self.audit_event,
        }
        if kind in builtin:
            obj = builtin[kind]
            assert obj is not None
            return int(obj.pk)
        key = (kind, other_partner)
        if key not in self.built:
            from tests.world_objects import FACTORIES

            with tenant_context(self.tenant):
                self.built[key] = int(FACTORIES[kind](self, other_partner).pk)
        return self.built[key]

    def visible_marker(self, *, other_partner: bool = False) -> str:
        """Text to put in objects' names so a leak of them can be spotted in a response."""
        return self.marker or (P2_MARKER if other_partner else "")


@dataclass
class World:
    alpha: TenantWorld
    bravo: TenantWorld

    def subs(self, role: str) -> dict[str, Any]:
        """Values for the matrix payload placeholders, as seen by `role` of tenant alpha."""
        # Anonymous visitors log in with real credentials too: that is the login page's own flow.
        email = f"{'vendor_admin' if role == 'anonymous' else role}@alpha.test"
        return {"<p1>": self.alpha.p1.pk, "<email>": email, "<password>": "pw", "resolve": self.alpha.obj_pk}

    def client(self, role: str, *, tenant: str = "alpha") -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(self, tenant).members[role].user)
        return client


def _build_tenant(slug: str, marker: str) -> TenantWorld:
    tenant = Tenant.objects.create(slug=slug, name=f"{slug.title()} Corp {marker}".strip())
    with tenant_context(tenant):
        p1 = Partner.objects.create(
            name=f"{slug} Partner One {marker}".strip(), partner_type=PartnerType.RESELLER, stage=Stage.SELL
        )
        p2 = Partner.objects.create(
            name=f"{slug} Partner Two {marker or P2_MARKER}",
            partner_type=PartnerType.REFERRAL,
            stage=Stage.SELL,
        )
        world = TenantWorld(tenant=tenant, p1=p1, p2=p2, marker=marker)
        for role in ROLES:
            partner = p1 if role.startswith("partner") else None
            user = User.objects.create_user(
                email=f"{role}@{slug}.test", password="pw", full_name=f"{role} {marker}"
            )
            world.members[role] = Membership.objects.create(user=user, role=role, partner=partner)
        for role in ("partner_admin", "partner_user"):
            user = User.objects.create_user(
                email=f"p2-{role}@{slug}.test", password="pw", full_name=f"P2 {role} {marker or P2_MARKER}"
            )
            world.p2_members[role] = Membership.objects.create(user=user, role=role, partner=p2)
        admin = world.members["vendor_admin"]
        world.audit_event = audit_record(
            actor=admin.user, verb="test.seeded", obj=p2, after={"name": p2.name}
        )
    return world


@pytest.fixture
def world(db: Any) -> World:
    return World(alpha=_build_tenant("alpha", ""), bravo=_build_tenant("bravo", BRAVO_MARKER))


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


class _PlatformReadQuerySet(QuerySet):
    """Test-side reads past tenant scoping: evaluates inside platform_context(), so row-level
    security on PostgreSQL admits every tenant's rows just as SQLite (no RLS) does."""

    def _fetch_all(self) -> None:
        with platform_context():
            super()._fetch_all()

    def count(self) -> int:
        with platform_context():
            return super().count()

    def exists(self) -> bool:
        with platform_context():
            return super().exists()


def unscoped(model: type[Any]) -> QuerySet:
    """Every row of a tenant table, whatever the tenant: for assertions about what was written."""
    return _PlatformReadQuerySet(model)


def roles_except(*excluded: str) -> list[str]:
    return [role for role in ROLES if role not in excluded]


__all__ = ["BRAVO_MARKER", "P2_MARKER", "ROLES", "Role", "World", "roles_except"]
