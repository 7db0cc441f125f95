"""Platform models: users, tenants, memberships and roles, the audit log, idempotency records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from prm.tenancy import TenantScopedModel

# Revenue streams are shared vocabulary: tenant settings hold a default margin for each.
REVENUE_STREAMS: tuple[tuple[str, str], ...] = (
    ("new", "New / initial sale"),
    ("renewal", "Renewal"),
    ("upsell", "Upsell"),
    ("cross_sell", "Cross-sell"),
    ("services", "Services"),
    ("maintenance", "Maintenance / support contract"),
    ("parts", "Spare parts"),
)
STREAM_KEYS = frozenset(key for key, _ in REVENUE_STREAMS)


class Stage(models.TextChoices):
    """The eight lifecycle stages, in program order."""

    STRATEGIZE = "strategize", "Strategize"
    RECRUIT = "recruit", "Recruit"
    ONBOARD = "onboard", "Onboard"
    ENABLE = "enable", "Enable"
    MARKET = "market", "Market"
    SELL = "sell", "Sell"
    INCENTIVIZE = "incentivize", "Incentivize"
    ACCELERATE = "accelerate", "Accelerate"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A login. Identity is global; what it may do lives in its memberships, one per tenant."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # Django reads it as a plain class attribute
    objects = UserManager()  # type: ignore[assignment, misc]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


tenant_slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and inner hyphens.",
)


def validate_not_reserved(slug: str) -> None:
    if slug in settings.RESERVED_TENANT_SLUGS:
        raise ValidationError(f"“{slug}” is reserved for a top-level route; choose another slug.")


def default_margins() -> dict[str, str]:
    return {key: "0.70" for key in STREAM_KEYS}


class Tenant(models.Model):
    """A vendor running partner programs. The registry of tenants is itself not tenant-scoped."""

    slug = models.SlugField(
        max_length=50, unique=True, validators=[tenant_slug_validator, validate_not_reserved]
    )
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="USD", validators=[RegexValidator(r"^[A-Z]{3}$")])
    annual_discount_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Annual rate used to discount future margin, e.g. 0.10 for 10%.",
    )
    default_margins = models.JSONField(
        default=default_margins, help_text="Gross margin per revenue stream, between 0 and 1."
    )
    deal_protection_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="How long an approved deal registration protects the partner's claim.",
    )
    deal_extension_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="What the one extension a partner may ask for adds to the protection window.",
    )
    website_url = models.URLField(
        max_length=500, blank=True, help_text="Where partners' tracked referral links land by default."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        margins = self.default_margins or {}
        if not isinstance(margins, dict):
            raise ValidationError({"default_margins": "Margins must map each revenue stream to a number."})
        errors = []
        for key, value in margins.items():
            if key not in STREAM_KEYS:
                errors.append(f"Unknown revenue stream “{key}”.")
                continue
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                errors.append(f"Margin for {key} is not a number.")
                continue
            if not number.is_finite():
                errors.append(f"Margin for {key} is not a number.")
                continue
            if not Decimal("0") <= number <= Decimal("1"):
                errors.append(f"Margin for {key} must be between 0 and 1.")
        if errors:
            raise ValidationError({"default_margins": errors})


class Role(models.TextChoices):
    VENDOR_ADMIN = "vendor_admin", "Vendor admin"
    VENDOR_STAFF = "vendor_staff", "Vendor staff"
    PARTNER_ADMIN = "partner_admin", "Partner admin"
    PARTNER_USER = "partner_user", "Partner user"


VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.VENDOR_STAFF})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})


class Membership(TenantScopedModel):
    """What one user may do in one tenant; partner roles are bound to one partner organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_user_per_tenant"),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["partner_admin", "partner_user"], partner__isnull=False)
                    | models.Q(role__in=["vendor_admin", "vendor_staff"], partner__isnull=True)
                ),
                name="membership_partner_iff_partner_role",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner"])]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role}"

    @property
    def is_vendor(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_partner(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def own_partner_id(self) -> int:
        """The partner a partner role is bound to (the check constraint guarantees one)."""
        if self.partner_id is None:
            raise ValueError("A vendor membership has no partner organisation.")
        return int(self.partner_id)

    @property
    def is_vendor_admin(self) -> bool:
        return self.role == Role.VENDOR_ADMIN

    @property
    def is_partner_admin(self) -> bool:
        return self.role == Role.PARTNER_ADMIN


class AuditEvent(TenantScopedModel):
    """Who changed what, with the values before and after. Written by services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type} {self.object_id}"


class IdempotencyRecord(TenantScopedModel):
    """The first response to an API POST that carried an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "key"], name="idempotency_key_unique_per_user")
        ]
