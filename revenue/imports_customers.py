"""Customers from a CSV: cells checked by services_customers.customer_values, domains and references
unique in the file and in the tenant, segments by name, and a quoted referral code giving its partner
the new customer's sourced credit (services_ledger.attribute_by_code on a customer nobody holds)."""

from __future__ import annotations

import datetime
from typing import Any

from partners.models import Segment
from revenue.imports_common import BatchWriter, Column, KindImport, lookup
from revenue.imports_lookups import ONE, Code, CodeFinder
from revenue.models import Attribution, AttributionKind, AttributionSource, Customer, ImportKind
from revenue.services_common import Fields
from revenue.services_customers import customer_values
from revenue.validation import parse_date


class CustomerImport(KindImport):
    kind = ImportKind.CUSTOMERS
    columns = (
        Column("name", "The customer's company name.", "Initech Inc.", required=True),
        Column(
            "domain",
            "Website domain; unique per customer (https://www. and paths are removed).",
            "initech.com",
        ),
        Column("country", "Two-letter ISO 3166 code.", "US"),
        Column("industry", "Free text.", "Manufacturing"),
        Column("size", "small, medium, large or enterprise.", "medium"),
        Column("segment", "Name of one of your segments.", ""),
        Column("persona", "Buyer persona, e.g. IT director.", "IT director"),
        Column(
            "external_ref",
            "The customer's id in your CRM/ERP; revenue rows name customers by it.",
            "CRM-1001",
        ),
        Column("referral_code", "A partner's referral code: that partner sources the customer.", ""),
        Column("referred_on", "Day the referral credit starts (YYYY-MM-DD); blank means today.", ""),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = CodeFinder()
        self.domains: dict[str, int] = {}
        self.refs: dict[str, int] = {}
        self.segment_names: dict[str, int | None] = {}
        # (row, clean values or None when the row has errors, segment name, code, referral day)
        self.rows: list[tuple[int, dict[str, Any] | None, str, str, datetime.date | None]] = []
        self.clean: list[tuple[dict[str, Any], Code | None, datetime.date]] = []

    def check_row(self, row: int, values: dict[str, str]) -> None:
        get = values.get
        fields = Fields()
        clean = customer_values(
            name=get("name", ""),
            domain=get("domain", ""),
            country=get("country", ""),
            industry=get("industry", ""),
            size=get("size", ""),
            persona=get("persona", ""),
            external_ref=get("external_ref", ""),
            fields=fields,
        )
        for column, seen in (("domain", self.domains), ("external_ref", self.refs)):
            value = clean.get(column)
            if value and value in seen:
                fields.add(column, f"Row {seen[value]} has the same {column}.")
            elif value:
                seen[value] = row
        segment = get("segment", "").strip()
        if segment:
            self.segment_names.setdefault(segment.casefold(), None)
        code = get("referral_code", "")
        self.codes.note(code)
        day = fields.parse(
            "referred_on", parse_date, get("referred_on", ""), label="referral date", required=False
        )
        if day is not None and not code.strip():
            fields.add("referred_on", "Give the referral_code this date belongs to.")
        if fields.errors:
            self.problems.add_fields(row, fields)
        self.rows.append((row, None if fields.errors else clean, segment, code, day))

    def check_file(self) -> None:
        self.codes.load()
        for pk, name in Segment.objects.values_list("pk", "name"):
            if name.casefold() in self.segment_names:
                self.segment_names[name.casefold()] = pk
        for column, seen in (("domain", self.domains), ("external_ref", self.refs)):
            for value, name in lookup(Customer.objects.all(), column, seen, column, "name"):
                shown = value if column == "domain" else f"“{value}”"
                self.problems.add(seen[value], column, f"{shown} is already the customer “{name}”.")
        for row, clean, segment, code_text, day in self.rows:
            segment_id = self.segment_names.get(segment.casefold()) if segment else None
            if segment and segment_id is None:
                self.problems.add(
                    row, "segment", f"No segment “{segment[:60]}”; create it first or leave it blank."
                )
            code = None
            if code_text.strip():
                fields = Fields()
                code = fields.parse("referral_code", self.codes.resolve, code_text)
                self.problems.add_fields(row, fields)
            if clean is not None:
                clean["segment_id"] = segment_id
                clean.pop("segment", None)
                self.clean.append((clean, code, day or self.context.today))
        self.rows = []

    def write(self, writer: BatchWriter) -> set[int]:
        ids = writer.create(Customer, [clean for clean, _, _ in self.clean])
        credits: list[dict[str, Any]] = [
            {
                "partner_id": code.partner_id,
                "customer_id": customer_id,
                "kind": AttributionKind.SOURCED,
                "weight": ONE,
                "effective_from": day,
                "source": AttributionSource.REFERRAL_CODE,
                "referral_code_id": code.pk,
                "import_job_id": self.context.job_id,
            }
            for customer_id, (_, code, day) in zip(ids, self.clean, strict=True)
            if code is not None
        ]
        writer.create(Attribution, credits, counts_as_rows=False)
        return {credit["partner_id"] for credit in credits}
