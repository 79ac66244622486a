"""The processing register in the admin: officers keep it (every save a revision, audited),
see what is due, print the notices and draft the consent texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import staff_of
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_request
from privacy.documents.models import DocumentVersion
from privacy.incidents.models import Incident
from privacy.people.visits import client_ip
from privacy.register.history import entry_snapshot
from privacy.register.integrations import integrations_sync, purposes_sync
from privacy.register.models import (
    ChangeNotice,
    CrossBorderNotice,
    Operator,
    ProcessingPurpose,
    Processor,
    RegisterChange,
    RegisterRevision,
)
from privacy.register.notices import (
    NoticeDocument,
    changes_notice,
    cross_border_notice,
    incident_notice,
    notice_docx,
    processing_notice,
)
from privacy.register.selectors import (
    change_months_pending,
    operator_missing_fields,
    processor_transfer_state,
    register_clocks,
    register_load,
)
from privacy.register.services import (
    DRAFT_PERMISSION,
    RegisterError,
    change_notice_record,
    consent_draft_create,
    register_changes_record,
)
from privacy.register.vocabulary import ACTIONS, CHANNELS, DATA_ITEMS, choices_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class HistoryForm(forms.ModelForm):
    change_happened_on = forms.DateField(
        label=_("the change happened on"),
        required=False,
        help_text=_(
            "Only if it happened on another day than today (e.g. the address changed in the "
            "state register last month): the notice of changes is due by the 15th of the "
            "month after it happened."
        ),
    )


class RegisterHistoryAdmin(admin.ModelAdmin):
    """Every save and delete becomes a register revision with its audit entry."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
        request._register_before = entry_snapshot(stored) if stored else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        try:
            register_changes_record(
                instance=form.instance,
                before=getattr(request, "_register_before", None),
                staff=staff_of(request),
                effective_on=form.cleaned_data.get("change_happened_on"),
                ip=client_ip(request),
            )
        except RegisterError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = entry_snapshot(obj)
        super().delete_model(request, obj)
        register_changes_record(
            instance=obj,
            before=before,
            staff=staff_of(request),
            deleted=True,
            ip=client_ip(request),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class OperatorForm(HistoryForm):
    class Meta:
        model = Operator
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)


@admin.register(Operator)
class OperatorAdmin(RegisterHistoryAdmin):
    """The register's home: what is due, the operator's details, the notices to print."""

    form = OperatorForm
    fieldsets = (
        (
            _("The operator (Art. 22 part 3 item 1)"),
            {
                "fields": (
                    "full_name_ru",
                    "short_name_ru",
                    "name_en",
                    "inn",
                    "ogrn",
                    "legal_address_ru",
                    "address_en",
                    "postal_address_ru",
                    "subject_contact_email",
                )
            },
        ),
        (
            _("Person responsible for processing (Art. 22.1; Art. 22 part 3 item 7.1)"),
            {
                "fields": (
                    "responsible_name",
                    "responsible_position",
                    "responsible_phone",
                    "responsible_email",
                    "responsible_postal_address",
                    "responsible_appointed_by",
                )
            },
        ),
        (
            _("Roskomnadzor"),
            {
                "fields": (
                    "rkn_territorial_body",
                    "rkn_registry_number",
                    "rkn_notification_sent_on",
                    "rkn_notification_number",
                )
            },
        ),
        (
            _("Processing and security (Art. 22 part 3 items 7-11)"),
            {
                "fields": (
                    "processing_start_date",
                    "processing_end_condition_ru",
                    "processing_regions",
                    "security_measures_ru",
                    "crypto_tools",
                    "security_level",
                    "database_locations",
                )
            },
        ),
        (None, {"fields": ("change_happened_on",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("notices/<slug:which>/", wrap(self.notice_view), name="privacy_operator_notice"),
            path(
                "notices/incident/<int:pk>/<slug:which>/",
                wrap(self.incident_notice_view),
                name="privacy_operator_incident_notice",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if self.has_change_permission(request):
            purposes_sync()
            created = integrations_sync()
            if created:
                self.message_user(
                    request,
                    _(
                        "New integrations were added to the register: %(names)s. Check their "
                        "details."
                    )
                    % {"names": ", ".join(str(p) for p in created)},
                    messages.WARNING,
                )
        register = register_load()
        from privacy.register.guard import processors_guarded
        from privacy.register.publishing import consent_publish_check

        purposes = []
        for purpose in register.purposes:
            version = (
                DocumentVersion.objects.in_force(purpose.document_kind)
                if purpose.document_kind
                else None
            )
            findings = consent_publish_check(version) if version is not None else []
            purposes.append(
                {
                    "purpose": purpose,
                    "version": version,
                    "gaps": [f for f in findings if f.blocking],
                    "advisories": [f for f in findings if not f.blocking],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Processing register"),
            "opts": self.opts,
            "register": register,
            "clocks": register_clocks(),
            "guarded": processors_guarded(),
            "missing": operator_missing_fields(register.operator),
            "purposes": purposes,
            "print_links": [
                {
                    "label": _("Notice of changes of %(month)s") % {"month": f"{m.month:%m.%Y}"},
                    "url": reverse(
                        "admin:privacy_operator_notice", args=[f"changes-{m.month:%Y-%m}"]
                    ),
                    "due": m.due,
                }
                for m in change_months_pending()
            ]
            + [
                {
                    "label": _("Cross-border transfer notice (Art. 12): %(notice)s")
                    % {"notice": notice},
                    "url": reverse(
                        "admin:privacy_operator_notice", args=[f"cross-border-{notice.pk}"]
                    ),
                    "due": None,
                }
                for notice in CrossBorderNotice.objects.all()[:50]
            ],
            "incidents": Incident.objects.order_by("-detected_at")[:10],
            "can_draft": request.user.has_perm(DRAFT_PERMISSION),
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/privacy/register/overview.html", context)

    def _render_notice(self, request: HttpRequest, document: NoticeDocument) -> HttpResponse:
        audit_request(
            request,
            action=AuditAction.NOTICE_DRAFTED,
            detail={
                "notice": document.slug,
                "revision": document.revision,
                "format": request.GET.get("format", "html"),
            },
        )
        if request.GET.get("format") == "docx":
            response = HttpResponse(notice_docx(document), content_type=DOCX)
            response["Content-Disposition"] = f'attachment; filename="{document.slug}.docx"'
            response["Cache-Control"] = "private, no-store"
            return response
        return TemplateResponse(
            request,
            "admin/privacy/register/notice.html",
            {
                **self.admin_site.each_context(request),
                "document": document,
                "opts": self.opts,
                "title": document.title,
            },
        )

    def notice_view(self, request: HttpRequest, which: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        register = register_load()
        if which == "processing":
            return self._render_notice(request, processing_notice(register))
        if which.startswith("changes-"):
            try:
                year, month = (int(x) for x in which.removeprefix("changes-").split("-"))
                first = date(year, month, 1)
            except ValueError as exc:
                raise Http404 from exc
            return self._render_notice(request, changes_notice(register, first))
        if which.startswith("cross-border-") and which.removeprefix("cross-border-").isdigit():
            notice = get_object_or_404(
                CrossBorderNotice, pk=int(which.removeprefix("cross-border-"))
            )
            return self._render_notice(request, cross_border_notice(register, notice))
        raise Http404

    def incident_notice_view(self, request: HttpRequest, pk: int, which: str) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm(
            "privacy.view_incident"
        ):
            raise PermissionDenied
        if which not in ("24h", "72h"):
            raise Http404
        incident = get_object_or_404(Incident, pk=pk)
        return self._render_notice(request, incident_notice(register_load(), incident, which))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        Operator.load()
        return super().change_view(request, object_id, form_url, extra_context)


class PurposeForm(HistoryForm):
    data_items = forms.MultipleChoiceField(
        label=_("personal data"),
        choices=choices_of(DATA_ITEMS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    actions = forms.MultipleChoiceField(
        label=_("actions (Art. 3 item 3)"),
        choices=choices_of(ACTIONS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=choices_of(CHANNELS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ProcessingPurpose
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)


@admin.register(ProcessingPurpose)
class ProcessingPurposeAdmin(RegisterHistoryAdmin):
    form = PurposeForm
    list_display = ("__str__", "code", "document_kind", "active")
    actions = ["draft_consent_texts"]
    fieldsets = (
        (None, {"fields": ("code", "title_ru", "title_en", "document_kind", "active", "position")}),
        (
            _("What and whose (Art. 22 part 3 items 2-6)"),
            {
                "fields": (
                    "legal_basis_ru",
                    "data_items",
                    "subject_categories_ru",
                    "subject_categories_en",
                    "actions",
                    "methods",
                )
            },
        ),
        (
            _("Term, storage and destruction (Art. 9 part 4 item 8; Art. 18.1)"),
            {
                "fields": (
                    "consent_term_ru",
                    "consent_term_en",
                    "retention_ru",
                    "retention_en",
                    "destruction_ru",
                    "destruction_en",
                )
            },
        ),
        (
            _("Special rules"),
            {"fields": ("written_consent_required", "direct_marketing", "channels")},
        ),
        (None, {"fields": ("change_happened_on",)}),
    )

    @admin.action(description=_("Draft consent texts from the register"))
    def draft_consent_texts(
        self, request: HttpRequest, queryset: QuerySet[ProcessingPurpose]
    ) -> None:
        if not request.user.has_perm(DRAFT_PERMISSION):
            raise PermissionDenied
        drafts = []
        for purpose in queryset:
            try:
                drafts.append(
                    consent_draft_create(
                        purpose=purpose, staff=staff_of(request), ip=client_ip(request)
                    )
                )
            except RegisterError as exc:
                self.message_user(request, f"{purpose}: {exc}", messages.ERROR)
        if drafts:
            self.message_user(
                request,
                _(
                    "Drafted %(count)d consent text(s); a publisher reviews and publishes them: "
                    "%(drafts)s"
                )
                % {"count": len(drafts), "drafts": ", ".join(f"#{d.pk}" for d in drafts)},
                messages.SUCCESS,
            )


class ProcessorForm(HistoryForm):
    data_items = forms.MultipleChoiceField(
        label=_("personal data it receives"),
        choices=choices_of(DATA_ITEMS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Processor
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country", "")).upper()


@admin.register(Processor)
class ProcessorAdmin(RegisterHistoryAdmin):
    form = ProcessorForm
    list_display = (
        "__str__",
        "country",
        "cross_border",
        "transfer",
        "integration_key",
        "enabled",
        "verified",
    )
    list_filter = ("enabled", "verified", "role")
    filter_horizontal = ("purposes",)
    readonly_fields = ("integration_key", "transfer")

    @admin.display(description=_("abroad"), boolean=True)
    def cross_border(self, obj: Processor) -> bool:
        return obj.is_cross_border

    @admin.display(description=_("may receive data now"))
    def transfer(self, obj: Processor) -> str:
        state = processor_transfer_state(obj)
        return str(_("yes")) if state.allowed else f"{_('no')}: {state.reason}"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.integration_key:
            return (*self.readonly_fields, "enabled")  # the settings decide
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.integration_key and obj.enabled:
            return False  # the code uses it: the register must keep it
        return super().has_delete_permission(request, obj)


class CrossBorderNoticeForm(HistoryForm):
    class Meta:
        model = CrossBorderNotice
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)

    def clean_countries(self) -> str:
        return str(self.cleaned_data.get("countries", "")).upper()

    def clean_adequate_countries(self) -> str:
        return str(self.cleaned_data.get("adequate_countries", "")).upper()


@admin.register(CrossBorderNotice)
class CrossBorderNoticeAdmin(RegisterHistoryAdmin):
    form = CrossBorderNoticeForm
    list_display = ("__str__", "sent_on", "received_by_rkn_on", "may_start", "decision")
    filter_horizontal = ("processors",)

    @admin.display(description=_("transfer may start"))
    def may_start(self, obj: CrossBorderNotice) -> str:
        from privacy.register.clocks import cross_border_may_start
        from privacy.register.selectors import notice_facts

        start = cross_border_may_start(notice_facts(obj))
        return start.strftime("%d.%m.%Y") if start else "—"


class ChangeNoticeForm(forms.ModelForm):
    class Meta:
        model = ChangeNotice
        fields = ("month", "sent_on", "reference")


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(admin.ModelAdmin):
    form = ChangeNoticeForm
    list_display = ("__str__", "sent_on", "reference", "recorded_at", "recorded_by")
    list_select_related = ("recorded_by",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ChangeNotice, form: Any, change: bool) -> None:
        try:
            saved = change_notice_record(
                month=form.cleaned_data["month"],
                sent_on=form.cleaned_data["sent_on"],
                reference=form.cleaned_data.get("reference", ""),
                staff=staff_of(request),
                ip=client_ip(request),
            )
        except RegisterError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk


class RegisterChangeInline(admin.TabularInline):
    model = RegisterChange
    fields = ("object_repr", "field", "old", "new", "item", "effective_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegisterRevision)
class RegisterRevisionAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "created_by", "summary")
    list_select_related = ("created_by",)
    inlines = [RegisterChangeInline]
    readonly_fields = ("created_at", "created_by", "summary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
