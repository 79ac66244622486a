"""Forms and their API keys in the admin: what each form offers and where, its statistics, the
tags to paste, and keys issued, rotated and revoked (each key's secret shown once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import staff_of
from privacy.people.models import Purpose
from privacy.people.visits import client_ip

from .keys import ApiKeyError, IssuedKey, api_key_issue, api_key_revoke, api_key_rotate
from .models import ApiKey, LandingForm, Lead
from .widget import iframe_snippet, widget_snippet

STATISTICS_DAYS = 30


def _lead_count(since: timedelta | None = None) -> Coalesce:
    """Leads of the row's form (since `since` ago): one index range per form, no scan."""
    leads = Lead.objects.filter(form=OuterRef("pk"))
    if since is not None:
        leads = leads.filter(created_at__gte=timezone.now() - since)
    count = leads.order_by().values("form").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


@admin.register(LandingForm)
class LandingFormAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "offers",
        "is_default",
        "is_active",
        "leads_7_days",
        "leads_30_days",
        "leads_total",
        "leads_link",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "source_tag")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "statistics", "widget_tag", "iframe_tag", "keys")
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active", "is_default", "source_tag")}),
        (_("What it asks"), {"fields": ("marketing", "advertising", "default_language")}),
        (_("Where it may be shown"), {"fields": ("allowed_origins", "widget_tag", "iframe_tag")}),
        (_("After sending"), {"fields": ("thank_you_url", "thank_you_message")}),
        (_("Statistics and keys"), {"fields": ("statistics", "keys", "created_at")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: LandingForm | None = None) -> Any:
        """The keys only to those who may open them (no link to a page one may not open)."""
        if request.user.has_perm("leads.view_apikey"):
            return self.fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "keys"]})
            for name, options in self.fieldsets
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LandingForm]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_week=_lead_count(timedelta(days=7)),
                n_month=_lead_count(timedelta(days=STATISTICS_DAYS)),
                n_total=_lead_count(),
            )
        )

    @admin.display(description=_("consents asked"))
    def offers(self, obj: LandingForm) -> str:
        return ", ".join(str(Purpose(purpose).label) for purpose in obj.purposes())

    @admin.display(description=_("leads, 7 days"), ordering="n_week")
    def leads_7_days(self, obj: LandingForm) -> int:
        return getattr(obj, "n_week", 0)

    @admin.display(description=_("leads, 30 days"), ordering="n_month")
    def leads_30_days(self, obj: LandingForm) -> int:
        return getattr(obj, "n_month", 0)

    @admin.display(description=_("leads, all"), ordering="n_total")
    def leads_total(self, obj: LandingForm) -> int:
        return getattr(obj, "n_total", 0)

    @admin.display(description=_("leads"))
    def leads_link(self, obj: LandingForm) -> str:
        url = reverse("admin:leads_lead_changelist") + f"?form__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("List"))

    @admin.display(description=_("statistics"))
    def statistics(self, obj: LandingForm) -> str:
        if obj.pk is None:
            return "—"
        since = timezone.now() - timedelta(days=STATISTICS_DAYS)
        leads = Lead.objects.filter(form=obj, created_at__gte=since)
        counted = leads.order_by().values("channel").annotate(n=Count("*"))
        by_channel = {row["channel"]: row["n"] for row in counted}
        rows = [(str(label), by_channel.get(value, 0)) for value, label in Lead.Channel.choices]
        total = sum(by_channel.values())
        marketing = leads.filter(person__consent_marketing="granted").count() if total else 0
        rows.append((str(_("with marketing consent now")), marketing))
        return format_html(
            "<p>{}</p><table><tbody>{}</tbody></table><p><a href='{}'>{}</a></p>",
            _("Leads of the last %(days)s days: %(total)s.")
            % {"days": STATISTICS_DAYS, "total": total},
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
            reverse("admin:leads_lead_changelist") + f"?form__id__exact={obj.pk}",
            _("See this form's leads"),
        )

    @admin.display(description=_("widget: paste this tag where the form should appear"))
    def widget_tag(self, obj: LandingForm) -> str:
        if obj.pk is None:
            return _("Save the form first.")
        return format_html(
            '<textarea readonly rows="3" cols="90" aria-label="{}">{}</textarea>',
            _("The widget's tag"),
            widget_snippet(obj),
        )

    @admin.display(description=_("iframe: for pages that allow no scripts"))
    def iframe_tag(self, obj: LandingForm) -> str:
        if obj.pk is None:
            return "—"
        return format_html(
            '<textarea readonly rows="3" cols="90" aria-label="{}">{}</textarea>',
            _("The iframe's tag"),
            iframe_snippet(obj),
        )

    @admin.display(description=_("API keys"))
    def keys(self, obj: LandingForm) -> str:
        if obj.pk is None:
            return "—"
        rows = [
            (
                reverse("admin:leads_apikey_change", args=[key.pk]),
                key.key_id,
                key.name,
                key.state_label(),
                key.use_count,
            )
            for key in obj.api_keys.all()
        ]
        add = reverse("admin:leads_apikey_add") + f"?form={obj.pk}"
        return format_html(
            "<ul>{}</ul><p><a href='{}'>{}</a></p>",
            format_html_join(
                "", "<li><a href='{}'><code>{}</code></a> {} ({}, {})</li>", rows
            )
            if rows
            else format_html("<li>{}</li>", _("none")),
            add,
            _("Issue a key for this form"),
        )


class ApiKeyRotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("The old key keeps working for (hours)"),
        min_value=0,
        max_value=24 * 90,
        initial=settings.API_KEY_ROTATION_OVERLAP_HOURS,
        help_text=_("Long enough to deploy the new key where the old one is used."),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "key_id",
        "name",
        "form",
        "state",
        "created_at",
        "last_used_at",
        "use_count",
        "expires_at",
    )
    list_filter = ("form",)
    list_select_related = ("form",)
    search_fields = ("prefix", "name")
    change_form_template = "admin/leads/apikey/change_form.html"

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("form", "name", "rate_limit")
        return (
            "key_id",
            "form",
            "name",
            "rate_limit",
            "state",
            "created_at",
            "created_by",
            "expires_at",
            "replaced_by",
            "revoked_at",
            "revoked_by",
            "last_used_at",
            "last_used_ip",
            "use_count",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return tuple(f for f in self.get_fields(request, obj) if f not in ("name", "rate_limit"))

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # leads name the key that sent them: revoke instead

    @admin.display(description=_("key id"), ordering="prefix")
    def key_id(self, obj: ApiKey) -> str:
        return format_html("<code>{}_…</code>", obj.key_id)

    @admin.display(description=_("state"))
    def state(self, obj: ApiKey) -> str:
        return obj.state_label()

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = api_key_issue(
            form=obj.form,
            name=obj.name,
            rate_limit=obj.rate_limit,
            staff=staff_of(request),
            ip=client_ip(request),
        )
        obj.pk, obj.prefix = issued.key.pk, issued.key.prefix
        request._issued_key = issued  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        return self._issued_page(request, request._issued_key)  # type: ignore[attr-defined]

    def _issued_page(self, request: HttpRequest, issued: IssuedKey) -> HttpResponse:
        """The one page that ever shows the secret: not cached, not put in a message cookie."""
        response = TemplateResponse(
            request,
            "admin/leads/apikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Copy the new key now"),
                "issued": issued,
                "replaced": ApiKey.objects.filter(replaced_by=issued.key).first(),
            },
        )
        add_never_cache_headers(response)
        response["Cache-Control"] += ", no-store"
        return response

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/rotate/", wrap(self.rotate_view), name="leads_apikey_rotate"),
            path("<int:pk>/revoke/", wrap(self.revoke_view), name="leads_apikey_revoke"),
            *super().get_urls(),
        ]

    def _key_for_change(self, request: HttpRequest, pk: int) -> ApiKey:
        key = get_object_or_404(ApiKey.objects.select_related("form"), pk=pk)
        if not self.has_change_permission(request, key):
            raise PermissionDenied
        return key

    def rotate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        key = self._key_for_change(request, pk)
        form = ApiKeyRotateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                issued = api_key_rotate(
                    key=key,
                    staff=staff_of(request),
                    overlap_hours=form.cleaned_data["overlap_hours"],
                    ip=client_ip(request),
                )
            except ApiKeyError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:leads_apikey_change", args=[pk]))
            return self._issued_page(request, issued)
        return self._confirm(request, key, "rotate", form)

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        key = self._key_for_change(request, pk)
        if request.method == "POST":
            try:
                api_key_revoke(key=key, staff=staff_of(request), ip=client_ip(request))
            except ApiKeyError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Key %(key)s revoked: it is refused from now on.") % {"key": key.key_id},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(reverse("admin:leads_apikey_change", args=[pk]))
        return self._confirm(request, key, "revoke", None)

    def _confirm(
        self, request: HttpRequest, key: ApiKey, action: str, form: forms.Form | None
    ) -> HttpResponse:
        titles = {"rotate": _("Rotate key %(key)s"), "revoke": _("Revoke key %(key)s")}
        return TemplateResponse(
            request,
            "admin/leads/apikey/confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": titles[action] % {"key": key.key_id},
                "key": key,
                "action": action,
                "form": form,
            },
        )
