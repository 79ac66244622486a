"""Officers' admin of incidents (with their clocks and the notice to people) and disclosures.

Both are registers: nothing is deleted, what left the house stays as written, and a mistake
is put right by a new entry that points to the one it corrects ("Record a correction").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import staff_of
from privacy.incidents.models import DataCategory, Disclosure, Incident
from privacy.incidents.services import (
    NOTIFY_PERMISSION,
    TRANSLATION_INCOMPLETE,
    DisclosureError,
    IncidentError,
    disclosure_record,
    incident_clocks,
    incident_messages,
    incident_notify,
    incident_preview,
    incident_progress,
    incident_record,
)
from privacy.people.visits import client_ip

CORRECTION_REASON_REQUIRED = _("Say what this entry corrects, and why.")


class CategoriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class CorrectionFormMixin:
    """A new entry may correct an earlier one: then it must say what it corrects and why."""

    corrects: models.Model | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        if self.corrects is not None and not (cleaned.get("correction_reason") or "").strip():
            self.add_error("correction_reason", CORRECTION_REASON_REQUIRED)  # type: ignore[attr-defined]
        return cleaned


def other_languages() -> list[tuple[str, Any]]:
    """The site's languages but the default one: the notice may be written in each."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _translation_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for code, name in other_languages():
        fields[f"notice_subject_{code}"] = forms.CharField(
            label=_("notice subject (%(language)s)") % {"language": name},
            required=False,
            max_length=200,
        )
        fields[f"notice_body_{code}"] = forms.CharField(
            label=_("notice text (%(language)s)") % {"language": name},
            required=False,
            widget=forms.Textarea,
            help_text=_("Empty: these readers get the text above, in their language's frame."),
        )
    return fields


class IncidentFormBase(CorrectionFormMixin, forms.ModelForm):
    data_categories = CategoriesField(label=_("data categories"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        texts = self.instance.notice_translations or {}
        for code, _name in other_languages():
            for part, key in (("subject", "subject"), ("body", "body")):
                name = f"notice_{part}_{code}"
                if name in self.fields:
                    self.fields[name].initial = (texts.get(code) or {}).get(key, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is not None and self.instance.notice_frozen:
            return cleaned  # a started notice is fixed, in every language
        translations = {}
        for code, _name in other_languages():
            subject_field, body_field = f"notice_subject_{code}", f"notice_body_{code}"
            if subject_field not in self.fields:
                continue
            subject = (cleaned.get(subject_field) or "").strip()
            body = (cleaned.get(body_field) or "").strip()
            if bool(subject) != bool(body):
                self.add_error(body_field if subject else subject_field, TRANSLATION_INCOMPLETE)
            elif subject:
                translations[code] = {"subject": subject, "body": body}
        self.instance.notice_translations = translations
        cleaned["notice_translations"] = translations
        return cleaned

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
            "correction_reason",
        )


# The notice's fields for each other language, declared on the form (the admin's fieldsets
# may only name declared fields), from the settings' languages.
IncidentForm = type("IncidentForm", (IncidentFormBase,), _translation_fields())


def _corrects(request: HttpRequest, model: type[models.Model]) -> Any:
    """The entry a new one corrects, from ?corrects=<id> on the add page."""
    value = request.GET.get("corrects", "")
    if not value.isdigit():
        return None
    return model._default_manager.filter(pk=int(value)).first()


def _corrections_links(obj: Any, changelist: str) -> str:
    rows = list(obj.corrections.order_by("pk"))
    if not rows:
        return "—"
    return format_html_join(
        ", ",
        '<a href="{}">#{}</a>',
        ((reverse(f"admin:{changelist}_change", args=[row.pk]), row.pk) for row in rows),
    )


class RegisterAdmin(admin.ModelAdmin):
    """What incidents and disclosures share: no delete, corrections as new entries."""

    correction_copies: tuple[str, ...] = ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the register keeps every entry; the database refuses it too

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.corrects = _corrects(request, self.model) if obj is None else None  # type: ignore[attr-defined]
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        original = _corrects(request, self.model)
        if original is not None:
            for name in self.correction_copies:
                value = getattr(original, name)
                initial[name] = list(value.all()) if hasattr(value, "all") else value
        return initial

    @admin.display(description=_("corrects"))
    def corrects_link(self, obj: Any) -> str:
        if obj.corrects_id is None:
            return "—"
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.corrects_id])
        return format_html('<a href="{}">#{}</a>', url, obj.corrects_id)

    @admin.display(description=_("corrected by"))
    def corrected_by(self, obj: Any) -> str:
        opts = self.model._meta
        return _corrections_links(obj, f"{opts.app_label}_{opts.model_name}")

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = context.get("original")
        opts = self.model._meta
        if obj is not None and self.has_add_permission(request):
            context["correction_url"] = (
                reverse(f"admin:{opts.app_label}_{opts.model_name}_add") + f"?corrects={obj.pk}"
            )
        context["correcting"] = _corrects(request, self.model) if obj is None else None
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(Incident)
class IncidentAdmin(RegisterAdmin):
    form = IncidentForm
    list_display = (
        "__str__",
        "detected_at",
        "authority_notified_at",
        "notice_started_at",
        "corrects_link",
    )
    ordering = ("-detected_at",)
    change_form_template = "admin/privacy/incident/change_form.html"
    correction_copies = (
        Incident.FACTS
        + Incident.FIRST_NOTICE
        + ("rkn_incident_reference",)
        + Incident.INVESTIGATION
        + Incident.CLOCKS[:2]
        + Incident.NOTICE[:-1]  # the other languages' texts come through the form's initial
    )
    always_read_only = (
        "notice_started_at",
        "notice_finished_at",
        "created_at",
        "created_by",
        "corrects_link",
        "corrected_by",
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        correction: tuple[str, ...] = ("corrects_link", "correction_reason", "corrected_by")
        if obj is None:
            correction = ("correction_reason",) if _corrects(request, Incident) else ()
        fieldsets: list[Any] = [
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
                        *Incident.FIRST_NOTICE,
                        "rkn_incident_reference",
                        *Incident.INVESTIGATION,
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
                        *self._translation_fields(obj),
                        *(("notice_started_at", "notice_finished_at") if obj else ()),
                    )
                },
            ),
        ]
        if correction:
            fieldsets.append((_("Correction"), {"fields": correction}))
        if obj is not None:
            fieldsets.append((None, {"fields": ("created_at", "created_by")}))
        return fieldsets

    @staticmethod
    def _translation_fields(obj: Incident | None) -> list[str]:
        if obj is not None and obj.notice_frozen:
            return ["notice_in_other_languages"]
        return [
            f"notice_{part}_{code}"
            for code, _name in other_languages()
            for part in ("subject", "body")
        ]

    @admin.display(description=_("notice in other languages"))
    def notice_in_other_languages(self, obj: Incident) -> str:
        texts = obj.notice_translations or {}
        if not texts:
            return "—"
        return format_html_join(
            "",
            "<p><strong>{}: {}</strong></p><p>{}</p>",
            (
                (code, text.get("subject", ""), text.get("body", ""))
                for code, text in sorted(texts.items())
            ),
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        original = _corrects(request, Incident)
        for code, text in ((original.notice_translations or {}) if original else {}).items():
            initial[f"notice_subject_{code}"] = text.get("subject", "")
            initial[f"notice_body_{code}"] = text.get("body", "")
        return initial

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = [*self.always_read_only, "notice_in_other_languages"]
        if obj is None:
            return readonly
        readonly.append("correction_reason")
        if obj.facts_frozen:
            readonly += Incident.FACTS + Incident.FIRST_NOTICE
        if obj.investigation_reported_at is not None:
            readonly += Incident.INVESTIGATION
        if obj.rkn_incident_reference:
            readonly.append("rkn_incident_reference")
        if obj.notice_frozen:
            readonly += Incident.NOTICE
        readonly += [clock for clock in Incident.CLOCKS[:2] if getattr(obj, clock) is not None]
        return readonly

    def save_model(self, request: HttpRequest, obj: Incident, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        try:
            saved = incident_record(
                staff=staff_of(request),
                corrects=form.corrects,
                ip=client_ip(request),
                notice_translations=data.get("notice_translations") or {},
                **{name: data.get(name) for name in form.Meta.fields if name in data},
            )
        except IncidentError as exc:  # the form checked the same; a race at most
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk
        obj.created_by = saved.created_by

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/notice/",
                wrap(self.notice_view),
                name="privacy_incident_notice",
            ),
            *super().get_urls(),
        ]

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
        return super().change_view(request, object_id, form_url, context)

    def response_change(self, request: HttpRequest, obj: Incident) -> HttpResponse:
        if "_preview" in request.POST or "_notify" in request.POST:
            # Saved; the notice goes only from its preview, after a look at what goes to whom.
            return HttpResponseRedirect(reverse("admin:privacy_incident_notice", args=[obj.pk]))
        return super().response_change(request, obj)

    def notice_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The notice as each person will read it, in each language, and to how many; send."""
        incident = get_object_or_404(Incident, pk=object_id)
        if not request.user.has_perm(NOTIFY_PERMISSION):
            raise PermissionDenied
        change_url = reverse("admin:privacy_incident_change", args=[incident.pk])
        if incident.notice_started_at is not None:
            self.message_user(request, _("The notice of this incident has already been sent."))
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                incident_notify(
                    incident=incident,
                    staff=staff_of(request),
                    previewed=request.POST.get("previewed", ""),
                    ip=client_ip(request),
                )
            except IncidentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(request, _("The notice is being sent."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        try:
            preview = incident_preview(incident=incident)
        except IncidentError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send the notice of %(incident)s?") % {"incident": incident},
            "opts": self.opts,
            "original": incident,
            "preview": preview,
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/privacy/incident/notice_preview.html", context)


class DisclosureForm(CorrectionFormMixin, forms.ModelForm):
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
            "correction_reason",
        )

    def clean_released_at(self) -> Any:
        value = self.cleaned_data.get("released_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("The release cannot be in the future."))
        return value


@admin.register(Disclosure)
class DisclosureAdmin(RegisterAdmin):
    form = DisclosureForm
    list_display = (
        "authority",
        "reference",
        "released_at",
        "released_by",
        "people_count",
        "corrects_link",
    )
    list_select_related = ("released_by",)
    search_fields = ("authority", "reference")
    autocomplete_fields = ("people",)
    ordering = ("-released_at",)
    change_form_template = "admin/privacy/disclosure/change_form.html"
    correction_copies = (
        "authority",
        "legal_basis",
        "reference",
        "people",
        "data_categories",
        "released_at",
    )

    @admin.display(description=_("people"))
    def people_count(self, obj: Disclosure) -> int:
        return obj.people.count()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A record of what was released is kept as it was written.
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.correction_copies)
        if obj is not None:
            return [*fields, "released_by", "created_at", *self._correction_fields(obj)]
        if _corrects(request, Disclosure) is not None:
            fields.append("correction_reason")
        return fields

    @staticmethod
    def _correction_fields(obj: Disclosure) -> list[str]:
        return ["corrects_link", "correction_reason", "corrected_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            *self.correction_copies,
            "released_by",
            "created_at",
            *self._correction_fields(obj),
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
                corrects=form.corrects,
                correction_reason=data.get("correction_reason", ""),
                staff=staff_of(request),
                ip=client_ip(request),
            )
        except DisclosureError as exc:  # the form checked the same; a race at most
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk
        obj.released_by = saved.released_by

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the people were saved by disclosure_record, with the record
