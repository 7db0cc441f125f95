"""The ledgers tell the LTV engine which partners changed ("partner X needs recompute").

Ledger services call `recompute_mark_partners` inside their own transaction: the mark commits exactly
when the change does. After commit one task per tenant is scheduled, debounced: the first change
in a quiet period schedules it DEBOUNCE_SECONDS ahead and later changes only add marks, so a burst
(an import of 100,000 rows) costs one recompute. If the broker is unreachable the marks wait for the
periodic sweep; nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

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
    """Enqueue the tenant's recompute unless one is already waiting; True if this call enqueued."""
    from revenue.tasks import recompute_pending_task

    if not cache.add(_scheduled_key(tenant_id), 1, timeout=DEBOUNCE_SECONDS * 30):
        return False
    try:
        recompute_pending_task.apply_async(kwargs={"tenant_id": tenant_id}, countdown=DEBOUNCE_SECONDS)
    except Exception:  # the broker is down: the marks stay dirty and the periodic sweep takes them
        cache.delete(_scheduled_key(tenant_id))
        logger.exception("could not enqueue the LTV recompute of tenant %s", tenant_id)
        return False
    return True


@transaction.atomic
def recompute_take_pending() -> list[int]:
    """Take the current tenant's dirty marks: the partners the LTV engine must recompute now.

    Idempotent and safe to run twice at once: rows are taken under SKIP LOCKED and a mark dirtied
    again after it was taken is taken by the next run."""
    cache.delete(_scheduled_key(require_tenant_id()))
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
