"""Platform writes: tenants, memberships (invites, roles), tenant settings. Each is one transaction
that also writes its audit event. Errors are `ValidationError`s keyed by the field that caused them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from prm.audit import audit_record, model_snapshot
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership, Role, Tenant, User
from prm.tenancy import require_tenant_id, tenant_context

MEMBERSHIP_FIELDS = ["user", "role", "partner", "is_active"]
TENANT_SETTING_FIELDS = [
    "name",
    "currency",
    "annual_discount_rate",
    "default_margins",
    "deal_protection_days",
    "deal_extension_days",
    "website_url",
]


def tenant_create(*, slug: str, name: str, currency: str = "USD") -> Tenant:
    tenant = Tenant(slug=slug.strip().lower(), name=name.strip(), currency=currency)
    tenant.full_clean()
    tenant.save()
    return tenant


def _check_can_manage(*, actor: Membership, role: str, partner_id: int | None) -> None:
    """Vendor admins manage everyone; vendor staff (channel managers) the people of any partner;
    partner admins the people of their own organisation."""
    if actor.is_vendor_admin:
        return
    if actor.role == Role.VENDOR_STAFF:
        if role not in PARTNER_ROLES:
            raise ValidationError({"role": "Vendor staff can only grant partner roles; ask a vendor admin."})
        return
    if actor.is_partner_admin:
        if role not in PARTNER_ROLES:
            raise ValidationError({"role": "A partner admin can only grant partner roles."})
        if partner_id != actor.partner_id:
            raise PermissionDenied("A partner admin manages only its own organisation's people.")
        return
    raise PermissionDenied("Only admins manage members.")


def _check_partner_for_role(*, role: str, partner_id: int | None) -> None:
    if role in PARTNER_ROLES and partner_id is None:
        raise ValidationError({"partner": "Partner roles need a partner organisation."})
    if role in VENDOR_ROLES and partner_id is not None:
        raise ValidationError({"partner": "Vendor roles cannot belong to a partner organisation."})


def _would_orphan_admins(*, membership: Membership, new_role: str, new_active: bool) -> bool:
    """True when the change removes the last active admin of the vendor or of the partner."""
    if not membership.is_active or membership.role not in (Role.VENDOR_ADMIN, Role.PARTNER_ADMIN):
        return False
    if new_active and new_role == membership.role:
        return False
    peers = Membership.objects.filter(role=membership.role, is_active=True).exclude(pk=membership.pk)
    if membership.role == Role.PARTNER_ADMIN:
        peers = peers.filter(partner_id=membership.own_partner_id)
    return not peers.exists()


@transaction.atomic
def membership_invite(
    *,
    actor: Membership,
    email: str,
    role: str,
    partner_id: int | None = None,
    full_name: str = "",
    request: HttpRequest | None = None,
) -> Membership:
    """Add a person to the tenant; a new login gets a password-set e-mail instead of a password."""
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”."})
    if actor.is_partner_admin and partner_id is None:
        partner_id = actor.partner_id
    _check_can_manage(actor=actor, role=role, partner_id=partner_id)
    _check_partner_for_role(role=role, partner_id=partner_id)
    # Through the scoped manager: another tenant's partner id is as unknown as a made-up one.
    partner_model = apps.get_model("partners", "Partner")
    if partner_id is not None and not partner_model.objects.filter(pk=partner_id).exists():
        raise ValidationError({"partner": "No such partner organisation in this tenant."})
    user = User.objects.filter(email=email).first()
    created_user = user is None
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif Membership.objects.filter(user=user).exists():
        raise ValidationError({"email": "This person is already a member of this tenant."})
    membership = Membership(user=user, role=role, partner_id=partner_id)
    membership.full_clean(exclude=["tenant"])
    membership.save()
    audit_record(
        actor=actor.user,
        verb="membership.invited",
        obj=membership,
        after=model_snapshot(membership, fields=MEMBERSHIP_FIELDS),
    )
    if created_user:
        _send_invitation(email=email, request=request)
    return membership


def _send_invitation(*, email: str, request: HttpRequest | None) -> None:
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    # An invited login has an unusable password, which the stock form skips; send it anyway.
    user = User.objects.get(email=email)
    transaction.on_commit(
        lambda: form.send_mail(
            "accounts/invite_subject.txt",
            "accounts/invite_email.txt",
            _invite_context(user=user, request=request),
            None,
            email,
        )
    )


def _invite_context(*, user: User, request: HttpRequest | None) -> dict[str, Any]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {
        "email": user.email,
        "domain": request.get_host() if request else "127.0.0.1:8000",
        "protocol": "https" if request and request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


@transaction.atomic
def membership_update(
    *, actor: Membership, membership: Membership, role: str | None = None, is_active: bool | None = None
) -> Membership:
    new_role = membership.role if role is None else role
    new_active = membership.is_active if is_active is None else is_active
    if new_role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{new_role}”."})
    _check_can_manage(actor=actor, role=membership.role, partner_id=membership.partner_id)
    _check_can_manage(actor=actor, role=new_role, partner_id=membership.partner_id)
    _check_partner_for_role(role=new_role, partner_id=membership.partner_id)
    if _would_orphan_admins(membership=membership, new_role=new_role, new_active=new_active):
        raise ValidationError({"role": "This is the last active admin; appoint another admin first."})
    before = model_snapshot(membership, fields=MEMBERSHIP_FIELDS)
    # Lock the row so two admins changing the same person cannot interleave.
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    locked.role, locked.is_active = new_role, new_active
    locked.save(update_fields=["role", "is_active"])
    after = model_snapshot(locked, fields=MEMBERSHIP_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="membership.updated", obj=locked, before=before, after=after)
    membership.role, membership.is_active = new_role, new_active
    return membership


@transaction.atomic
def tenant_settings_update(
    *,
    actor: Membership,
    name: str,
    currency: str,
    annual_discount_rate: Decimal,
    default_margins: dict[str, Any],
    deal_protection_days: int | None = None,
    deal_extension_days: int | None = None,
    website_url: str | None = None,
) -> Tenant:
    """Values left as None keep what the tenant has."""
    if not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins change tenant settings.")
    tenant = Tenant.objects.select_for_update().get(pk=require_tenant_id())
    before = model_snapshot(tenant, fields=TENANT_SETTING_FIELDS)
    tenant.name = name.strip()
    tenant.currency = currency.strip().upper()
    tenant.annual_discount_rate = annual_discount_rate
    tenant.default_margins = {key: str(value) for key, value in default_margins.items()}
    if deal_protection_days is not None:
        tenant.deal_protection_days = deal_protection_days
    if deal_extension_days is not None:
        tenant.deal_extension_days = deal_extension_days
    if website_url is not None:
        tenant.website_url = website_url.strip()
    tenant.full_clean()  # validates every margin before any is normalised
    tenant.default_margins = {key: str(Decimal(str(value))) for key, value in default_margins.items()}
    tenant.save()
    after = model_snapshot(tenant, fields=TENANT_SETTING_FIELDS)
    if after != before:
        with tenant_context(tenant.pk):
            audit_record(
                actor=actor.user, verb="tenant.settings_updated", obj=tenant, before=before, after=after
            )
    return tenant
