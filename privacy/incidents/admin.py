"""Officers' admin of incidents (with their clocks and the notice to people) and disclosures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import staff_of
from privacy.incidents.models import DataCategory, Disclosure, Incident
from privacy.incidents.services import (
    NOTIFY_PERMISSION,
    DisclosureError,
    IncidentError,
    disclosure_record,
    incident_clocks,
    incident_messages,
    incident_notify,
    incident_preview,
    incident_progress,
)
from privacy.people.visits import client_ip


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
            "information_system",
            "presumed_causes",
            "presumed_harm",
            "measures_taken",
            "rkn_contact",
            "rkn_incident_reference",
            "investigation_results",
            "responsible_persons",
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
            _("Notices to Roskomnadzor (152-FZ Art. 21 part 3.1)"),
            {
                "fields": (
                    "information_system",
                    "presumed_causes",
                    "presumed_harm",
                    "measures_taken",
                    "rkn_contact",
                    "rkn_incident_reference",
                    "investigation_results",
                    "responsible_persons",
                )
            },
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
            obj.created_by = staff_of(request)
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
                incident_notify(incident=obj, staff=staff_of(request), ip=client_ip(request))
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
                staff=staff_of(request),
                ip=client_ip(request),
            )
        except DisclosureError as exc:
            raise forms.ValidationError(str(exc)) from exc
        obj.pk = saved.pk
        obj.released_by = saved.released_by

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the people were saved by disclosure_record, with the record
