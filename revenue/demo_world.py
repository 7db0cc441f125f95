"""What every part of the revenue demo shares: the tenant's people and partners, the three-year
window ending today, and small date and money helpers.

Each partner gets a sourcing window: the span in which it brings customers. The partners demo
records only a partner's last few stage moves, so its `joined_on` understates how long a partner
far along the lifecycle has worked with the vendor; the window goes back further for them, and
ends when the partner left (churned, terminated) or went quiet (inactive). Prospects and
partners still onboarding have no window: they bring nothing yet.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from partners.models import Partner, PartnerStatus, PartnerType, Segment
from prm.models import Membership, Role, Stage, Tenant, User
from revenue.models import Customer, Deal, ReferralCode, RevenueEntry
from revenue.services_ledger import default_margin

HISTORY_DAYS = 3 * 365
CENT = Decimal("0.01")
# How much business a partner brings, by type and by lifecycle stage (relative weights).
TYPE_WEIGHT = {
    PartnerType.DISTRIBUTOR: 3.0,
    PartnerType.RESELLER: 3.0,
    PartnerType.SERVICES: 1.4,
    PartnerType.TECHNOLOGY: 1.0,
    PartnerType.REFERRAL: 0.7,
}
STAGE_WEIGHT = {
    Stage.ENABLE: 0.25,
    Stage.MARKET: 0.45,
    Stage.SELL: 1.0,
    Stage.INCENTIVIZE: 1.3,
    Stage.ACCELERATE: 1.6,
}
# Days a partner at this stage has been bringing customers, low-high.
STAGE_TENURE = {
    Stage.ENABLE: (90, 240),
    Stage.MARKET: (180, 420),
    Stage.SELL: (420, 900),
    Stage.INCENTIVIZE: (600, 1000),
    Stage.ACCELERATE: (800, HISTORY_DAYS),
}


@dataclass
class Window:
    partner: Partner
    starts: date
    ends: date
    weight: float

    def covers(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass
class Plan:
    """One demo customer: when it was won, who sourced it (empty: direct) and how, its rows."""

    customer: Customer
    acquired_on: date
    size: str
    sourced: list[tuple[Partner, Decimal]] = field(default_factory=list)
    source: str = "direct"
    deal: Deal | None = None
    rows: list[RevenueEntry] = field(default_factory=list)


@dataclass
class World:
    tenant: Tenant
    rng: random.Random
    today: date
    now: datetime
    partners: list[Partner]
    login_partners: list[Partner]
    staff: User | None
    leads: dict[int, User]
    segments: dict[str, Segment]
    windows: dict[int, Window] = field(default_factory=dict)
    codes: dict[int, list[ReferralCode]] = field(default_factory=dict)
    margins: dict[str, Decimal] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=HISTORY_DAYS)

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def margin(self, stream: str) -> Decimal:
        if stream not in self.margins:
            self.margins[stream] = default_margin(self.tenant, stream)
        return self.margins[stream]

    def moment(self, day: date) -> datetime:
        """An aware time in office hours on `day`, never in the future."""
        stamp = timezone.make_aware(
            datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randint(0, 59)))
        )
        return min(stamp, self.now - timedelta(minutes=self.rng.randint(5, 600)))


def world_load(*, tenant: Tenant, rng: random.Random) -> World:
    partners = list(Partner.objects.order_by("pk"))
    members = Membership.objects.filter(is_active=True).select_related("user").order_by("user__email")
    leads: dict[int, User] = {}
    for member in members.filter(role=Role.PARTNER_ADMIN):
        # The lead@ login speaks for its organisation; any partner admin otherwise.
        if member.partner_id not in leads or member.user.email.startswith("lead@"):
            leads[member.partner_id] = member.user  # type: ignore[index]
    by_email = {member.user.email: member for member in members}
    staff_member = (
        by_email.get(f"staff@{tenant.slug}.example") or members.filter(role=Role.VENDOR_STAFF).first()
    )
    logins = [by_email.get(f"partner@{tenant.slug}.example"), by_email.get(f"partner2@{tenant.slug}.example")]
    by_pk = {partner.pk: partner for partner in partners}
    world = World(
        tenant=tenant,
        rng=rng,
        today=timezone.localdate(),
        now=timezone.now(),
        partners=partners,
        login_partners=[by_pk[m.partner_id] for m in logins if m is not None and m.partner_id in by_pk],
        staff=staff_member.user if staff_member else None,
        leads=leads,
        segments={segment.name: segment for segment in Segment.objects.all()},
    )
    world.windows = _windows(world)
    return world


def _windows(world: World) -> dict[int, Window]:
    rng, today = world.rng, world.today
    windows = {}
    for partner in world.partners:
        stage = Stage(partner.stage)
        if partner.status in (PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING) or stage not in STAGE_TENURE:
            continue
        low, high = STAGE_TENURE[stage]
        starts = today - timedelta(days=rng.randint(low, high))
        if partner.joined_on:
            starts = min(starts, partner.joined_on)
        ends = today
        weight = TYPE_WEIGHT[PartnerType(partner.partner_type)] * STAGE_WEIGHT[stage]
        if partner.status == PartnerStatus.INACTIVE:
            ends = today - timedelta(days=rng.randint(150, 300))
            weight *= 0.6
        elif partner.left_on:
            ends = partner.left_on
        if partner in world.login_partners:
            weight *= 1.5  # the demo logins should show a full book
        starts = max(starts, world.start)
        if ends > starts:
            windows[partner.pk] = Window(partner=partner, starts=starts, ends=ends, weight=weight)
    return windows


def add_years(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def money(value: float) -> Decimal:
    return max(CENT, Decimal(str(round(value, 2))).quantize(CENT))


def round_to(value: float, step: int) -> Decimal:
    return money(max(step, round(value / step) * step))


@contextmanager
def _stamps_kept(model: type[models.Model], names: tuple[str, ...]) -> Iterator[None]:
    stamped: list[Any] = [model._meta.get_field(name) for name in names]
    saved = [(each.auto_now, each.auto_now_add) for each in stamped]
    for each in stamped:
        each.auto_now = each.auto_now_add = False
    try:
        yield
    finally:
        for each, (auto_now, auto_now_add) in zip(stamped, saved, strict=True):
            each.auto_now, each.auto_now_add = auto_now, auto_now_add


def insert_dated(model: type[models.Model], rows: list[Any], *fields: str) -> None:
    """bulk_create keeping the past dates set on `fields` (created_at by default). An insert stamps
    "now" on auto_now(_add) fields, and writing the dates back by bulk_update costs more than the
    insert, so the stamping is switched off for this one insert (the seed runs alone)."""
    with _stamps_kept(model, fields or ("created_at",)):
        model.objects.bulk_create(rows, batch_size=500)  # type: ignore[attr-defined]
