"""The ledgers tell the LTV engine which partners changed ("partner X needs recompute").

Ledger services call `recompute_mark_partners` inside their own transaction: the mark commits exactly
when the change does. After commit one task per tenant is scheduled: at once after a quiet period,
otherwise at the end of the DEBOUNCE_SECONDS window that follows the last take, while later changes
only add marks, so a burst (an import of 100,000 rows, a stream of API calls) costs one recompute per
window. If the broker is unreachable the marks wait for the periodic sweep; nothing is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from prm.context import require_tenant_id
from revenue.models import RecomputeMark

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 10


def _scheduled_key(tenant_id: int) -> str:
    return f"revenue:ltv-recompute-scheduled:{tenant_id}"


def _last_take_key(tenant_id: int) -> str:
    return f"revenue:ltv-recompute-last-take:{tenant_id}"


def recompute_mark_partners(*, partner_ids: Iterable[int | None], reason: str) -> None:
    ids = sorted({int(pk) for pk in partner_ids if pk is not None})
    if not ids:
        return
    tenant_id = require_tenant_id()
    now = timezone.now()
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(partner_id=pk, last_change_at=now, last_reason=reason[:200]) for pk in ids],
        ignore_conflicts=True,
    )
    RecomputeMark.objects.filter(partner_id__in=ids).update(
        dirty_since=Coalesce(F("dirty_since"), Value(now)),
        last_change_at=now,
        last_reason=reason[:200],
        changes=F("changes") + 1,
    )
    _schedule_once_on_commit(tenant_id)


def _schedule_once_on_commit(tenant_id: int) -> None:
    """One scheduling callback per tenant per transaction, however many ledger writes it makes
    (an import, a won deal, the demo seed): the cache flag debounces across transactions, this
    within one, which matters where tasks run eagerly and clear the flag at once."""
    connection = transaction.get_connection()
    for _, callback, _ in connection.run_on_commit:
        if getattr(callback, "recompute_tenant_id", None) == tenant_id:
            return

    def schedule() -> None:
        recompute_schedule(tenant_id=tenant_id)

    schedule.recompute_tenant_id = tenant_id  # type: ignore[attr-defined]
    transaction.on_commit(schedule)


def recompute_schedule(*, tenant_id: int) -> bool:
    """Enqueue the tenant's recompute unless one is already waiting; True if this call enqueued.

    Leading edge: after a quiet period the recompute runs at once (a new row reaches the partner's
    LTV in well under a second); within DEBOUNCE_SECONDS of the last take, it waits out the rest,
    so a burst of transactions still costs one recompute per window."""
    if not cache.add(_scheduled_key(tenant_id), 1, timeout=DEBOUNCE_SECONDS * 30):
        return False
    last_take = cache.get(_last_take_key(tenant_id))
    countdown = 0.0 if last_take is None else max(0.0, last_take + DEBOUNCE_SECONDS - time.time())
    try:
        recompute_task().apply_async(kwargs={"tenant_id": tenant_id}, countdown=countdown)
    except Exception:  # the broker is down: the marks stay dirty and the periodic sweep takes them
        cache.delete(_scheduled_key(tenant_id))
        logger.exception("could not enqueue the LTV recompute of tenant %s", tenant_id)
        return False
    return True


def recompute_task() -> Any:
    """The LTV engine's task, by its configured name: the ledgers never import the engine. Its module
    is loaded by name first, since Celery registers tasks when their module is imported."""
    import_module(settings.LTV_RECOMPUTE_TASK.rsplit(".", 1)[0])
    return current_app.tasks[settings.LTV_RECOMPUTE_TASK]


@transaction.atomic
def recompute_take_pending() -> list[int]:
    """Take the current tenant's dirty marks: the partners the LTV engine must recompute now.

    Idempotent and safe to run twice at once: rows are taken under SKIP LOCKED and a mark dirtied
    again after it was taken is taken by the next run."""
    tenant_id = require_tenant_id()
    cache.delete(_scheduled_key(tenant_id))
    cache.set(_last_take_key(tenant_id), time.time(), timeout=DEBOUNCE_SECONDS * 30)
    now = timezone.now()
    marks = list(
        RecomputeMark.objects.select_for_update(skip_locked=True)
        .filter(dirty_since__isnull=False)
        .order_by("partner_id")
    )
    ids = [mark.partner_id for mark in marks]
    RecomputeMark.objects.filter(pk__in=[mark.pk for mark in marks]).update(
        dirty_since=None, taken_at=now, takes=F("takes") + 1
    )
    return ids
