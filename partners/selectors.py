"""Partner reads, scoped to the tenant in context."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partners.models import Partner, PartnerType, Stage


def partner_counts() -> dict[str, object]:
    """Totals by stage and by type for the vendor home, in one query each."""
    by_stage = dict(Partner.objects.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    by_type = dict(
        Partner.objects.values_list("partner_type").annotate(n=Count("id")).values_list("partner_type", "n")
    )
    return {
        "total": sum(by_stage.values()),
        "by_stage": [(stage, by_stage.get(stage.value, 0)) for stage in Stage],
        "by_type": [(kind, by_type.get(kind.value, 0)) for kind in PartnerType],
    }


def partner_list(*, stage: str = "", partner_type: str = "", search: str = "") -> QuerySet[Partner]:
    queryset = Partner.objects.annotate(people=Count("memberships", filter=Q(memberships__is_active=True)))
    if stage:
        queryset = queryset.filter(stage=stage)
    if partner_type:
        queryset = queryset.filter(partner_type=partner_type)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(website_domain__icontains=search))
    return queryset.order_by("name")
