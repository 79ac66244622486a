from django.contrib import admin

from .models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read-only review of submissions; the full review workflow comes with staff roles."""

    list_display = ("account_name", "email", "phone", "created_at", "status", "utm_source")
    list_filter = ("status", "created_at")
    list_select_related = ("person",)
    search_fields = ("email", "phone", "account_name")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Lead._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
