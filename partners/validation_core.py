"""Checks shared by the core partner services: field normalisation (website, country), reasons, and
tenant-scoped look-ups of related rows. Each check adds its message under the field that caused it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.models import Partner, PartnerType, Program, Segment
from prm.models import VENDOR_ROLES, Membership

REASON_MAX = 500

# ISO 3166-1 alpha-2, officially assigned codes.
_COUNTRY_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_TEXT.split())
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def require_vendor(actor: Membership) -> None:
    if actor.role not in VENDOR_ROLES:
        raise PermissionDenied("Only the vendor's team manages partners.")


def local_today() -> date:
    return timezone.localdate()


def normalise_domain(value: str) -> str:
    """`https://www.Example.com/path` -> `example.com`; raises on anything that is not a host name."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if text.startswith("www."):
        text = text[4:]
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({"website_domain": "Enter a website domain such as example.com."}) from None
    labels = text.split(".")
    if len(text) > 253 or len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValidationError({"website_domain": "Enter a website domain such as example.com."})
    return text


def normalise_country(value: str) -> str:
    code = (value or "").strip().upper()
    if code and code not in COUNTRY_CODES:
        raise ValidationError({"country": "Use a two-letter ISO 3166 country code such as US or DE."})
    return code


def clean_reason(reason: str, *, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationError({"reason": "Say why, for the history."})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return text


class FieldErrors:
    """Collects every field error of one call, so a form shows them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def run(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add(field, message)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_name(errors: FieldErrors, name: str, *, exclude_pk: int | None) -> str:
    name = (name or "").strip()
    if not name:
        errors.add("name", "A partner needs a name.")
    elif len(name) > 200:
        errors.add("name", "Keep the name under 200 characters.")
    else:
        clash = Partner.objects.filter(name__iexact=name)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors.add("name", "A partner with this name already exists in this tenant.")
    return name


def check_parent(errors: FieldErrors, parent_id: int | None, *, partner: Partner | None) -> None:
    if parent_id is None:
        return
    parent = Partner.objects.filter(pk=parent_id).values("pk", "partner_type", "parent_id").first()
    if parent is None:
        errors.add("parent", "No such partner in this tenant.")
        return
    if parent["partner_type"] != PartnerType.DISTRIBUTOR:
        errors.add("parent", "The parent must be a distributor.")
        return
    if partner is None:
        return
    # Walk up from the new parent: meeting the partner itself would close a loop.
    seen: set[int] = set()
    current: int | None = parent["pk"]
    while current is not None and current not in seen:
        if current == partner.pk:
            errors.add("parent", "A partner cannot sit below itself or below one of its own children.")
            return
        seen.add(current)
        current = Partner.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def check_owner(errors: FieldErrors, owner_id: int | None) -> None:
    if owner_id is None:
        return
    is_vendor_member = Membership.objects.filter(
        user_id=owner_id, role__in=VENDOR_ROLES, is_active=True
    ).exists()
    if not is_vendor_member:
        errors.add("owner", "The owner must be an active member of the vendor's team.")


def check_segments(errors: FieldErrors, segment_ids: Sequence[int]) -> list[int]:
    wanted = sorted({int(pk) for pk in segment_ids})
    found = set(Segment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if len(found) != len(wanted):
        errors.add("segments", "Choose segments of this tenant.")
    return wanted


def check_program(errors: FieldErrors, program_id: int | None) -> Program | None:
    if program_id is None:
        return None
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        errors.add("program", "No such program in this tenant.")
    return program


def check_joined_on(errors: FieldErrors, joined_on: date | None) -> None:
    if joined_on is not None and joined_on > local_today():
        errors.add("joined_on", "The join date cannot be in the future.")
