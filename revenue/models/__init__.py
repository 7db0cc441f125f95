"""Revenue models, one module per concept: customers and referral codes, deal registrations and
their conflicts, the revenue/attribution/cost ledgers, CSV imports, and the LTV recompute outbox."""

from revenue.models.customers import Customer, ReferralClick, ReferralCode
from revenue.models.deals import (
    OPEN_DEAL_STATUSES,
    ConflictCase,
    ConflictStatus,
    Deal,
    DealEvent,
    DealStatus,
    ExtensionStatus,
)
from revenue.models.imports import ImportJob, ImportKind, ImportStatus
from revenue.models.ledgers import (
    Attribution,
    AttributionKind,
    AttributionSource,
    CostKind,
    PartnerCost,
    RevenueEntry,
    Stream,
)
from revenue.models.recompute import RecomputeMark

__all__ = [
    "OPEN_DEAL_STATUSES",
    "Attribution",
    "AttributionKind",
    "AttributionSource",
    "ConflictCase",
    "ConflictStatus",
    "CostKind",
    "Customer",
    "Deal",
    "DealEvent",
    "DealStatus",
    "ExtensionStatus",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "PartnerCost",
    "RecomputeMark",
    "ReferralClick",
    "ReferralCode",
    "RevenueEntry",
    "Stream",
]
