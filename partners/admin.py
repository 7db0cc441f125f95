from django.contrib import admin

from partners.models import Partner
from prm.admin_site import UnscopedAdmin


@admin.register(Partner)
class PartnerAdmin(UnscopedAdmin):
    list_display = ("name", "tenant", "partner_type", "status", "stage")
    list_filter = ("tenant", "partner_type", "status", "stage")
    search_fields = ("name", "website_domain")
