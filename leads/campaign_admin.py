"""Campaigns in admin: compose, see the audience the gate allows, start, pause, resume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts.models import staff_of

from .campaigns import (
    CampaignStateError,
    campaign_audience_count,
    campaign_pause,
    campaign_progress,
    campaign_resume,
    campaign_start,
)
from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "status", "created_at", "started_at", "finished_at")
    list_filter = ("status", "purpose")
    readonly_fields = ("status", "audience", "progress", "started_at", "finished_at")
    actions = ("start", "pause", "resume")
    change_form_template = "admin/leads/campaign/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            fields += ["name", "purpose", "subject", "body_text"]  # content frozen once sent
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = staff_of(request)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Campaign.Status.DRAFT

    @admin.display(description=_("audience the gate allows now"))
    def audience(self, obj: Campaign) -> int | str:
        return "—" if obj.pk is None else campaign_audience_count(campaign=obj)

    @admin.display(description=_("progress"))
    def progress(self, obj: Campaign) -> StrOrPromise:
        if obj.pk is None:
            return "—"
        counts = campaign_progress(campaign=obj)
        return (
            format_html(
                "<ul>{}</ul>",
                format_html_join("", "<li>{}: {}</li>", ((k, v) for k, v in counts.items() if v)),
            )
            if any(counts.values())
            else _("nothing queued yet")
        )

    def _run(self, request, queryset, service, done: StrOrPromise) -> None:
        if not request.user.has_perm("leads.send_campaign"):
            self.message_user(request, _("You may not send campaigns."), messages.ERROR)
            return
        for campaign in queryset:
            try:
                service(campaign=campaign)
            except CampaignStateError as error:
                self.message_user(request, f"{campaign}: {error}", messages.WARNING)
            else:
                self.message_user(request, f"{campaign}: {done}", messages.SUCCESS)

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm("leads.send_campaign")

    @admin.action(description=_("Start sending the selected campaigns"), permissions=["send"])
    def start(self, request, queryset):
        self._run(request, queryset, campaign_start, _("sending started"))

    @admin.action(description=_("Pause the selected campaigns"), permissions=["send"])
    def pause(self, request, queryset):
        self._run(request, queryset, campaign_pause, _("paused"))

    @admin.action(description=_("Resume the selected campaigns"), permissions=["send"])
    def resume(self, request, queryset):
        self._run(request, queryset, campaign_resume, _("resumed"))
