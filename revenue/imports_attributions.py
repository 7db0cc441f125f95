"""Attributions from a CSV: which partner gets credit for which customer. Cells get the messages of
services_attribution (weights, dates, sources); the sourced weights of one customer may not pass 1 on
any day, counting the credit already recorded and the file's earlier rows. The weights are checked
again inside the write transaction with the customers locked, as attribution_create does."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from partners.models import Partner
from revenue.imports_common import (
    BatchWriter,
    Column,
    ImportConflict,
    KindImport,
    Problems,
    lookup,
)
from revenue.imports_lookups import (
    ONE,
    CodeFinder,
    Credit,
    CustomerFinder,
    PartnerFinder,
    customer_credits,
    lock_customers,
    sourced_spans,
)
from revenue.models import Attribution, AttributionKind, AttributionSource, Customer, ImportKind, ReferralCode
from revenue.services_attribution import _check_source, parse_weight, spans_peak
from revenue.services_common import Fields, text
from revenue.validation import parse_date, plain_number


@dataclass
class Row:
    row: int
    partner_id: int
    customer_id: int
    kind: str
    weight: Decimal
    start: datetime.date
    end: datetime.date | None
    source: str
    referral_code_id: int | None
    marketplace_ref: str
    reason: str


class AttributionImport(KindImport):
    kind = ImportKind.ATTRIBUTIONS
    columns = (
        Column(
            "partner",
            "The partner's name as in the directory, or its id.",
            "Northwind Solutions",
            required=True,
        ),
        Column("customer_ref", "The customer's reference (its id in your CRM/ERP, as imported).", "CRM-1001"),
        Column("customer_domain", "Or the customer's website domain.", "initech.com"),
        Column("kind", "sourced or influenced.", "sourced", required=True),
        Column("weight", "Share of the credit, above 0 and at most 1.", "1", required=True),
        Column("effective_from", "First day of the credit (YYYY-MM-DD).", "2026-01-01", required=True),
        Column("effective_to", "Day the credit ends (YYYY-MM-DD); blank means open-ended.", ""),
        Column("source", "manual (the default), referral_code or marketplace.", "manual"),
        Column("marketplace_ref", "For source marketplace: the listing the customer came through.", ""),
        Column(
            "reason", "Why the partner gets the credit; required for manual entries.", "Joint pitch in Q1"
        ),
        Column("referral_code", "For source referral_code: the partner's code.", ""),
    )
    one_of = ("customer_ref", "customer_domain")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = PartnerFinder()
        self.customers = CustomerFinder()
        self.codes = CodeFinder()
        self.pending: list[tuple[int, dict[str, Any], tuple[str, str], str]] = []
        self.clean: list[Row] = []

    def check_row(self, row: int, values: dict[str, str]) -> None:
        get = values.get
        fields = Fields()
        clean: dict[str, Any] = {
            "partner_id": fields.parse("partner", self.partners.resolve, get("partner", ""))
        }
        key = self.customers.parse(values, fields)
        clean["kind"] = get("kind", "").strip().lower()
        if clean["kind"] not in AttributionKind.values:
            fields.add("kind", "Use sourced or influenced.")
        clean["weight"] = fields.parse("weight", parse_weight, get("weight", ""))
        clean["start"] = fields.parse(
            "effective_from", parse_date, get("effective_from", ""), label="start date"
        )
        clean["end"] = fields.parse(
            "effective_to", parse_date, get("effective_to", ""), label="end date", required=False
        )
        if clean["start"] and clean["end"] and clean["end"] <= clean["start"]:
            fields.add("effective_to", "The end date must be after the start date.")
        clean["reason"] = fields.parse("reason", text, get("reason", ""), max_length=500) or ""
        clean["marketplace_ref"] = fields.parse(
            "marketplace_ref", text, get("marketplace_ref", ""), max_length=200
        )
        clean["source"] = get("source", "").strip().lower() or AttributionSource.MANUAL
        code = get("referral_code", "")
        self.codes.note(code)
        self.problems.add_fields(row, fields)
        self.pending.append((row, clean, key, code))

    def check_file(self) -> None:
        self.customers.load()
        self.codes.load()
        for row, clean, key, code_text in self.pending:
            fields = Fields()
            customer_id = self.customers.resolve(row, key, self.problems)
            code = fields.parse("referral_code", self.codes.resolve, code_text) if code_text.strip() else None
            if clean["source"] == AttributionSource.DEAL:
                fields.add(
                    "source", "Deal credit comes from winning the deal; import it as manual with a reason."
                )
            elif clean["partner_id"] is not None:
                _check_source(  # the service's own rules and messages for each source
                    fields,
                    actor=self.context.actor,
                    source=clean["source"],
                    deal=None,
                    referral_code=ReferralCode(pk=code.pk, partner_id=code.partner_id) if code else None,
                    marketplace_ref=clean["marketplace_ref"] or "",
                    reason=clean["reason"],
                    partner=Partner(pk=clean["partner_id"]),
                )
            self.problems.add_fields(row, fields)
            if row not in self.problems.rows and customer_id is not None:
                clean["marketplace_ref"] = clean["marketplace_ref"] or ""
                code_id = code.pk if code else None
                self.clean.append(Row(row=row, customer_id=customer_id, referral_code_id=code_id, **clean))
        self.pending = []
        customer_ids = {r.customer_id for r in self.clean if r.kind == AttributionKind.SOURCED}
        check_weights(self.clean, customer_credits(customer_ids), self.problems)

    def write(self, writer: BatchWriter) -> set[int]:
        customer_ids = {r.customer_id for r in self.clean if r.kind == AttributionKind.SOURCED}
        lock_customers(customer_ids)
        conflicts = Problems()
        check_weights(self.clean, customer_credits(customer_ids), conflicts)
        if len(conflicts):
            raise ImportConflict(conflicts)
        user_id = self.context.user.pk if self.context.user else None
        attributions = [
            {
                "partner_id": r.partner_id,
                "customer_id": r.customer_id,
                "kind": r.kind,
                "weight": r.weight,
                "effective_from": r.start,
                "effective_to": r.end,
                "source": r.source,
                "referral_code_id": r.referral_code_id,
                "marketplace_ref": r.marketplace_ref,
                "reason": r.reason,
                "import_job_id": self.context.job_id,
                "created_by_id": user_id,
            }
            for r in self.clean
        ]
        writer.create(Attribution, attributions)
        return {r.partner_id for r in self.clean}


def check_weights(rows: list[Row], credits: dict[int, list[Credit]], problems: Problems) -> None:
    """Sourced weights per customer stay at most 1 on every day, the file's rows taken in order on
    top of the credit already recorded; a row that would pass 1 is an error and is not counted."""
    names: dict[int, str] = dict(lookup(Customer.objects.all(), "pk", credits, "pk", "name"))
    added: dict[int, list[tuple[datetime.date, datetime.date | None, Decimal]]] = {}
    for r in rows:
        if r.kind != AttributionKind.SOURCED:
            continue
        earlier = added.setdefault(r.customer_id, [])
        peak = spans_peak(sourced_spans(credits[r.customer_id]) + earlier, start=r.start, end=r.end)
        if peak + r.weight > ONE:
            room = max(ONE - peak, Decimal("0"))
            note = " (this file's earlier rows included)" if earlier else ""
            problems.add(
                r.row,
                "weight",
                f"Sourced credit for “{names.get(r.customer_id, '?')}” would exceed 1 "
                f"({plain_number(peak)} is already given in that period{note}); "
                f"at most {plain_number(room)} is left.",
            )
            continue
        earlier.append((r.start, r.end, r.weight))
