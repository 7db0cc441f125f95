"""Enablement lists cost the same number of queries with 10 rows as with 100."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from partners.models import ChecklistItem, Partner, PartnerType, Side, Stage, Training, TrainingCompletion
from prm.tenancy import tenant_context
from tests.conftest import World
from tests.partners.enablement_support import make_training, today
from tests.test_query_counts import assert_flat_query_count


def _training(world: World) -> Training:
    return Training.objects.filter(name="Bulk cert").first() or make_training("Bulk cert", validity=365)


def add_completions(world: World, n: int) -> None:
    """n completions for P1's people, a different day each, some expired, some expiring."""
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        training = _training(world)
        offset = TrainingCompletion.objects.count()
        people = [alpha.members["partner_user"], alpha.members["partner_admin"]]
        TrainingCompletion.objects.bulk_create(
            TrainingCompletion(
                training=training,
                partner=alpha.p1,
                person=people[i % 2],
                completed_on=today() - timedelta(days=offset + i),
                expires_on=today() - timedelta(days=offset + i) + timedelta(days=365),
            )
            for i in range(n)
        )


def add_partners_with_checklists(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = Partner.objects.count()
        partners = Partner.objects.bulk_create(
            Partner(name=f"Bulk {start + i}", partner_type=PartnerType.SERVICES, stage=Stage.ONBOARD)
            for i in range(n)
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                partner=partner,
                title=f"Step {k}",
                owner_side=Side.PARTNER if k % 2 else Side.VENDOR,
                due_on=today() + timedelta(days=k - 2),
            )
            for partner in partners
            for k in range(3)
        )


def add_steps(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                partner=world.alpha.p1,
                title=f"Step {i}",
                owner_side=Side.PARTNER if i % 2 else Side.VENDOR,
                due_on=today() + timedelta(days=i - n // 2),
            )
            for i in range(n)
        )


def add_trainings(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = Training.objects.count()
        Training.objects.bulk_create(Training(name=f"Course {start + i}", kind="training") for i in range(n))


LISTS: list[tuple[str, str, Callable[[World], str], Callable[[World, int], None]]] = [
    ("enablement_overview", "vendor_staff", lambda w: "/alpha/enablement/", add_partners_with_checklists),
    ("portal_trainings", "partner_admin", lambda w: "/alpha/portal/trainings/", add_completions),
    ("portal_checklist", "partner_user", lambda w: "/alpha/portal/checklist/", add_steps),
    (
        "partner_tab_checklist",
        "vendor_staff",
        lambda w: f"/alpha/partners/{w.alpha.p1.pk}/checklist/",
        add_steps,
    ),
    (
        "partner_tab_trainings",
        "vendor_staff",
        lambda w: f"/alpha/partners/{w.alpha.p1.pk}/trainings/",
        add_completions,
    ),
    ("training_list", "vendor_admin", lambda w: "/alpha/config/trainings/", add_trainings),
    ("api_training_list", "partner_user", lambda w: "/api/v1/alpha/trainings/?page_size=500", add_trainings),
    (
        "api_training_completion_list",
        "vendor_staff",
        lambda w: "/api/v1/alpha/training-completions/?page_size=500",
        add_completions,
    ),
    (
        "api_partner_checklist",
        "partner_user",
        lambda w: f"/api/v1/alpha/partners/{w.alpha.p1.pk}/checklist/",
        add_steps,
    ),
]


@pytest.mark.parametrize(("name", "role", "url", "add_rows"), LISTS, ids=[row[0] for row in LISTS])
def test_query_count_does_not_grow_with_rows(
    world: World,
    name: str,
    role: str,
    url: Callable[[World], str],
    add_rows: Callable[[World, int], None],
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url(world), add_rows=add_rows)
