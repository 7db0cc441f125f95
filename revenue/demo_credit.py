"""Demo referral codes and the attribution ledger.

Codes: partners created by a service got their "Default code" from revenue.signals; the partners
demo creates most partners in bulk (no signal), so every partner without a code gets one here,
referral partners a few more for their campaigns, and active partners' links have clicks.

Attributions: sourced credit from the day the customer was won (weight 1, or 0.6/0.4 when two
partners co-sold), with the source it came by; influence of services and technology partners on
some customers and on some expansion rows; and versioned changes (a version ended by
`effective_to` and a new one that `supersedes` it): credit reduced after a review, and accounts
handed over when their partner left the program. Sourced weights never add up to more than 1.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from partners.models import Partner, PartnerType
from revenue.demo_catalog import (
    EXTRA_CODE_LABELS,
    INFLUENCE_REASONS,
    MANUAL_REASONS,
    MARKETPLACES,
    REFERRERS,
    SPLIT_REASON,
    VERSION_REASONS,
)
from revenue.demo_world import Plan, World, insert_dated
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    ReferralClick,
    ReferralCode,
    RevenueEntry,
)

SOURCED, INFLUENCED = AttributionKind.SOURCED, AttributionKind.INFLUENCED
INFLUENCERS = (PartnerType.SERVICES, PartnerType.TECHNOLOGY)


def codes_ensure(world: World) -> None:
    """At least one code per partner (idempotent: partners that have one are left alone)."""
    rng = world.rng
    existing = list(ReferralCode.objects.order_by("pk"))
    taken = {code.code for code in existing}
    have = {code.partner_id for code in existing}
    landing = world.tenant.website_url or f"https://www.{world.slug}.example/"
    fresh: list[ReferralCode] = []
    for partner in world.partners:
        if partner.pk in have:
            continue
        labels = ["Default code"]
        if partner.pk in world.windows and partner.partner_type == PartnerType.REFERRAL:
            labels += rng.sample(EXTRA_CODE_LABELS, 2)
        for label in labels:
            code = ReferralCode(partner=partner, code=_new_code(world, partner, taken), label=label)
            code.landing_url = landing if label == "Default code" else landing.rstrip("/") + "/trial"
            code.created_at = world.moment(
                world.windows[partner.pk].starts if partner.pk in world.windows else world.today
            )
            fresh.append(code)
    insert_dated(ReferralCode, fresh)
    clicks = []
    for code in fresh:
        window = world.windows.get(code.partner_id)
        if window is None or window.ends < world.today or rng.random() < 0.3:
            continue
        busy = 4 if code.partner.partner_type == PartnerType.REFERRAL else 1
        for _ in range(rng.randint(2, 15) * busy):
            click = ReferralClick(code=code, referrer=rng.choice(REFERRERS))
            click.clicked_at = world.moment(world.today - timedelta(days=rng.randint(0, 365)))
            clicks.append(click)
    insert_dated(ReferralClick, clicks, "clicked_at")
    for code in ReferralCode.objects.order_by("pk"):
        world.codes.setdefault(code.partner_id, []).append(code)


def _new_code(world: World, partner: Partner, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Z0-9]", "", partner.name.upper())[:8] or "PARTNER"
    while True:
        code = f"{stem}-{world.rng.getrandbits(16):04X}"
        if code not in taken:
            taken.add(code)
            return code


def _sourced(world: World, plan: Plan, partner: Partner, weight: Decimal, source: str) -> Attribution:
    row = Attribution(
        partner=partner,
        customer=plan.customer,
        kind=SOURCED,
        weight=weight,
        effective_from=plan.acquired_on,
        source=source,
    )
    _set_source(world, row, source)
    if source == AttributionSource.DEAL:
        row.deal = plan.deal
    return row


def _set_source(world: World, row: Attribution, source: str, reason: str = "") -> None:
    rng, partner = world.rng, row.partner
    if source == AttributionSource.REFERRAL_CODE:
        row.referral_code = rng.choice(world.codes[partner.pk])
    elif source == AttributionSource.MARKETPLACE:
        row.marketplace_ref = rng.choice(MARKETPLACES[world.slug]).format(partner=partner.name)
    elif source == AttributionSource.MANUAL:
        row.reason = reason or rng.choice(MANUAL_REASONS)
        row.created_by = world.staff


def attributions_seed(world: World, plans: list[Plan]) -> list[Attribution]:
    rng = world.rng
    rows: list[Attribution] = []
    for plan in plans:
        for index, (partner, weight) in enumerate(plan.sourced):
            if index == 0:
                rows.append(_sourced(world, plan, partner, weight, plan.source))
            else:
                row = _sourced(world, plan, partner, weight, AttributionSource.MANUAL)
                row.reason = SPLIT_REASON.format(other=partner.name)
                rows.append(row)
        if rng.random() < 0.12:
            rows += _influence(world, plan, plan.acquired_on + timedelta(days=rng.randint(0, 300)))
        for entry in plan.rows[1:]:
            if entry.stream in ("upsell", "cross_sell") and rng.random() < 0.15:
                rows += _influence(world, plan, entry.occurred_on, entry=entry)
    rows += _code_influence(world, plans)
    for row in rows:
        row.created_at = world.moment(row.effective_from)
    insert_dated(Attribution, rows)
    versions = _versions(world, plans, rows)
    insert_dated(Attribution, versions)
    return rows + versions


def _influence(world: World, plan: Plan, day: date, entry: RevenueEntry | None = None) -> list[Attribution]:
    """A services or technology partner active that day, other than the customer's sources."""
    rng = world.rng
    if day > world.today:
        return []
    sources = {partner.pk for partner, _ in plan.sourced}
    candidates = [
        window
        for window in world.windows.values()
        if window.partner.partner_type in INFLUENCERS
        and window.covers(day)
        and window.partner.pk not in sources
    ]
    if not candidates:
        return []
    partner = rng.choice(candidates).partner
    source = (
        AttributionSource.MARKETPLACE
        if partner.partner_type == PartnerType.TECHNOLOGY
        else AttributionSource.MANUAL
    )
    row = Attribution(
        partner=partner,
        customer=plan.customer,
        revenue_entry=entry,
        kind=INFLUENCED,
        weight=Decimal("1") if entry is not None else Decimal(rng.choice(("0.25", "0.3", "0.5"))),
        effective_from=day,
        source=source,
    )
    _set_source(world, row, source, rng.choice(INFLUENCE_REASONS))
    ends = day + timedelta(days=rng.randint(90, 400))
    if entry is None and rng.random() < 0.2 and ends < world.today:
        row.effective_to = ends
    return [row]


def _code_influence(world: World, plans: list[Plan]) -> list[Attribution]:
    """A referral code quoted on an order of a customer someone else sourced: influence on that row
    (what revenue_record does with a quoted code)."""
    rng, rows = world.rng, list[Attribution]()
    referrers = [w for w in world.windows.values() if w.partner.partner_type == PartnerType.REFERRAL]
    orders = [
        (plan, e) for plan in plans if plan.sourced for e in plan.rows if e.stream in ("parts", "services")
    ]
    for plan, entry in rng.sample(orders, min(40, len(orders))):
        window = next((w for w in referrers if w.covers(entry.occurred_on)), None)
        if window is None or window.partner in [p for p, _ in plan.sourced] or len(rows) >= 12:
            continue
        row = Attribution(
            partner=window.partner,
            customer=plan.customer,
            revenue_entry=entry,
            kind=INFLUENCED,
            weight=Decimal("1"),
            effective_from=entry.occurred_on,
            source=AttributionSource.REFERRAL_CODE,
        )
        _set_source(world, row, AttributionSource.REFERRAL_CODE)
        rows.append(row)
    return rows


def _versions(world: World, plans: list[Plan], rows: list[Attribution]) -> list[Attribution]:
    """End a few single-partner sourced rows and supersede them: reduced credit, or a handover."""
    rng, today = world.rng, world.today
    single = {
        row.customer.pk: row
        for row in rows
        if row.kind == SOURCED and row.weight == 1 and row.revenue_entry is None
    }
    active = [w.partner for w in world.windows.values() if w.ends >= today]
    reduced, handed, made, ended = 0, 0, [], []
    for plan in plans:
        old = single.get(plan.customer.pk)
        if old is None:
            continue
        left = old.partner.left_on if old.partner.left_on and old.partner.left_on < today else None
        if left and left > old.effective_from and handed < 4 and active:
            to = rng.choice([p for p in active if p != old.partner] or active)
            reason = VERSION_REASONS["handover"].format(to=to.name, frm=old.partner.name)
            change, weight, partner = left, Decimal("1"), to
            handed += 1
        elif reduced < 6 and (today - old.effective_from).days > 240 and rng.random() < 0.05:
            change = old.effective_from + timedelta(
                days=rng.randint(120, (today - old.effective_from).days - 60)
            )
            reason, weight, partner = (
                VERSION_REASONS["reduce"],
                Decimal(rng.choice(("0.5", "0.7"))),
                old.partner,
            )
            reduced += 1
        else:
            continue
        old.effective_to = change
        ended.append(old)
        new = Attribution(
            partner=partner,
            customer=plan.customer,
            kind=SOURCED,
            weight=weight,
            effective_from=change,
            source=AttributionSource.MANUAL,
            reason=reason,
            supersedes=old,
            created_by=world.staff,
        )
        new.created_at = world.moment(min(change, today))
        made.append(new)
    Attribution.objects.bulk_update(ended, ["effective_to"])
    return made
