"""Create (or bring up to date) the demo world. Safe to run repeatedly: everything is looked up
before it is created. The platform part is here; each app adds its own data from its `demo.py`."""

from __future__ import annotations

import importlib
import random
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from prm.demo import DEMO_PASSWORD, TENANTS, demo_member, demo_user
from prm.models import Role, Tenant
from prm.tenancy import tenant_context


def app_demo_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if config.name == "prm":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = "Create or refresh the demo tenants, users, partners and their data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        modules = app_demo_modules()
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for slug, spec in TENANTS.items():
                tenant, _ = Tenant.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "name": spec["name"],
                        "currency": spec["currency"],
                        "default_margins": spec["margins"],
                    },
                )
                with tenant_context(tenant):
                    demo_member(demo_user(f"admin@{slug}.example", f"{tenant.name} Admin"), Role.VENDOR_ADMIN)
                    demo_member(
                        demo_user(f"staff@{slug}.example", f"{tenant.name} Channel Manager"),
                        Role.VENDOR_STAFF,
                    )
                    demo_member(demo_user("consultant@demo.example", "Casey Consultant"), Role.VENDOR_STAFF)
                    logins += [
                        (f"admin@{slug}.example", f"vendor admin of {slug}"),
                        (f"staff@{slug}.example", f"vendor staff of {slug}"),
                    ]
                    for module in modules:
                        # A fixed seed per tenant keeps the demo the same on every machine.
                        logins += module.seed_tenant(
                            tenant=tenant, rng=random.Random(f"{slug}:{module.__name__}")
                        )
        logins.append(("consultant@demo.example", "vendor staff in both tenants (shows the tenant picker)"))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {DEMO_PASSWORD}):"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {what}")
