"""Officers' admin for rights requests (against their clocks), incidents and disclosures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .deadlines import incident_clocks
from .disclosures import DisclosureError, disclosure_record
from .erasure import ERASE_PERMISSION
from .incidents import (
    NOTIFY_PERMISSION,
    IncidentError,
    incident_messages,
    incident_notify,
    incident_preview,
    incident_progress,
)
from .models import DataCategory, DataCorrection, Destruction, Disclosure, Incident, RightsRequest
from .rights import (
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
from .visits import client_ip

# The verification period of a block asked for in a request, as on a person's page.
BLOCK_REVIEW_DAYS = 30


class DueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", _("Overdue")), ("soon", _("Due soon")), ("open", _("Open"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.open().filter(due_on__lt=today)
        if self.value() == "soon":
            return queryset.due_by(today + timedelta(days=settings.RIGHTS_DUE_SOON_DAYS))
        if self.value() == "open":
            return queryset.open()
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
        staff, ip = request.user, client_ip(request)
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
                review_by=timezone.localdate() + timedelta(days=BLOCK_REVIEW_DAYS),
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


class CategoriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class IncidentForm(forms.ModelForm):
    data_categories = CategoriesField(label=_("data categories"), required=False)

    class Meta:
        model = Incident
        fields = (
            "title",
            "description",
            "occurred_at",
            "detected_at",
            "data_categories",
            "authority_notified_at",
            "investigation_reported_at",
            "audience",
            "affected_from",
            "affected_to",
            "notice_subject",
            "notice_body",
        )


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentForm
    list_display = ("title", "detected_at", "authority_notified_at", "notice_started_at")
    ordering = ("-detected_at",)
    change_form_template = "admin/privacy/incident/change_form.html"
    readonly_fields = ("notice_started_at", "notice_finished_at", "created_at", "created_by")
    fieldsets = (
        (None, {"fields": ("title", "description", "occurred_at", "detected_at")}),
        (_("Data concerned"), {"fields": ("data_categories",)}),
        (
            _("Authority clocks"),
            {"fields": ("authority_notified_at", "investigation_reported_at")},
        ),
        (
            _("Notice to the people affected"),
            {
                "fields": (
                    "audience",
                    "affected_from",
                    "affected_to",
                    "notice_subject",
                    "notice_body",
                    "notice_started_at",
                    "notice_finished_at",
                )
            },
        ),
        (None, {"fields": ("created_at", "created_by")}),
    )

    def save_model(self, request: HttpRequest, obj: Incident, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        incident = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if incident is not None:
            now = timezone.now()
            context["clocks"] = [
                {**clock, "left": clock["deadline"] - now} for clock in incident_clocks(incident)
            ]
            context["progress"] = incident_progress(incident)
            context["notified"] = incident_messages(incident).select_related("person")[:200]
            context["can_notify"] = (
                request.user.has_perm(NOTIFY_PERMISSION) and incident.notice_started_at is None
            )
            if "_preview" in request.GET and context["can_notify"]:
                try:
                    context["preview"] = incident_preview(incident=incident)
                except IncidentError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
        return super().change_view(request, object_id, form_url, context)

    def response_change(self, request: HttpRequest, obj: Incident) -> HttpResponse:
        if "_preview" in request.POST:
            return HttpResponseRedirect(request.path + "?_preview=1")
        if "_notify" in request.POST:
            try:
                incident_notify(incident=obj, staff=request.user, ip=client_ip(request))
            except IncidentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("The notice is being sent."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class DisclosureForm(forms.ModelForm):
    data_categories = CategoriesField(label=_("data categories released"))

    class Meta:
        model = Disclosure
        fields = (
            "authority",
            "legal_basis",
            "reference",
            "people",
            "data_categories",
            "released_at",
        )

    def clean_released_at(self) -> Any:
        value = self.cleaned_data.get("released_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("The release cannot be in the future."))
        return value


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    form = DisclosureForm
    list_display = ("authority", "reference", "released_at", "released_by", "people_count")
    list_select_related = ("released_by",)
    search_fields = ("authority", "reference")
    autocomplete_fields = ("people",)
    ordering = ("-released_at",)

    @admin.display(description=_("people"))
    def people_count(self, obj: Disclosure) -> int:
        return obj.people.count()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A record of what was released is kept as it was written.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "authority",
            "legal_basis",
            "reference",
            "people",
            "data_categories",
            "released_at",
            "released_by",
            "created_at",
        ]

    def save_model(self, request: HttpRequest, obj: Disclosure, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            saved = disclosure_record(
                authority=data["authority"],
                legal_basis=data["legal_basis"],
                reference=data.get("reference", ""),
                people=data["people"],
                data_categories=data["data_categories"],
                released_at=data.get("released_at"),
                staff=request.user,
                ip=client_ip(request),
            )
        except DisclosureError as exc:
            raise forms.ValidationError(str(exc)) from exc
        obj.pk = saved.pk
        obj.released_by = saved.released_by

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the people were saved by disclosure_record, with the record
