"""Enablement services: starting and ticking checklists, checklist templates, the training catalogue
and completions. A refused call changes nothing: no row, no audit event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from partners.access_enablement import access_checklist_item_by_id, access_training_completion_by_id
from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    PartnerType,
    Side,
    Training,
    TrainingCompletion,
)
from partners.services_enablement import (
    checklist_item_complete,
    checklist_item_reopen,
    checklist_start,
    checklist_template_create,
    checklist_template_delete,
    checklist_template_item_create,
    checklist_template_item_update,
)
from partners.services_enablement_training import (
    training_completion_record,
    training_completion_revoke,
    training_create,
    training_set_active,
    training_update,
)
from prm.models import AuditEvent, Membership
from prm.tenancy import tenant_context
from tests.conftest import World
from tests.partners.enablement_support import (
    audit_verbs,
    make_completion,
    make_item,
    make_template,
    make_training,
    today,
)


@pytest.fixture
def alpha(world: World) -> Iterator[Any]:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


# --- checklist_start ---------------------------------------------------------------------------------


def test_checklist_start_copies_the_template_of_the_partner_type(alpha: Any) -> None:
    make_template(PartnerType.RESELLER, [("Sign agreement", Side.PARTNER, 5), ("Kick-off", Side.VENDOR, 10)])
    make_template(PartnerType.REFERRAL, [("Other type's step", Side.PARTNER, 1)])
    items = checklist_start(actor=alpha.members["vendor_staff"], partner=alpha.p1)
    assert [(i.title, i.owner_side, i.due_on, i.position) for i in items] == [
        ("Sign agreement", Side.PARTNER, today() + timedelta(days=5), 1),
        ("Kick-off", Side.VENDOR, today() + timedelta(days=10), 2),
    ]
    assert all(i.partner_id == alpha.p1.pk and i.completed_at is None for i in items)
    event = AuditEvent.objects.get(verb="checklist.started")
    assert event.object_id == str(alpha.p1.pk) and event.after["items"] == 2


def test_checklist_start_is_idempotent(alpha: Any) -> None:
    make_template(PartnerType.RESELLER, [("Sign agreement", Side.PARTNER, 5)])
    actor = alpha.members["vendor_admin"]
    first = checklist_start(actor=actor, partner=alpha.p1)
    checklist_item_complete(actor=actor, item=first[0])
    ChecklistTemplateItem.objects.create(
        template=ChecklistTemplate.objects.get(), title="Added later", owner_side=Side.VENDOR, due_days=1
    )
    again = checklist_start(actor=actor, partner=alpha.p1)
    assert [i.pk for i in again] == [i.pk for i in first]
    assert again[0].completed_at is not None  # returned unchanged, not recreated
    assert ChecklistItem.objects.count() == 1
    assert audit_verbs().count("checklist.started") == 1


def test_checklist_start_without_template_returns_nothing_and_writes_nothing(alpha: Any) -> None:
    events = AuditEvent.objects.count()
    assert checklist_start(actor=alpha.members["vendor_staff"], partner=alpha.p1) == []
    make_template(PartnerType.RESELLER, [])  # a template without steps is as good as none
    assert checklist_start(actor=alpha.members["vendor_staff"], partner=alpha.p1) == []
    assert ChecklistItem.objects.count() == 0 and AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_start_a_checklist(alpha: Any, role: str) -> None:
    make_template(PartnerType.RESELLER, [("Sign agreement", Side.PARTNER, 5)])
    with pytest.raises(PermissionDenied):
        checklist_start(actor=alpha.members[role], partner=alpha.p1)
    assert ChecklistItem.objects.count() == 0


# --- ticking steps ------------------------------------------------------------------------------------


def test_vendor_completes_any_step_with_who_and_when(alpha: Any) -> None:
    item = make_item(alpha.p1, side=Side.VENDOR)
    actor = alpha.members["vendor_staff"]
    checklist_item_complete(actor=actor, item=item)
    item.refresh_from_db()
    assert item.completed_at is not None and item.completed_by_id == actor.user_id
    event = AuditEvent.objects.get(verb="checklist_item.completed")
    assert event.actor_id == actor.user_id
    assert event.before["completed_at"] is None and event.after["completed_by"] == actor.user_id


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_completes_its_own_partner_side_step(alpha: Any, role: str) -> None:
    item = make_item(alpha.p1, side=Side.PARTNER)
    checklist_item_complete(actor=alpha.members[role], item=item)
    item.refresh_from_db()
    assert item.completed_by_id == alpha.members[role].user_id


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_completing_a_vendor_step_is_refused_and_changes_nothing(alpha: Any, role: str) -> None:
    item = make_item(alpha.p1, side=Side.VENDOR)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        checklist_item_complete(actor=alpha.members[role], item=item)
    item.refresh_from_db()
    assert item.completed_at is None and item.completed_by_id is None
    assert AuditEvent.objects.count() == events


def test_partner_of_p1_cannot_reach_or_tick_p2_steps(alpha: Any) -> None:
    item = make_item(alpha.p2, side=Side.PARTNER)
    actor = alpha.members["partner_admin"]
    with pytest.raises(Http404):
        access_checklist_item_by_id(actor=actor, item_id=item.pk)
    with pytest.raises(PermissionDenied):  # and the service refuses even if handed the object
        checklist_item_complete(actor=actor, item=item)
    item.refresh_from_db()
    assert item.completed_at is None


def test_completing_twice_records_once_and_reopen_undoes(alpha: Any) -> None:
    item = make_item(alpha.p1, side=Side.PARTNER)
    actor = alpha.members["partner_user"]
    checklist_item_complete(actor=actor, item=item)
    first_done = ChecklistItem.objects.get(pk=item.pk).completed_at
    checklist_item_complete(actor=actor, item=item)
    assert ChecklistItem.objects.get(pk=item.pk).completed_at == first_done
    checklist_item_reopen(actor=actor, item=item)
    item.refresh_from_db()
    assert item.completed_at is None and item.completed_by_id is None
    assert audit_verbs()[-2:] == ["checklist_item.completed", "checklist_item.reopened"]
    assert audit_verbs().count("checklist_item.completed") == 1


def test_partner_cannot_reopen_a_vendor_step(alpha: Any) -> None:
    item = make_item(alpha.p1, side=Side.VENDOR)
    checklist_item_complete(actor=alpha.members["vendor_admin"], item=item)
    with pytest.raises(PermissionDenied):
        checklist_item_reopen(actor=alpha.members["partner_admin"], item=item)
    assert ChecklistItem.objects.get(pk=item.pk).completed_at is not None


# --- checklist templates ------------------------------------------------------------------------------


def test_template_crud_by_vendor_admin_with_audit(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    template = checklist_template_create(actor=admin, partner_type=PartnerType.SERVICES, name=" Services ")
    assert template.name == "Services"
    first = checklist_template_item_create(
        actor=admin, template=template, title="Sign", owner_side=Side.PARTNER, due_days=3
    )
    second = checklist_template_item_create(
        actor=admin, template=template, title="Kick-off", owner_side=Side.VENDOR, due_days=7
    )
    assert (first.position, second.position) == (0, 1)  # appended at the end
    checklist_template_item_update(
        actor=admin, item=second, title="Kick-off call", owner_side=Side.VENDOR, due_days=9, position=0
    )
    checklist_template_delete(actor=admin, template=template)
    assert ChecklistTemplate.objects.count() == 0 and ChecklistTemplateItem.objects.count() == 0
    assert audit_verbs()[-5:] == [
        "checklist_template.created",
        "checklist_template_item.created",
        "checklist_template_item.created",
        "checklist_template_item.updated",
        "checklist_template.deleted",
    ]


def test_one_template_per_partner_type(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    checklist_template_create(actor=admin, partner_type=PartnerType.SERVICES, name="A")
    with pytest.raises(ValidationError) as error:
        checklist_template_create(actor=admin, partner_type=PartnerType.SERVICES, name="B")
    assert _fields(error) == {"partner_type"}
    with pytest.raises(ValidationError) as error:
        checklist_template_create(actor=admin, partner_type="wholesaler", name="C")
    assert _fields(error) == {"partner_type"}
    assert ChecklistTemplate.objects.count() == 1


def test_staff_cannot_configure_templates(alpha: Any) -> None:
    with pytest.raises(PermissionDenied):
        checklist_template_create(actor=alpha.members["vendor_staff"], partner_type="services", name="A")
    assert ChecklistTemplate.objects.count() == 0


def test_bad_steps_are_refused_field_by_field(alpha: Any) -> None:
    template = make_template(PartnerType.SERVICES, [])
    with pytest.raises(ValidationError) as error:
        checklist_template_item_create(
            actor=alpha.members["vendor_admin"],
            template=template,
            title="  ",
            owner_side="both",
            due_days=9999,
        )
    assert _fields(error) == {"title", "owner_side", "due_days"}
    assert ChecklistTemplateItem.objects.count() == 0


# --- the training catalogue ---------------------------------------------------------------------------


def test_training_create_update_and_deactivate(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    cert = training_create(actor=admin, name="Certified Admin", kind="certification", validity_days=730)
    training_update(
        actor=admin,
        training=cert,
        name="Certified Administrator",
        kind="certification",
        description="Two-day course",
        validity_days=365,
        is_active=True,
    )
    training_set_active(actor=admin, training=cert, is_active=False)
    cert.refresh_from_db()
    assert (cert.name, cert.validity_days, cert.is_active) == ("Certified Administrator", 365, False)
    assert audit_verbs()[-3:] == ["training.created", "training.updated", "training.deactivated"]


def test_training_validation(alpha: Any) -> None:
    admin = alpha.members["vendor_admin"]
    make_training("Fundamentals")
    with pytest.raises(ValidationError) as error:
        training_create(actor=admin, name="fundamentals", kind="training")
    assert _fields(error) == {"name"}
    with pytest.raises(ValidationError) as error:
        training_create(actor=admin, name="Intro", kind="training", validity_days=30)
    assert _fields(error) == {"validity_days"}  # only certifications expire
    with pytest.raises(PermissionDenied):
        training_create(actor=alpha.members["vendor_staff"], name="Intro", kind="training")
    assert Training.objects.count() == 1


# --- completions --------------------------------------------------------------------------------------


def test_certification_completion_expires_after_its_validity(alpha: Any) -> None:
    cert = make_training("Certified Admin", validity=730)
    course = make_training("Fundamentals")
    person = alpha.members["partner_user"]
    day = today() - timedelta(days=10)
    completion = training_completion_record(
        actor=alpha.members["vendor_staff"], training=cert, person=person, completed_on=day
    )
    assert completion.partner_id == alpha.p1.pk and completion.expires_on == day + timedelta(days=730)
    plain = training_completion_record(
        actor=alpha.members["partner_admin"], training=course, person=person, completed_on=day
    )
    assert plain.expires_on is None and plain.recorded_by_id == alpha.members["partner_admin"].user_id
    assert audit_verbs().count("training_completion.recorded") == 2


def test_completion_validation_changes_nothing(alpha: Any) -> None:
    course = make_training("Fundamentals")
    staff, person = alpha.members["vendor_staff"], alpha.members["partner_user"]
    training_completion_record(actor=staff, training=course, person=person, completed_on=today())
    cases: list[tuple[dict[str, Any], str]] = [
        ({"completed_on": today() + timedelta(days=1)}, "completed_on"),  # the future
        ({"completed_on": today()}, "completed_on"),  # the same person, training and day again
        ({"person": alpha.members["vendor_admin"]}, "person"),  # not a partner's person
        ({"training": make_training("Old course", is_active=False)}, "training"),
    ]
    for overrides, field in cases:
        kwargs = {"training": course, "person": person, "completed_on": today() - timedelta(days=1)}
        kwargs.update(overrides)
        with pytest.raises(ValidationError) as error:
            training_completion_record(actor=staff, **kwargs)
        assert field in _fields(error), overrides
    assert TrainingCompletion.objects.count() == 1


def test_completion_person_of_another_tenant_is_refused(world: World) -> None:
    with tenant_context(world.bravo.tenant):
        stranger = Membership.objects.get(pk=world.bravo.members["partner_user"].pk)
    with tenant_context(world.alpha.tenant):
        course = make_training("Fundamentals")
        with pytest.raises(ValidationError) as error:
            training_completion_record(
                actor=world.alpha.members["vendor_admin"],
                training=course,
                person=stranger,
                completed_on=today(),
            )
        assert _fields(error) == {"person"}
        assert TrainingCompletion.objects.count() == 0


def test_partner_admin_records_only_for_its_own_people(alpha: Any) -> None:
    course = make_training("Fundamentals")
    with pytest.raises(PermissionDenied):
        training_completion_record(
            actor=alpha.members["partner_admin"],
            training=course,
            person=alpha.p2_members["partner_user"],
            completed_on=today(),
        )
    with pytest.raises(PermissionDenied):
        training_completion_record(
            actor=alpha.members["partner_user"],
            training=course,
            person=alpha.members["partner_user"],
            completed_on=today(),
        )
    assert TrainingCompletion.objects.count() == 0


def test_revoke_by_own_partner_admin_not_by_others(alpha: Any) -> None:
    course = make_training("Fundamentals")
    mine = make_completion(course, alpha.members["partner_user"], days_ago=3)
    theirs = make_completion(course, alpha.p2_members["partner_user"], days_ago=3)
    with pytest.raises(Http404):
        access_training_completion_by_id(actor=alpha.members["partner_admin"], completion_id=theirs.pk)
    with pytest.raises(PermissionDenied):
        training_completion_revoke(actor=alpha.members["partner_admin"], completion=theirs)
    with pytest.raises(PermissionDenied):
        training_completion_revoke(actor=alpha.members["partner_user"], completion=mine)
    training_completion_revoke(actor=alpha.members["partner_admin"], completion=mine)
    assert list(TrainingCompletion.objects.values_list("pk", flat=True)) == [theirs.pk]
    event = AuditEvent.objects.get(verb="training_completion.revoked")
    assert event.before["person"] == alpha.members["partner_user"].pk
