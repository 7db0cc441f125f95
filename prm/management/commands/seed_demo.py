"""Create (or bring up to date) the demo world: tenants `acme` and `globex`, their staff, partners
of every type and their people. Safe to run repeatedly: everything is looked up before created."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from partners.models import Partner, PartnerStatus, PartnerType
from prm.models import Membership, Role, Stage, Tenant, User
from prm.tenancy import tenant_context

DEMO_PASSWORD = "demo-pass-2026"

TENANTS = {
    "acme": {
        "name": "Acme Software",
        "currency": "USD",
        "margins": {
            "new": "0.85",
            "renewal": "0.90",
            "upsell": "0.85",
            "cross_sell": "0.80",
            "services": "0.35",
            "maintenance": "0.75",
            "parts": "0.40",
        },
        "partners": [
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
    },
    "globex": {
        "name": "Globex Manufacturing",
        "currency": "EUR",
        "margins": {
            "new": "0.30",
            "renewal": "0.55",
            "upsell": "0.35",
            "cross_sell": "0.30",
            "services": "0.40",
            "maintenance": "0.60",
            "parts": "0.45",
        },
        "partners": [
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
    },
}

STATUS_BY_STAGE = {
    Stage.STRATEGIZE: PartnerStatus.PROSPECT,
    Stage.RECRUIT: PartnerStatus.PROSPECT,
    Stage.ONBOARD: PartnerStatus.ONBOARDING,
}


def demo_logins() -> list[tuple[str, str]]:
    rows = []
    for slug in TENANTS:
        rows += [
            (f"admin@{slug}.example", f"vendor admin of {slug}"),
            (f"staff@{slug}.example", f"vendor staff of {slug}"),
            (f"partner@{slug}.example", f"partner admin of {TENANTS[slug]['partners'][0][0]} ({slug})"),
            (f"partner2@{slug}.example", f"partner admin of {TENANTS[slug]['partners'][1][0]} ({slug})"),
        ]
    rows.append(("consultant@demo.example", "vendor staff in both tenants (shows the tenant picker)"))
    return rows


class Command(BaseCommand):
    help = "Create or refresh the demo tenants, users and partners (idempotent)."

    _password_hash: str | None = None

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for slug, spec in TENANTS.items():
                self._seed_tenant(slug, spec)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {DEMO_PASSWORD}):"))
        for email, what in demo_logins():
            self.stdout.write(f"  {email:<28} {what}")

    def _user(self, email: str, full_name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            # Hashing is deliberately slow; the demo shares one password, so hash it once.
            if self._password_hash is None:
                self._password_hash = make_password(DEMO_PASSWORD)
            user = User.objects.create(email=email, full_name=full_name, password=self._password_hash)
        return user

    def _member(self, user: User, role: str, partner: Partner | None = None) -> None:
        Membership.objects.get_or_create(user=user, defaults={"role": role, "partner": partner})

    def _seed_tenant(self, slug: str, spec: dict[str, Any]) -> None:
        tenant, _ = Tenant.objects.get_or_create(
            slug=slug,
            defaults={"name": spec["name"], "currency": spec["currency"], "default_margins": spec["margins"]},
        )
        stages = list(Stage)
        with tenant_context(tenant):
            partners = []
            for index, (name, kind, domain, country) in enumerate(spec["partners"]):
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
            self._member(self._user(f"admin@{slug}.example", f"{spec['name']} Admin"), Role.VENDOR_ADMIN)
            self._member(
                self._user(f"staff@{slug}.example", f"{spec['name']} Channel Manager"), Role.VENDOR_STAFF
            )
            self._member(self._user("consultant@demo.example", "Casey Consultant"), Role.VENDOR_STAFF)
            self._member(
                self._user(f"partner@{slug}.example", f"{partners[0].name} Admin"),
                Role.PARTNER_ADMIN,
                partners[0],
            )
            self._member(
                self._user(f"partner2@{slug}.example", f"{partners[1].name} Admin"),
                Role.PARTNER_ADMIN,
                partners[1],
            )
            for partner in partners:
                domain = partner.website_domain
                self._member(
                    self._user(f"lead@{domain}", f"{partner.name} Lead"), Role.PARTNER_ADMIN, partner
                )
                for n in (1, 2):
                    self._member(
                        self._user(f"rep{n}@{domain}", f"{partner.name} Rep {n}"), Role.PARTNER_USER, partner
                    )
