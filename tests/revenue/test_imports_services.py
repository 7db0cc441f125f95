"""CSV imports through the service: each kind imports a clean file whole, in one go; a file with any
bad row imports nothing and reports every error by row and column."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from partners.models import Segment
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    Customer,
    ImportStatus,
    PartnerCost,
    RecomputeMark,
    ReferralCode,
    RevenueEntry,
)
from revenue.services_attribution import attribution_create
from revenue.services_customers import referral_code_create
from tests.conftest import TenantWorld, World, unscoped
from tests.revenue.test_imports_support import errors_of, make_customers, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(world: World) -> TenantWorld:
    return world.alpha


def code_for(alpha: TenantWorld, partner: str = "p1", code: str = "P1-CODE") -> ReferralCode:
    with tenant_context(alpha.tenant):
        return referral_code_create(actor=None, partner=getattr(alpha, partner), code=code)


# --- clean files, one per kind --------------------------------------------------------------------


def test_customers_import_with_segment_and_referral_code(alpha: TenantWorld) -> None:
    with tenant_context(alpha.tenant):
        segment = Segment.objects.create(name="Mid-market")
    code_for(alpha)
    job = start(
        alpha,
        "customers",
        [
            ["Name", "Domain", "Country", "Size", "Segment", "External Ref", "referral_code", "referred_on"],
            [
                "Initech Inc.",
                "https://www.initech.com/about",
                "us",
                "medium",
                "mid-market",
                "CRM-1",
                "p1-code",
                "2025-02-01",
            ],
            ["Globex", "", "DE", "", "", "CRM-2", "", ""],
        ],
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.total_rows, job.imported_rows, job.error_count) == (2, 2, 0)
    initech = unscoped(Customer).get(external_ref="CRM-1")
    assert (initech.domain, initech.country, initech.segment_id, initech.name_key) == (
        "initech.com",
        "US",
        segment.pk,
        "initech",
    )
    credit = unscoped(Attribution).get(customer=initech)
    assert credit.partner_id == alpha.p1.pk and credit.kind == AttributionKind.SOURCED
    assert credit.source == AttributionSource.REFERRAL_CODE and str(credit.effective_from) == "2025-02-01"
    assert credit.import_job_id == job.pk
    assert unscoped(RecomputeMark).filter(partner=alpha.p1, dirty_since__isnull=False).exists()


def test_revenue_import_defaults_margin_and_credits_a_quoted_code(alpha: TenantWorld) -> None:
    customer = make_customers(alpha, 1)[0]
    code_for(alpha)
    job = start(
        alpha,
        "revenue",
        [
            ["customer_ref", "date", "amount", "stream", "margin", "external_ref", "referral_code"],
            ["CUST-0", "2025-01-10", "1000.00", "new", "", "INV-1", "P1-CODE"],
            ["CUST-0", "2025-06-10", "200", "services", "40%", "INV-2", "P1-CODE"],
        ],
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    rows = {row.external_ref: row for row in unscoped(RevenueEntry).filter(import_job_id=job.pk)}
    assert rows["INV-1"].margin_is_default and rows["INV-1"].margin == Decimal("0.7000")
    assert not rows["INV-2"].margin_is_default and rows["INV-2"].margin == Decimal("0.4000")
    assert (
        rows["INV-1"].currency == alpha.tenant.currency
        and rows["INV-1"].created_by == alpha.members["vendor_staff"].user
    )
    # The first row's code gives the customer's sourced credit; the partner then holds it, so the
    # second row adds nothing (as services_ledger.attribute_by_code does row by row).
    credits = list(unscoped(Attribution).filter(customer=customer))
    assert [(c.kind, c.revenue_entry_id, str(c.effective_from)) for c in credits] == [
        (AttributionKind.SOURCED, None, "2025-01-10")
    ]


def test_revenue_code_of_a_second_partner_is_influence_on_its_row(alpha: TenantWorld) -> None:
    customer = make_customers(alpha, 1)[0]
    code_for(alpha, "p2", "P2-CODE")
    with tenant_context(alpha.tenant):
        attribution_create(
            actor=alpha.members["vendor_staff"],
            partner=alpha.p1,
            customer=customer,
            kind=AttributionKind.SOURCED,
            weight="1",
            effective_from="2024-01-01",
            source=AttributionSource.MANUAL,
            reason="Signed the customer",
        )
    job = start(
        alpha,
        "revenue",
        [
            ["customer_domain", "date", "amount", "stream", "referral_code"],
            ["c0.example", "2025-03-01", "50", "parts", "P2-CODE"],
        ],
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    influence = unscoped(Attribution).get(partner=alpha.p2)
    entry = unscoped(RevenueEntry).get(import_job_id=job.pk)
    assert influence.kind == AttributionKind.INFLUENCED and influence.revenue_entry_id == entry.pk
    assert (
        unscoped(RecomputeMark).filter(partner__in=[alpha.p1, alpha.p2], dirty_since__isnull=False).count()
        == 2
    )


def test_attributions_import(alpha: TenantWorld) -> None:
    make_customers(alpha, 2)
    code_for(alpha, "p2", "P2-CODE")
    job = start(
        alpha,
        "attributions",
        [
            [
                "partner",
                "customer_ref",
                "kind",
                "weight",
                "effective_from",
                "effective_to",
                "source",
                "reason",
                "referral_code",
                "marketplace_ref",
            ],
            [alpha.p1.name.upper(), "CUST-0", "sourced", "0.6", "2025-01-01", "", "", "Joint pitch", "", ""],
            [
                str(alpha.p2.pk),
                "CUST-0",
                "sourced",
                "0.4",
                "2025-01-01",
                "2026-01-01",
                "referral_code",
                "",
                "P2-CODE",
                "",
            ],
            [
                alpha.p2.name,
                "CUST-1",
                "influenced",
                "1",
                "2025-01-01",
                "",
                "marketplace",
                "",
                "",
                "AWS listing",
            ],
        ],
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    made = unscoped(Attribution).filter(import_job_id=job.pk).order_by("pk")
    assert [(a.partner_id, a.kind, a.weight, a.source) for a in made] == [
        (alpha.p1.pk, "sourced", Decimal("0.6000"), "manual"),
        (alpha.p2.pk, "sourced", Decimal("0.4000"), "referral_code"),
        (alpha.p2.pk, "influenced", Decimal("1.0000"), "marketplace"),
    ]
    assert made[0].created_by == alpha.members["vendor_staff"].user


def test_costs_import(alpha: TenantWorld) -> None:
    job = start(
        alpha,
        "costs",
        [
            ["partner", "kind", "date", "amount", "description", "external_ref"],
            [alpha.p1.name, "enablement", "2025-04-01", "750.00", "Bootcamp", "AP-1"],
            [alpha.p2.name, "MDF", "2025-04-02", "1200", "Webinar", ""],
        ],
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert unscoped(PartnerCost).filter(import_job_id=job.pk).count() == 2
    assert set(unscoped(RecomputeMark).values_list("partner_id", flat=True)) == {alpha.p1.pk, alpha.p2.pk}


def test_one_audit_event_per_import(alpha: TenantWorld) -> None:
    make_customers(alpha, 3)
    before = unscoped(AuditEvent).count()
    rows = [["customer_ref", "date", "amount", "stream"]] + [
        [f"CUST-{i}", "2025-01-01", "10", "new"] for i in range(3)
    ]
    job = start(alpha, "revenue", rows)
    events = unscoped(AuditEvent).order_by("pk")[before:]
    assert [(e.verb, e.object_id) for e in events] == [("import.succeeded", str(job.pk))]


# --- bad files import nothing and report every error ---------------------------------------------


def test_a_bad_revenue_file_imports_nothing_and_reports_every_error(alpha: TenantWorld) -> None:
    make_customers(alpha, 2)
    job = start(
        alpha,
        "revenue",
        [
            ["customer_ref", "date", "amount", "stream", "external_ref"],
            ["CUST-0", "2025-01-01", "100", "new", "A"],  # row 2: fine
            ["CUST-0", "01/02/2025", "100", "new", "B"],  # row 3: bad date
            ["CUST-1", "2025-01-01", "-5", "renewal", "C"],  # row 4: negative amount
            ["CUST-1", "2025-01-01", "5", "lease", "D"],  # row 5: unknown stream
            ["NOPE-9", "2025-01-01", "5", "new", "E"],  # row 6: unknown customer
            ["CUST-1", "2025-01-01", "5", "new", "A"],  # row 7: duplicate reference in the file
            ["CUST-1", "2025-01-01", "5"],  # row 8: a cell short
            ["", "", "", "", ""],  # row 9: blank, skipped
            ["CUST-1", "", "x", "new", "F"],  # row 10: no date, amount not a number
        ],
    )
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (3, "date"),
        (4, "amount"),
        (5, "stream"),
        (6, "customer_ref"),
        (7, "external_ref"),
        (8, ""),
        (10, "date"),
        (10, "amount"),
    ]
    assert job.error_count == 8 and job.imported_rows == 0 and job.total_rows == 8
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert messages[(3, "date")] == "“01/02/2025” is not a date; write the date as YYYY-MM-DD."
    assert messages[(4, "amount")] == "The amount must be positive; corrections are recorded as reversals."
    assert messages[(7, "external_ref")] == "Row 2 has the same external_ref."
    assert "NOPE-9" in messages[(6, "customer_ref")]
    assert not unscoped(RevenueEntry).exists()
    assert not unscoped(RecomputeMark).exists()


def test_missing_and_unknown_headers_are_row_one_errors_reported_once(alpha: TenantWorld) -> None:
    make_customers(alpha, 1)
    job = start(
        alpha,
        "revenue",
        [
            ["customer_ref", "amount", "stream", "colour"],
            ["CUST-0", "10", "new", "red"],
            ["CUST-0", "11", "new", "blue"],
        ],
    )
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [(1, "date"), (1, "colour")]
    assert job.errors[0]["message"] == "This required column is missing."


def test_customers_file_duplicates_in_file_and_in_tenant(alpha: TenantWorld) -> None:
    make_customers(alpha, 1)  # c0.example, CUST-0
    job = start(
        alpha,
        "customers",
        [
            ["name", "domain", "external_ref", "segment", "referral_code"],
            ["A", "a.example", "X-1", "", ""],
            ["B", "www.a.example", "X-2", "", ""],  # row 3: same domain as row 2
            ["C", "c0.example", "CUST-0", "", ""],  # row 4: both taken in the tenant
            ["", "not a domain", "X-3", "Nope", "NOCODE"],  # row 5: no name, bad domain, no segment, no code
        ],
    )
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (3, "domain"),
        (4, "domain"),
        (4, "external_ref"),
        (5, "name"),
        (5, "domain"),
        (5, "segment"),
        (5, "referral_code"),
    ]
    assert unscoped(Customer).count() == 1


def test_sourced_weights_above_one_count_recorded_credit_and_earlier_rows(alpha: TenantWorld) -> None:
    customer = make_customers(alpha, 1)[0]
    with tenant_context(alpha.tenant):
        attribution_create(
            actor=alpha.members["vendor_staff"],
            partner=alpha.p1,
            customer=customer,
            kind=AttributionKind.SOURCED,
            weight="0.5",
            effective_from="2025-01-01",
            source=AttributionSource.MANUAL,
            reason="Half",
        )
    header = ["partner", "customer_ref", "kind", "weight", "effective_from", "reason"]
    job = start(
        alpha,
        "attributions",
        [
            header,
            [alpha.p2.name, "CUST-0", "sourced", "0.3", "2025-06-01", "Split"],  # fine: 0.8
            [alpha.p2.name, "CUST-0", "sourced", "0.3", "2025-07-01", "Split"],  # 1.1: too much
            [alpha.p2.name, "CUST-0", "sourced", "1.5", "2025-07-01", "Split"],  # not a weight
            ["Nobody", "CUST-0", "sideways", "0.1", "2025-07-01", ""],  # unknown partner, kind, no reason
        ],
    )
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [(3, "weight"), (4, "weight"), (5, "partner"), (5, "kind")]
    assert "at most 0.2 is left" in job.errors[0]["message"]
    assert unscoped(Attribution).count() == 1


def test_a_manual_attribution_without_reason_gets_the_services_message(alpha: TenantWorld) -> None:
    make_customers(alpha, 1)
    job = start(
        alpha,
        "attributions",
        [
            ["partner", "customer_ref", "kind", "weight", "effective_from"],
            [alpha.p1.name, "CUST-0", "influenced", "1", "2025-01-01"],
        ],
    )
    assert job.errors == [
        {"row": 2, "column": "reason", "message": "Say why this partner gets the credit; both sides see it."}
    ]


def test_costs_errors_use_the_date_column_name(alpha: TenantWorld) -> None:
    job = start(
        alpha,
        "costs",
        [
            ["partner", "kind", "date", "amount", "description"],
            [alpha.p1.name, "bribes", "yesterday", "1.234", ""],
        ],
    )
    assert errors_of(job) == [(2, "kind"), (2, "date"), (2, "amount"), (2, "description")]


def test_only_the_first_thousand_errors_are_kept_but_all_are_counted(
    alpha: TenantWorld, settings: Any
) -> None:
    rows = [["customer_ref", "date", "amount", "stream"]] + [["X", "bad", "1", "new"]] * 1500
    job = start(alpha, "revenue", rows)
    assert job.error_count == 3000 and len(job.errors) == 1000
    assert job.errors[0]["row"] == 2 and job.errors[-1]["row"] == 501
