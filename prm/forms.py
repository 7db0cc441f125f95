from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from prm.models import PARTNER_ROLES, REVENUE_STREAMS, Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        # Addresses are stored lowercase; one spelling also keeps the lockout count in one place.
        return str(self.cleaned_data["username"]).strip().lower()


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    partner = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Partner organisation"
    )

    def __init__(
        self,
        *args: Any,
        partner_choices: list[tuple[int, str]] | None = None,
        partner_roles_only: bool = False,
        role_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if role_choices is not None:
            self.fields["role"].choices = role_choices
        if partner_roles_only:
            self.fields["role"].choices = [
                (value, label) for value, label in Role.choices if value in PARTNER_ROLES
            ]
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = [("", "— none (vendor roles) —"), *(partner_choices or [])]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(required=False, label="Active")

    def __init__(self, *args: Any, partner_roles_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partner_roles_only:
            self.fields["role"].choices = [
                (value, label) for value, label in Role.choices if value in PARTNER_ROLES
            ]


class TenantSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        help_text="ISO 4217 code, e.g. USD.",
        error_messages={"invalid": "Use a three-letter ISO 4217 code such as USD."},
    )
    annual_discount_rate = forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1"), decimal_places=4, help_text="0.10 means 10% a year."
    )
    deal_protection_days = forms.IntegerField(
        label="Deal protection (days)",
        min_value=1,
        max_value=730,
        help_text="How long an approved registration protects the partner's claim.",
    )
    deal_extension_days = forms.IntegerField(
        label="Extension (days)",
        min_value=1,
        max_value=365,
        help_text="What the one extension a partner may ask for adds.",
    )
    website_url = forms.URLField(
        label="Website", required=False, help_text="Where referral links land unless a code says otherwise."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in REVENUE_STREAMS:
            self.fields[f"margin_{key}"] = forms.DecimalField(
                label=f"Margin: {label}", min_value=Decimal("0"), max_value=Decimal("1"), decimal_places=4
            )

    def margins(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data[f"margin_{key}"] for key, _ in REVENUE_STREAMS}
