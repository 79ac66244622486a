"""Drafting, previewing and publishing legal document versions in the admin."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import staff_of
from privacy.audit.approvals import (
    Act,
    ApprovalError,
    ApprovalPending,
    approval_pending,
    approval_required,
    approval_withdraw,
)
from privacy.documents.models import DocumentText, DocumentVersion, language_name, legal_languages
from privacy.documents.reconsent import ReconsentOfferForm
from privacy.documents.services import (
    OVERRIDE_REASON_MIN_LENGTH,
    PUBLISH_PERMISSION,
    PublishError,
    document_draft_from,
    document_findings,
    document_publish,
    document_texts_check,
)
from privacy.documents.views import text_language, version_page_context
from privacy.people.visits import client_ip

EFFECTIVE_IN_THE_PAST = _("A version cannot take effect in the past; leave it empty for now.")


class DocumentVersionForm(forms.ModelForm):
    class Meta:
        model = DocumentVersion
        fields = ["kind", "effective_at", "material"]

    def clean_effective_at(self) -> Any:
        effective_at = self.cleaned_data["effective_at"]
        if effective_at is not None and effective_at < timezone.now():
            raise forms.ValidationError(EFFECTIVE_IN_THE_PAST)
        return effective_at


class DocumentTextForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"))

    class Meta:
        model = DocumentText
        fields = ["language", "title", "body", "change_summary"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, language_name(code)) for code in legal_languages()]


class DocumentTextInline(admin.StackedInline):
    """The version's text in each legal language: all of them before it can be published."""

    model = DocumentText
    form = DocumentTextForm
    fields = ("language", "title", "body", "change_summary", "sha256")
    readonly_fields = ("sha256",)
    can_delete = True
    extra = 0

    def get_max_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        if obj is not None and obj.is_published:
            return len(obj.texts_by_language())
        return len(legal_languages())

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        if obj is not None and obj.is_published:
            return 0
        have = set(obj.texts_by_language()) if obj is not None else set()
        return len([code for code in legal_languages() if code not in have])

    # The texts are part of their version: whoever may draft versions may write their texts,
    # with the version's permissions (no separate ones to grant to each role).
    def _may(self, request: HttpRequest, action: str) -> bool:
        return request.user.has_perm(f"privacy.{action}_documentversion")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "view") or self._may(request, "change")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return self._may(request, "change") or (obj is None and self._may(request, "add"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return self._may(request, "change") or (obj is None and self._may(request, "add"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return self._may(request, "change")


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    form = DocumentVersionForm
    inlines = [DocumentTextInline]
    list_display = (
        "__str__",
        "title",
        "languages_display",
        "status",
        "effective_at",
        "published_at",
        "published_by",
        "in_force",
        "material",
    )
    list_filter = ("kind", "status", "material")
    list_select_related = ("published_by",)
    search_fields = ("texts__title", "texts__body", "texts__change_summary")
    ordering = ("kind", "-number", "-created_at")
    actions = ["copy_into_new_draft"]
    change_form_template = "admin/privacy/documentversion/change_form.html"
    published_fields = (
        "kind",
        "number",
        "status",
        "effective_at",
        "published_at",
        "published_by",
        "material",
    )

    def view_on_site(self, obj: DocumentVersion) -> str | None:
        # A draft has no public page yet: "Preview as the public sees it" shows it instead.
        return obj.get_absolute_url() if obj.is_published else None

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentVersion]:
        return super().get_queryset(request).prefetch_related("texts").distinct()

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, DocumentTextInline) and not (obj and obj.is_published):
            # One empty form per missing language, already set to it: the publisher only writes.
            have = set(obj.texts_by_language()) if obj and obj.pk else set()
            kwargs["initial"] = [
                {"language": code} for code in legal_languages() if code not in have
            ]
        return kwargs

    @admin.display(description=_("title"))
    def title(self, obj: DocumentVersion) -> str:
        return obj.title

    @admin.display(description=_("languages"))
    def languages_display(self, obj: DocumentVersion) -> str:
        return ", ".join(obj.languages()) or "—"

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: DocumentVersion) -> bool:
        return obj.is_published and obj.is_in_force()

    def get_fields(self, request: HttpRequest, obj: DocumentVersion | None = None) -> Any:
        if obj is not None and obj.is_published:
            return self.published_fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: DocumentVersion | None = None) -> Any:
        if obj is not None and obj.is_published:
            return self.published_fields
        return ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/preview/",
                wrap(self.preview_view),
                name="privacy_documentversion_preview",
            ),
            path(
                "<int:object_id>/publish/",
                wrap(self.publish_view),
                name="privacy_documentversion_publish",
            ),
            path(
                "<int:object_id>/copy/",
                wrap(require_POST(self.copy_view)),
                name="privacy_documentversion_copy",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["can_publish"] = request.user.has_perm(PUBLISH_PERMISSION)
        return super().render_change_form(request, context, *args, **kwargs)

    def _version(self, request: HttpRequest, object_id: int) -> DocumentVersion:
        version = get_object_or_404(DocumentVersion, pk=object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def _next_number(self, version: DocumentVersion) -> int:
        if version.number is not None:
            return version.number
        last = (
            DocumentVersion.objects.of_kind(version.kind)
            .published()
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        return (last or 0) + 1

    def _as_published(self, version: DocumentVersion) -> DocumentVersion:
        """An unsaved copy of a draft showing the number it would be published with."""
        if version.is_published:
            return version
        preview = copy.copy(version)
        preview.number = self._next_number(version)
        preview._texts = version.texts_by_language()
        return preview

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Render the version with the public template, as visitors will see it."""
        version = self._as_published(self._version(request, object_id))
        in_force = DocumentVersion.objects.in_force(version.kind)
        context = version_page_context(
            version=version, in_force=in_force, language=text_language(request)
        )
        context["other_languages"] = [
            {**other, "url": f"?lang={other['code']}"} for other in context["other_languages"]
        ]
        return TemplateResponse(request, "privacy/version.html", context)

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        version = self._version(request, object_id)
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        change_url = reverse("admin:privacy_documentversion_change", args=[version.pk])
        if version.is_published:
            self.message_user(request, _("This version is already published."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        pending = approval_pending(act=Act.MATERIAL_CHANGE, obj=version)
        if request.method == "POST" and "_withdraw" in request.POST:
            try:
                if pending is None:
                    raise ApprovalError(_("There is no request for approval to withdraw."))
                approval_withdraw(approval=pending, staff=staff_of(request), ip=client_ip(request))
            except ApprovalError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Your request for approval is withdrawn."))
            return HttpResponseRedirect(change_url)
        # Re-consent is offered on the step that publishes: not on a request for a second
        # publisher's approval, but on that publisher's confirmation.
        waits_for_approval = (
            version.material and approval_required(Act.MATERIAL_CHANGE) and pending is None
        )
        offer = ReconsentOfferForm(
            request.POST if request.method == "POST" else None,
            version=version,
            user=request.user,
            enabled=not waits_for_approval,
        )
        if request.method == "POST" and offer.is_valid():
            published: DocumentVersion | None = None
            try:
                with transaction.atomic():
                    # ApprovalPending: the request for approval is recorded and kept.
                    with contextlib.suppress(ApprovalPending):
                        published = document_publish(
                            version=version,
                            published_by=staff_of(request),
                            ip=client_ip(request),
                            override_reason=request.POST.get("override_reason", ""),
                        )
                    started = (
                        offer.start(published=published, started_by=request.user)
                        if published is not None
                        else ""
                    )
            except PublishError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(change_url)
            if published is None:
                self.message_user(
                    request,
                    _(
                        "Recorded: another publisher must confirm the publication of this "
                        "material change. Nothing is published until then."
                    ),
                    messages.WARNING,
                )
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                _("Published %(version)s; it is in force from %(date)s.")
                % {
                    "version": published,
                    "date": timezone.localtime(published.effective_at).strftime("%Y-%m-%d %H:%M"),
                },
                messages.SUCCESS,
            )
            if started:
                self.message_user(request, started, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        candidate = self._as_published(version)
        texts = [candidate.texts_by_language()[code] for code in candidate.languages()]
        try:
            document_texts_check(version=candidate, texts=texts)
        except PublishError as exc:
            not_ready = str(exc)
        else:
            not_ready = ""
        in_force = DocumentVersion.objects.in_force(version.kind)
        findings = document_findings(version)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(version)s?") % {"version": candidate},
            "opts": self.opts,
            "original": version,
            "candidate": candidate,
            "texts": [
                {
                    "text": text,
                    "sha256": text.compute_sha256(),
                    "preview_url": reverse(
                        "admin:privacy_documentversion_preview", args=[version.pk]
                    )
                    + f"?lang={text.language}",
                }
                for text in texts
            ],
            "not_ready": not_ready,
            "offer": offer,
            "in_force": in_force,
            "preview_url": reverse("admin:privacy_documentversion_preview", args=[version.pk]),
            # What the publish checks (e.g. 152-FZ Art. 9 for consent texts) find, gaps first.
            "findings": sorted(findings, key=lambda f: not f.blocking),
            "has_gaps": any(f.blocking for f in findings),
            "override_min_length": OVERRIDE_REASON_MIN_LENGTH,
            "pending": pending,
            "waiting_for_other": pending is not None and pending.requested_by_id == request.user.pk,
            "approval_required": version.material and approval_required(Act.MATERIAL_CHANGE),
        }
        return TemplateResponse(
            request, "admin/privacy/documentversion/publish_confirmation.html", context
        )

    def copy_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        draft = document_draft_from(version=self._version(request, object_id))
        self.message_user(request, _("Copied into a new draft; edit it and publish when ready."))
        return HttpResponseRedirect(
            reverse("admin:privacy_documentversion_change", args=[draft.pk])
        )

    @admin.action(description=_("Copy into a new draft"), permissions=["add"])
    def copy_into_new_draft(
        self, request: HttpRequest, queryset: QuerySet[DocumentVersion]
    ) -> None:
        drafts = [document_draft_from(version=version) for version in queryset]
        self.message_user(
            request,
            _("Created %(count)d new draft(s).") % {"count": len(drafts)},
            messages.SUCCESS,
        )
