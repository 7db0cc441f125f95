"""The matrix's vocabulary: role names, role sets, and the Endpoint row type."""

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
