"""Officers' admin for rights requests (against their clocks), incidents and disclosures."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts.models import staff_of
from accounts.selectors import staff_with_permission
from privacy.blocks.models import DEFAULT_VERIFICATION_DAYS
from privacy.people.visits import client_ip
from privacy.rights.erasure import ERASE_PERMISSION
from privacy.rights.models import DataCorrection, Destruction, RightsRequest, RightsRequestQuerySet
from privacy.rights.services import (
    ANSWER_PERMISSION,
    RightsError,
    request_answer,
    request_answer_with_export,
    request_block,
    request_erase,
    request_extend,
    request_reject,
    request_take,
)


class DueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("overdue", _("Overdue")), ("soon", _("Due soon")), ("open", _("Open"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        requests = cast(RightsRequestQuerySet, queryset)  # the admin's queryset is ours
        today = timezone.localdate()
        if self.value() == "overdue":
            return requests.open().filter(due_on__lt=today)
        if self.value() == "soon":
            return requests.due_by(today + timedelta(days=settings.RIGHTS_DUE_SOON_DAYS))
        if self.value() == "open":
            return requests.open()
        return queryset


class OfficerInline(admin.TabularInline):
    """Rows of a request shown to whoever may see the request (no permission of their own)."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("privacy.view_rightsrequest")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DataCorrectionInline(OfficerInline):
    model = DataCorrection
    fields = readonly_fields = ("created_at", "field", "before", "after")


class DestructionInline(OfficerInline):
    model = Destruction
    fields = readonly_fields = ("created_at", "created_by", "ground", "destroyed")


# Buttons of the change page: (POST name, label, permission, service call).
ACTIONS = {
    "_take": _("Take it (in progress, assigned to me)"),
    "_answer": _("Send the answer"),
    "_reject": _("Reject with the reason"),
    "_extend": _("Extend the deadline with the reason"),
    "_export": _("Send the data export link"),
    "_erase": _("Erase the person's data and answer"),
    "_block": _("Block the person's data and answer"),
}


@admin.register(RightsRequest)
class RightsRequestAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "status",
        "received_at",
        "deadline",
        "assignee",
        "answered_at",
    )
    list_filter = (DueFilter, "status", "kind")
    list_select_related = ("assignee",)
    ordering = ("due_on", "-received_at")
    date_hierarchy = "received_at"
    change_form_template = "admin/privacy/rightsrequest/change_form.html"
    inlines = (DataCorrectionInline, DestructionInline)
    fields = (
        "kind",
        "status",
        "person",
        "purpose",
        "details",
        "language",
        "received_at",
        "verified_at",
        "due_on",
        "extended_at",
        "assignee",
        "answer",
        "rejection_reason",
        "extension_reason",
        "answered_at",
        "answered_by",
    )
    editable = ("assignee", "answer", "rejection_reason", "extension_reason")

    class Media:
        css = {"all": ("privacy/rights_admin.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests come from people, through the public form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_open:
            return [f for f in self.fields if f not in self.editable]
        return list(self.fields)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "assignee":
            # Only people who can act on the request: others would meet a 403 on it.
            kwargs["queryset"] = staff_with_permission(ANSWER_PERMISSION).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RightsRequest]:
        # Requests never confirmed are not requests yet: an address nobody proved.
        return super().get_queryset(request).exclude(status=RightsRequest.Status.NEW)

    @admin.display(description=_("due"), ordering="due_on")
    def deadline(self, obj: RightsRequest) -> str:
        if obj.due_on is None:
            return "—"
        left = obj.days_left()
        if left is None:
            return format_html("{}", obj.due_on)
        if left < 0:
            return format_html(
                '<span class="rights-overdue">{} ({})</span>',
                obj.due_on,
                _("overdue by %(days)d d") % {"days": -left},
            )
        if left <= settings.RIGHTS_DUE_SOON_DAYS:
            return format_html(
                '<span class="rights-due-soon">{} ({})</span>',
                obj.due_on,
                _("%(days)d d left") % {"days": left},
            )
        return format_html("{}", obj.due_on)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        can_answer = request.user.has_perm(ANSWER_PERMISSION)
        buttons = []
        if obj is not None and obj.is_open and can_answer:
            kind = RightsRequest.Kind
            names = ["_take", "_answer", "_reject", "_extend"]
            if obj.kind == kind.ACCESS:
                names.append("_export")
            if obj.kind in (kind.ERASURE, kind.WITHDRAWAL) and request.user.has_perm(
                ERASE_PERMISSION
            ):
                names.append("_erase")
            if obj.kind == kind.BLOCKING:
                names.append("_block")
            buttons = [(name, ACTIONS[name]) for name in names]
        context = {**(extra_context or {}), "rights_buttons": buttons}
        return super().change_view(request, object_id, form_url, context)

    def response_change(self, request: HttpRequest, obj: RightsRequest) -> HttpResponse:
        action = next((name for name in ACTIONS if name in request.POST), None)
        if action is None:
            return super().response_change(request, obj)
        staff, ip = staff_of(request), client_ip(request)
        calls = {
            "_take": lambda: request_take(request=obj, staff=staff),
            "_answer": lambda: request_answer(request=obj, staff=staff, answer=obj.answer),
            "_reject": lambda: request_reject(
                request=obj, staff=staff, reason=obj.rejection_reason
            ),
            "_extend": lambda: request_extend(
                request=obj, staff=staff, reason=obj.extension_reason
            ),
            "_export": lambda: request_answer_with_export(request=obj, staff=staff),
            "_erase": lambda: request_erase(request=obj, staff=staff, ip=ip),
            "_block": lambda: request_block(
                request=obj,
                staff=staff,
                review_by=timezone.localdate() + timedelta(days=DEFAULT_VERIFICATION_DAYS),
                ip=ip,
            ),
        }
        try:
            calls[action]()
        except RightsError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, _("Done: %(action)s.") % {"action": ACTIONS[action]})
        return HttpResponseRedirect(request.path)
