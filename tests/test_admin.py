"""The Django admin is the platform superuser's alone, and it sees every tenant's rows."""

from __future__ import annotations

from django.test import Client

from prm.models import User
from tests.conftest import BRAVO_MARKER, World


def test_superuser_lists_memberships_of_every_tenant(world: World) -> None:
    root = User.objects.create_superuser(email="root@platform.test", password="pw")
    client = Client()
    client.force_login(root)
    response = client.get("/admin/prm/membership/?q=test")
    assert response.status_code == 200
    body = response.content.decode()
    assert "vendor_admin@alpha.test" in body and "vendor_admin@bravo.test" in body
    response = client.get("/admin/partners/partner/")
    assert BRAVO_MARKER in response.content.decode()


def test_vendor_admin_is_not_let_into_the_admin(world: World) -> None:
    member = world.alpha.members["vendor_admin"]
    member.user.is_staff = True  # even a login flagged staff is not a platform superuser
    member.user.save()
    response = world.client("vendor_admin").get("/admin/prm/membership/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
