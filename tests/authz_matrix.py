"""The one authorization matrix: every URL pattern, every method it serves, every role -> allow/deny.

`tests/test_authz_matrix.py` fails when a URL pattern exists that is not classified here (or an
entry names a pattern that no longer exists) and generates one test per (pattern, method, role).
Every new page or API endpoint must add its row.

Objects named in `obj` are built by the `world` fixture; object-bound patterns always get an object
that the allowed roles may legitimately see (alpha's partner P1), so a deny is about the role alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANON = "anonymous"
VA, VS, PA, PU = "vendor_admin", "vendor_staff", "partner_admin", "partner_user"
EVERYONE = frozenset({ANON, VA, VS, PA, PU})
MEMBERS = frozenset({VA, VS, PA, PU})
VENDORS = frozenset({VA, VS})
PARTNERS = frozenset({PA, PU})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Endpoint:
    """`allow[method]` is the set of roles that may; every other role is denied.
    `obj` says which world object fills the `pk` of the URL; `data` is what a POST/PATCH sends."""

    allow: dict[str, frozenset[str]]
    obj: str | None = None
    api: bool = False
    tenant: bool = True
    extra_kwargs: dict[str, str] = field(default_factory=dict)
    data: dict[str, dict[str, object]] = field(default_factory=dict)


MATRIX: dict[str, Endpoint] = {
    # --- platform pages (no tenant in the URL) ---
    "home": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "healthz": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "select_tenant": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "login": Endpoint(
        allow={"GET": EVERYONE, "POST": EVERYONE},
        tenant=False,
        data={"POST": {"username": "<email>", "password": "<password>"}},
    ),
    "logout": Endpoint(allow={"POST": EVERYONE}, tenant=False),
    "password_change": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "password_change_done": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "password_reset": Endpoint(
        allow={"GET": EVERYONE, "POST": EVERYONE},
        tenant=False,
        data={"POST": {"email": "nobody@example.test"}},
    ),
    "password_reset_done": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "password_reset_confirm": Endpoint(
        allow={"GET": EVERYONE}, tenant=False, extra_kwargs={"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "api_schema": Endpoint(allow={"GET": EVERYONE}, tenant=False, api=True),
    "api_docs": Endpoint(allow={"GET": EVERYONE}, tenant=False, api=True),
    "api_token": Endpoint(
        allow={"POST": EVERYONE},
        tenant=False,
        api=True,
        data={"POST": {"email": "<email>", "password": "<password>"}},
    ),
    # --- tenant pages ---
    "tenant_home": Endpoint(allow={"GET": VENDORS}),
    "portal_home": Endpoint(allow={"GET": PARTNERS}),
    "stage_detail": Endpoint(allow={"GET": VENDORS}, extra_kwargs={"stage": "sell"}),
    "member_list": Endpoint(allow={"GET": VENDORS}),
    "member_invite": Endpoint(
        allow={"GET": {VA}, "POST": {VA}}, data={"POST": {"email": "invitee@example.test", "role": VS}}
    ),
    "member_detail": Endpoint(
        allow={"GET": VENDORS, "POST": {VA}}, obj="p1_member", data={"POST": {"role": PU, "is_active": "on"}}
    ),
    "people_list": Endpoint(allow={"GET": PARTNERS}),
    "people_invite": Endpoint(
        allow={"GET": {PA}, "POST": {PA}}, data={"POST": {"email": "colleague@example.test", "role": PU}}
    ),
    "person_detail": Endpoint(
        allow={"GET": PARTNERS, "POST": {PA}}, obj="p1_member", data={"POST": {"role": PU, "is_active": "on"}}
    ),
    "audit_list": Endpoint(allow={"GET": {VA}}),
    "audit_detail": Endpoint(allow={"GET": {VA}}, obj="audit_event"),
    "tenant_settings": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        data={
            "POST": {
                "name": "Renamed",
                "currency": "EUR",
                "annual_discount_rate": "0.08",
                **{
                    f"margin_{key}": "0.5"
                    for key in ("new", "renewal", "upsell", "cross_sell", "services", "maintenance", "parts")
                },
            }
        },
    ),
    # --- tenant API ---
    "api_me": Endpoint(allow={"GET": MEMBERS}, api=True),
    "api_membership_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA, PA}},
        api=True,
        data={"POST": {"email": "api-invitee@example.test", "role": PU, "partner": "<p1>"}},
    ),
    "api_membership_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": {VA, PA}}, api=True, obj="p1_member", data={"PATCH": {"role": PU}}
    ),
    "api_audit_event_list": Endpoint(allow={"GET": {VA}}, api=True),
    "api_audit_event_detail": Endpoint(allow={"GET": {VA}}, api=True, obj="audit_event"),
    "api_partner_list": Endpoint(allow={"GET": MEMBERS}, api=True),
    "api_partner_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="p1"),
    # --- partners: core (directory, partner 360, board, portal profile) ---
    # @@core@@
    # --- partners: recruit (programs, tiers, segments, ideal profile, prospects) ---
    # @@recruit@@
    # --- partners: enablement (checklists, trainings, certifications) ---
    # @@enablement@@
    # --- partners: market and health (campaigns, MDF, assessments) ---
    # @@market@@
}

# Django admin is for the platform superuser only: no tenant role gets past its login page.
MATRIX["admin:login"] = Endpoint(allow={"GET": EVERYONE}, tenant=False)
MATRIX["admin:logout"] = Endpoint(allow={"POST": EVERYONE}, tenant=False)  # ends any session
NAMESPACE_RULES: dict[str, Endpoint] = {
    "admin": Endpoint(allow={"GET": NOBODY}, tenant=False),
}
