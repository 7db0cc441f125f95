"""Partners demo data: organisations of every type across the lifecycle, with their people."""

from __future__ import annotations

import random

from partners import demo_enablement, demo_market, demo_recruit
from partners.models import Partner, PartnerStatus, PartnerType
from prm.demo import demo_member, demo_user
from prm.models import Role, Stage, Tenant

PARTNERS: dict[str, list[tuple[str, str, str, str]]] = {
    "acme": [
        ("Northwind Solutions", PartnerType.RESELLER, "northwind.example", "US"),
        ("Bluebird Consulting", PartnerType.SERVICES, "bluebird.example", "GB"),
        ("Referral Rocket", PartnerType.REFERRAL, "referralrocket.example", "US"),
        ("Stackline ISV", PartnerType.TECHNOLOGY, "stackline.example", "DE"),
        ("Continental Distribution", PartnerType.DISTRIBUTOR, "contidist.example", "NL"),
        ("Cloudway Resellers", PartnerType.RESELLER, "cloudway.example", "CA"),
        ("Insight Implementers", PartnerType.SERVICES, "insightimpl.example", "AU"),
        ("Bridge Referrals", PartnerType.REFERRAL, "bridgeref.example", "FR"),
        ("Pipeline Apps", PartnerType.TECHNOLOGY, "pipelineapps.example", "US"),
        ("Pacific Channel Group", PartnerType.DISTRIBUTOR, "pacificchannel.example", "SG"),
    ],
    "globex": [
        ("Ironworks Dealers", PartnerType.RESELLER, "ironworks.example", "DE"),
        ("Precision Field Service", PartnerType.SERVICES, "precisionfs.example", "IT"),
        ("Factory Finders", PartnerType.REFERRAL, "factoryfinders.example", "ES"),
        ("SensorGrid Technologies", PartnerType.TECHNOLOGY, "sensorgrid.example", "SE"),
        ("EuroParts Distribution", PartnerType.DISTRIBUTOR, "europarts.example", "FR"),
        ("Atlas Equipment", PartnerType.RESELLER, "atlasequip.example", "PL"),
        ("Maintenance Masters", PartnerType.SERVICES, "maintmasters.example", "NL"),
        ("Plant Connect", PartnerType.REFERRAL, "plantconnect.example", "BE"),
        ("Automation Labs", PartnerType.TECHNOLOGY, "automationlabs.example", "AT"),
        ("Nordic Industrial Supply", PartnerType.DISTRIBUTOR, "nordicsupply.example", "NO"),
    ],
}

STATUS_BY_STAGE = {
    Stage.STRATEGIZE: PartnerStatus.PROSPECT,
    Stage.RECRUIT: PartnerStatus.PROSPECT,
    Stage.ONBOARD: PartnerStatus.ONBOARDING,
}


def seed_tenant(*, tenant: Tenant, rng: random.Random) -> list[tuple[str, str]]:
    stages = list(Stage)
    partners = []
    for index, (name, kind, domain, country) in enumerate(PARTNERS[tenant.slug]):
        stage = stages[index % len(stages)] if index > 1 else Stage.SELL
        partner, _ = Partner.objects.get_or_create(
            name=name,
            defaults={
                "partner_type": kind,
                "website_domain": domain,
                "country": country,
                "stage": stage,
                "status": STATUS_BY_STAGE.get(stage, PartnerStatus.ACTIVE),
            },
        )
        partners.append(partner)
    slug = tenant.slug
    demo_member(
        demo_user(f"partner@{slug}.example", f"{partners[0].name} Admin"), Role.PARTNER_ADMIN, partners[0].pk
    )
    demo_member(
        demo_user(f"partner2@{slug}.example", f"{partners[1].name} Admin"), Role.PARTNER_ADMIN, partners[1].pk
    )
    for partner in partners:
        domain = partner.website_domain
        demo_member(demo_user(f"lead@{domain}", f"{partner.name} Lead"), Role.PARTNER_ADMIN, partner.pk)
        for n in (1, 2):
            demo_member(
                demo_user(f"rep{n}@{domain}", f"{partner.name} Rep {n}"), Role.PARTNER_USER, partner.pk
            )
    # Each concept seeds its own rows, in lifecycle order.
    for concept in (demo_recruit, demo_enablement, demo_market):
        concept.seed(tenant=tenant, rng=rng, partners=partners)
    return [
        (f"partner@{slug}.example", f"partner admin of {partners[0].name} ({slug})"),
        (f"partner2@{slug}.example", f"partner admin of {partners[1].name} ({slug})"),
    ]
