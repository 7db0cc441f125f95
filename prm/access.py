"""One access helper per object kind: every id that arrives in a request passes through one of these.

They answer 404 (never 403) for objects outside the actor's tenant or partner, so existence does
not leak. Role checks for whole pages live in the view decorators; these decide per object.
"""

from __future__ import annotations

from django.http import Http404

from prm.models import AuditEvent, Membership, Tenant, User


def access_membership_of_user(*, user: User, tenant: Tenant) -> Membership | None:
    """The user's active membership in the tenant in context, or None."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("partner", "user")
        .filter(user=user, tenant=tenant, is_active=True)
        .first()
    )


def access_membership_by_id(*, actor: Membership, membership_id: int) -> Membership:
    queryset = Membership.objects.select_related("user", "partner")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    membership = queryset.filter(pk=membership_id).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_audit_event_by_id(*, actor: Membership, event_id: int) -> AuditEvent:
    if not actor.is_vendor_admin:
        raise Http404("No such event.")
    event = AuditEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event
