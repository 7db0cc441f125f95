"""Enablement reads: checklists and their progress, the training catalogue, completions with their
expiry status, and the vendor's overview. Scoped to the tenant in context and to what the actor sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    Partner,
    PartnerType,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from prm.models import PARTNER_ROLES, Membership

EXPIRING_SOON_DAYS = 30
COMPLETION_STATUSES = (("current", "Current"), ("expiring", "Expiring soon"), ("expired", "Expired"))
OVERVIEW_SORTS = (
    ("overdue", "Most overdue first"),
    ("completion", "Least complete first"),
    ("certifications", "Most certified first"),
    ("name", "Name"),
)


# --- checklists --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistProgress:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def checklist_items(*, partner: Partner, today: date) -> list[ChecklistItem]:
    """The partner's steps in order, each with `is_overdue`: due before today and not done."""
    return list(
        ChecklistItem.objects.filter(partner=partner)
        .select_related("completed_by")
        .annotate(
            is_overdue=Case(
                When(completed_at__isnull=True, due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("position", "id")
    )


def checklist_progress(items: list[ChecklistItem]) -> ChecklistProgress:
    return ChecklistProgress(
        done=sum(1 for item in items if item.completed_at is not None),
        total=len(items),
        overdue=sum(1 for item in items if getattr(item, "is_overdue", False)),
    )


def checklist_template_for_type(*, partner_type: str) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(partner_type=partner_type).first()


@dataclass(frozen=True)
class TemplateRow:
    partner_type: str
    label: str
    template: ChecklistTemplate | None


def checklist_templates_by_type() -> list[TemplateRow]:
    """One row per partner type, with its template (and step counts) or None."""
    templates = {
        template.partner_type: template
        for template in ChecklistTemplate.objects.annotate(
            steps=Count("items"),
            partner_steps=Count("items", filter=Q(items__owner_side="partner")),
            vendor_steps=Count("items", filter=Q(items__owner_side="vendor")),
        )
    }
    return [TemplateRow(value, label, templates.get(value)) for value, label in PartnerType.choices]


# --- trainings ---------------------------------------------------------------------------------------


def training_list(
    *, actor: Membership, search: str = "", kind: str = "", active: str = ""
) -> QuerySet[Training]:
    """The catalogue with how many people completed each; partners see only what is on offer."""
    people = TrainingCompletion.objects.filter(training=OuterRef("pk"))
    if actor.is_partner:
        people = people.filter(partner_id=actor.own_partner_id)
    people_count = people.order_by().values("training").annotate(n=Count("person", distinct=True)).values("n")
    queryset = Training.objects.annotate(people=Coalesce(Subquery(people_count), 0))
    if actor.is_partner:
        queryset = queryset.filter(is_active=True)
    elif active in ("yes", "no"):
        queryset = queryset.filter(is_active=active == "yes")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if kind in TrainingKind.values:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name")


def active_trainings() -> QuerySet[Training]:
    return Training.objects.filter(is_active=True).order_by("name")


def partner_people(*, partner_id: int) -> QuerySet[Membership]:
    """Who can hold a partner's trainings: its active partner-role members."""
    return (
        Membership.objects.filter(partner_id=partner_id, role__in=PARTNER_ROLES, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def _with_status(queryset: QuerySet[TrainingCompletion], *, today: date) -> QuerySet[TrainingCompletion]:
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    return queryset.annotate(
        status=Case(
            When(expires_on__lt=today, then=Value("expired")),
            When(expires_on__lte=soon, then=Value("expiring")),
            default=Value("current"),
            output_field=CharField(),
        )
    )


def completion_list(
    *,
    actor: Membership,
    today: date,
    partner_id: int | None = None,
    search: str = "",
    training_id: int | None = None,
    status: str = "",
) -> QuerySet[TrainingCompletion]:
    """Completions with `status` current/expiring/expired; partner roles see only their own people's."""
    queryset = TrainingCompletion.objects.select_related("training", "partner", "person__user")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    if training_id is not None:
        queryset = queryset.filter(training_id=training_id)
    if search:
        queryset = queryset.filter(
            Q(person__user__email__icontains=search)
            | Q(person__user__full_name__icontains=search)
            | Q(training__name__icontains=search)
        )
    queryset = _with_status(queryset, today=today)
    if status in dict(COMPLETION_STATUSES):
        queryset = queryset.filter(status=status)  # type: ignore[misc]  # an annotation, unknown to the stubs
    return queryset.order_by("-completed_on", "-id")


@dataclass(frozen=True)
class CompletionSummary:
    people: int
    current_certifications: int
    expiring: int
    expired: int


def completion_summary(*, today: date, partner_id: int | None = None) -> CompletionSummary:
    """Headline figures in one query: people trained, and certifications current / expiring / expired."""
    queryset = TrainingCompletion.objects.all()
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    cert = Q(training__kind=TrainingKind.CERTIFICATION)
    figures = queryset.aggregate(
        people=Count("person", distinct=True),
        current=Count("pk", filter=cert & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))),
        expiring=Count("pk", filter=cert & Q(expires_on__gte=today, expires_on__lte=soon)),
        expired=Count("pk", filter=cert & Q(expires_on__lt=today)),
    )
    return CompletionSummary(
        people=figures["people"],
        current_certifications=figures["current"],
        expiring=figures["expiring"],
        expired=figures["expired"],
    )


def training_counts_for_partner(*, partner_id: int, today: date) -> list[dict[str, object]]:
    """Per training: how many of the partner's people hold it, and how many of those are current."""
    current = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    rows = list(
        TrainingCompletion.objects.filter(partner_id=partner_id)
        .values("training_id", "training__name", "training__kind")
        .annotate(
            people=Count("person", distinct=True),
            current=Count("person", filter=current, distinct=True),
        )
        .order_by("training__name")
    )
    return [{**row, "kind_label": TrainingKind(row["training__kind"]).label} for row in rows]


# --- the vendor's overview ---------------------------------------------------------------------------


def _count_per_partner(queryset: QuerySet) -> Coalesce:
    counted = queryset.filter(partner=OuterRef("pk")).order_by().values("partner")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def enablement_overview(
    *, today: date, search: str = "", stage: str = "", sort: str = "overdue"
) -> QuerySet[Partner]:
    """Partners with checklist steps total/done/overdue and current certifications, in one query
    (subqueries, so the counts cannot multiply each other the way joined counts would)."""
    items = ChecklistItem.objects.all()
    current_certs = TrainingCompletion.objects.filter(training__kind=TrainingKind.CERTIFICATION).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    queryset = Partner.objects.annotate(
        steps_total=_count_per_partner(items),
        steps_done=_count_per_partner(items.filter(completed_at__isnull=False)),
        steps_overdue=_count_per_partner(items.filter(completed_at__isnull=True, due_on__lt=today)),
        certifications=_count_per_partner(current_certs),
    ).annotate(
        completion=Case(
            When(steps_total=0, then=Value(None, output_field=FloatField())),
            default=Cast(F("steps_done"), FloatField()) * 100.0 / Cast(F("steps_total"), FloatField()),
            output_field=FloatField(),
        )
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(website_domain__icontains=search))
    if stage:
        queryset = queryset.filter(stage=stage)
    orderings: dict[str, list[Any]] = {
        "overdue": [F("steps_overdue").desc(), F("completion").asc(nulls_last=True), "name"],
        "completion": [F("completion").asc(nulls_last=True), "name"],
        "certifications": [F("certifications").desc(), "name"],
        "name": ["name"],
    }
    return queryset.order_by(*orderings.get(sort, orderings["overdue"]))


def enablement_totals(*, today: date) -> dict[str, int]:
    """Tenant-wide headline figures for the overview page."""
    items = ChecklistItem.objects.aggregate(
        onboarding=Count("partner", distinct=True),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, due_on__lt=today)),
        open=Count("pk", filter=Q(completed_at__isnull=True)),
    )
    certs = completion_summary(today=today)
    return {
        "with_checklist": items["onboarding"],
        "open_steps": items["open"],
        "overdue_steps": items["overdue"],
        "current_certifications": certs.current_certifications,
        "expiring": certs.expiring,
    }
