"""Access helpers of the market and health concepts: every id from a request passes through one.

They answer 404 for another tenant's objects (the scoped manager cannot see them) and, for partner
roles, for another partner's objects, so existence never leaks. Role checks live in the views.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from partners.models import Assessment, Campaign, MdfRequest, Partner, Question, Respondent
from prm.models import Membership


def access_campaign_by_id(*, actor: Membership, campaign_id: int) -> Campaign:
    queryset = Campaign.objects.select_related("partner")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    campaign = queryset.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def access_mdf_request_by_id(*, actor: Membership, mdf_request_id: int) -> MdfRequest:
    queryset = MdfRequest.objects.select_related("partner", "campaign", "requested_by", "decided_by")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    mdf_request = queryset.filter(pk=mdf_request_id).first()
    if mdf_request is None:
        raise Http404("No such MDF request.")
    return mdf_request


def access_assessment_by_id(*, actor: Membership, assessment_id: int) -> Assessment:
    """Vendor roles see every assessment; a partner sees only its own self-assessments (the
    vendor's per-question answers stay internal, its domain scores are shown on the portal)."""
    queryset = Assessment.objects.select_related("partner", "questionnaire", "respondent")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id, respondent_side=Respondent.PARTNER)
    assessment = queryset.filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


def access_question_by_id(*, actor: Membership, question_id: int) -> Question:
    if not actor.is_vendor_admin:
        raise Http404("No such question.")
    question = Question.objects.select_related("questionnaire").filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question.")
    return question


def access_partner_from_body(*, actor: Membership, partner_id: int | None) -> Partner:
    """The partner a request body names. Unlike a URL id, a bad body value is a field error (400);
    partner roles may name only their own organisation, and may leave it out."""
    if partner_id is None:
        if actor.is_partner:
            partner_id = actor.own_partner_id
        else:
            raise ValidationError({"partner": "Name the partner this is for."})
    queryset = Partner.objects.all()
    if actor.is_partner:
        queryset = queryset.filter(pk=actor.own_partner_id)
    partner = queryset.filter(pk=partner_id).first()
    if partner is None:
        raise ValidationError({"partner": "No such partner."})
    return partner
