"""Demo conflicts and direct opportunities.

Open cases, as `deal_submit` opens them (the later submission names the earlier holder):
two partners registering the same domain (the two demo logins when both are active), a fuzzy
name match without domains, a partner against an open direct opportunity, and two submissions
waiting on each other. Resolved cases: one the earlier submission won (the default), one staff gave
to the later submission with a reason; the loser is rejected with the reason both partners see.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from revenue.demo_catalog import LOST_REASONS
from revenue.demo_deals import Book, OpenNames, days_ago, deal_amount, deal_new, deal_story, dealers, pick
from revenue.demo_world import Window, World
from revenue.matching import NAME_THRESHOLD, name_similarity
from revenue.models import ConflictCase, ConflictStatus, Deal
from revenue.validation import name_key

OPENED = "Another open registration covers this customer ({kind} match); staff will decide."
LOST_CONFLICT = "Conflict resolved for another registration: {why}"


def _case(
    world: World,
    deal: Deal,
    other: Deal,
    kind: str,
    *,
    winner: Deal | None = None,
    why: str = "",
    resolved_at: datetime | None = None,
) -> ConflictCase:
    score = 1.0 if kind == "domain" else name_similarity(deal.name_key, other.name_key)
    case = ConflictCase(
        deal=deal,
        other_deal=other,
        match_kind=kind,
        match_score=Decimal(str(round(score, 3))),
        status=ConflictStatus.RESOLVED if winner else ConflictStatus.OPEN,
        winner=winner,
        resolution_reason=why,
        resolved_by=world.staff if winner else None,
        resolved_at=resolved_at,
    )
    assert deal.submitted_at is not None
    case.created_at = deal.submitted_at
    return case


def _new(world: World, window: Window | None, name: str, domain: str, country: str) -> Deal:
    partner = window.partner if window else None
    deal = deal_new(
        world, partner=partner, name=name, domain=domain, country=country, amount=deal_amount(world)
    )
    deal.expected_close_on = world.today + timedelta(days=world.rng.randint(20, 90))
    return deal


def _claim(
    world: World,
    book: Book,
    deal: Deal,
    *,
    submitted: datetime,
    then: dict[str, datetime] | None = None,
    reasons: dict[str, str] | None = None,
) -> Deal:
    """A submission that ran into an open registration (the conflict opens with it), then `then`."""
    then = then or {}
    kind = "domain" if deal.customer_domain else "name"
    at = {
        "created": submitted - timedelta(hours=world.rng.randint(1, 30)),
        "submitted": submitted,
        "conflict_opened": submitted + timedelta(seconds=1),
        **then,
    }
    why = {"conflict_opened": OPENED.format(kind=kind), **(reasons or {})}
    return deal_story(world, book, deal, ["created", "submitted", "conflict_opened", *then], at, why)


def _holder(world: World, book: Book, deal: Deal, *, days: float, approved: bool) -> Deal:
    when = days_ago(world, days)
    if deal.partner is None:
        return deal_story(world, book, deal, ["direct_opened"], {"direct_opened": when})
    actions = ["created", "submitted", "approved"] if approved else ["created", "submitted"]
    at = {"created": when - timedelta(hours=world.rng.randint(1, 30)), "submitted": when}
    return deal_story(world, book, deal, actions, at)


def _fuzzy_variant(name: str) -> str:
    """How another partner writes the same company: words run together, no legal form."""
    words = name.split()
    return "".join(words[:2]) if len(words) >= 2 else name + "s"


def conflicts_plan(world: World, book: Book, names: OpenNames) -> list[ConflictCase]:
    rng = world.rng
    active = dealers(world, active_only=True)
    if len(active) < 6:
        return []
    logins = [w for w in active if w.partner in world.login_partners]
    first, second = logins if len(logins) == 2 else rng.sample(active, 2)
    others = [w for w in active if w not in (first, second)]
    cases = []

    # The same domain, registered by two partners: the holder was approved three weeks ago.
    name, domain, country = names.take(first.partner)
    holder = _holder(world, book, _new(world, first, name, domain, country), days=24, approved=True)
    names.hold(second.partner, domain, name)
    claim = _new(world, second, " ".join(name.split()[:2]), domain, country)
    cases.append(_case(world, _claim(world, book, claim, submitted=days_ago(world, 2)), holder, "domain"))

    # A fuzzy name match: neither registration gives a domain.
    one, two = rng.sample(others, 2)
    for _ in range(50):
        name, _, country = names.take(one.partner, with_domain=False)
        variant = _fuzzy_variant(name)
        if name_similarity(name_key(name), name_key(variant)) >= NAME_THRESHOLD:
            break
    holder = _holder(world, book, _new(world, one, name, "", country), days=6, approved=False)
    names.hold(two.partner, "", variant)
    claim = _claim(world, book, _new(world, two, variant, "", country), submitted=days_ago(world, 1))
    cases.append(_case(world, claim, holder, "name"))

    # A partner registers a customer the vendor's own team is already working (direct opportunity).
    three = pick(rng, others)
    name, domain, country = names.take(None)
    direct = _holder(world, book, _new(world, None, name, domain, country), days=25, approved=True)
    names.hold(three.partner, domain, name)
    claim = _claim(world, book, _new(world, three, name, domain, country), submitted=days_ago(world, 3))
    cases.append(_case(world, claim, direct, "domain"))

    # Two submissions a day apart, both waiting.
    four, five = rng.sample(others, 2)
    name, domain, country = names.take(four.partner)
    holder = _holder(world, book, _new(world, four, name, domain, country), days=4, approved=False)
    names.hold(five.partner, domain, name)
    claim = _claim(world, book, _new(world, five, name, domain, country), submitted=days_ago(world, 3))
    cases.append(_case(world, claim, holder, "domain"))

    cases += _resolved(world, book, names, others)
    _direct_history(world, book, names)
    return cases


def _resolved(world: World, book: Book, names: OpenNames, others: list[Window]) -> list[ConflictCase]:
    rng, cases = world.rng, []
    # The default: the earlier submission wins; it was approved right after and is still protected.
    early, late = rng.sample(others, 2)
    name, domain, country = names.take(early.partner)
    decided = days_ago(world, 38)
    why = f"First valid submission wins: {early.partner.name} registered three days earlier."
    winner = _new(world, early, name, domain, country)
    at = {"created": days_ago(world, 46), "submitted": days_ago(world, 45), "conflict_won": decided}
    deal_story(
        world, book, winner, ["created", "submitted", "conflict_won", "approved"], at, {"conflict_won": why}
    )
    loser = _claim(
        world,
        book,
        _new(world, late, name, domain, country),
        submitted=days_ago(world, 42),
        then={"conflict_lost": decided},
        reasons={"conflict_lost": LOST_CONFLICT.format(why=why)},
    )
    cases.append(_case(world, loser, winner, "domain", winner=winner, why=why, resolved_at=decided))

    # Staff gave it to the later submission: it brought the contact and the demo. It was lost later.
    early, late = rng.sample(others, 2)
    name, country = names.prospects.pop()[0], ""
    decided = days_ago(world, 155)
    why = f"{late.partner.name} brought the named contact and ran the demo; the customer confirmed it."
    loser = _new(world, early, name, "", country)
    at = {"created": days_ago(world, 161), "submitted": days_ago(world, 160), "conflict_lost": decided}
    reasons = {"conflict_lost": LOST_CONFLICT.format(why=why)}
    deal_story(world, book, loser, ["created", "submitted", "conflict_lost"], at, reasons)
    then = {"conflict_won": decided, "approved": decided + timedelta(hours=2), "lost": days_ago(world, 100)}
    reasons = {"conflict_won": why, "lost": rng.choice(LOST_REASONS)}
    winner = _new(world, late, name, "", country)
    _claim(world, book, winner, submitted=days_ago(world, 158), then=then, reasons=reasons)
    cases.append(_case(world, winner, loser, "name", winner=winner, why=why, resolved_at=decided))
    return cases


def _direct_history(world: World, book: Book, names: OpenNames) -> None:
    """The vendor's own sales team: one more open opportunity and one it lost."""
    name, domain, country = names.take(None)
    _holder(world, book, _new(world, None, name, domain, country), days=12, approved=True)
    name, domain, _, country = names.prospects.pop()
    at = {"direct_opened": days_ago(world, 210), "lost": days_ago(world, 150)}
    lost = {"lost": world.rng.choice(LOST_REASONS)}
    deal_story(world, book, _new(world, None, name, domain, country), ["direct_opened", "lost"], at, lost)
