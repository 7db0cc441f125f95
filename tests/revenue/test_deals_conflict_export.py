"""The conflict list's CSV export: both sides of each case, the default winner, and the filter."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from prm.tenancy import tenant_context
from revenue.models import ConflictCase

pytestmark = pytest.mark.django_db


def _rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_open_conflicts_export_with_both_sides(world: Any) -> None:
    case_pk = world.alpha.obj_pk("conflict")
    with tenant_context(world.alpha.tenant):
        case = ConflictCase.objects.select_related("deal", "other_deal").get(pk=case_pk)
    response = world.client("vendor_staff").get("/alpha/deals/conflicts/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    (row,) = _rows(response)
    assert row["case"] == str(case.pk) and row["status"] == "open" and row["match_kind"] == "domain"
    assert row["deal_partner"] == world.alpha.p1.name and row["other_partner"] == "direct opportunity"
    assert row["deal_domain"] == row["other_domain"] == "clashco-p1.example"
    # The direct opportunity was opened first, so it keeps the customer by default.
    assert row["default_winner"] == str(case.other_deal_id) and row["winner"] == ""


def test_export_follows_the_status_filter_and_is_vendor_only(world: Any) -> None:
    world.alpha.obj_pk("conflict")
    resolved = world.client("vendor_staff").get("/alpha/deals/conflicts/export.csv?status=resolved")
    assert _rows(resolved) == []
    assert world.client("partner_admin").get("/alpha/deals/conflicts/export.csv").status_code == 403
