"""Landing, tenant picker and the health check. The two homes live in `partners` (program data)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prm.models import PARTNER_ROLES, Membership
from prm.selectors import memberships_for_user


def membership_home_url(membership: Membership) -> str:
    name = "portal_home" if membership.role in PARTNER_ROLES else "tenant_home"
    return reverse(name, kwargs={"tenant_slug": membership.tenant.slug})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: straight to the one tenant's home, or the picker when there are several."""
    memberships = memberships_for_user(user=request.user)  # type: ignore[arg-type]
    if len(memberships) == 1:
        return redirect(membership_home_url(memberships[0]))
    return redirect("select_tenant")


@login_required
def select_tenant(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for_user(user=request.user)  # type: ignore[arg-type]
    choices = [(membership, membership_home_url(membership)) for membership in memberships]
    return render(request, "accounts/select_tenant.html", {"choices": choices})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON for load balancers and compose: 200 when the database (and broker, if any) answer."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; report its kind, not its secrets
        checks["database"] = f"error: {type(exc).__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            from prm.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {type(exc).__name__}"
            healthy = False
    else:
        checks["broker"] = "eager (no broker configured)"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
