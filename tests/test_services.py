"""Platform services: invitations and membership changes.

Every refused call must change nothing: no login, no membership, no audit event, no e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from prm.models import AuditEvent, Membership, Role, User
from prm.services import membership_invite, membership_update
from tests import services_support
from tests.conftest import World
from tests.services_support import error_fields as _error_fields
from tests.services_support import snapshots as _snapshots

# Shared fixture, resolved by pytest through this module name.
alpha = services_support.alpha


def _counts() -> dict[str, int]:
    return {
        "memberships": Membership.objects.count(),
        "users": User.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "mails": len(mail.outbox),
    }


def _db_state(membership: Membership) -> tuple[str, bool, int | None]:
    fresh = Membership.objects.get(pk=membership.pk)
    return fresh.role, fresh.is_active, fresh.partner_id


INVITE_LINK = re.compile(r"https?://[^\s/]+/accounts/password/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


# --- membership_invite -----------------------------------------------------------------------


def test_vendor_admin_invites_vendor_staff(alpha: Any) -> None:
    before = _counts()
    membership = membership_invite(
        actor=alpha.members["vendor_admin"],
        email="  New.Staff@Example.COM ",
        role=Role.VENDOR_STAFF,
        full_name=" New Staff ",
    )
    fresh = Membership.objects.select_related("user").get(pk=membership.pk)
    assert fresh.tenant_id == alpha.tenant.pk
    assert fresh.role == Role.VENDOR_STAFF
    assert fresh.partner_id is None
    assert fresh.is_active
    assert fresh.user.email == "new.staff@example.com"
    assert fresh.user.full_name == "New Staff"
    assert not fresh.user.has_usable_password()
    after = _counts()
    assert after["memberships"] == before["memberships"] + 1
    assert after["users"] == before["users"] + 1
    event = AuditEvent.objects.get(verb="membership.invited", object_id=str(membership.pk))
    assert event.actor_id == alpha.members["vendor_admin"].user_id
    assert event.object_type == "prm.membership"
    assert event.before is None
    _, after = _snapshots(event)
    assert after["role"] == Role.VENDOR_STAFF
    assert after["user"] == fresh.user_id
    assert after["partner"] is None


def test_vendor_admin_invites_partner_user_into_p1(alpha: Any) -> None:
    membership = membership_invite(
        actor=alpha.members["vendor_admin"],
        email="rep@reseller.test",
        role=Role.PARTNER_USER,
        partner_id=alpha.p1.pk,
    )
    fresh = Membership.objects.get(pk=membership.pk)
    assert fresh.role == Role.PARTNER_USER
    assert fresh.partner_id == alpha.p1.pk
    event = AuditEvent.objects.get(verb="membership.invited", object_id=str(membership.pk))
    assert _snapshots(event)[1]["partner"] == alpha.p1.pk


def test_partner_admin_invite_defaults_to_own_partner(alpha: Any) -> None:
    membership = membership_invite(
        actor=alpha.members["partner_admin"], email="colleague@p1.test", role=Role.PARTNER_USER
    )
    assert Membership.objects.get(pk=membership.pk).partner_id == alpha.members["partner_admin"].partner_id


@pytest.mark.parametrize("role", [Role.VENDOR_ADMIN, Role.VENDOR_STAFF])
@pytest.mark.parametrize("with_partner", [False, True])
def test_partner_admin_cannot_grant_vendor_roles(alpha: Any, role: str, with_partner: bool) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(
            actor=alpha.members["partner_admin"],
            email="sneaky@p1.test",
            role=role,
            partner_id=alpha.p1.pk if with_partner else None,
        )
    assert "role" in _error_fields(excinfo.value)
    assert _counts() == before
    assert not User.objects.filter(email="sneaky@p1.test").exists()


def test_partner_admin_cannot_invite_into_other_partner(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        membership_invite(
            actor=alpha.members["partner_admin"],
            email="intruder@p2.test",
            role=Role.PARTNER_USER,
            partner_id=alpha.p2.pk,
        )
    assert _counts() == before
    assert not User.objects.filter(email="intruder@p2.test").exists()


def test_partner_users_cannot_invite(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        membership_invite(
            actor=alpha.members["partner_user"],
            email="nobody@x.test",
            role=Role.PARTNER_USER,
            partner_id=alpha.p1.pk,
        )
    assert _counts() == before


def test_vendor_staff_invites_partner_people(alpha: Any) -> None:
    membership = membership_invite(
        actor=alpha.members["vendor_staff"],
        email="rep@p1.test",
        role=Role.PARTNER_USER,
        partner_id=alpha.p1.pk,
    )
    assert (membership.role, membership.partner_id) == (Role.PARTNER_USER, alpha.p1.pk)


@pytest.mark.parametrize("role", [Role.VENDOR_ADMIN, Role.VENDOR_STAFF])
def test_vendor_staff_cannot_grant_vendor_roles(alpha: Any, role: str) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        membership_invite(actor=alpha.members["vendor_staff"], email="boss@x.test", role=role)
    assert "role" in caught.value.message_dict
    assert _counts() == before
    with pytest.raises(ValidationError):
        membership_update(
            actor=alpha.members["vendor_staff"], membership=alpha.members["vendor_admin"], role=role
        )


@pytest.mark.parametrize("spelling", ["vendor_staff@alpha.test", "  VENDOR_STAFF@Alpha.Test "])
def test_duplicate_member_is_an_email_error(alpha: Any, spelling: str) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(actor=alpha.members["vendor_admin"], email=spelling, role=Role.VENDOR_STAFF)
    assert "email" in _error_fields(excinfo.value)
    assert _counts() == before


def test_partner_role_without_partner_is_a_partner_error(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(actor=alpha.members["vendor_admin"], email="lost@x.test", role=Role.PARTNER_USER)
    assert "partner" in _error_fields(excinfo.value)
    assert _counts() == before


def test_vendor_role_with_partner_is_a_partner_error(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(
            actor=alpha.members["vendor_admin"],
            email="mixed@x.test",
            role=Role.VENDOR_STAFF,
            partner_id=alpha.p1.pk,
        )
    assert "partner" in _error_fields(excinfo.value)
    assert _counts() == before


def test_unknown_role_is_a_role_error(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(actor=alpha.members["vendor_admin"], email="odd@x.test", role="superhero")
    assert "role" in _error_fields(excinfo.value)
    assert _counts() == before


def test_invite_into_unknown_partner_is_a_partner_error(alpha: Any) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(
            actor=alpha.members["vendor_admin"],
            email="ghost@x.test",
            role=Role.PARTNER_USER,
            partner_id=987654,
        )
    assert "partner" in _error_fields(excinfo.value)
    assert _counts() == before


def test_invite_into_another_tenants_partner_is_a_partner_error(world: World, alpha: Any) -> None:
    """A partner id of tenant bravo is, for alpha, an unknown partner: a field error, not a crash."""
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        membership_invite(
            actor=alpha.members["vendor_admin"],
            email="crossover@x.test",
            role=Role.PARTNER_USER,
            partner_id=world.bravo.p1.pk,
        )
    assert "partner" in _error_fields(excinfo.value)
    assert _counts() == before


def test_new_login_gets_password_set_email_after_commit(
    alpha: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership = membership_invite(
            actor=alpha.members["vendor_admin"], email="fresh@x.test", role=Role.VENDOR_STAFF
        )
        assert mail.outbox == [], "the e-mail must wait for the commit"
    assert len(callbacks) == 1
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fresh@x.test"]
    match = INVITE_LINK.search(str(message.body))
    assert match, message.body
    user = User.objects.get(email="fresh@x.test")
    assert user.pk == membership.user_id
    assert force_str(urlsafe_base64_decode(match["uid"])) == str(user.pk)
    assert default_token_generator.check_token(user, match["token"])


def test_invitation_email_is_sent_once_committed(
    alpha: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(
            actor=alpha.members["vendor_admin"],
            email="committed@x.test",
            role=Role.PARTNER_USER,
            partner_id=alpha.p1.pk,
        )
    assert [m.to for m in mail.outbox] == [["committed@x.test"]]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_refused_invite_sends_no_email(
    alpha: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        membership_invite(
            actor=alpha.members["partner_admin"],
            email="never@x.test",
            role=Role.PARTNER_USER,
            partner_id=alpha.p2.pk,
        )
    assert mail.outbox == []


def test_existing_login_from_other_tenant_joins_without_new_email(
    world: World, alpha: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bravo_user = world.bravo.members["vendor_staff"].user
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_invite(
            actor=alpha.members["vendor_admin"], email=bravo_user.email, role=Role.VENDOR_STAFF
        )
    assert membership.user_id == bravo_user.pk
    assert Membership.objects.get(pk=membership.pk).tenant_id == alpha.tenant.pk
    assert User.objects.count() == users_before
    assert mail.outbox == []
    bravo_user.refresh_from_db()
    assert bravo_user.check_password("pw"), "joining a second tenant must not touch the login's password"


# --- membership_update -----------------------------------------------------------------------


def test_role_change_writes_audit_event_with_before_and_after(alpha: Any) -> None:
    target = alpha.members["partner_user"]
    actor = alpha.members["vendor_admin"]
    membership_update(actor=actor, membership=target, role=Role.PARTNER_ADMIN)
    assert _db_state(target) == (Role.PARTNER_ADMIN, True, alpha.p1.pk)
    event = AuditEvent.objects.get(verb="membership.updated", object_id=str(target.pk))
    assert event.actor_id == actor.user_id
    before, after = _snapshots(event)
    assert before["role"] == Role.PARTNER_USER
    assert after["role"] == Role.PARTNER_ADMIN
    assert before["is_active"] is True and after["is_active"] is True


def test_deactivation_writes_audit_event(alpha: Any) -> None:
    target = alpha.members["vendor_staff"]
    membership_update(actor=alpha.members["vendor_admin"], membership=target, is_active=False)
    assert _db_state(target) == (Role.VENDOR_STAFF, False, None)
    event = AuditEvent.objects.get(verb="membership.updated", object_id=str(target.pk))
    before, after = _snapshots(event)
    assert (before["is_active"], after["is_active"]) == (True, False)


def test_update_without_change_writes_no_event(alpha: Any) -> None:
    before = AuditEvent.objects.count()
    target = alpha.members["vendor_staff"]
    membership_update(
        actor=alpha.members["vendor_admin"], membership=target, role=target.role, is_active=True
    )
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("change", [{"role": Role.VENDOR_STAFF}, {"is_active": False}])
def test_last_active_vendor_admin_cannot_be_removed(alpha: Any, change: dict[str, Any]) -> None:
    admin = alpha.members["vendor_admin"]
    assert Membership.objects.filter(role=Role.VENDOR_ADMIN, is_active=True).count() == 1
    state, events = _db_state(admin), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        membership_update(actor=admin, membership=admin, **change)
    assert _db_state(admin) == state
    assert AuditEvent.objects.count() == events


def test_vendor_admin_can_step_down_once_another_admin_exists(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    membership_update(actor=admin, membership=alpha.members["vendor_staff"], role=Role.VENDOR_ADMIN)
    membership_update(actor=admin, membership=admin, role=Role.VENDOR_STAFF)
    assert _db_state(admin)[0] == Role.VENDOR_STAFF


def test_inactive_vendor_admin_does_not_count_as_remaining_admin(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    user = User.objects.create_user(email="dormant@alpha.test", password="pw")
    Membership.objects.create(user=user, role=Role.VENDOR_ADMIN, is_active=False)
    with pytest.raises(ValidationError):
        membership_update(actor=admin, membership=admin, is_active=False)
    assert _db_state(admin) == (Role.VENDOR_ADMIN, True, None)


@pytest.mark.parametrize("actor_role", ["vendor_admin", "partner_admin"])
@pytest.mark.parametrize("change", [{"role": Role.PARTNER_USER}, {"is_active": False}])
def test_last_partner_admin_of_a_partner_cannot_be_removed(
    alpha: Any, actor_role: str, change: dict[str, Any]
) -> None:
    """P2 has its own partner admin; that must not count for P1."""
    target = alpha.members["partner_admin"]
    assert alpha.p2_members["partner_admin"].is_active
    state, events = _db_state(target), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        membership_update(actor=alpha.members[actor_role], membership=target, **change)
    assert _db_state(target) == state
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", [Role.VENDOR_ADMIN, Role.VENDOR_STAFF])
def test_partner_admin_cannot_promote_to_vendor_role(alpha: Any, role: str) -> None:
    target = alpha.members["partner_user"]
    state, events = _db_state(target), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        membership_update(actor=alpha.members["partner_admin"], membership=target, role=role)
    assert "role" in _error_fields(excinfo.value)
    assert _db_state(target) == state
    assert AuditEvent.objects.count() == events


def test_partner_admin_cannot_change_other_partners_people(alpha: Any) -> None:
    target = alpha.p2_members["partner_user"]
    state = _db_state(target)
    with pytest.raises(PermissionDenied):
        membership_update(actor=alpha.members["partner_admin"], membership=target, is_active=False)
    assert _db_state(target) == state


def test_partner_admin_can_promote_own_partner_user(alpha: Any) -> None:
    target = alpha.members["partner_user"]
    membership_update(actor=alpha.members["partner_admin"], membership=target, role=Role.PARTNER_ADMIN)
    assert _db_state(target)[0] == Role.PARTNER_ADMIN
