"""A small tenant history for the LTV engine's tests: two partners' books of repeat buyers and
subscribers, simulated from known behaviour, written straight into the ledgers (bulk inserts; the
ledger services are tested elsewhere and would make these worlds slow to build)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from partners.models import Partner
from revenue.models import Attribution, Customer, PartnerCost, RevenueEntry

AS_OF = dt.date(2026, 6, 30)
START = dt.date(2023, 7, 1)


@dataclass
class Book:
    partners: list[Partner]
    customers: dict[int, list[Customer]] = field(default_factory=dict)  # partner pk -> customers sourced


def _customer(name: str) -> Customer:
    return Customer(name=name, name_key=name.lower(), domain=f"{name.lower().replace(' ', '-')}.example")


def build_book(
    *,
    partners: list[Partner],
    per_partner: int = 40,
    subscribers: int = 16,
    seed: int = 7,
    as_of: dt.date = AS_OF,
) -> Book:
    """Each partner sources `per_partner` repeat buyers and `subscribers` annual subscribers."""
    rng = np.random.default_rng(seed)
    book = Book(partners=partners)
    revenue: list[RevenueEntry] = []
    credits: list[Attribution] = []
    span = (as_of - START).days
    for p_index, partner in enumerate(partners):
        partner.joined_on = START
        partner.status = "active"
        partner.save(update_fields=["joined_on", "status"])
        made = Customer.objects.bulk_create(
            [_customer(f"Buyer {p_index}-{i}") for i in range(per_partner)]
            + [_customer(f"Subscriber {p_index}-{i}") for i in range(subscribers)]
        )
        book.customers[partner.pk] = made
        for i, customer in enumerate(made):
            first = START + dt.timedelta(days=int(rng.integers(0, span - 60)))
            credits.append(
                Attribution(
                    partner=partner,
                    customer=customer,
                    kind="sourced",
                    weight=Decimal("1"),
                    effective_from=first,
                    source="manual",
                    reason="test world",
                )
            )
            if i < per_partner:
                revenue.extend(_repeat_buyer(rng, customer, first, as_of))
            else:
                revenue.extend(_subscriber(rng, customer, first, as_of))
    RevenueEntry.objects.bulk_create(revenue)
    Attribution.objects.bulk_create(credits)
    return book


def _repeat_buyer(
    rng: np.random.Generator, customer: Customer, first: dt.date, as_of: dt.date
) -> list[RevenueEntry]:
    rate = rng.gamma(2.0, 1 / 40.0)  # purchases per day while alive
    dies = rng.random() < 0.4
    life = int(rng.exponential(300)) if dies else 10**6
    rows, day = [], first
    while day <= as_of and (day - first).days <= life:
        rows.append(
            RevenueEntry(
                customer=customer,
                occurred_on=day,
                amount=Decimal(str(round(float(rng.gamma(4.0, 50.0)) + 10, 2))),
                currency="USD",
                stream="parts",
                margin=Decimal("0.4"),
            )
        )
        day += dt.timedelta(days=max(1, int(rng.exponential(1 / rate))))
    return rows


def _subscriber(
    rng: np.random.Generator, customer: Customer, first: dt.date, as_of: dt.date
) -> list[RevenueEntry]:
    churn = rng.beta(1.0, 3.0)
    rows, start = [], first
    while start <= as_of:
        end = start + dt.timedelta(days=364)
        rows.append(
            RevenueEntry(
                customer=customer,
                occurred_on=start,
                amount=Decimal("1200.00"),
                currency="USD",
                stream="renewal" if rows else "new",
                margin=Decimal("0.8"),
                contract_start=start,
                contract_end=end,
            )
        )
        if rng.random() < churn:
            break
        start = end + dt.timedelta(days=1)
    return rows


def add_cost(*, partner: Partner, amount: str, on: dt.date, kind: str = "support") -> PartnerCost:
    return PartnerCost.objects.create(
        partner=partner, kind=kind, incurred_on=on, amount=Decimal(amount), description="test"
    )
