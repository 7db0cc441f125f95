"""What the deal pages share: the actor, safe redirects back, the protection countdown, CSV columns."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from prm.models import Membership
from revenue.models import Deal, DealStatus


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def tenant_slug_of(request: HttpRequest) -> str:
    return str(request.tenant.slug)  # type: ignore[attr-defined]


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a plain (non-htmx) form goes back to: the page it came from, if it is one of ours."""
    target = request.POST.get("next", "")
    tenant_prefix = f"/{tenant_slug_of(request)}/"
    if target.startswith(tenant_prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return fallback


def query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def protection_countdown(deal: Deal, *, today: datetime.date | None = None) -> str:
    """“41 days left”, “1 day left”, “expires today”; empty unless the deal is approved and holds a
    window (direct opportunities hold none). Days count in calendar days of the tenant's zone."""
    if deal.status != DealStatus.APPROVED or deal.protection_ends_at is None:
        return ""
    today = today or timezone.localdate()
    days = (timezone.localtime(deal.protection_ends_at).date() - today).days
    if days > 1:
        return f"{days} days left"
    if days == 1:
        return "1 day left"
    # Past its end but not yet swept by the periodic expiry: it expires at the next run, i.e. today.
    return "expires today"


def with_countdowns(deals: Iterable[Deal]) -> list[Deal]:
    today = timezone.localdate()
    rows = list(deals)
    for deal in rows:
        deal.countdown = protection_countdown(deal, today=today)  # type: ignore[attr-defined]
    return rows


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return str(value.isoformat())


PORTAL_EXPORT_COLUMNS = [
    "id",
    "title",
    "customer_name",
    "customer_domain",
    "country",
    "stream",
    "amount",
    "expected_close_on",
    "status",
    "in_conflict_review",
    "submitted_at",
    "approved_at",
    "protection_ends_at",
    "extension_status",
    "closed_on",
    "decision_reason",
    "created_at",
]
VENDOR_EXPORT_COLUMNS = [*PORTAL_EXPORT_COLUMNS[:1], "partner", *PORTAL_EXPORT_COLUMNS[1:]]


def portal_export_row(deal: Deal) -> list[Any]:
    return [
        deal.pk,
        deal.title,
        deal.customer_name,
        deal.customer_domain,
        deal.country,
        deal.stream,
        deal.amount,
        _iso(deal.expected_close_on),
        deal.status,
        "yes" if getattr(deal, "open_conflicts", 0) else "no",
        _iso(deal.submitted_at),
        _iso(deal.approved_at),
        _iso(deal.protection_ends_at),
        deal.extension_status,
        _iso(deal.closed_on),
        deal.decision_reason,
        _iso(deal.created_at),
    ]


def vendor_export_row(deal: Deal) -> list[Any]:
    row = portal_export_row(deal)
    return [row[0], deal.partner.name if deal.partner else "(direct)", *row[1:]]
