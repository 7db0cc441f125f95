"""Bulk look-ups the import kinds share: customers by reference or domain, partners by id or name,
referral codes, customers' credit, and the referral-code rule of services_ledger.attribute_by_code
applied to many rows at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from partners.models import Partner
from revenue.imports_common import Problems, chunked, lookup
from revenue.models import Attribution, AttributionKind, Customer, ReferralCode
from revenue.services_attribution import spans_peak
from revenue.services_common import Fields, text
from revenue.services_customers import referral_code_resolve
from revenue.validation import normalise_domain

ONE = Decimal("1")


class CustomerFinder:
    """The customer a row names by `customer_ref` (its id in the CRM) or `customer_domain`."""

    def __init__(self) -> None:
        self.refs: set[str] = set()
        self.domains: set[str] = set()
        self.by_ref: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}

    def parse(self, values: dict[str, str], fields: Fields) -> tuple[str, str]:
        ref_cell, domain_cell = values.get("customer_ref", ""), values.get("customer_domain", "")
        ref = fields.parse("customer_ref", text, ref_cell, max_length=100) or "" if ref_cell else ""
        domain = fields.parse("customer_domain", normalise_domain, domain_cell) or "" if domain_cell else ""
        if not ref and not domain and not fields.errors.keys() & {"customer_ref", "customer_domain"}:
            fields.add(
                "customer_ref", "Give the customer's customer_ref (its id in your CRM) or customer_domain."
            )
        if ref:
            self.refs.add(ref)
        if domain:
            self.domains.add(domain)
        return ref, domain

    def load(self) -> None:
        self.by_ref = dict(lookup(Customer.objects.all(), "external_ref", self.refs, "external_ref", "pk"))
        self.by_domain = dict(lookup(Customer.objects.all(), "domain", self.domains, "domain", "pk"))

    def resolve(self, row: int, key: tuple[str, str], problems: Problems) -> int | None:
        ref, domain = key
        by_ref = self.by_ref.get(ref) if ref else None
        by_domain = self.by_domain.get(domain) if domain else None
        if ref and by_ref is None:
            problems.add(
                row, "customer_ref", f"No customer has the reference “{ref}”; import the customers first."
            )
            return None
        if domain and by_domain is None and by_ref is None:
            problems.add(
                row, "customer_domain", f"No customer has the domain {domain}; import the customers first."
            )
            return None
        if by_ref is not None and by_domain is not None and by_ref != by_domain:
            problems.add(row, "customer_domain", f"{domain} is another customer than the reference “{ref}”.")
            return None
        return by_ref if by_ref is not None else by_domain


class PartnerFinder:
    """Partners by id or by name (case does not matter); a tenant has hundreds, read at once."""

    def __init__(self) -> None:
        self.by_id: dict[int, str] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name in Partner.objects.values_list("pk", "name"):
            self.by_id[pk] = name
            self.by_name.setdefault(name.casefold().strip(), []).append(pk)

    def resolve(self, value: Any) -> int:
        wanted = str(value or "").strip()
        if not wanted:
            raise ValueError("Give the partner's name or id.")
        if wanted.isdigit() and int(wanted) in self.by_id:
            return int(wanted)
        matches = self.by_name.get(wanted.casefold(), [])
        if len(matches) > 1:
            raise ValueError(f"Several partners are called “{wanted[:60]}”; give the partner's id.")
        if not matches:
            raise ValueError(
                f"No partner “{wanted[:60]}”; give the name as in the partner directory, or its id."
            )
        return matches[0]


@dataclass(frozen=True)
class Code:
    pk: int
    partner_id: int
    code: str


class CodeFinder:
    """Referral codes quoted on rows; a bad code gets referral_code_resolve's own message."""

    def __init__(self) -> None:
        self.wanted: set[str] = set()
        self.found: dict[str, Code] = {}
        self._refused: dict[str, str] = {}

    @staticmethod
    def normalise(value: Any) -> str:
        return str(value or "").strip().upper()

    def note(self, value: Any) -> None:
        if self.normalise(value):
            self.wanted.add(self.normalise(value))

    def load(self) -> None:
        rows = lookup(
            ReferralCode.objects.filter(is_active=True), "code", self.wanted, "code", "pk", "partner_id"
        )
        self.found = {code: Code(pk=pk, partner_id=partner_id, code=code) for code, pk, partner_id in rows}

    def resolve(self, value: Any) -> Code:
        code = self.normalise(value)
        if code in self.found:
            return self.found[code]
        if code not in self._refused:
            try:  # one query per distinct bad code, for exactly the message the API and forms give
                referral_code_resolve(code=code)
                self._refused[code] = f"The referral code {code} cannot be used."
            except ValueError as error:
                self._refused[code] = str(error)
        raise ValueError(self._refused[code])


@dataclass(frozen=True)
class Credit:
    """A customer-level attribution in force over [start, end)."""

    partner_id: int
    kind: str
    start: datetime.date
    end: datetime.date | None
    weight: Decimal


def customer_credits(customer_ids: set[int]) -> dict[int, list[Credit]]:
    credits: dict[int, list[Credit]] = {pk: [] for pk in customer_ids}
    rows = lookup(
        Attribution.objects.filter(revenue_entry__isnull=True),
        "customer_id",
        customer_ids,
        "customer_id",
        "partner_id",
        "kind",
        "effective_from",
        "effective_to",
        "weight",
    )
    for customer_id, partner_id, kind, start, end, weight in rows:
        credits[customer_id].append(Credit(partner_id, kind, start, end, weight))
    return credits


def sourced_spans(credits: list[Credit]) -> list[tuple[datetime.date, datetime.date | None, Decimal]]:
    return [(c.start, c.end, c.weight) for c in credits if c.kind == AttributionKind.SOURCED]


def code_credit(credits: list[Credit], *, partner_id: int, on: datetime.date, for_row: bool) -> str | None:
    """What a quoted referral code does (services_ledger.attribute_by_code), for rows taken in file
    order: sourced credit if nobody holds any from `on`, else influence on the revenue row; nothing
    if the partner already holds open credit. A sourced credit joins `credits` for later rows."""
    if any(c.partner_id == partner_id and c.end is None for c in credits):
        return None
    if spans_peak(sourced_spans(credits), start=on, end=None) == 0:
        credits.append(Credit(partner_id, AttributionKind.SOURCED, on, None, ONE))
        return AttributionKind.SOURCED
    return AttributionKind.INFLUENCED if for_row else None


def lock_customers(customer_ids: set[int]) -> None:
    """Serialise with other attribution writers, as services_attribution does per customer."""
    for chunk in chunked(sorted(customer_ids)):
        list(
            Customer.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def partners_of_customers(customer_ids: set[int]) -> set[int]:
    """Every partner with credit for these customers, at any time (their LTV history changes)."""
    partner_ids: set[int] = set()
    for chunk in chunked(sorted(customer_ids)):
        partner_ids.update(
            Attribution.objects.filter(customer_id__in=chunk).values_list("partner_id", flat=True).distinct()
        )
    return partner_ids
