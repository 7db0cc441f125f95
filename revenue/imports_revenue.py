"""Revenue rows from a CSV: one RevenueEntry per row, cells checked by services_ledger.revenue_values
(so a cell gets the message the form field would), customers found by reference or domain, and a
quoted referral code crediting its partner as services_ledger.attribute_by_code does."""

from __future__ import annotations

import datetime
from typing import Any

from revenue.imports_common import BatchWriter, Column, KindImport, lookup
from revenue.imports_lookups import (
    ONE,
    Code,
    CodeFinder,
    CustomerFinder,
    code_credit,
    customer_credits,
    lock_customers,
    partners_of_customers,
)
from revenue.models import Attribution, AttributionKind, AttributionSource, ImportKind, RevenueEntry
from revenue.services_common import Fields
from revenue.services_ledger import revenue_values


class RevenueImport(KindImport):
    kind = ImportKind.REVENUE
    columns = (
        Column("customer_ref", "The customer's reference (its id in your CRM/ERP, as imported).", "CRM-1001"),
        Column("customer_domain", "Or the customer's website domain.", "initech.com"),
        Column("date", "Day of the revenue event, as YYYY-MM-DD.", "2026-03-31", required=True),
        Column(
            "amount", "Positive, at most two decimals, no thousands separators.", "1500.00", required=True
        ),
        Column("currency", "Three-letter code; blank means the tenant's currency.", ""),
        Column(
            "stream",
            "new, renewal, upsell, cross_sell, services, maintenance or parts.",
            "renewal",
            required=True,
        ),
        Column("margin", "Gross margin as 0.35 or 35%; blank takes the tenant's default for the stream.", ""),
        Column("contract_start", "Subscriptions: first day of the contract (YYYY-MM-DD).", "2026-04-01"),
        Column("contract_end", "Subscriptions: last day of the contract (YYYY-MM-DD).", "2027-03-31"),
        Column(
            "external_ref", "Your id of this revenue row; a reference already imported is refused.", "INV-7"
        ),
        Column("referral_code", "A partner's referral code: credits that partner by itself.", ""),
    )
    one_of = ("customer_ref", "customer_domain")
    renames = {"occurred_on": "date"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customers = CustomerFinder()
        self.codes = CodeFinder()
        self.refs: dict[str, int] = {}
        # (row, customer key, clean values or None when the row has errors, referral code)
        self.rows: list[tuple[int, tuple[str, str], dict[str, Any] | None, str]] = []
        self.resolved: list[tuple[int, dict[str, Any], Code | None]] = []
        self._days: dict[str, datetime.date | str] = {}

    def day(self, cell: str) -> datetime.date | str:
        """A date cell, parsed once per distinct text (a file repeats its dates); a cell that is
        no date stays text, so revenue_values gives it the form's message."""
        try:
            return self._days[cell]
        except KeyError:
            pass
        try:
            parsed: datetime.date | str = datetime.date.fromisoformat(cell.strip()) if cell.strip() else cell
        except ValueError:
            parsed = cell
        self._days[cell] = parsed
        return parsed

    def check_row(self, row: int, values: dict[str, str]) -> None:
        get = values.get
        fields = Fields()
        key = self.customers.parse(values, fields)
        day = self.day
        clean = revenue_values(
            tenant=self.context.tenant,
            occurred_on=day(get("date", "")),
            amount=get("amount", ""),
            stream=get("stream", ""),
            margin=get("margin", ""),
            currency=get("currency", ""),
            contract_start=day(get("contract_start", "")),
            contract_end=day(get("contract_end", "")),
            external_ref=get("external_ref", ""),
            fields=fields,
        )
        ref = clean["external_ref"]
        if ref:
            if ref in self.refs:
                fields.add("external_ref", f"Row {self.refs[ref]} has the same external_ref.")
            else:
                self.refs[ref] = row
        code = get("referral_code", "")
        self.codes.note(code)
        if fields.errors:
            self.problems.add_fields(row, fields, self.renames)
        self.rows.append((row, key, None if fields.errors else clean, code))

    def check_file(self) -> None:
        self.customers.load()
        self.codes.load()
        for ref, day in lookup(
            RevenueEntry.objects.all(), "external_ref", self.refs, "external_ref", "occurred_on"
        ):
            self.problems.add(
                self.refs[ref], "external_ref", f"Revenue “{ref}” was already recorded ({day})."
            )
        for row, key, clean, code_text in self.rows:
            customer_id = self.customers.resolve(row, key, self.problems)
            code = None
            if code_text:
                fields = Fields()
                code = fields.parse("referral_code", self.codes.resolve, code_text)
                self.problems.add_fields(row, fields)
            if clean is not None and customer_id is not None:
                clean["customer_id"] = customer_id
                self.resolved.append((row, clean, code))
        self.rows = []

    def write(self, writer: BatchWriter) -> set[int]:
        job_id = self.context.job_id
        user_id = self.context.user.pk if self.context.user else None
        rows = [{**clean, "import_job_id": job_id, "created_by_id": user_id} for _, clean, _ in self.resolved]
        ids = writer.create(RevenueEntry, rows)
        coded = [(pk, clean, code) for pk, (_, clean, code) in zip(ids, self.resolved, strict=True) if code]
        if coded:
            writer.create(Attribution, self._code_credits(coded), counts_as_rows=False)
        return partners_of_customers({clean["customer_id"] for _, clean, _ in self.resolved})

    def _code_credits(self, coded: list[tuple[int, dict[str, Any], Code]]) -> list[dict[str, Any]]:
        """Decided inside the write transaction with the customers locked, so a concurrent writer
        cannot change whether a code's credit is sourced or influenced."""
        customer_ids = {clean["customer_id"] for _, clean, _ in coded}
        lock_customers(customer_ids)
        credits = customer_credits(customer_ids)
        made = []
        for entry_id, clean, code in coded:
            customer_id, day = clean["customer_id"], clean["occurred_on"]
            kind = code_credit(credits[customer_id], partner_id=code.partner_id, on=day, for_row=True)
            if kind is None:
                continue
            made.append(
                {
                    "partner_id": code.partner_id,
                    "customer_id": customer_id,
                    "revenue_entry_id": entry_id if kind == AttributionKind.INFLUENCED else None,
                    "kind": kind,
                    "weight": ONE,
                    "effective_from": day,
                    "source": AttributionSource.REFERRAL_CODE,
                    "referral_code_id": code.pk,
                    "import_job_id": self.context.job_id,
                }
            )
        return made
