"""Customer and referral-code writes. Each is one transaction with its audit event; bad input is a
`ValidationError` keyed by field and changes nothing."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partners.models import Partner, Segment
from prm.audit import audit_record, model_snapshot
from prm.models import Membership
from revenue.models import Customer, ReferralClick, ReferralCode
from revenue.models.customers import CustomerSize
from revenue.services_common import Fields, require_vendor, required_text, text
from revenue.validation import name_key, normalise_country, normalise_domain

CUSTOMER_FIELDS = ["name", "domain", "country", "industry", "size", "segment", "persona", "external_ref"]
CODE_FIELDS = ["partner", "code", "label", "landing_url", "is_active"]
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")


def customer_values(
    *,
    name: Any,
    domain: Any = "",
    country: Any = "",
    industry: Any = "",
    size: Any = "",
    segment_id: int | None = None,
    persona: Any = "",
    external_ref: Any = "",
    fields: Fields | None = None,
) -> dict[str, Any]:
    """Clean customer values; errors go to `fields` (raised here when the caller gave none)."""
    own = fields is None
    errors = fields or Fields()
    values: dict[str, Any] = {
        "name": errors.parse("name", required_text, name, max_length=200, label="customer name"),
        "domain": errors.parse("domain", normalise_domain, domain),
        "country": errors.parse("country", normalise_country, country),
        "industry": errors.parse("industry", text, industry, max_length=100),
        "persona": errors.parse("persona", text, persona, max_length=100),
        "external_ref": errors.parse("external_ref", text, external_ref, max_length=100),
    }
    size_text = str(size or "").strip().lower()
    if size_text and size_text not in CustomerSize.values:
        errors.add("size", f"Use one of: {', '.join(CustomerSize.values)}.")
    values["size"] = size_text
    values["segment"] = None
    if segment_id is not None:
        values["segment"] = Segment.objects.filter(pk=segment_id).first()
        if values["segment"] is None:
            errors.add("segment", "No such segment.")
    if own:
        errors.raise_if_any()
    if values["name"]:
        values["name_key"] = name_key(values["name"])
    return values


def _check_unique(
    values: dict[str, Any], *, exclude_pk: int | None = None, errors: Fields | None = None
) -> None:
    """Domain and external reference free? Errors join `errors` (raised together) when given."""
    own = errors is None
    errors = errors or Fields()
    others = Customer.objects.exclude(pk=exclude_pk) if exclude_pk else Customer.objects.all()
    if values.get("domain"):
        holder = others.filter(domain=values["domain"]).first()
        if holder is not None:
            errors.add("domain", f"{values['domain']} is already the customer “{holder.name}”.")
    if values.get("external_ref"):
        holder = others.filter(external_ref=values["external_ref"]).first()
        if holder is not None:
            errors.add("external_ref", f"“{values['external_ref']}” is already the customer “{holder.name}”.")
    if own:
        errors.raise_if_any()


def _clean_values(fields: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    """Parsed values, free of duplicates; every problem (bad value or duplicate) reported at once."""
    errors = Fields()
    values = customer_values(**fields, fields=errors)
    _check_unique(values, exclude_pk=exclude_pk, errors=errors)
    errors.raise_if_any()
    return values


@transaction.atomic
def customer_create(*, actor: Membership | None, **fields: Any) -> Customer:
    """`actor` None is the system (a won deal, an import) acting on a vendor's behalf."""
    if actor is not None:
        require_vendor(actor, "records customers")
    values = _clean_values(fields)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(**values)
    except IntegrityError:  # a concurrent writer took the domain or reference between check and insert
        _check_unique(values)
        raise
    audit_record(
        actor=actor.user if actor else None,
        verb="customer.created",
        obj=customer,
        after=model_snapshot(customer, fields=CUSTOMER_FIELDS),
    )
    return customer


@transaction.atomic
def customer_update(*, actor: Membership, customer: Customer, **fields: Any) -> Customer:
    require_vendor(actor, "edits customers")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    values = _clean_values(fields, exclude_pk=locked.pk)
    before = model_snapshot(locked, fields=CUSTOMER_FIELDS)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    after = model_snapshot(locked, fields=CUSTOMER_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="customer.updated", obj=locked, before=before, after=after)
    return locked


def customer_match_or_create(*, name: str, domain: str, country: str = "") -> Customer:
    """The customer a won deal closes with: the one with its domain, else one with exactly its
    normalised name, else a new one. Called inside the caller's transaction."""
    if domain:
        found = Customer.objects.select_for_update().filter(domain=domain).first()
        if found is not None:
            return found
    key = name_key(name)
    found = Customer.objects.filter(name_key=key).order_by("pk").first()
    if found is not None and (not domain or not found.domain):
        return found
    return customer_create(actor=None, name=name, domain=domain, country=country)


# --- referral codes -------------------------------------------------------------------------------


def _new_code(partner: Partner) -> str:
    stem = re.sub(r"[^A-Z0-9]", "", partner.name.upper())[:8] or "PARTNER"
    for _ in range(20):
        code = f"{stem}-{secrets.token_hex(2).upper()}"
        if not ReferralCode.objects.filter(code=code).exists():
            return code
    return f"{stem}-{secrets.token_hex(6).upper()}"


@transaction.atomic
def referral_code_create(
    *, actor: Membership | None, partner: Partner, code: str = "", label: str = "", landing_url: str = ""
) -> ReferralCode:
    """A blank code gets a generated one. Vendor staff create codes for any partner, a partner
    admin for its own organisation."""
    if (
        actor is not None
        and actor.is_partner
        and not (actor.is_partner_admin and actor.own_partner_id == partner.pk)
    ):
        raise PermissionDenied("Only your organisation's admins create its referral codes.")
    errors = Fields()
    wanted = str(code or "").strip().upper()
    if wanted and not CODE_PATTERN.match(wanted):
        errors.add("code", "Use 3-40 letters, digits and hyphens, starting with a letter or digit.")
    label = errors.parse("label", text, label, max_length=120) or ""
    landing = str(landing_url or "").strip()
    if landing and not re.match(r"^https?://[^\s/]+\.[^\s]+$", landing):
        errors.add("landing_url", "Give a full web address starting with https://.")
    if wanted and ReferralCode.objects.filter(code=wanted).exists():
        errors.add("code", f"The code {wanted} is taken.")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            referral = ReferralCode.objects.create(
                partner=partner, code=wanted or _new_code(partner), label=label, landing_url=landing
            )
    except IntegrityError:
        raise ValidationError({"code": f"The code {wanted} is taken."}) from None
    audit_record(
        actor=actor.user if actor else None,
        verb="referral_code.created",
        obj=referral,
        after=model_snapshot(referral, fields=CODE_FIELDS),
    )
    return referral


@transaction.atomic
def referral_code_set_active(
    *, actor: Membership, referral_code: ReferralCode, is_active: bool
) -> ReferralCode:
    if actor.is_partner and not (actor.is_partner_admin and actor.own_partner_id == referral_code.partner_id):
        raise PermissionDenied("Only your organisation's admins manage its referral codes.")
    locked = ReferralCode.objects.select_for_update().get(pk=referral_code.pk)
    if locked.is_active != is_active:
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor.user,
            verb="referral_code.activated" if is_active else "referral_code.deactivated",
            obj=locked,
            before={"is_active": not is_active},
            after={"is_active": is_active},
        )
    return locked


def referral_click_record(*, referral_code: ReferralCode, referrer: str) -> ReferralClick:
    """One visit of a tracked link; anonymous, so there is no actor and no audit event."""
    return ReferralClick.objects.create(code=referral_code, referrer=referrer[:500])


def referral_code_resolve(*, code: Any) -> ReferralCode:
    """The active code quoted on a row or in the API; ValueError with a message otherwise."""
    wanted = str(code or "").strip().upper()
    found = ReferralCode.objects.select_related("partner").filter(code=wanted).first()
    if found is None:
        raise ValueError(f"No referral code {wanted[:40]}.")
    if not found.is_active:
        raise ValueError(f"The referral code {wanted} is no longer active.")
    return found
