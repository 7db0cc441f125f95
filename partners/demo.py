"""Partners demo data: 42 organisations per tenant of every type, stage and status, with segments, a
default program and tiers, owners, two-tier distribution, two years of stage history and CAC, and
their people. Idempotent: rows are looked up before they are created, and a partner's history,
tier, owner, segments and costs are filled in only the first time it is seen (no StageChange yet).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from partners import demo_enablement, demo_market, demo_recruit
from partners.models import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerType,
    Program,
    Segment,
    StageChange,
    Tier,
    TierChange,
)
from partners.models import PartnerStatus as PS
from prm.demo import DEMO_PASSWORD, demo_member, demo_user
from prm.models import Membership, Role, Stage, Tenant, User

R, F, S, T, D = (
    PartnerType.RESELLER,
    PartnerType.REFERRAL,
    PartnerType.SERVICES,
    PartnerType.TECHNOLOGY,
    PartnerType.DISTRIBUTOR,
)
# The first ten of each tenant predate this issue: their names, types, domains and stages stay as they are.
PARTNERS: dict[str, list[tuple[str, str, str, str]]] = {
    "acme": [
        ("Northwind Solutions", R, "northwind.example", "US"),
        ("Bluebird Consulting", S, "bluebird.example", "GB"),
        ("Referral Rocket", F, "referralrocket.example", "US"),
        ("Stackline ISV", T, "stackline.example", "DE"),
        ("Continental Distribution", D, "contidist.example", "NL"),
        ("Cloudway Resellers", R, "cloudway.example", "CA"),
        ("Insight Implementers", S, "insightimpl.example", "AU"),
        ("Bridge Referrals", F, "bridgeref.example", "FR"),
        ("Pipeline Apps", T, "pipelineapps.example", "US"),
        ("Pacific Channel Group", D, "pacificchannel.example", "SG"),
        ("Harbor IT Solutions", R, "harborit.example", "US"),
        ("Apex License Hub", R, "apexlicense.example", "GB"),
        ("Trident MSP Group", R, "tridentmsp.example", "US"),
        ("Crescent Partners Group", R, "crescentpg.example", "IE"),
        ("Lakeside Software Sales", R, "lakesidesales.example", "CA"),
        ("Highline Cloud Resale", R, "highlinecloud.example", "AU"),
        ("Cobalt Systems Reseller", R, "cobaltsys.example", "DE"),
        ("Signal Referral Network", F, "signalref.example", "US"),
        ("Open Door Advisors", F, "opendoor.example", "GB"),
        ("Catalyst Introductions", F, "catalystintro.example", "NL"),
        ("Lighthouse Advisory", F, "lighthouseadv.example", "SE"),
        ("Wayfinder Referrals", F, "wayfinder.example", "US"),
        ("Granite Implementations", S, "graniteimpl.example", "US"),
        ("Vector Consulting", S, "vectorconsult.example", "DE"),
        ("Blue Fjord Services", S, "bluefjord.example", "NO"),
        ("Quanta Integrators", S, "quantaint.example", "IN"),
        ("Orbit Delivery Partners", S, "orbitdelivery.example", "GB"),
        ("Sprint Onboarding Co", S, "sprintonboard.example", "CA"),
        ("DataForge", T, "dataforge.example", "US"),
        ("Plugwise Apps", T, "plugwiseapps.example", "NL"),
        ("SyncBridge", T, "syncbridge.example", "GB"),
        ("Nimbus Analytics", T, "nimbusanalytics.example", "US"),
        ("Formlane Labs", T, "formlane.example", "FR"),
        ("Keyhole Security", T, "keyholesec.example", "IL"),
        ("Atlantic Software Distribution", D, "atlanticsoft.example", "US"),
        ("Andes Channel Partners", D, "andeschannel.example", "CL"),
        ("Iberia Tech Distribution", D, "iberiatech.example", "ES"),
        ("Baltic Cloud Distribution", D, "balticcloud.example", "LT"),
        ("Great Lakes Distribution", D, "greatlakesdist.example", "US"),
        ("Fairway Managed IT", R, "fairwayit.example", "US"),
        ("Mosaic Digital Partners", S, "mosaicdigital.example", "AU"),
        ("Tandem Referral Partners", F, "tandemref.example", "CA"),
    ],
    "globex": [
        ("Ironworks Dealers", R, "ironworks.example", "DE"),
        ("Precision Field Service", S, "precisionfs.example", "IT"),
        ("Factory Finders", F, "factoryfinders.example", "ES"),
        ("SensorGrid Technologies", T, "sensorgrid.example", "SE"),
        ("EuroParts Distribution", D, "europarts.example", "FR"),
        ("Atlas Equipment", R, "atlasequip.example", "PL"),
        ("Maintenance Masters", S, "maintmasters.example", "NL"),
        ("Plant Connect", F, "plantconnect.example", "BE"),
        ("Automation Labs", T, "automationlabs.example", "AT"),
        ("Nordic Industrial Supply", D, "nordicsupply.example", "NO"),
        ("Rhein Machinery Dealers", R, "rheinmachinery.example", "DE"),
        ("Alpine Tools and Machines", R, "alpinetools.example", "CH"),
        ("Midland Industrial Sales", R, "midlandind.example", "GB"),
        ("Carpathia Machines", R, "carpathia.example", "RO"),
        ("Lusitania Equipment", R, "lusitania.example", "PT"),
        ("Hanse Equipment Dealers", R, "hanseequip.example", "DE"),
        ("Bohemia Machine Sales", R, "bohemiamachines.example", "CZ"),
        ("Plant Scouts", F, "plantscouts.example", "DE"),
        ("Engineering Introductions", F, "engintro.example", "GB"),
        ("Factory Network Advisors", F, "factorynet.example", "FR"),
        ("OEM Matchmakers", F, "oemmatch.example", "IT"),
        ("Lean Line Advisors", F, "leanline.example", "NL"),
        ("Precision Maintenance Group", S, "precisionmaint.example", "DE"),
        ("Servo Field Engineers", S, "servofield.example", "AT"),
        ("Hydra Service Partners", S, "hydraservice.example", "IT"),
        ("Gearline Repairs", S, "gearline.example", "PL"),
        ("Torque Technical Services", S, "torquetech.example", "SE"),
        ("Calibra Field Service", S, "calibra.example", "ES"),
        ("Mezzo Service Partners", S, "mezzoservice.example", "IT"),
        ("MachineSense IoT", T, "machinesense.example", "FI"),
        ("PredictiveOps", T, "predictiveops.example", "DE"),
        ("Twinworks Simulation", T, "twinworks.example", "FR"),
        ("FleetTrack Telemetry", T, "fleettrack.example", "NL"),
        ("Axis Controls Software", T, "axiscontrols.example", "DK"),
        ("Central Europe Parts Distribution", D, "cepd.example", "AT"),
        ("Meseta Industrial Supply", D, "mesetasupply.example", "ES"),
        ("Dalmatia Parts", D, "dalmatiaparts.example", "HR"),
        ("Benelux Spares", D, "beneluxspares.example", "BE"),
        ("Scandinavian Spares", D, "scandispares.example", "SE"),
        ("Weser Machine Trading", R, "wesermachine.example", "DE"),
        ("Apennine Field Service", S, "apenninefs.example", "IT"),
        ("Ardennes Plant Referrals", F, "ardennesref.example", "BE"),
    ],
}
SEGMENTS = {
    "acme": [
        ("MSP", "Managed service providers reselling and running our software for their clients."),
        ("Mid-market SaaS", "Partners serving software companies of 100-2,000 employees."),
        ("Enterprise SI", "Systems integrators running large enterprise rollouts."),
    ],
    "globex": [
        ("Industrial OEM", "Machine builders who embed our equipment in their lines."),
        ("Regional dealer", "Dealers selling and servicing equipment in one region."),
        ("Field service", "Service companies maintaining installed equipment on site."),
    ],
}
# Shared with demo_recruit: whichever runs first creates the program, the other finds it.
DEFAULT_PROGRAM = "Partner Program"
DEFAULT_TIERS = [
    ("Registered", "Deal registration, partner portal, sales playbooks."),
    ("Silver", "10% resale discount, co-branded collateral, quarterly business review."),
    ("Gold", "20% discount, MDF eligibility, named channel manager, lead sharing."),
    ("Platinum", "30% discount, joint business plan, executive sponsor, early access."),
]
STATUS_BY_STAGE = {Stage.STRATEGIZE: PS.PROSPECT, Stage.RECRUIT: PS.PROSPECT, Stage.ONBOARD: PS.ONBOARDING}
# Partners (by position) that left or went quiet, so every status appears.
STATUS_EXCEPTIONS = {
    13: PS.INACTIVE,
    20: PS.CHURNED,
    27: PS.TERMINATED,
    29: PS.INACTIVE,
    36: PS.CHURNED,
    38: PS.INACTIVE,
}
# The highest tier rank a partner has reached by its stage (1 = Registered ... 4 = Platinum).
TIER_BY_STAGE = {Stage.SELL: 2, Stage.INCENTIVIZE: 3, Stage.ACCELERATE: 4}
MOVE_REASONS = {
    Stage.STRATEGIZE: "Fits a segment we want to grow",
    Stage.RECRUIT: "Met at the partner summit",
    Stage.ONBOARD: "Partner agreement signed",
    Stage.ENABLE: "Onboarding checklist complete",
    Stage.MARKET: "Two sales engineers certified",
    Stage.SELL: "First joint campaign launched",
    Stage.INCENTIVIZE: "First registered deal closed",
    Stage.ACCELERATE: "Beat the annual target; expansion plan agreed",
}
COSTS = [
    "Recruiting event: partner summit booth",
    "Onboarding workshop",
    "Recruiting agency fee",
    "Certification vouchers",
    "Sales engineer onboarding support",
    "Demo environment setup",
]


def _stage_and_status(index: int) -> tuple[str, str]:
    stage = list(Stage)[index % len(Stage)] if index > 1 else Stage.SELL
    status = STATUS_EXCEPTIONS.get(index) or STATUS_BY_STAGE.get(stage, PS.ACTIVE)
    return stage, status


def _default_program() -> tuple[Program, list[Tier]]:
    program = Program.objects.filter(is_default=True).first()
    if program is None:
        program, _ = Program.objects.get_or_create(
            name=DEFAULT_PROGRAM, defaults={"description": "The main resale and services track."}
        )
        Program.objects.filter(pk=program.pk).update(is_default=True)
    for rank, (name, benefits) in enumerate(DEFAULT_TIERS, start=1):
        taken = Tier.objects.filter(program=program).filter(Q(rank=rank) | Q(name=name))
        if not taken.exists():
            Tier.objects.create(program=program, name=name, rank=rank, benefits=benefits)
    return program, list(Tier.objects.filter(program=program).order_by("rank"))


def _partners(tenant: Tenant) -> list[Partner]:
    specs = PARTNERS[tenant.slug]
    existing = {partner.name: partner for partner in Partner.objects.filter(name__in=[s[0] for s in specs])}
    missing = []
    for index, (name, kind, domain, country) in enumerate(specs):
        if name not in existing:
            stage, status = _stage_and_status(index)
            missing.append(
                Partner(
                    name=name,
                    partner_type=kind,
                    website_domain=domain,
                    country=country,
                    stage=stage,
                    status=status,
                )
            )
    Partner.objects.bulk_create(missing)
    existing.update({partner.name: partner for partner in missing})
    return [existing[name] for name, *_ in specs]


def _people(slug: str, partners: list[Partner]) -> None:
    """lead@/rep1@/rep2@<domain> for every partner, created in bulk; existing logins are left alone."""
    demo_member(
        demo_user(f"partner@{slug}.example", f"{partners[0].name} Admin"), Role.PARTNER_ADMIN, partners[0].pk
    )
    demo_member(
        demo_user(f"partner2@{slug}.example", f"{partners[1].name} Admin"), Role.PARTNER_ADMIN, partners[1].pk
    )
    wanted = {}
    for partner in partners:
        domain = partner.website_domain
        wanted[f"lead@{domain}"] = (f"{partner.name} Lead", Role.PARTNER_ADMIN, partner.pk)
        for n in (1, 2):
            wanted[f"rep{n}@{domain}"] = (f"{partner.name} Rep {n}", Role.PARTNER_USER, partner.pk)
    users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    new_users = [User(email=email, full_name=wanted[email][0]) for email in wanted if email not in users]
    if new_users:
        password = make_password(DEMO_PASSWORD)  # hashing is slow: once for all of them
        for user in new_users:
            user.password = password
        User.objects.bulk_create(new_users)
        users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    members = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        Membership(user=users[email], role=role, partner_id=partner_id)
        for email, (_, role, partner_id) in wanted.items()
        if users[email].pk not in members
    )


def _aware(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))


def _insert_dated(model: type[StageChange | TierChange], rows: list[Any]) -> None:
    """bulk_create with past `created_at` values: auto_now_add stamps "now" on insert, on the
    instances too, so the dates are put back and written afterwards."""
    stamps = [row.created_at for row in rows]
    model.objects.bulk_create(rows)
    for row, stamp in zip(rows, stamps, strict=True):
        row.created_at = stamp
    model.objects.bulk_update(rows, ["created_at"])


def _fill_in(
    *,
    slug: str,
    partners: list[Partner],
    rng: random.Random,
    program: Program,
    tiers: list[Tier],
    segments: list[Segment],
) -> None:
    """History, tier, owner, parent, segments and CAC of partners seen for the first time."""
    seen = set(StageChange.objects.filter(partner__in=partners).values_list("partner_id", flat=True))
    fresh = [partner for partner in partners if partner.pk not in seen]
    if not fresh:
        return
    emails = dict(
        User.objects.filter(email__in=[f"staff@{slug}.example", f"admin@{slug}.example"]).values_list(
            "email", "pk"
        )
    )
    staff, admin = emails.get(f"staff@{slug}.example"), emails.get(f"admin@{slug}.example")
    distributors = [partner for partner in partners if partner.partner_type == D]
    today = timezone.localdate()
    stages = list(Stage)
    changes, tier_changes, links, costs = [], [], [], []
    for number, partner in enumerate(fresh):
        target = stages.index(Stage(partner.stage))
        moves = rng.randint(1, 4)
        path = stages[max(0, target - moves + 1) : target + 1]
        start = today - timedelta(days=rng.randint(120, 730))
        days = sorted(rng.sample(range(0, (today - start).days), k=len(path)))
        actor = staff if number % 3 else admin
        previous = ""
        for stage, offset in zip(path, days, strict=True):
            reason = "Partner created" if not previous else MOVE_REASONS[stage]
            change = StageChange(
                partner=partner, from_stage=previous, to_stage=stage, actor_id=actor, reason=reason
            )
            change.created_at = _aware(start + timedelta(days=offset), rng)
            changes.append(change)
            previous = stage
        partner.created_at = changes[-len(path)].created_at
        partner.owner_id = None if partner.status == PS.PROSPECT and number % 4 == 0 else actor
        if partner.partner_type == R and distributors and number % 3 == 0:
            partner.parent = rng.choice(distributors)
        if partner.status in (PS.ACTIVE, PS.INACTIVE, PS.CHURNED, PS.TERMINATED):
            partner.joined_on = start + timedelta(days=days[0])
        if partner.status in (PS.CHURNED, PS.TERMINATED):
            partner.left_on = today - timedelta(days=rng.randint(5, 90))
            partner.joined_on = min(partner.joined_on or partner.left_on, partner.left_on)
        partner.program = program
        reached = TIER_BY_STAGE.get(Stage(partner.stage), 1) if tiers else 0
        partner.tier = tiers[min(reached, len(tiers)) - 1] if tiers else None
        for rank in range(1, reached + 1):
            tier_change = TierChange(
                partner=partner,
                from_tier=tiers[rank - 2] if rank > 1 else None,
                to_tier=tiers[rank - 1],
                actor_id=actor,
                reason="Entry tier" if rank == 1 else "Met the tier's revenue and certification targets",
            )
            tier_change.created_at = changes[-1].created_at - timedelta(days=30 * (reached - rank))
            tier_changes.append(tier_change)
        for segment in rng.sample(segments, k=rng.choice((1, 1, 2))):
            links.append(PartnerSegment(partner=partner, segment=segment))
        for _ in range(rng.randint(1, 3)):
            amount = Decimal(rng.randrange(500, 15000, 50))
            incurred = start + timedelta(days=rng.randint(0, max(1, (today - start).days - 1)))
            costs.append(
                AcquisitionCost(
                    partner=partner, incurred_on=incurred, amount=amount, description=rng.choice(COSTS)
                )
            )
    _insert_dated(StageChange, changes)
    _insert_dated(TierChange, tier_changes)
    PartnerSegment.objects.bulk_create(links)
    AcquisitionCost.objects.bulk_create(costs)
    Partner.objects.bulk_update(
        fresh, ["created_at", "owner", "parent", "joined_on", "left_on", "program", "tier"]
    )


def seed_tenant(*, tenant: Tenant, rng: random.Random) -> list[tuple[str, str]]:
    program, tiers = _default_program()
    for name, description in SEGMENTS[tenant.slug]:
        Segment.objects.get_or_create(name=name, defaults={"description": description})
    segments = list(Segment.objects.filter(name__in=[name for name, _ in SEGMENTS[tenant.slug]]))
    partners = _partners(tenant)
    _fill_in(slug=tenant.slug, partners=partners, rng=rng, program=program, tiers=tiers, segments=segments)
    _people(tenant.slug, partners)
    # Each concept seeds its own rows, in lifecycle order.
    for concept in (demo_recruit, demo_enablement, demo_market):
        concept.seed(tenant=tenant, rng=rng, partners=partners)
    slug = tenant.slug
    return [
        (f"partner@{slug}.example", f"partner admin of {partners[0].name} ({slug})"),
        (f"partner2@{slug}.example", f"partner admin of {partners[1].name} ({slug})"),
    ]
