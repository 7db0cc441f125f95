"""Demo data of the enablement concept; called by partners/demo.py for each demo tenant.

Checklist templates for every partner type, checklists started for partners from Onboard on (the
longer a partner has been in the program, the more of it is done; some steps overdue), a training
and certification catalogue, and completions for partner people with some certifications expired
and some about to expire. Idempotent: a template, training, checklist or partner's completions that
already exist are left as they are.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Partner,
    PartnerType,
    Side,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from partners.services_enablement_training import completion_expiry
from prm.models import PARTNER_ROLES, Membership, Role, Stage, Tenant, User

P, V = Side.PARTNER, Side.VENDOR
Steps = list[tuple[str, str, int]]  # title, who completes it, due days after the start

TEMPLATES: dict[str, dict[str, tuple[str, Steps]]] = {
    "acme": {
        PartnerType.RESELLER: (
            "Reseller onboarding",
            [
                ("Sign the reseller agreement", P, 5),
                ("Provision partner portal accounts", V, 3),
                ("Kick-off call with the channel manager", V, 7),
                ("Two sellers complete Acme Cloud Fundamentals", P, 21),
                ("Set up the partner demo tenant", V, 10),
                ("Agree the joint business plan", V, 30),
                ("Register the first deal", P, 60),
            ],
        ),
        PartnerType.REFERRAL: (
            "Referral partner onboarding",
            [
                ("Accept the referral terms", P, 3),
                ("Share the referral link and co-branded one-pager", V, 5),
                ("Complete Acme Sales Essentials", P, 14),
                ("Intro call with the partner manager", V, 10),
                ("Submit the first referral", P, 45),
            ],
        ),
        PartnerType.SERVICES: (
            "Implementation partner onboarding",
            [
                ("Sign the services partner agreement", P, 5),
                ("Grant sandbox and documentation access", V, 3),
                ("Technical kick-off workshop", V, 10),
                ("One consultant earns Acme Certified Implementation Specialist", P, 45),
                ("Shadow an Acme-led implementation", P, 60),
                ("Publish the partner's service offering", V, 30),
                ("Lead the first implementation", P, 90),
            ],
        ),
        PartnerType.TECHNOLOGY: (
            "Technology partner onboarding",
            [
                ("Sign the technology alliance agreement", P, 7),
                ("Issue API keys and a developer sandbox", V, 3),
                ("Architecture review of the integration", V, 21),
                ("Build and test the integration", P, 45),
                ("Security review passed", V, 60),
                ("Marketplace listing live", V, 75),
            ],
        ),
        PartnerType.DISTRIBUTOR: (
            "Distributor onboarding",
            [
                ("Sign the distribution agreement", P, 7),
                ("Credit check and payment terms", V, 10),
                ("Connect the ordering and licensing feed", V, 21),
                ("Recruit the first five resellers", P, 60),
                ("Distributor sales team completes Acme Sales Essentials", P, 30),
                ("Quarterly business review scheduled", V, 45),
            ],
        ),
    },
    "globex": {
        PartnerType.RESELLER: (
            "Dealer onboarding",
            [
                ("Sign the dealer agreement", P, 7),
                ("Credit check and payment terms", V, 10),
                ("Deliver the showroom demo unit", V, 30),
                ("Sales staff complete Equipment Safety", P, 21),
                ("Open ordering-system access and price list", V, 5),
                ("Place the first stocking order", P, 45),
                ("First customer installation", P, 90),
            ],
        ),
        PartnerType.REFERRAL: (
            "Referral partner onboarding",
            [
                ("Accept the referral terms", P, 3),
                ("Send the product catalogue and referral kit", V, 5),
                ("Plant visit with the regional manager", V, 30),
                ("Submit the first qualified referral", P, 60),
                ("Complete Product Line Overview", P, 21),
            ],
        ),
        PartnerType.SERVICES: (
            "Field service partner onboarding",
            [
                ("Sign the service partner agreement", P, 7),
                ("Proof of liability insurance", P, 10),
                ("Technicians complete Equipment Safety", P, 21),
                ("One technician earns Certified Field Technician", P, 60),
                ("Issue service manuals and diagnostic tools", V, 14),
                ("Ride-along with a Globex field engineer", V, 45),
                ("First supervised service call", P, 75),
                ("Add to the service dispatch roster", V, 90),
            ],
        ),
        PartnerType.TECHNOLOGY: (
            "Integration partner onboarding",
            [
                ("Sign the technology partnership agreement", P, 7),
                ("Ship sensor development kit", V, 10),
                ("Complete Sensor Integration Fundamentals", P, 30),
                ("Integration test at the Globex lab", V, 60),
                ("Joint solution brief published", V, 90),
            ],
        ),
        PartnerType.DISTRIBUTOR: (
            "Parts distributor onboarding",
            [
                ("Sign the distribution agreement", P, 7),
                ("Credit check and payment terms", V, 10),
                ("Connect the parts catalogue and EDI ordering", V, 30),
                ("Warehouse staff earn Certified Parts Specialist", P, 60),
                ("Stock the recommended spare-parts list", P, 45),
                ("Regional logistics review", V, 75),
            ],
        ),
    },
}

# name, kind, validity in days (certifications only), description
TRAININGS: dict[str, list[tuple[str, str, int | None, str]]] = {
    "acme": [
        (
            "Acme Cloud Fundamentals",
            TrainingKind.TRAINING,
            None,
            "Products, editions and licensing in a day.",
        ),
        ("Acme Sales Essentials", TrainingKind.TRAINING, None, "Discovery, positioning and pricing."),
        ("Partner Portal Basics", TrainingKind.TRAINING, None, "Registering deals and claiming MDF."),
        ("Acme Certified Administrator", TrainingKind.CERTIFICATION, 730, "Configure and run Acme Cloud."),
        (
            "Acme Certified Implementation Specialist",
            TrainingKind.CERTIFICATION,
            730,
            "Plan and deliver customer implementations.",
        ),
        ("Acme Security Specialist", TrainingKind.CERTIFICATION, 365, "Security and compliance setup."),
        ("Acme API Developer", TrainingKind.CERTIFICATION, 730, "Build integrations on the Acme API."),
    ],
    "globex": [
        ("Equipment Safety", TrainingKind.CERTIFICATION, 365, "Safe handling, guarding and emergency stops."),
        ("Certified Field Technician", TrainingKind.CERTIFICATION, 730, "Install, commission and repair."),
        (
            "Certified Parts Specialist",
            TrainingKind.CERTIFICATION,
            730,
            "Parts identification and logistics.",
        ),
        ("Lockout/Tagout Procedures", TrainingKind.CERTIFICATION, 365, "Energy isolation before service."),
        ("Product Line Overview", TrainingKind.TRAINING, None, "Presses, lathes and automation cells."),
        ("Hydraulics Maintenance", TrainingKind.TRAINING, None, "Preventive maintenance of hydraulic units."),
        ("Sensor Integration Fundamentals", TrainingKind.TRAINING, None, "Connecting sensors to machines."),
    ],
}

STAGE_ORDER = list(Stage)


def seed(*, tenant: Tenant, rng: random.Random, partners: list[Partner]) -> None:
    """Create this concept's demo rows for `partners` (idempotent: look up before creating)."""
    templates = _seed_templates(tenant=tenant)
    trainings = _seed_trainings(tenant=tenant)
    staff = _vendor_user()
    today = timezone.localdate()
    # Every partner of the tenant, not only `partners`: prospects converted by the recruit demo count too.
    for partner in Partner.objects.order_by("pk"):
        step = STAGE_ORDER.index(Stage(partner.stage)) - STAGE_ORDER.index(Stage.ONBOARD)
        if step < 0:
            continue  # not yet onboarding: no checklist, no trainings
        template = templates.get(partner.partner_type)
        if template is not None:
            _seed_checklist(partner=partner, template=template, step=step, today=today, rng=rng, staff=staff)
        _seed_completions(partner=partner, trainings=trainings, step=step, today=today, rng=rng, staff=staff)


def _seed_templates(*, tenant: Tenant) -> dict[str, ChecklistTemplate]:
    templates = {}
    for partner_type, (name, steps) in TEMPLATES[tenant.slug].items():
        template, created = ChecklistTemplate.objects.get_or_create(
            partner_type=partner_type, defaults={"name": name}
        )
        if created:
            ChecklistTemplateItem.objects.bulk_create(
                ChecklistTemplateItem(
                    template=template, title=title, owner_side=side, due_days=days, position=position
                )
                for position, (title, side, days) in enumerate(steps, start=1)
            )
        templates[str(partner_type)] = template
    return templates


def _seed_trainings(*, tenant: Tenant) -> list[Training]:
    trainings = []
    for name, kind, validity, description in TRAININGS[tenant.slug]:
        training, _ = Training.objects.get_or_create(
            name=name, defaults={"kind": kind, "validity_days": validity, "description": description}
        )
        trainings.append(training)
    return trainings


def _vendor_user() -> User | None:
    staff = Membership.objects.filter(role=Role.VENDOR_STAFF).select_related("user").order_by("pk").first()
    return staff.user if staff else None


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _seed_checklist(
    *,
    partner: Partner,
    template: ChecklistTemplate,
    step: int,
    today: date,
    rng: random.Random,
    staff: User | None,
) -> None:
    if ChecklistItem.objects.filter(partner=partner).exists():
        return
    # Partners further along the lifecycle started onboarding longer ago and finished more of it.
    if step == 0:
        started, done_share = today - timedelta(days=rng.randint(20, 45)), 0.55
    elif step == 1:
        started, done_share = today - timedelta(days=rng.randint(60, 120)), 0.8
    else:
        started, done_share = today - timedelta(days=rng.randint(150, 600)), 0.95
    lead = (
        Membership.objects.filter(partner=partner, role=Role.PARTNER_ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    items = []
    for template_step in template.items.order_by("position", "id"):
        due_on = started + timedelta(days=template_step.due_days)
        share = done_share if due_on <= today else done_share / 4
        completed_at, completed_by = None, None
        if rng.random() < share:
            done_on = min(
                started + timedelta(days=max(0, template_step.due_days + rng.randint(-5, 6))), today
            )
            completed_at = _at(done_on)
            completed_by = staff if template_step.owner_side == V else (lead.user if lead else None)
        items.append(
            ChecklistItem(
                partner=partner,
                title=template_step.title,
                owner_side=template_step.owner_side,
                due_on=due_on,
                position=template_step.position,
                completed_at=completed_at,
                completed_by=completed_by,
            )
        )
    ChecklistItem.objects.bulk_create(items)


def _seed_completions(
    *,
    partner: Partner,
    trainings: list[Training],
    step: int,
    today: date,
    rng: random.Random,
    staff: User | None,
) -> None:
    if TrainingCompletion.objects.filter(partner=partner).exists():
        return
    people = list(
        Membership.objects.filter(partner=partner, role__in=PARTNER_ROLES, is_active=True).order_by("pk")
    )
    completions = []
    for person in people:
        # Onboarding partners have taken a first course at most; established ones hold several.
        count = rng.randint(0, 1) if step == 0 else rng.randint(1, min(4, len(trainings)))
        for training in rng.sample(trainings, count):
            completed_on = _completion_day(training=training, step=step, today=today, rng=rng)
            completions.append(
                TrainingCompletion(
                    training=training,
                    partner=partner,
                    person=person,
                    completed_on=completed_on,
                    expires_on=completion_expiry(training=training, completed_on=completed_on),
                    recorded_by=staff,
                )
            )
    TrainingCompletion.objects.bulk_create(completions)


def _completion_day(*, training: Training, step: int, today: date, rng: random.Random) -> date:
    """Mostly recent completions; for certifications also some about to expire and some lapsed."""
    validity = training.validity_days if training.kind == TrainingKind.CERTIFICATION else None
    roll = rng.random()
    if validity and step > 0 and roll < 0.2:
        return today - timedelta(days=validity - rng.randint(3, 28))  # expires within the month
    if validity and step > 0 and roll < 0.4:
        return today - timedelta(days=validity + rng.randint(10, 240))  # expired
    horizon = 40 if step == 0 else min(validity - 40 if validity else 700, 60 + 120 * step)
    return today - timedelta(days=rng.randint(5, max(6, horizon)))
