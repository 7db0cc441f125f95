"""Access helpers of the revenue app: every id from a request passes through one.

They answer 404 for another tenant's objects (the scoped manager cannot see them) and, for partner
roles, for objects of another partner, so existence never leaks. What a partner may see:
its own deals (and the conflict cases that involve them), the customers and revenue rows it has
credit for, its own attributions, referral codes and costs. Imports are vendor-only. Role checks on
actions live in the views and services.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from prm.models import Membership
from revenue.models import (
    Attribution,
    ConflictCase,
    Customer,
    Deal,
    ImportJob,
    PartnerCost,
    ReferralCode,
    RevenueEntry,
)


def customers_visible_to(actor: Membership) -> Q:
    """Vendor roles see every customer; a partner those it holds or held any credit for."""
    if actor.is_vendor:
        return Q()
    return Q(pk__in=Attribution.objects.filter(partner_id=actor.own_partner_id).values("customer_id"))


def access_deal_by_id(*, actor: Membership, deal_id: int) -> Deal:
    queryset = Deal.objects.select_related("partner", "customer", "created_by")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    deal = queryset.filter(pk=deal_id).first()
    if deal is None:
        raise Http404("No such deal.")
    return deal


def access_conflict_by_id(*, actor: Membership, conflict_id: int) -> ConflictCase:
    queryset = ConflictCase.objects.select_related(
        "deal", "deal__partner", "other_deal", "other_deal__partner", "winner", "resolved_by"
    )
    if actor.is_partner:
        own = actor.own_partner_id
        queryset = queryset.filter(Q(deal__partner_id=own) | Q(other_deal__partner_id=own))
    case = queryset.filter(pk=conflict_id).first()
    if case is None:
        raise Http404("No such conflict.")
    return case


def access_customer_by_id(*, actor: Membership, customer_id: int) -> Customer:
    customer = (
        Customer.objects.select_related("segment")
        .filter(customers_visible_to(actor))
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise Http404("No such customer.")
    return customer


def access_revenue_entry_by_id(*, actor: Membership, revenue_entry_id: int) -> RevenueEntry:
    queryset = RevenueEntry.objects.select_related(
        "customer", "deal", "reverses", "created_by"
    ).prefetch_related("reversals")
    if actor.is_partner:
        queryset = queryset.filter(
            customer_id__in=Customer.objects.filter(customers_visible_to(actor)).values("pk")
        )
    entry = queryset.filter(pk=revenue_entry_id).first()
    if entry is None:
        raise Http404("No such revenue row.")
    return entry


def access_attribution_by_id(*, actor: Membership, attribution_id: int) -> Attribution:
    queryset = Attribution.objects.select_related("partner", "customer", "deal", "referral_code")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    attribution = queryset.filter(pk=attribution_id).first()
    if attribution is None:
        raise Http404("No such attribution.")
    return attribution


def access_cost_by_id(*, actor: Membership, cost_id: int) -> PartnerCost:
    queryset = PartnerCost.objects.select_related("partner", "reverses", "created_by").prefetch_related(
        "reversals"
    )
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    cost = queryset.filter(pk=cost_id).first()
    if cost is None:
        raise Http404("No such cost.")
    return cost


def access_referral_code_by_id(*, actor: Membership, referral_code_id: int) -> ReferralCode:
    queryset = ReferralCode.objects.select_related("partner")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    code = queryset.filter(pk=referral_code_id).first()
    if code is None:
        raise Http404("No such referral code.")
    return code


def access_import_job_by_id(*, actor: Membership, import_job_id: int) -> ImportJob:
    if not actor.is_vendor:
        raise Http404("No such import.")
    job = ImportJob.objects.defer("content").select_related("created_by").filter(pk=import_job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job
