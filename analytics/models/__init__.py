"""What the LTV engine stores: runs, fitted models, customer scores, partner LTV and dated snapshots."""

from analytics.models.results import (
    CustomerValue,
    PartnerLtv,
    PartnerLtvSnapshot,
    Population,
    TenantLtvSnapshot,
)
from analytics.models.runs import LtvRun, RunKind, RunStatus, RunTrigger, SegmentFit

__all__ = [
    "CustomerValue",
    "LtvRun",
    "PartnerLtv",
    "PartnerLtvSnapshot",
    "Population",
    "RunKind",
    "RunStatus",
    "RunTrigger",
    "SegmentFit",
    "TenantLtvSnapshot",
]
