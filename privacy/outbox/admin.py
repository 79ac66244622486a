"""The messages in the admin: every e-mail's fate, and retrying failed ones."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import staff_of
from privacy.outbox.models import Message
from privacy.outbox.services import RETRY_PERMISSION, RetryError, messages_retry
from privacy.people.changelists import LargeListMixin, ReadOnlyMixin, ReadOnlyTabular
from privacy.people.visits import client_ip


class MessageInline(ReadOnlyTabular):
    model = Message
    verbose_name_plural = _("messages (sent, skipped, failed)")
    fields = (
        "created_at",
        "kind",
        "to_email",
        "status",
        "skip_reason",
        "attempts",
        "error",
        "finished_at",
    )
    readonly_fields = fields
    ordering = ("-created_at",)


@admin.register(Message)
class MessageAdmin(LargeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "to_email",
        "status",
        "skip_reason",
        "attempts",
        "short_error",
        "finished_at",
    )
    list_filter = ("status", "kind", "skip_reason")
    contact_fields = {"email": "to_email", "phone": "person__phone"}
    search_fields = ("to_email",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry"]
    readonly_fields = [field.name for field in Message._meta.fields]

    @admin.display(description=_("last error"))
    def short_error(self, obj: Message) -> str:
        return obj.error[:120]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.action(description=_("Retry the failed messages"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        failed = list(queryset.filter(status=Message.Status.FAILED).select_related("person"))
        try:
            count = messages_retry(messages=failed, staff=staff_of(request), ip=client_ip(request))
        except RetryError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)d failed message(s) queued again; the gate decides again at sending.")
            % {"count": count},
            messages.SUCCESS,
        )
