"""Demo revenue histories, simulated so the LTV models of the next issue have something true to fit.

Every contractual row (a subscription or maintenance term) carries contract_start/contract_end;
one-off orders carry none.

acme (software): an annual subscription from the day the customer is won ("new"), renewed every
year ("renewal") until the customer churns; each customer has its own yearly churn probability
drawn from a Beta distribution (mean ~17%, the shifted-Beta-Geometric story). Some add a premium
support contract ("maintenance"), upsells and cross-sells during a term (co-terminous, prorated),
services at onboarding and now and then after, and a few on-premises appliances need parts.

globex (manufacturer): the equipment sale ("new") and its commissioning ("services"), a yearly
maintenance contract for most ("maintenance", heterogeneous churn), a remote-monitoring subscription
for some (first term "cross_sell", then "renewal"), and repeat spare parts and service orders
following the BG/NBD story: each customer orders at its own Gamma-distributed rate and after every
order may go quiet for good (Beta-distributed drop-out); order values vary around a per-customer
mean (Gamma-Gamma). Bigger customers order more often and spend more.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from revenue.demo_catalog import BASE_VALUE, PRICE_CORRECTION, REVERSAL_REASONS
from revenue.demo_world import Plan, World, add_years, money, round_to
from revenue.models import RevenueEntry

SIZE_FACTOR = {"small": 0.6, "medium": 1.0, "large": 1.4, "enterprise": 1.8}
ONE_DAY = timedelta(days=1)


def _row(
    world: World,
    plan: Plan,
    day: date,
    amount: float,
    stream: str,
    start: date | None = None,
    end: date | None = None,
) -> RevenueEntry:
    return RevenueEntry(
        customer=plan.customer,
        occurred_on=day,
        amount=money(amount),
        currency=world.tenant.currency,
        stream=stream,
        margin=world.margin(stream),
        margin_is_default=True,
        contract_start=start,
        contract_end=end,
    )


def _arrivals(world: World, start: date, end: date, per_year: float) -> list[date]:
    """Days of a Poisson process with `per_year` events a year in [start, end]."""
    days: list[date] = []
    if per_year <= 0:
        return days
    day = start
    while True:
        day += timedelta(days=max(1, round(world.rng.expovariate(per_year / 365))))
        if day > end:
            return days
        days.append(day)


def _terms(world: World, first: date, churn: float, *, until: date | None = None) -> list[tuple[date, date]]:
    """Consecutive yearly contract terms from `first`: each renews with probability 1 - churn while
    the renewal date has come (and, when given, the customer is still around on `until`)."""
    terms = [(first, add_years(first) - ONE_DAY)]
    while True:
        renews_on = terms[-1][1] + ONE_DAY
        if renews_on > world.today or world.rng.random() < churn:
            return terms
        if until is not None and renews_on > until and world.rng.random() < 0.7:
            return terms
        terms.append((renews_on, add_years(renews_on) - ONE_DAY))


def _invoice_day(world: World, term_start: date, *, first: bool) -> date:
    # Renewals are invoiced a little ahead of the new term.
    return term_start if first else term_start - timedelta(days=world.rng.randint(0, 20))


def _acme(world: World, plan: Plan) -> list[RevenueEntry]:
    rng, size, won = world.rng, plan.size, plan.acquired_on
    arr = float(round_to(rng.uniform(*BASE_VALUE["acme"][size]), 100))
    first_arr = arr
    churn = rng.betavariate(1.6, 8.0)
    support = rng.random() < {"small": 0.1, "medium": 0.25, "large": 0.45, "enterprise": 0.7}[size]
    support_rate = rng.uniform(0.12, 0.2)
    rows: list[RevenueEntry] = []
    terms = _terms(world, won, churn)
    for number, (starts, ends) in enumerate(terms):
        day = _invoice_day(world, starts, first=number == 0)
        rows.append(_row(world, plan, day, arr, "new" if number == 0 else "renewal", starts, ends))
        if support:
            rows.append(_row(world, plan, day, arr * support_rate, "maintenance", starts, ends))
        for stream, chance in (("upsell", 0.25), ("cross_sell", 0.15)):
            when = starts + timedelta(days=rng.randint(45, 320))
            if rng.random() < chance and when <= min(world.today, ends):
                annual = arr * rng.uniform(0.1, 0.35)
                rows.append(
                    _row(world, plan, when, annual * ((ends - when).days + 1) / 365, stream, when, ends)
                )
                arr += annual
        arr *= 0.85 if rng.random() < 0.07 else 1 + rng.uniform(0, 0.06)  # price rise, or a downsell
        support = support and rng.random() > 0.1
    active_until = min(world.today, terms[-1][1])
    if rng.random() < {"small": 0.35, "medium": 0.6, "large": 0.8, "enterprise": 0.95}[size]:
        rows.append(
            _row(
                world,
                plan,
                won + timedelta(days=rng.randint(7, 45)),
                first_arr * rng.uniform(0.12, 0.3),
                "services",
            )
        )
    service_mean = first_arr * rng.uniform(0.04, 0.12)
    for day in _arrivals(world, won + timedelta(days=30), active_until, rng.gammavariate(1.2, 1.25)):
        rows.append(_row(world, plan, day, rng.gammavariate(5, service_mean / 5), "services"))
    if size in ("large", "enterprise") and rng.random() < 0.25:  # an on-premises appliance
        parts_mean = rng.uniform(400, 1500)
        for day in _arrivals(world, won + timedelta(days=60), active_until, rng.uniform(0.8, 3)):
            rows.append(_row(world, plan, day, rng.gammavariate(4, parts_mean / 4), "parts"))
    return rows


def _globex(world: World, plan: Plan) -> list[RevenueEntry]:
    rng, size, won = world.rng, plan.size, plan.acquired_on
    factor = SIZE_FACTOR[size]
    equipment = float(round_to(rng.uniform(*BASE_VALUE["globex"][size]), 500))
    rows = [_row(world, plan, won, equipment, "new")]
    if rng.random() < 0.85:
        rows.append(
            _row(
                world,
                plan,
                won + timedelta(days=rng.randint(5, 40)),
                equipment * rng.uniform(0.03, 0.08),
                "services",
            )
        )
    # BG/NBD: orders at the customer's own rate; after each order it may go quiet for good.
    rate = rng.gammavariate(1.2, 5.0 / 1.2) * factor
    drop = rng.betavariate(1.1, 7.0)
    order_mean = rng.gammavariate(3, 1200 * factor / 3)
    quiet_from: date | None = None
    day = won
    while quiet_from is None:
        day += timedelta(days=max(1, round(rng.expovariate(rate / 365))))
        if day > world.today:
            break
        rows.append(_row(world, plan, day, rng.gammavariate(5, order_mean / 5), "parts"))
        if rng.random() < drop:
            quiet_from = day
    active_until = quiet_from or world.today
    visit_mean = rng.uniform(800, 3500) * factor
    for day in _arrivals(world, won + timedelta(days=30), active_until, rng.gammavariate(1.0, 1.5)):
        rows.append(_row(world, plan, day, rng.gammavariate(4, visit_mean / 4), "services"))
    for stream, per_year, share in (("upsell", 0.12, (0.15, 0.5)), ("cross_sell", 0.06, (0.05, 0.2))):
        for day in _arrivals(world, won + timedelta(days=90), active_until, per_year * factor):
            rows.append(_row(world, plan, day, equipment * rng.uniform(*share), stream))
    if rng.random() < {"small": 0.55, "medium": 0.7, "large": 0.8, "enterprise": 0.9}[size]:
        fee = equipment * rng.uniform(0.05, 0.09)
        first = won + timedelta(days=rng.randint(20, 60))
        for number, (starts, ends) in enumerate(
            _terms(world, first, rng.betavariate(1.5, 9.0), until=active_until)
        ):
            rows.append(
                _row(
                    world,
                    plan,
                    _invoice_day(world, starts, first=number == 0),
                    fee,
                    "maintenance",
                    starts,
                    ends,
                )
            )
            fee *= 1 + rng.uniform(0.01, 0.04)
    if rng.random() < (0.15 if size == "small" else 0.3):
        price = rng.uniform(3_000, 20_000) * factor
        first = won + timedelta(days=rng.randint(60, 400))
        for number, (starts, ends) in enumerate(
            _terms(world, first, rng.betavariate(2.0, 10.0), until=active_until)
        ):
            stream = "cross_sell" if number == 0 else "renewal"
            rows.append(
                _row(world, plan, _invoice_day(world, starts, first=number == 0), price, stream, starts, ends)
            )
    return rows


def revenue_build(world: World, plans: list[Plan]) -> None:
    """Simulate each customer's rows (not saved yet); the first is the sale that won it."""
    simulate = _acme if world.slug == "acme" else _globex
    for plan in plans:
        rows = [row for row in simulate(world, plan) if row.occurred_on <= world.today]
        rows.sort(key=lambda row: (row.occurred_on, row.stream != "new"))
        plan.rows = rows
    _explicit_margins(world, [row for plan in plans for row in plan.rows])


def _explicit_margins(world: World, rows: list[RevenueEntry]) -> None:
    """A few big deals were discounted: their margin is stated, not the stream's default."""
    for row in rows:
        if row.stream in ("new", "upsell") and world.rng.random() < 0.02:
            row.margin = max(
                Decimal("0.05"), row.margin - Decimal(world.rng.choice(("0.05", "0.08", "0.12")))
            )
            row.margin_is_default = False


def revenue_insert(world: World, plans: list[Plan]) -> list[RevenueEntry]:
    """Insert every row in date order with invoice numbers, then the corrections: reversals of a
    few orders and one re-invoiced contract term."""
    rows = sorted((row for plan in plans for row in plan.rows), key=lambda row: row.occurred_on)
    prefix = "INV" if world.slug == "acme" else "RE"
    for number, row in enumerate(rows, start=1):
        row.external_ref = f"{prefix}-{row.occurred_on.year}-{number:06d}"
    RevenueEntry.objects.bulk_create(rows, batch_size=1000)
    rng, latest = world.rng, world.today - timedelta(days=5)
    orders = [row for row in rows if row.stream in ("parts", "services") and row.occurred_on < latest]
    terms = [row for row in rows if row.stream in ("renewal", "maintenance") and row.occurred_on < latest]
    fixes: list[RevenueEntry] = []
    for original in rng.sample(orders, min(6, len(orders))) + rng.sample(terms, min(2, len(terms))):
        day = min(world.today, original.occurred_on + timedelta(days=rng.randint(3, 40)))
        is_term = original.contract_start is not None
        fixes.append(_reversal(original, day, PRICE_CORRECTION if is_term else rng.choice(REVERSAL_REASONS)))
        if is_term:
            again = _reversal(original, day, "")
            again.amount, again.reverses, again.external_ref = (
                money(float(original.amount) * 0.92),
                None,
                original.external_ref + "-R",
            )
            fixes.append(again)
    RevenueEntry.objects.bulk_create(fixes)
    return rows + fixes


def _reversal(original: RevenueEntry, day: date, reason: str) -> RevenueEntry:
    return RevenueEntry(
        customer=original.customer,
        occurred_on=day,
        amount=-original.amount,
        currency=original.currency,
        stream=original.stream,
        margin=original.margin,
        margin_is_default=original.margin_is_default,
        contract_start=original.contract_start,
        contract_end=original.contract_end,
        deal=original.deal,
        reverses=original,
        reason=reason,
        external_ref=original.external_ref + "-C",
    )
