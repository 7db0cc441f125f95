"""Where the partners app's writes concern revenue. Imports flow revenue -> partners only, so the
partners app cannot call us; we listen instead:

- a new partner gets its first referral code (every partner has one to hand out);
- a reimbursed MDF claim or an acquisition cost entry is a partner cost, so its LTV needs a recompute.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from partners.models import AcquisitionCost, MdfRequest, MdfStatus, Partner
from prm.context import current_tenant_id


def _partner_created(sender: Any, instance: Partner, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or current_tenant_id() != instance.tenant_id:
        return
    from revenue.services_customers import referral_code_create

    referral_code_create(actor=None, partner=instance, label="Default code")


def _mdf_saved(sender: Any, instance: MdfRequest, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.status != MdfStatus.REIMBURSED or current_tenant_id() != instance.tenant_id:
        return
    from revenue.services_recompute import recompute_mark_partners

    recompute_mark_partners(partner_ids=[instance.partner_id], reason="MDF reimbursed")


def _acquisition_cost_saved(sender: Any, instance: AcquisitionCost, raw: bool = False, **kwargs: Any) -> None:
    if raw or current_tenant_id() != instance.tenant_id:
        return
    from revenue.services_recompute import recompute_mark_partners

    recompute_mark_partners(partner_ids=[instance.partner_id], reason="acquisition cost recorded")


def connect() -> None:
    post_save.connect(_partner_created, sender=Partner, dispatch_uid="revenue.partner_created")
    post_save.connect(_mdf_saved, sender=MdfRequest, dispatch_uid="revenue.mdf_saved")
    post_save.connect(
        _acquisition_cost_saved, sender=AcquisitionCost, dispatch_uid="revenue.acquisition_cost"
    )
