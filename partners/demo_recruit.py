"""Demo data of the recruit concept; called by partners/demo.py for each demo tenant.

Programs and tiers are looked up by name before they are created: the core demo may create the
default "Partner Program" with the same tier names and ranks, and whichever runs first wins.
Prospects go through the services, so they are scored and their history is in the audit log.
"""

from __future__ import annotations

import random

from django.db.models import Q

from partners.models import (
    IdealProfile,
    Partner,
    PartnerSegment,
    PartnerType,
    Program,
    Prospect,
    ProspectStatus,
    Segment,
    Tier,
)
from partners.services_profile import ideal_profile_save
from partners.services_recruit import prospect_convert, prospect_create, prospect_status_change
from prm.models import Membership, Role, Tenant

DEFAULT_PROGRAM = "Partner Program"
DEFAULT_TIERS = [
    ("Registered", "Deal registration, partner portal, sales playbooks."),
    ("Silver", "10% resale discount, co-branded collateral, quarterly business review."),
    ("Gold", "20% discount, MDF eligibility, named channel manager, lead sharing."),
    ("Platinum", "30% discount, joint business plan, executive sponsor, early access."),
]
R, F, S, T, D = (
    PartnerType.RESELLER,
    PartnerType.REFERRAL,
    PartnerType.SERVICES,
    PartnerType.TECHNOLOGY,
    PartnerType.DISTRIBUTOR,
)

SPEC: dict[str, dict[str, object]] = {
    "acme": {
        "second_program": (
            "Technology Alliance",
            "ISVs that integrate with the platform.",
            ["Connect", "Certified", "Premier"],
        ),
        "segments": [
            ("MSP, SMB", "Managed service providers selling to companies under 100 seats."),
            ("MSP, mid-market", "Managed service providers with 100-2,000 seat customers."),
            ("Systems integrator, enterprise", "Integrators running multi-year enterprise rollouts."),
            ("Cloud consultancy", "Boutique cloud migration and advisory firms."),
            ("Vertical SaaS ISV", "Software vendors serving one industry."),
        ],
        "capabilities": [
            "cloud migration",
            "managed services",
            "salesforce admin",
            "data integration",
            "24x7 support",
        ],
        "countries": ["US", "CA", "GB", "DE", "FR", "NL", "AU", "IE", "SE"],
        "profile": [
            {"kind": "partner_type", "values": [R, S], "weight": "3"},
            {
                "kind": "segment",
                "values": ["MSP, mid-market", "Systems integrator, enterprise"],
                "weight": "2.5",
            },
            {"kind": "country", "values": ["US", "CA", "GB", "DE"], "weight": "1.5"},
            {"kind": "size", "min_value": 50, "max_value": 1000, "weight": "2"},
            {
                "kind": "capability",
                "values": ["cloud migration", "managed services", "24x7 support"],
                "weight": "2",
            },
        ],
        "second_profile": [
            {"kind": "partner_type", "values": [T], "weight": "4"},
            {"kind": "segment", "values": ["Vertical SaaS ISV"], "weight": "2"},
            {"kind": "capability", "values": ["data integration"], "weight": "2"},
        ],
        "prospects": [
            ("Brightpath IT", R),
            ("Harborview Managed Services", S),
            ("Summit Cloud Partners", S),
            ("Keystone Systems Group", R),
            ("Lumen Data Integrators", S),
            ("Northstar MSP", R),
            ("Redwood Advisory", F),
            ("Copperfield Solutions", R),
            ("Tidewater Technologies", S),
            ("Oakridge Consulting", S),
            ("Bluewave Networks", R),
            ("Granite Peak IT", R),
            ("Silverline Referrals", F),
            ("Evergreen Digital", S),
            ("Ironclad Security Partners", R),
            ("Meridian Supply Co", D),
            ("Pinnacle Apps", T),
            ("Quantum Ledger Software", T),
            ("Clearwater Analytics Labs", T),
            ("Atlas Cloud Brokers", D),
            ("Vantage Point Advisors", F),
            ("Riverbend Systems", S),
        ],
    },
    "globex": {
        "second_program": (
            "Service Partner Network",
            "Field service companies that maintain installed equipment.",
            ["Authorized", "Certified", "Master"],
        ),
        "segments": [
            ("Industrial distributor", "Stocking distributors of machinery and spare parts."),
            ("Field service, EMEA", "Service companies maintaining installed equipment in Europe."),
            ("OEM integrator", "Builders who embed our equipment into their lines."),
            ("Plant automation", "Automation and controls specialists."),
            ("Aftermarket parts dealer", "Dealers focused on wear parts and consumables."),
        ],
        "capabilities": [
            "CNC service",
            "PLC programming",
            "spare parts logistics",
            "24x7 field service",
            "retrofits",
        ],
        "countries": ["DE", "FR", "IT", "NL", "PL", "ES", "AT", "CZ", "SE", "GB"],
        "profile": [
            {"kind": "partner_type", "values": [D, R], "weight": "3"},
            {
                "kind": "segment",
                "values": ["Industrial distributor", "Aftermarket parts dealer"],
                "weight": "2",
            },
            {"kind": "country", "values": ["DE", "FR", "IT", "NL", "PL", "ES"], "weight": "2"},
            {"kind": "size", "min_value": 20, "max_value": 500, "weight": "1.5"},
            {"kind": "capability", "values": ["spare parts logistics", "CNC service"], "weight": "2"},
        ],
        "second_profile": [
            {"kind": "partner_type", "values": [S], "weight": "4"},
            {"kind": "segment", "values": ["Field service, EMEA"], "weight": "2"},
            {"kind": "capability", "values": ["24x7 field service", "PLC programming"], "weight": "3"},
        ],
        "prospects": [
            ("Rheinland Maschinenhandel", D),
            ("Lyon Industrial Supply", D),
            ("Adriatic Machine Tools", R),
            ("Baltic Parts Depot", D),
            ("Vistula Equipment", R),
            ("Castile Automation", S),
            ("Danube Field Service", S),
            ("Alpine Controls", S),
            ("Moravia Tooling", R),
            ("Flanders Fabrication", R),
            ("Lombardy Service Partners", S),
            ("Ruhr Retrofit GmbH", S),
            ("Iberia Components", D),
            ("Scandic Motion Systems", T),
            ("Thames Valley Plant Services", S),
            ("Brabant Industrial", R),
            ("Provence Precision", R),
            ("Tatra Engineering", S),
            ("Oder Spare Parts", D),
            ("Bavaria Sensor Labs", T),
            ("Loire Referral Network", F),
            ("Nordsee Hydraulics", R),
        ],
    },
}
# Status mix across each tenant's prospects: every pipeline status appears, converted ones included.
STATUS_PLAN = (
    [ProspectStatus.NEW] * 6
    + [ProspectStatus.CONTACTED] * 6
    + [ProspectStatus.QUALIFIED] * 4
    + [ProspectStatus.REJECTED] * 3
    + [ProspectStatus.CONVERTED] * 3
)
REJECTIONS = [
    "Competes directly with our own services team.",
    "Too small to carry the certification requirements.",
    "Exclusive with a competitor until next year.",
]


def _program(name: str, description: str, tiers: list[tuple[str, str]], *, default: bool) -> Program:
    program, _ = Program.objects.get_or_create(name=name, defaults={"description": description})
    if default and not Program.objects.filter(is_default=True).exists():
        Program.objects.filter(pk=program.pk).update(is_default=True)
    for rank, (tier_name, benefits) in enumerate(tiers, start=1):
        taken = Tier.objects.filter(program=program).filter(Q(name=tier_name) | Q(rank=rank))
        if not taken.exists():
            Tier.objects.create(program=program, name=tier_name, rank=rank, benefits=benefits)
    return program


def _resolve_segments(criteria: list[dict[str, object]], by_name: dict[str, int]) -> list[dict[str, object]]:
    resolved = []
    for criterion in criteria:
        if criterion["kind"] == "segment":
            criterion = {**criterion, "values": [by_name[str(name)] for name in criterion["values"]]}  # type: ignore[attr-defined]
        resolved.append(criterion)
    return resolved


def seed(*, tenant: Tenant, rng: random.Random, partners: list[Partner]) -> None:
    """Programs with tiers, segments, ideal profiles and a scored prospect pipeline (idempotent)."""
    spec = SPEC.get(tenant.slug)
    actor = Membership.objects.filter(role=Role.VENDOR_ADMIN, is_active=True).order_by("pk").first()
    if spec is None or actor is None:
        return
    default = _program(DEFAULT_PROGRAM, "The main resale and services track.", DEFAULT_TIERS, default=True)
    second_name, second_description, second_tiers = spec["second_program"]  # type: ignore[misc]
    second = _program(
        second_name, second_description, [(name, f"{name} benefits") for name in second_tiers], default=False
    )
    for name, description in spec["segments"]:  # type: ignore[attr-defined]
        Segment.objects.get_or_create(name=name, defaults={"description": description})
    by_name = dict(Segment.objects.values_list("name", "id"))
    segment_ids = list(by_name.values())
    for partner in partners:
        if not PartnerSegment.objects.filter(partner=partner).exists():
            PartnerSegment.objects.create(partner=partner, segment_id=rng.choice(segment_ids))
    for program, key in ((default, "profile"), (second, "second_profile")):
        if not IdealProfile.objects.filter(program=program).exists():
            ideal_profile_save(
                actor=actor,
                program=program,
                criteria=_resolve_segments(spec[key], by_name),  # type: ignore[arg-type]
                name=f"Ideal {program.name} partner",
                description="Who we want to sign next: fit to the partners with the highest LTV.",
            )
    _seed_prospects(spec=spec, actor=actor, rng=rng, programs=(default, second), segment_ids=segment_ids)


def _seed_prospects(
    *,
    spec: dict[str, object],
    actor: Membership,
    rng: random.Random,
    programs: tuple[Program, Program],
    segment_ids: list[int],
) -> None:
    countries: list[str] = spec["countries"]  # type: ignore[assignment]
    capabilities: list[str] = spec["capabilities"]  # type: ignore[assignment]
    plan = list(STATUS_PLAN)
    rng.shuffle(plan)
    for index, (name, kind) in enumerate(spec["prospects"]):  # type: ignore[arg-type]
        if Prospect.objects.filter(name=name).exists():
            continue
        status = plan[index % len(plan)]
        alliance = kind == PartnerType.TECHNOLOGY or (kind == PartnerType.SERVICES and index % 3 == 0)
        program = programs[1] if alliance else programs[0]
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        prospect = prospect_create(
            actor=actor,
            name=name,
            partner_type=kind,
            program_id=program.pk,
            website_domain=f"{slug}.example",
            country=rng.choice(countries),
            segment_ids=rng.sample(segment_ids, k=rng.choice((0, 1, 1, 2))),
            employees=int(rng.lognormvariate(4.5, 1.1)),
            capabilities=rng.sample(capabilities, k=rng.randint(0, 3)),
            owner_id=actor.user_id,
            notes=rng.choice(
                ["Met at the partner summit.", "Inbound from the website.", "Referred by a customer.", ""]
            ),
        )
        if status == ProspectStatus.NEW:
            continue
        prospect = prospect_status_change(
            actor=actor, prospect=prospect, status=ProspectStatus.CONTACTED, reason="Intro call held."
        )
        if status == ProspectStatus.REJECTED:
            prospect_status_change(
                actor=actor, prospect=prospect, status=status, reason=rng.choice(REJECTIONS)
            )
        elif status in (ProspectStatus.QUALIFIED, ProspectStatus.CONVERTED):
            prospect = prospect_status_change(
                actor=actor,
                prospect=prospect,
                status=ProspectStatus.QUALIFIED,
                reason="Budget and a sales team confirmed.",
            )
            if status == ProspectStatus.CONVERTED and not Partner.objects.filter(name=name).exists():
                prospect_convert(actor=actor, prospect=prospect)
