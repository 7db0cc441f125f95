"""World objects of the revenue imports concept for the authorization matrix and the isolation crawler:
a failed customers import whose file name and error messages carry the tenant's marker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue.models import ImportJob
from revenue.services_imports import import_start
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


@factory("import_job")
def import_job(world: TenantWorld, other_partner: bool) -> ImportJob:
    marker = world.visible_marker(other_partner=other_partner)
    content = f"name,domain\nImportly {marker},not a domain {marker}\n"
    return import_start(
        actor=world.members["vendor_staff"],
        kind="customers",
        file_name=f"customers {marker}.csv",
        data=content.encode(),
    )
