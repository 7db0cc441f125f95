"""Partner costs from a CSV: cells checked by services_ledger.cost_values, partners by name or id,
references unique in the file and among the costs already recorded."""

from __future__ import annotations

from typing import Any

from revenue.imports_common import BatchWriter, Column, KindImport, lookup
from revenue.imports_lookups import PartnerFinder
from revenue.models import ImportKind, PartnerCost
from revenue.services_common import Fields
from revenue.services_ledger import cost_values


class CostImport(KindImport):
    kind = ImportKind.COSTS
    columns = (
        Column(
            "partner",
            "The partner's name as in the directory, or its id.",
            "Northwind Solutions",
            required=True,
        ),
        Column("kind", "support, mdf, incentive, enablement or acquisition.", "enablement", required=True),
        Column("date", "Day the cost was incurred, as YYYY-MM-DD.", "2026-03-31", required=True),
        Column("amount", "Positive, at most two decimals, no thousands separators.", "750.00", required=True),
        Column("description", "What the money paid for.", "Sales bootcamp, 3 seats", required=True),
        Column("external_ref", "Your id of this cost; a reference already recorded is refused.", "AP-2231"),
    )
    renames = {"incurred_on": "date"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = PartnerFinder()
        self.refs: dict[str, int] = {}
        self.clean: list[dict[str, Any]] = []

    def check_row(self, row: int, values: dict[str, str]) -> None:
        get = values.get
        fields = Fields()
        partner_id = fields.parse("partner", self.partners.resolve, get("partner", ""))
        clean = cost_values(
            kind=get("kind", ""),
            incurred_on=get("date", ""),
            amount=get("amount", ""),
            description=get("description", ""),
            external_ref=get("external_ref", ""),
            fields=fields,
        )
        ref = clean["external_ref"]
        if ref and ref in self.refs:
            fields.add("external_ref", f"Row {self.refs[ref]} has the same external_ref.")
        elif ref:
            self.refs[ref] = row
        if fields.errors:
            self.problems.add_fields(row, fields, self.renames)
        else:
            self.clean.append({**clean, "partner_id": partner_id})

    def check_file(self) -> None:
        for ref, day in lookup(
            PartnerCost.objects.all(), "external_ref", self.refs, "external_ref", "incurred_on"
        ):
            self.problems.add(
                self.refs[ref], "external_ref", f"The cost “{ref}” was already recorded ({day})."
            )

    def write(self, writer: BatchWriter) -> set[int]:
        job_id = self.context.job_id
        user_id = self.context.user.pk if self.context.user else None
        writer.create(
            PartnerCost,
            [{**clean, "import_job_id": job_id, "created_by_id": user_id} for clean in self.clean],
        )
        return {clean["partner_id"] for clean in self.clean}
