"""Revenue demo data: three years of customers, revenue, credit, deals and costs per demo tenant,
ending today (the demo always shows the last three years).

`seed_demo` calls `seed_tenant` inside the tenant's context after the partners demo. Each concept
lives in its own module; this one puts them in order. Rows are bulk-inserted (the whole seed must
stay fast) with the invariants the services keep: sourced weights of a customer never above 1,
reversals negative and pointing at their row, contracts ending after they start, margins from the
tenant's defaults unless stated. Idempotent: every partner is given a referral code if it has
none; the rest runs only for a tenant with no customers and no deals yet.
"""

from __future__ import annotations

import random

from prm.models import Tenant
from revenue.demo_conflicts import conflicts_plan
from revenue.demo_costs import costs_seed
from revenue.demo_credit import attributions_seed, codes_ensure
from revenue.demo_customers import company_names, customers_plan
from revenue.demo_deals import Book, OpenNames, deals_closed, deals_open, deals_won
from revenue.demo_revenue import revenue_build, revenue_insert
from revenue.demo_world import insert_dated, world_load
from revenue.models import ConflictCase, Customer, Deal
from revenue.services_recompute import recompute_mark_partners

PROSPECTS = 220  # names for registrations that did not (yet) become customers


def seed_tenant(*, tenant: Tenant, rng: random.Random) -> list[tuple[str, str]]:
    world = world_load(tenant=tenant, rng=rng)
    codes_ensure(world)
    if Customer.objects.exists() or Deal.objects.exists():
        return []
    plans = customers_plan(world)
    revenue_build(world, plans)
    book = Book()
    deals_won(world, book, plans)
    taken = {p.customer.name_key for p in plans} | {p.customer.domain for p in plans}
    taken |= {partner.website_domain for partner in world.partners}
    prospects = company_names(world, PROSPECTS, taken=taken)
    deals_closed(world, book, prospects)
    names = OpenNames(prospects)
    cases = conflicts_plan(world, book, names)
    deals_open(world, book, names)
    book.insert()
    insert_dated(ConflictCase, cases)
    rows = revenue_insert(world, plans)
    attributions = attributions_seed(world, plans)
    costs_seed(world, attributions, rows)
    recompute_mark_partners(partner_ids=[partner.pk for partner in world.partners], reason="demo data seeded")
    return []
