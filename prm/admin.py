"""Django admin registrations for the platform superuser (see prm.admin_site)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from prm.admin_site import UnscopedAdmin
from prm.models import AuditEvent, Membership, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "currency", "annual_discount_rate", "created_at")
    search_fields = ("slug", "name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_superuser", "last_login")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Membership)
class MembershipAdmin(UnscopedAdmin):
    list_display = ("user", "tenant", "role", "partner", "is_active")
    list_filter = ("role", "is_active", "tenant")
    list_select_related = ("user", "tenant", "partner")
    search_fields = ("user__email",)
    raw_id_fields = ("user", "partner")


@admin.register(AuditEvent)
class AuditEventAdmin(UnscopedAdmin):
    list_display = ("created_at", "tenant", "actor", "verb", "object_type", "object_id")
    list_filter = ("tenant", "verb")
    list_select_related = ("tenant", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
