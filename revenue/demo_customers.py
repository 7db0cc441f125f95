"""Demo customers and who brought them.

A few hundred customers per tenant, won over the three years (a small installed base at the start,
then more each year as the program grows). Each is direct or sourced by a partner whose sourcing
window covers the day it was won, chosen by the partner's type and stage (distributors and
resellers bring more than referral partners; partners far along the lifecycle more than new ones).
How the credit came is recorded per partner type: deal registrations for resellers, distributors
and services partners, referral codes for referral partners, marketplace listings for technology
partners, and a few manual entries.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from partners.models import PartnerType
from revenue.demo_catalog import (
    COUNTRIES,
    LEGAL_FORM,
    NAME_FIRST,
    NAME_SECOND,
    PERSONAS,
    SEGMENT_BY_SIZE,
    SIZES,
    weighted,
)
from revenue.demo_world import Plan, Window, World, insert_dated
from revenue.models import AttributionSource, Customer
from revenue.validation import name_key

CUSTOMERS = {"acme": (560, 640), "globex": (460, 540)}
INSTALLED_BASE = 0.07  # share of customers won in the first 90 days of the history
DIRECT_SHARE = 0.22
SPLIT_SHARE = 0.06
SOURCE_BY_TYPE = {
    PartnerType.RESELLER: (
        (AttributionSource.DEAL, 75),
        (AttributionSource.REFERRAL_CODE, 15),
        ("manual", 10),
    ),
    PartnerType.DISTRIBUTOR: (
        (AttributionSource.DEAL, 80),
        (AttributionSource.REFERRAL_CODE, 10),
        ("manual", 10),
    ),
    PartnerType.SERVICES: (
        (AttributionSource.DEAL, 60),
        (AttributionSource.REFERRAL_CODE, 20),
        ("manual", 20),
    ),
    PartnerType.TECHNOLOGY: (
        (AttributionSource.MARKETPLACE, 55),
        (AttributionSource.DEAL, 30),
        ("manual", 15),
    ),
    PartnerType.REFERRAL: (
        (AttributionSource.REFERRAL_CODE, 75),
        (AttributionSource.DEAL, 10),
        ("manual", 15),
    ),
}


def company_names(world: World, count: int, *, taken: set[str]) -> list[tuple[str, str, str, str]]:
    """`count` new (name, domain, industry, country), none whose name key or domain is in `taken`."""
    rng, slug = world.rng, world.slug
    industries = list(NAME_SECOND[slug])
    made: list[tuple[str, str, str, str]] = []
    for _ in range(count * 20):
        if len(made) == count:
            break
        industry = rng.choice(industries)
        stem = f"{rng.choice(NAME_FIRST[slug])} {rng.choice(NAME_SECOND[slug][industry])}"
        domain = stem.lower().replace(" ", "") + ".example"
        if name_key(stem) in taken or domain in taken:
            continue
        taken.update({name_key(stem), domain})
        country = weighted(rng, COUNTRIES[slug])
        name = f"{stem} {rng.choice(LEGAL_FORM.get(country, ('Ltd',)))}"
        made.append((name, domain, industry, country))
    if len(made) < count:
        raise RuntimeError("The demo name lists are too short for the customers wanted.")
    return made


def _acquired_on(world: World) -> date:
    rng, span = world.rng, (world.today - world.start).days
    if rng.random() < INSTALLED_BASE:
        return world.start + timedelta(days=rng.randint(0, 90))
    # Density grows over time: the program brings more customers each year.
    return world.start + timedelta(days=int(span * rng.random() ** 0.8))


def _pick(world: World, windows: list[Window], *, exclude: int | None = None) -> Window | None:
    candidates = [window for window in windows if window.partner.pk != exclude]
    if not candidates:
        return None
    return world.rng.choices(candidates, weights=[window.weight for window in candidates])[0]


def _source_of(world: World, partner_type: str) -> str:
    options = SOURCE_BY_TYPE[PartnerType(partner_type)]
    return world.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def customers_plan(world: World) -> list[Plan]:
    """Build and insert the customers; their revenue and credit follow from the plans."""
    rng, slug = world.rng, world.slug
    count = rng.randint(*CUSTOMERS[slug])
    taken = {name_key(p.name) for p in world.partners} | {p.website_domain for p in world.partners}
    names = company_names(world, count, taken=taken)
    plans: list[Plan] = []
    for number, (name, domain, industry, country) in enumerate(names, start=1):
        size = weighted(rng, SIZES[slug])
        segment = world.segments.get(SEGMENT_BY_SIZE[slug][size]) if rng.random() < 0.8 else None
        customer = Customer(
            name=name,
            name_key=name_key(name),
            domain=domain if rng.random() < 0.96 else "",
            country=country,
            industry=industry,
            size=size,
            segment=segment,
            persona=rng.choice(PERSONAS[slug]),
            external_ref=f"{'SF' if slug == 'acme' else 'SAP'}-{100000 + number * 7}",
        )
        acquired = _acquired_on(world)
        customer.created_at = world.moment(acquired)
        plans.append(Plan(customer=customer, acquired_on=acquired, size=size))
    plans.sort(key=lambda plan: plan.acquired_on)
    _assign_sources(world, plans)
    insert_dated(Customer, [plan.customer for plan in plans])
    return plans


def _assign_sources(world: World, plans: list[Plan]) -> None:
    rng = world.rng
    windows = list(world.windows.values())
    for plan in plans:
        open_windows = [window for window in windows if window.covers(plan.acquired_on)]
        if rng.random() < DIRECT_SHARE or not open_windows:
            continue
        first = _pick(world, open_windows)
        assert first is not None
        plan.source = _source_of(world, first.partner.partner_type)
        plan.sourced = [(first.partner, Decimal("1"))]
        if rng.random() < SPLIT_SHARE:
            second = _pick(world, open_windows, exclude=first.partner.pk)
            if second is not None:
                plan.sourced = [(first.partner, Decimal("0.6")), (second.partner, Decimal("0.4"))]
    # The demo logins must show every kind of credit, whatever the dice said.
    for partner in world.login_partners:
        own = [plan for plan in plans if plan.sourced and plan.sourced[0][0] == partner]
        if own and not any(plan.source == AttributionSource.DEAL for plan in own):
            own[-1].source = AttributionSource.DEAL
