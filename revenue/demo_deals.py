"""Demo deal registrations: the won deals behind deal-sourced customers, three years of lost,
expired and rejected ones, and today's pipeline in every state (drafts, submissions, approved deals
with protection running, one about to expire, extensions asked for and granted).

Every deal is walked through its life by `deal_story`, which sets the timestamps the state machine
would have set and writes the matching DealEvent history (as revenue.services_deals would).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from partners.models import Partner
from revenue.demo_catalog import (
    BASE_VALUE,
    DEAL_TITLES,
    EXTENSION_REASONS,
    LOST_REASONS,
    REJECT_REASONS,
)
from revenue.demo_world import Plan, Window, World, insert_dated, round_to
from revenue.matching import find_matches
from revenue.models import AttributionSource, Deal, DealEvent, DealStatus, ExtensionStatus
from revenue.validation import name_key

S = DealStatus
# action -> (status after it, who acts: "partner", "staff" or None for the system; None keeps the status)
ACTIONS: dict[str, tuple[str | None, str | None]] = {
    "created": (S.DRAFT, "partner"),
    "direct_opened": (S.APPROVED, "staff"),
    "submitted": (S.SUBMITTED, "partner"),
    "conflict_opened": (None, None),
    "approved": (S.APPROVED, "staff"),
    "rejected": (S.REJECTED, "staff"),
    "conflict_lost": (S.REJECTED, "staff"),
    "conflict_won": (None, "staff"),
    "extension_requested": (None, "partner"),
    "extension_granted": (None, "staff"),
    "extension_denied": (None, "staff"),
    "won": (S.WON, "staff"),
    "lost": (S.LOST, "partner"),
    "expired": (S.EXPIRED, None),
}


@dataclass
class Book:
    """Deals and their history, inserted together once every story is told."""

    deals: list[Deal] = field(default_factory=list)
    events: list[DealEvent] = field(default_factory=list)

    def insert(self) -> None:
        insert_dated(Deal, self.deals, "created_at", "updated_at")
        insert_dated(DealEvent, self.events)


def deal_new(
    world: World,
    *,
    partner: Partner | None,
    name: str,
    domain: str,
    country: str,
    amount: Decimal,
    stream: str = "new",
    expected: date | None = None,
) -> Deal:
    key = name_key(name)
    title = world.rng.choice(DEAL_TITLES[world.slug]).format(n=world.rng.choice((3, 5, 12, 25, 40, 120, 250)))
    user = world.leads.get(partner.pk) if partner else world.staff
    return Deal(
        partner=partner,
        title=title,
        customer_name=name,
        customer_domain=domain,
        customer_key=domain or f"name:{key}",
        name_key=key,
        country=country,
        stream=stream,
        amount=amount,
        expected_close_on=expected,
        created_by=user,
    )


def deal_story(
    world: World,
    book: Book,
    deal: Deal,
    actions: list[str],
    at: dict[str, datetime],
    reasons: dict[str, str] | None = None,
) -> Deal:
    """Walk `deal` through `actions`. Times in `at` are kept; the others fall between their
    neighbours (or a few hours to days after the previous one). `reasons` go with the actions."""
    rng, tenant, reasons = world.rng, world.tenant, reasons or {}
    status, times = "", list[datetime]()
    for index, action in enumerate(actions):
        later = next((at[a] for a in actions[index + 1 :] if a in at), None)
        if action in at:
            when = at[action]
        elif action == "expired":
            assert deal.protection_ends_at is not None
            when = deal.protection_ends_at + timedelta(minutes=rng.randint(5, 300))
        elif later is not None:
            when = times[-1] + (later - times[-1]) * rng.uniform(0.2, 0.8)
        else:
            when = times[-1] + timedelta(hours=rng.randint(2, 72))
        times.append(when)
        after, who = ACTIONS[action]
        after = after or status
        why = reasons.get(action, "")
        if action == "submitted":
            deal.submitted_at = when
        elif action in ("approved", "direct_opened"):
            deal.approved_at = when
            if deal.partner is not None:
                deal.protection_ends_at = when + timedelta(days=tenant.deal_protection_days)
            else:
                deal.submitted_at = when
        elif action == "extension_requested":
            why = why or rng.choice(EXTENSION_REASONS)
            deal.extension_status, deal.extension_reason = ExtensionStatus.REQUESTED, why
        elif action == "extension_granted":
            assert deal.protection_ends_at is not None
            deal.extension_status = ExtensionStatus.GRANTED
            deal.protection_ends_at += timedelta(days=tenant.deal_extension_days)
        elif action == "extension_denied":
            deal.extension_status = ExtensionStatus.DENIED
            why = why or "The customer has not confirmed a new date; register again when it does."
        elif action in ("rejected", "conflict_lost", "lost"):
            deal.decision_reason = why
            if action != "lost":
                deal.protection_ends_at = None
        elif action == "expired":
            why = "The protection window ended."
        if action in ("won", "lost"):
            deal.closed_on = when.date()
        # A direct opportunity has no partner: the vendor's team does the partner's steps too.
        actor = {
            "partner": world.leads.get(deal.partner.pk) if deal.partner else world.staff,
            "staff": world.staff,
        }
        event = DealEvent(
            deal=deal,
            action=action,
            from_status=status,
            to_status=after,
            actor=actor.get(who or ""),
            reason=why,
        )
        event.created_at = when
        book.events.append(event)
        status = after
    deal.status = status
    deal.created_at, deal.updated_at = times[0], times[-1]
    book.deals.append(deal)
    return deal


def deals_won(world: World, book: Book, plans: list[Plan]) -> None:
    """The won registration behind each deal-sourced customer (and some direct wins); the
    customer's first revenue row points at it."""
    rng = world.rng
    for plan in plans:
        partner = plan.sourced[0][0] if plan.sourced and plan.source == AttributionSource.DEAL else None
        direct = (
            not plan.sourced and plan.acquired_on > world.today - timedelta(days=540) and rng.random() < 0.3
        )
        if partner is None and not direct:
            continue
        first, customer = plan.rows[0], plan.customer
        deal = deal_new(
            world,
            partner=partner,
            name=customer.name,
            domain=customer.domain,
            country=customer.country,
            amount=first.amount,
            stream=first.stream,
            expected=plan.acquired_on,
        )
        deal.customer = customer
        won_at = world.moment(plan.acquired_on)
        opened = won_at - timedelta(days=rng.randint(20, 80), hours=rng.randint(0, 8))
        actions = ["created", "submitted", "approved", "won"] if partner else ["direct_opened", "won"]
        plan.deal = deal_story(world, book, deal, actions, {actions[0]: opened, "won": won_at})
        first.deal = deal


def dealers(world: World, *, active_only: bool) -> list[Window]:
    return [
        w
        for w in world.windows.values()
        if w.partner.pk in world.leads and (w.ends >= world.today or not active_only)
    ]


def pick(rng: random.Random, windows: list[Window]) -> Window:
    return rng.choices(windows, weights=[window.weight for window in windows])[0]


def deal_amount(world: World) -> Decimal:
    size = world.rng.choice(("small", "medium", "medium", "large", "enterprise"))
    return round_to(world.rng.uniform(*BASE_VALUE[world.slug][size]), 500)


def days_ago(world: World, days: float) -> datetime:
    return world.now - timedelta(days=days, minutes=world.rng.randint(0, 600))


def deals_closed(world: World, book: Book, prospects: list[tuple[str, str, str, str]]) -> None:
    """Three years of registrations that did not end in a customer: lost, expired, rejected."""
    rng = world.rng
    # Partners that have brought business for a while; closed deals end at least 100 days ago.
    seasoned = [w for w in dealers(world, active_only=False) if w.starts <= world.today - timedelta(days=130)]
    logins = [w for w in seasoned if w.partner in world.login_partners]
    lives = [("lost", 45), ("expired", 15), ("rejected", 14)]
    for life, count in lives:
        for number in range(count):
            window = logins[number] if number < len(logins) else pick(rng, seasoned)
            name, domain, _, country = prospects.pop()
            deal = deal_new(
                world,
                partner=window.partner,
                name=name,
                domain=domain,
                country=country,
                amount=deal_amount(world),
            )
            span = max(1, (min(window.ends, world.today - timedelta(days=100)) - window.starts).days)
            created = world.moment(window.starts + timedelta(days=rng.randint(0, span)))
            approved = created + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 9))
            deal.expected_close_on = (created + timedelta(days=rng.randint(30, 90))).date()
            at = {"created": created, "approved": approved}
            if life == "lost":
                at["lost"] = approved + timedelta(days=rng.randint(10, 85))
                actions, reasons = (
                    ["created", "submitted", "approved", "lost"],
                    {"lost": rng.choice(LOST_REASONS)},
                )
            elif life == "expired":
                actions, reasons = ["created", "submitted", "approved", "expired"], {}
            else:
                del at["approved"]
                actions, reasons = (
                    ["created", "submitted", "rejected"],
                    {"rejected": rng.choice(REJECT_REASONS)},
                )
            deal_story(world, book, deal, actions, at, reasons)


class OpenNames:
    """Hands out prospect names for open registrations that no other partner's open deal matches,
    so conflicts appear only where the demo means them to."""

    def __init__(self, prospects: list[tuple[str, str, str, str]]) -> None:
        self.prospects = prospects
        self.held: list[tuple[int | None, str, str]] = []  # (partner id, domain, name key)

    def take(self, partner: Partner | None, *, with_domain: bool = True) -> tuple[str, str, str]:
        while True:
            name, domain, _, country = self.prospects.pop()
            domain = domain if with_domain else ""
            others = [(p, d, k) for p, d, k in self.held if p != (partner.pk if partner else None)]
            if not find_matches(
                domain=domain, key=name_key(name), candidates=[(0, d, k) for _, d, k in others]
            ):
                self.hold(partner, domain, name)
                return name, domain, country

    def hold(self, partner: Partner | None, domain: str, name: str) -> None:
        self.held.append((partner.pk if partner else None, domain, name_key(name)))


def deals_open(world: World, book: Book, names: OpenNames) -> None:
    """Today's pipeline: drafts, submissions waiting for staff, approved deals whose protection is
    running (one about to expire, one with an extension asked for, one granted, one denied)."""
    rng = world.rng
    active = dealers(world, active_only=True)
    logins = [w for w in active if w.partner in world.login_partners]
    plan: list[tuple[Window, str, float]] = []  # (who, life, days since it was approved/submitted/created)
    for window in logins:
        plan += [(window, "draft", 3), (window, "submitted", 2), (window, "approved", 30)]
    if logins:
        plan += [(logins[0], "expiring", 88.5), (logins[0], "extension_requested", 80)]
    plan += [(pick(rng, active), "draft", rng.uniform(1, 20)) for _ in range(6)]
    plan += [(pick(rng, active), "submitted", rng.uniform(0.5, 9)) for _ in range(7)]
    plan += [(pick(rng, active), "approved", rng.uniform(5, 80)) for _ in range(10)]
    plan += [(pick(rng, active), "extension_granted", 100), (pick(rng, active), "extension_denied", 70)]
    for window, life, age in plan:
        partner = window.partner
        name, domain, country = names.take(partner)
        deal = deal_new(
            world, partner=partner, name=name, domain=domain, country=country, amount=deal_amount(world)
        )
        deal.expected_close_on = world.today + timedelta(days=rng.randint(10, 120))
        anchor = days_ago(world, age)
        if life == "draft":
            deal_story(world, book, deal, ["created"], {"created": anchor})
        elif life == "submitted":
            deal_story(
                world,
                book,
                deal,
                ["created", "submitted"],
                {"created": anchor - timedelta(hours=rng.randint(1, 72)), "submitted": anchor},
            )
        else:
            actions = ["created", "submitted", "approved"]
            at = {
                "created": anchor - timedelta(days=rng.randint(2, 10)),
                "approved": world.now - timedelta(days=age),
            }
            if life.startswith("extension"):
                actions.append("extension_requested")
                at["extension_requested"] = days_ago(world, 2 if life == "extension_requested" else 20)
                if life != "extension_requested":
                    actions.append(life)
                    at[life] = at["extension_requested"] + timedelta(days=1)
            deal_story(world, book, deal, actions, at)
