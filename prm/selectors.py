"""Platform reads, already scoped to the tenant in context and to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from prm.models import AuditEvent, Membership, Tenant, User
from prm.tenancy import platform_context


def membership_list(*, actor: Membership, search: str = "", role: str = "") -> QuerySet[Membership]:
    queryset = Membership.objects.select_related("user", "partner").order_by("user__email")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    if search:
        queryset = queryset.filter(
            Q(user__email__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(partner__name__icontains=search)
        )
    if role:
        queryset = queryset.filter(role=role)
    return queryset


def memberships_for_user(*, user: User) -> list[Membership]:
    """Every active membership of one login across tenants: the tenant picker's one platform read."""
    with platform_context():
        return list(
            Membership.unscoped.filter(user=user, is_active=True)
            .select_related("tenant", "partner")
            .order_by("tenant__name")
        )


def audit_event_list(*, search: str = "", verb: str = "", object_type: str = "") -> QuerySet[AuditEvent]:
    queryset = AuditEvent.objects.select_related("actor")
    if search:
        queryset = queryset.filter(
            Q(object_repr__icontains=search) | Q(actor__email__icontains=search) | Q(verb__icontains=search)
        )
    if verb:
        queryset = queryset.filter(verb=verb)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    return queryset


def audit_verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("verb").values_list("verb", flat=True).distinct())


def tenant_summary(*, tenant_id: int) -> dict[str, int | str]:
    tenant = Tenant.objects.get(pk=tenant_id)
    members = Membership.objects.filter(is_active=True)
    return {
        "tenant": tenant.slug,
        "members": members.count(),
        "vendor_members": members.filter(partner__isnull=True).count(),
        "partner_members": members.filter(partner__isnull=False).count(),
    }
