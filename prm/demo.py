"""Demo world helpers shared by every app's `demo.py`: one password, one hash, get-or-create people.

`manage.py seed_demo` creates the tenants and vendor staff here, then calls `seed_tenant()` of each
installed app's `demo` module in INSTALLED_APPS order (partners before revenue before analytics), so
no lower app imports a higher one.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from prm.models import Membership, User

DEMO_PASSWORD = "demo-pass-2026"

TENANTS: dict[str, dict[str, object]] = {
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
    },
}

_password_hash: list[str] = []


def demo_user(email: str, full_name: str) -> User:
    """The login for `email`, created with the demo password; hashing is slow, so it is done once."""
    user = User.objects.filter(email=email).first()
    if user is None:
        if not _password_hash:
            _password_hash.append(make_password(DEMO_PASSWORD))
        user = User.objects.create(email=email, full_name=full_name, password=_password_hash[0])
    return user


def demo_member(user: User, role: str, partner_id: int | None = None) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, defaults={"role": role, "partner_id": partner_id}
    )
    return membership
