"""Lead review in the admin: the list staff work from, each lead's page, the CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts.models import staff_of
from privacy.blocks.admin import blocked_filter
from privacy.blocks.services import RecordBlocked, blocked_annotation, person_is_blocked
from privacy.consent.admin import consent_filter, consent_summary
from privacy.oversight.admin import register_person_inline
from privacy.oversight.services import EXPORT_PERMISSION, ExportError, data_export_start
from privacy.people.changelists import LargeListMixin, ReadOnlyTabular
from privacy.people.visits import client_ip

from .models import Lead
from .review import ReviewError, lead_review

# Distinct sources change slowly; reading them from a million rows on every page does not.
SOURCES_CACHE_SECONDS = 600
SOURCES_SHOWN = 30
EXPORT_HEADER = (
    "submitted_at",
    "account_name",
    "email",
    "phone",
    "status",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
    "consent_processing",
    "consent_marketing",
    "consent_advertising",
    "form",
    "channel",
)


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"
    DIRECT, REFERRAL = "(direct)", "(referral)"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        sources = cache.get_or_set(
            "leads:admin:sources",
            lambda: list(
                Lead.objects.exclude(utm_source="")
                .order_by("utm_source")
                .values_list("utm_source", flat=True)
                .distinct()[:SOURCES_SHOWN]
            ),
            SOURCES_CACHE_SECONDS,
        ) or []
        return [
            (self.DIRECT, _("Direct (no UTM, no referrer)")),
            (self.REFERRAL, _("Referral (no UTM)")),
            *((source, source) for source in sources),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        value = self.value()
        if not value:
            return queryset
        if value == self.DIRECT:
            return queryset.filter(utm_source="", referrer="")
        if value == self.REFERRAL:
            return queryset.filter(utm_source="").exclude(referrer="")
        return queryset.filter(utm_source=value)


@admin.register(Lead)
class LeadAdmin(LargeListMixin, admin.ModelAdmin):
    list_display = (
        "account_name",
        "phone_formatted",
        "email",
        "created_at",
        "status",
        "form",
        "source",
        "consent",
        "is_blocked",
    )
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        "status",
        "form",
        "channel",
        consent_filter("person__"),
        blocked_filter("person"),
        SourceFilter,
    )
    list_select_related = ("person", "form")
    search_fields = ("email", "phone")
    search_help_text = _("An e-mail, its beginning, or a phone number in any format.")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    change_form_template = "admin/leads/lead/change_form.html"
    review_fields = ("status", "notes")
    fieldsets = (
        (None, {"fields": ("account_name", "email", "phone", "language", "person", "created_at")}),
        (_("Review"), {"fields": review_fields}),
        (_("Form"), {"fields": ("form", "channel", "source_tag", "api_key", "origin")}),
        (
            _("Visit"),
            {
                "fields": (
                    "ip",
                    "user_agent",
                    "accessed_at",
                    "page_url",
                    "referrer",
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_term",
                    "utm_content",
                    "ga_client_id",
                    "ym_uid",
                    "roistat_visit",
                    "receipt",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return super().get_queryset(request).annotate(is_blocked=blocked_annotation("person"))

    def get_readonly_fields(self, request: HttpRequest, obj: Lead | None = None) -> list[str]:
        return [f.name for f in Lead._meta.fields if f.name not in self.review_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        if obj is not None and person_is_blocked(obj.person_id):
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("phone"), ordering="phone")
    def phone_formatted(self, obj: Lead) -> str:
        return obj.phone_display

    @admin.display(description=_("source"), ordering="utm_source")
    def source(self, obj: Lead) -> str:
        if obj.utm_source:
            return "/".join(v for v in (obj.utm_source, obj.utm_medium, obj.utm_campaign) if v)
        if obj.referrer:
            return urlsplit(obj.referrer).hostname or obj.referrer[:60]
        return str(_("direct"))

    @admin.display(description=_("current consent"))
    def consent(self, obj: Lead) -> str:
        return consent_summary(obj.person)

    @admin.display(description=_("blocked"), boolean=True)
    def is_blocked(self, obj: Lead) -> bool:
        return bool(getattr(obj, "is_blocked", False))  # annotated in get_queryset

    def save_model(self, request: HttpRequest, obj: Lead, form: Any, change: bool) -> None:
        # Only status and notes are editable; the service checks the block and audits.
        lead_review(
            lead=obj,
            status=form.cleaned_data["status"],
            notes=form.cleaned_data["notes"],
            staff=staff_of(request),
            ip=client_ip(request),
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        lead = self.get_object(request, object_id) if object_id else None
        context = {
            **(extra_context or {}),
            "lead_blocked": lead is not None and person_is_blocked(lead.person_id),
        }
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except (RecordBlocked, ReviewError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if request.user.has_perm(EXPORT_PERMISSION):
            query = request.GET.urlencode()
            context["export_url"] = reverse("admin:leads_lead_export") + (
                f"?{query}" if query else ""
            )
        return super().changelist_view(request, context)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="leads_lead_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Stream the leads of the current filter as CSV (privacy officers only)."""
        if not self.has_view_permission(request) or not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related("person", "form")
        filters = {key: request.GET.getlist(key) for key in request.GET}
        try:
            _export, lines = data_export_start(
                staff=staff_of(request),
                source="leads",
                queryset=queryset,
                header=EXPORT_HEADER,
                row=export_row,
                filters=filters,
                ip=client_ip(request),
            )
        except ExportError as exc:
            raise PermissionDenied(str(exc)) from exc
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
        return response


def export_row(lead: Lead) -> tuple[Any, ...]:
    person = lead.person
    return (
        timezone.localtime(lead.created_at).isoformat(),
        lead.account_name,
        lead.email,
        lead.phone,
        lead.status,
        lead.utm_source,
        lead.utm_medium,
        lead.utm_campaign,
        lead.referrer,
        person.consent_processing,
        person.consent_marketing,
        person.consent_advertising,
        lead.form.slug,
        lead.channel,
    )


class LeadInline(ReadOnlyTabular):
    """A person's submissions with their visit metadata, on the person's page."""

    model = Lead
    verbose_name_plural = _("submissions (leads)")
    fields = (
        "created_at",
        "account_name",
        "status",
        "ip",
        "user_agent",
        "page_url",
        "referrer",
        "utm_source",
        "utm_campaign",
        "ga_client_id",
        "ym_uid",
        "roistat_visit",
    )
    readonly_fields = fields
    ordering = ("-created_at",)


register_person_inline(LeadInline)
