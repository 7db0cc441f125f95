"""Attribution writes: who gets credit for a customer (or one revenue row), and how much.

Rules the service enforces (and a database check backs where a single row can):
- weight in (0, 1]; effective_to after effective_from; a manual entry says why;
- at no date do the sourced weights of one customer (or of one revenue row) add up to more than 1;
  the check runs with the customer row locked, so two writers cannot both squeeze in;
- history is kept: a change ends the version in force (effective_to) and starts a new one that
  `supersedes` it, so an LTV can be recomputed as of any past date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from partners.models import Partner
from prm.audit import audit_record, model_snapshot
from prm.models import Membership
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    Customer,
    Deal,
    ReferralCode,
    RevenueEntry,
)
from revenue.services_common import Fields, text
from revenue.services_recompute import recompute_mark_partners
from revenue.validation import plain_number

ATTRIBUTION_FIELDS = [
    "partner",
    "customer",
    "revenue_entry",
    "kind",
    "weight",
    "effective_from",
    "effective_to",
    "source",
    "deal",
    "referral_code",
    "marketplace_ref",
    "reason",
]
ONE = Decimal("1")
WEIGHT_STEP = Decimal("0.0001")


def parse_weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError("Give the weight as a number between 0 and 1, e.g. 0.5.") from None
    if not weight.is_finite() or not Decimal("0") < weight <= ONE:
        raise ValueError("The weight must be above 0 and at most 1.")
    if weight != weight.quantize(WEIGHT_STEP):
        raise ValueError("The weight can have at most four decimals.")
    return weight.quantize(WEIGHT_STEP)


def sourced_peak(
    *,
    customer: Customer,
    revenue_entry_id: int | None,
    start: datetime.date,
    end: datetime.date | None,
    exclude_pk: int | None = None,
) -> Decimal:
    """The highest total sourced weight already in force on any day of [start, end)."""
    rows = Attribution.objects.filter(
        customer=customer, kind=AttributionKind.SOURCED, revenue_entry_id=revenue_entry_id
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
    if end is not None:
        rows = rows.filter(effective_from__lt=end)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return spans_peak(rows.values_list("effective_from", "effective_to", "weight"), start=start, end=end)


Span = tuple[datetime.date, datetime.date | None, Decimal]


def spans_peak(spans: Iterable[Span], *, start: datetime.date, end: datetime.date | None) -> Decimal:
    """The highest total weight in force on any day of [start, end), for spans (from, to, weight)
    with `to` exclusive. Imports call it on spans held in memory."""
    relevant = [
        (begin, finish, weight)
        for begin, finish, weight in spans
        if (finish is None or finish > start) and (end is None or begin < end)
    ]
    # The total can only rise where a span starts: check the window's start and each later start.
    points = {start} | {begin for begin, _, _ in relevant if begin > start}
    peak = Decimal("0")
    for day in points:
        total = sum(
            (
                weight
                for begin, finish, weight in relevant
                if begin <= day and (finish is None or day < finish)
            ),
            Decimal("0"),
        )
        peak = max(peak, total)
    return peak


def _check_source(
    errors: Fields,
    *,
    actor: Membership | None,
    source: str,
    deal: Deal | None,
    referral_code: ReferralCode | None,
    marketplace_ref: str,
    reason: str,
    partner: Partner,
) -> None:
    if source not in AttributionSource.values:
        errors.add("source", f"Use one of: {', '.join(AttributionSource.values)}.")
        return
    if actor is not None and not actor.is_vendor:
        raise PermissionDenied("Only the vendor's team records attributions.")
    if source == AttributionSource.MANUAL:
        if actor is None:
            errors.add("source", "A manual attribution needs a person who records it.")
        if not reason:
            errors.add("reason", "Say why this partner gets the credit; both sides see it.")
    if source == AttributionSource.DEAL and (deal is None or deal.partner_id != partner.pk):
        errors.add("deal", "Name the partner's deal registration this credit comes from.")
    if source == AttributionSource.REFERRAL_CODE and (
        referral_code is None or referral_code.partner_id != partner.pk
    ):
        errors.add("referral_code", "Name the partner's referral code this credit comes from.")
    if source == AttributionSource.MARKETPLACE and not marketplace_ref:
        errors.add("marketplace_ref", "Name the marketplace listing the customer came through.")


@transaction.atomic
def attribution_create(
    *,
    actor: Membership | None,
    partner: Partner,
    customer: Customer,
    kind: str,
    weight: Any,
    effective_from: Any,
    source: str,
    effective_to: Any = None,
    revenue_entry: RevenueEntry | None = None,
    deal: Deal | None = None,
    referral_code: ReferralCode | None = None,
    marketplace_ref: str = "",
    reason: str = "",
    supersedes: Attribution | None = None,
    import_job_id: int | None = None,
) -> Attribution:
    from revenue.validation import parse_date

    if actor is not None and not actor.is_vendor:  # refused before any input is looked at
        raise PermissionDenied("Only the vendor's team records attributions.")
    errors = Fields()
    if kind not in AttributionKind.values:
        errors.add("kind", "Use sourced or influenced.")
    clean_weight = errors.parse("weight", parse_weight, weight)
    start = errors.parse("effective_from", parse_date, effective_from, label="start date")
    end = errors.parse("effective_to", parse_date, effective_to, label="end date", required=False)
    if start and end and end <= start:
        errors.add("effective_to", "The end date must be after the start date.")
    reason = errors.parse("reason", text, reason, max_length=500) or ""
    marketplace_ref = errors.parse("marketplace_ref", text, marketplace_ref, max_length=200) or ""
    _check_source(
        errors,
        actor=actor,
        source=source,
        deal=deal,
        referral_code=referral_code,
        marketplace_ref=marketplace_ref,
        reason=reason,
        partner=partner,
    )
    if revenue_entry is not None and revenue_entry.customer_id != customer.pk:
        errors.add("revenue_entry", "That revenue row belongs to another customer.")
    errors.raise_if_any()
    assert clean_weight is not None and start is not None
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # serialise writers per customer
    if kind == AttributionKind.SOURCED:
        peak = sourced_peak(
            customer=customer,
            revenue_entry_id=revenue_entry.pk if revenue_entry else None,
            start=start,
            end=end,
            exclude_pk=supersedes.pk if supersedes else None,
        )
        if peak + clean_weight > ONE:
            room = max(ONE - peak, Decimal("0"))
            scope = "this revenue row" if revenue_entry else f"“{customer.name}”"
            raise ValidationError(
                {
                    "weight": f"Sourced credit for {scope} would exceed 1 ({plain_number(peak)} is already "
                    f"given in that period); at most {plain_number(room)} is left."
                }
            )
    attribution = Attribution.objects.create(
        partner=partner,
        customer=customer,
        revenue_entry=revenue_entry,
        kind=kind,
        weight=clean_weight,
        effective_from=start,
        effective_to=end,
        source=source,
        deal=deal,
        referral_code=referral_code,
        marketplace_ref=marketplace_ref,
        reason=reason,
        supersedes=supersedes,
        import_job_id=import_job_id,
        created_by=actor.user if actor else None,
    )
    audit_record(
        actor=actor.user if actor else None,
        verb="attribution.created",
        obj=attribution,
        after=model_snapshot(attribution, fields=ATTRIBUTION_FIELDS),
    )
    recompute_mark_partners(partner_ids=[partner.pk], reason="attribution created")
    return attribution


def _end(attribution: Attribution, *, on: datetime.date) -> Attribution:
    locked = Attribution.objects.select_for_update().get(pk=attribution.pk)
    successor = Attribution.objects.filter(supersedes=locked).first()
    if successor is not None:  # only the newest version changes; older ones are history
        raise ValidationError(
            {"effective_to": f"This version was replaced by #{successor.pk}; change that one instead."}
        )
    if locked.effective_to is not None and locked.effective_to <= on:
        raise ValidationError({"effective_to": f"This attribution already ended on {locked.effective_to}."})
    if on <= locked.effective_from:
        raise ValidationError(
            {
                "effective_to": f"It must end after it started ({locked.effective_from}); record a reversal "
                "by ending it the day after it started."
            }
        )
    locked.effective_to = on
    locked.save(update_fields=["effective_to"])
    return locked


@transaction.atomic
def attribution_end(
    *, actor: Membership, attribution: Attribution, effective_to: Any, reason: str
) -> Attribution:
    """Stop the credit from a date on; earlier dates keep it (history is never rewritten)."""
    from revenue.validation import parse_date

    if not actor.is_vendor:
        raise PermissionDenied("Only the vendor's team changes attributions.")
    errors = Fields()
    on = errors.parse("effective_to", parse_date, effective_to, label="end date")
    clean_reason = errors.parse("reason", text, reason, max_length=500)
    if not clean_reason:
        errors.add("reason", "Say why the credit ends; both sides see it.")
    errors.raise_if_any()
    assert on is not None
    before = model_snapshot(attribution, fields=ATTRIBUTION_FIELDS)
    ended = _end(attribution, on=on)
    audit_record(
        actor=actor.user,
        verb="attribution.ended",
        obj=ended,
        before=before,
        after={**model_snapshot(ended, fields=ATTRIBUTION_FIELDS), "why": clean_reason},
    )
    recompute_mark_partners(partner_ids=[ended.partner_id], reason="attribution ended")
    return ended


@transaction.atomic
def attribution_change_weight(
    *, actor: Membership, attribution: Attribution, weight: Any, effective_from: Any, reason: str
) -> Attribution:
    """A new version from `effective_from`: the old one ends that day, the new one supersedes it."""
    from revenue.validation import parse_date

    if not actor.is_vendor:
        raise PermissionDenied("Only the vendor's team changes attributions.")
    errors = Fields()
    on = errors.parse("effective_from", parse_date, effective_from, label="date of the change")
    if not str(reason or "").strip():
        errors.add("reason", "Say why the credit changes; both sides see it.")
    errors.raise_if_any()
    assert on is not None
    old_end = attribution.effective_to
    _end(attribution, on=on)
    return attribution_create(
        actor=actor,
        partner=attribution.partner,
        customer=attribution.customer,
        revenue_entry=attribution.revenue_entry,
        kind=attribution.kind,
        weight=weight,
        effective_from=on,
        effective_to=old_end,
        source=AttributionSource.MANUAL,
        reason=str(reason).strip(),
        supersedes=attribution,
    )


def attributions_in_force(*, on: datetime.date) -> Q:
    """The filter for attribution rows in force on a day (for as-of LTV recomputes)."""
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))
