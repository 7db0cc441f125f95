"""Demo data of the market concept; called by partners/demo.py for each demo tenant.

Campaigns for the active partners, MDF requests in every state (written through the services, so
the audit trail is real, then back-dated), the standard health questionnaire, and a year of vendor
assessments and self-assessments for most partners. Idempotent: each part is skipped for a partner
that already has rows of its kind.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from partners.models import (
    Assessment,
    Campaign,
    MdfRequest,
    MdfStatus,
    Partner,
    PartnerStatus,
    Questionnaire,
)
from partners.services_health import assessment_submit, questionnaire_create_default
from partners.services_market import (
    mdf_request_approve,
    mdf_request_claim,
    mdf_request_create,
    mdf_request_reimburse,
    mdf_request_reject,
)
from prm.models import AuditEvent, Membership, Role, Tenant

CAMPAIGNS = (
    ("Spring product launch", "60 qualified leads from the launch webinar and follow-up"),
    ("Customer success roadshow", "Three city events, 120 attendees, 15 opportunities"),
    ("Paid search push", "Cost per lead below 90 and 40 demo requests"),
    ("Year-end renewal drive", "Renew 95% of contracts up for renewal in Q4"),
    ("Co-branded case study series", "Four published customer stories and 2,000 downloads"),
)
PURPOSES = (
    "Booth at the regional industry fair",
    "LinkedIn ads for the launch campaign",
    "Customer webinar series (3 sessions)",
    "Co-branded case study with a flagship customer",
    "Regional roadshow: venue and catering",
    "E-mail nurture sequence and landing page",
    "Lunch-and-learn for prospects",
    "Paid search for the quarter",
    "Trade show sponsorship package",
)
REJECTIONS = (
    "Outside this quarter's MDF plan; resubmit for next quarter.",
    "The audience does not match our ideal customer profile.",
    "Duplicate of a request already approved for the same event.",
)
PROOFS = (
    "Invoice {n} from the organiser; booth photos and 58 scanned leads uploaded to the CRM.",
    "Ad platform invoice {n}; campaign report with 41,000 impressions and 212 clicks attached.",
    "Venue invoice {n}; attendee list (34 people) and the recording link.",
    "Agency invoice {n}; the published case study URL and download figures.",
)
# The life each demo request lives through; every state appears for every tenant.
LIVES = (
    MdfStatus.REQUESTED,
    MdfStatus.APPROVED,
    MdfStatus.CLAIMED,
    MdfStatus.REIMBURSED,
    MdfStatus.REIMBURSED,
    MdfStatus.REJECTED,
)


def _vendor(slug: str, role: str) -> Membership:
    members = Membership.objects.filter(role=role, is_active=True).select_related("user")
    preferred = members.filter(user__email=f"{role.split('_')[1]}@{slug}.example").first()
    found = preferred or members.order_by("user__email").first()
    if found is None:
        raise RuntimeError(f"The demo needs a {role} in {slug}.")
    return found


def _partner_member(partner: Partner) -> Membership | None:
    return (
        Membership.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
        .select_related("user")
        .order_by("user__email")
        .first()
    )


def _money(rng: random.Random, low: int, high: int, step: int = 50) -> Decimal:
    return Decimal(rng.randrange(low, high, step)).quantize(Decimal("0.01"))


def _seed_campaigns(*, rng: random.Random, partner: Partner, today: datetime.date) -> list[Campaign]:
    if Campaign.objects.filter(partner=partner).exists():
        return list(Campaign.objects.filter(partner=partner))
    made = []
    for name, goal in rng.sample(CAMPAIGNS, rng.randint(1, 3)):
        starts = today + datetime.timedelta(days=rng.randint(-300, 60))
        made.append(
            Campaign.objects.create(
                partner=partner,
                name=name,
                goal=goal,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=rng.choice((14, 30, 45, 90))),
                budget=_money(rng, 5000, 60000, 500),
            )
        )
    return made


def _backdate(mdf: MdfRequest, when: dict[str, datetime.datetime]) -> None:
    MdfRequest.objects.filter(pk=mdf.pk).update(**when)
    verbs = {
        "requested_at": "mdf_request.created",
        "decided_at": ("mdf_request.approved", "mdf_request.rejected"),
        "claimed_at": "mdf_request.claimed",
        "reimbursed_at": "mdf_request.reimbursed",
    }
    events = AuditEvent.objects.filter(object_type="partners.mdfrequest", object_id=str(mdf.pk))
    for field, moment in when.items():
        names = verbs[field]
        events.filter(verb__in=names if isinstance(names, tuple) else (names,)).update(created_at=moment)


def _seed_mdf(
    *,
    rng: random.Random,
    partner: Partner,
    campaigns: list[Campaign],
    staff: Membership,
    lead: Membership,
    lives: Sequence[str],
) -> None:
    if MdfRequest.objects.filter(partner=partner).exists():
        return
    now = timezone.now()
    for life in lives:
        campaign = rng.choice(campaigns) if campaigns and rng.random() < 0.7 else None
        mdf = mdf_request_create(
            actor=lead,
            partner=partner,
            purpose=rng.choice(PURPOSES),
            amount_requested=_money(rng, 1500, 25000),
            campaign_id=campaign.pk if campaign else None,
        )
        requested = now - datetime.timedelta(days=rng.randint(20, 330), hours=rng.randint(0, 8))
        when = {"requested_at": requested}
        if life != MdfStatus.REQUESTED:
            when["decided_at"] = requested + datetime.timedelta(days=rng.randint(1, 6))
        if life == MdfStatus.REJECTED:
            mdf_request_reject(actor=staff, request=mdf, reason=rng.choice(REJECTIONS))
        elif life != MdfStatus.REQUESTED:
            share = Decimal(rng.choice((60, 75, 80, 90, 100, 100))) / 100
            approved = max(Decimal("50.00"), (mdf.amount_requested * share / 50).quantize(Decimal("1")) * 50)
            mdf_request_approve(actor=staff, request=mdf, amount_approved=min(approved, mdf.amount_requested))
            if life in (MdfStatus.CLAIMED, MdfStatus.REIMBURSED):
                approved_amount = mdf.amount_approved or Decimal("0")
                spent = (approved_amount * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
                proof = rng.choice(PROOFS).format(n=f"INV-{requested:%Y}-{rng.randint(1000, 9999)}")
                mdf_request_claim(actor=lead, request=mdf, amount_claimed=spent, claim_proof=proof)
                when["claimed_at"] = when["decided_at"] + datetime.timedelta(days=rng.randint(10, 45))
            if life == MdfStatus.REIMBURSED:
                mdf_request_reimburse(actor=staff, request=mdf)
                when["reimbursed_at"] = when["claimed_at"] + datetime.timedelta(days=rng.randint(3, 20))
        _backdate(mdf, when)


def _seed_assessments(
    *, rng: random.Random, partner: Partner, staff: Membership, lead: Membership | None
) -> None:
    if Assessment.objects.filter(partner=partner).exists():
        return
    questionnaire = Questionnaire.objects.filter(is_active=True).order_by("-id").first()
    if questionnaire is None:
        return
    questions = list(questionnaire.questions.all())
    strength = rng.uniform(2.2, 4.4)  # how healthy this partnership really is
    drift = rng.uniform(-0.12, 0.15)  # and which way it is heading, per quarter
    bias = {q.domain: rng.uniform(-0.6, 0.6) for q in questions}
    now = timezone.now()
    # Quarters 0..3 run from about nine months ago to last month; the latest ones are always kept.
    rounds = [(Role.VENDOR_STAFF, quarter) for quarter in range(4 - rng.randint(2, 4), 4)]
    if lead is not None:
        rounds += [(Role.PARTNER_ADMIN, quarter) for quarter in range(4 - rng.randint(1, 3), 4)]
    for side, quarter in rounds:
        # Partners rate themselves a little more kindly than the vendor does.
        optimism = 0.35 if side == Role.PARTNER_ADMIN else 0.0
        level = strength + drift * quarter + optimism
        answers = {q.pk: min(5, max(1, round(level + bias[q.domain] + rng.gauss(0, 0.6)))) for q in questions}
        assessment = assessment_submit(
            actor=staff if side == Role.VENDOR_STAFF else lead,  # type: ignore[arg-type]
            partner=partner,
            answers=answers,
        )
        moment = now - datetime.timedelta(days=91 * (3 - quarter) + rng.randint(0, 20) + 5)
        Assessment.objects.filter(pk=assessment.pk).update(created_at=moment)
        AuditEvent.objects.filter(object_type="partners.assessment", object_id=str(assessment.pk)).update(
            created_at=moment
        )


def seed(*, tenant: Tenant, rng: random.Random, partners: list[Partner]) -> None:
    """Create this concept's demo rows for `partners` (idempotent: look up before creating)."""
    admin = _vendor(tenant.slug, Role.VENDOR_ADMIN)
    staff = _vendor(tenant.slug, Role.VENDOR_STAFF)
    if not Questionnaire.objects.filter(is_active=True).exists():
        questionnaire_create_default(actor=admin)
    today = timezone.localdate()
    active = [p for p in partners if p.status == PartnerStatus.ACTIVE]
    for index, partner in enumerate(active):
        lead = _partner_member(partner)
        campaigns = _seed_campaigns(rng=rng, partner=partner, today=today)
        if lead is not None:
            # The first partners get one request in each state; the others a random mix.
            lives = list(LIVES) if index < 2 else rng.sample(LIVES, rng.randint(2, 5))
            _seed_mdf(rng=rng, partner=partner, campaigns=campaigns, staff=staff, lead=lead, lives=lives)
    for partner in partners:
        if partner.status in (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING):
            _seed_assessments(rng=rng, partner=partner, staff=staff, lead=_partner_member(partner))
