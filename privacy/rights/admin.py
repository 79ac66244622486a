"""Officers' admin for rights requests (against their clocks), incidents and disclosures."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts.models import staff_of
from accounts.selectors import staff_with_permission
from privacy.audit.approvals import (
    Act,
    ApprovalError,
    ApprovalPending,
    approval_pending,
    approval_required,
    approval_withdraw,
)
from privacy.blocks.models import DEFAULT_VERIFICATION_DAYS
from privacy.people.visits import client_ip
from privacy.rights.erasure import ERASE_PERMISSION, person_erasure_preview
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


# What an erasure destroys, by the destruction record's names, and what it keeps as proof.
ERASED_LABELS = {
    "leads": _(
        "Submissions (leads): account name, phone, e-mail, notes, visit metadata and "
        "analytics identifiers blanked; the rows stay, without data"
    ),
    "consent_records_pseudonymised": _(
        "Consent records: e-mail, phone, IP address, browser, pages and their salts blanked "
        "(pseudonymised)"
    ),
    "visitor_links": _("Links to the person's browsers and their cookie choices"),
    "messages": _("Messages: addresses and errors blanked"),
    "rights_requests": _("Rights requests: the person's words and addresses blanked"),
    "corrections": _("Corrections: the values before and after blanked"),
    "staff_export_filters": _("Staff exports whose filter named the address"),
}
KEPT_LABELS = {
    "person_row": _("The person's row, as an id only, with the date of erasure"),
    "consent_records": _(
        "The consent log's records of the person, pseudonymised: the chain still verifies "
        "and proves what consent was given"
    ),
    "leads_without_data": _("Lead rows without data (dates and statuses)"),
    "disclosures": _("Disclosures of the person's data to authorities (clause 5.2)"),
    "audit_entries": _("Audit entries about the person"),
}


class ErasureForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer to the person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_(
            "Sent under the fixed text that confirms the erasure; kept on the request as written."
        ),
    )


# Buttons of the change page: (POST name, label, permission, service call).
ACTIONS = {
    "_take": _("Take it (in progress, assigned to me)"),
    "_answer": _("Send the answer"),
    "_reject": _("Reject with the reason"),
    "_extend": _("Extend the deadline with the reason"),
    "_export": _("Send the data export link"),
    "_erase": _("Erase the person's data and answer…"),
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
        if obj is not None:
            context["erase_url"] = reverse("admin:privacy_rightsrequest_erase", args=[obj.pk])
            context["erasure_pending"] = approval_pending(act=Act.ERASURE, obj=obj)
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/erase/",
                wrap(self.erase_view),
                name="privacy_rightsrequest_erase",
            ),
            *super().get_urls(),
        ]

    def erase_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The second look before an erasure: what goes, what stays, the answer; then do it."""
        rights_request = get_object_or_404(
            RightsRequest.objects.select_related("person"), pk=object_id
        )
        user = staff_of(request)
        if not (user.has_perm(ANSWER_PERMISSION) and user.has_perm(ERASE_PERMISSION)):
            raise PermissionDenied
        change_url = reverse("admin:privacy_rightsrequest_change", args=[rights_request.pk])
        erasable = (RightsRequest.Kind.ERASURE, RightsRequest.Kind.WITHDRAWAL)
        if not rights_request.is_open or rights_request.kind not in erasable:
            self.message_user(request, _("This request cannot be answered by an erasure."))
            return HttpResponseRedirect(change_url)
        pending = approval_pending(act=Act.ERASURE, obj=rights_request)
        form = ErasureForm(request.POST or None, initial={"answer": rights_request.answer})
        if request.method == "POST" and "_withdraw" in request.POST:
            try:
                if pending is None:
                    raise ApprovalError(_("There is no request for approval to withdraw."))
                approval_withdraw(approval=pending, staff=user, ip=client_ip(request))
            except ApprovalError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Your request for approval is withdrawn."))
            return HttpResponseRedirect(request.path)
        if request.method == "POST" and "_confirm" in request.POST and form.is_valid():
            try:
                request_erase(
                    request=rights_request,
                    staff=user,
                    answer=form.cleaned_data["answer"],
                    ip=client_ip(request),
                )
            except ApprovalPending:
                self.message_user(
                    request,
                    _(
                        "Recorded: another officer must confirm this erasure. Nothing is "
                        "erased until then."
                    ),
                    messages.WARNING,
                )
                return HttpResponseRedirect(change_url)
            except RightsError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request, _("Erased, and the answer is on its way to the person."), messages.SUCCESS
            )
            return HttpResponseRedirect(change_url)
        person = rights_request.person
        if person is not None and person.erased_at is not None:
            person = None
        preview = person_erasure_preview(person=person) if person is not None else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase the data of %(request)s?") % {"request": rights_request},
            "opts": self.opts,
            "original": rights_request,
            "person": person,
            "form": form,
            "cancel_url": change_url,
            "blocked": preview is not None and preview.blocked,
            "erased": [] if preview is None else _rows(preview.erased, ERASED_LABELS),
            "kept": [] if preview is None else _rows(preview.kept, KEPT_LABELS),
            "pending": pending,
            "waiting_for_other": pending is not None and pending.requested_by_id == user.pk,
            "approval_required": approval_required(Act.ERASURE),
        }
        return TemplateResponse(
            request, "admin/privacy/rightsrequest/erase_confirmation.html", context
        )

    def response_change(self, request: HttpRequest, obj: RightsRequest) -> HttpResponse:
        action = next((name for name in ACTIONS if name in request.POST), None)
        if action is None:
            return super().response_change(request, obj)
        if action == "_erase":
            # Never from this page: the confirmation shows what goes and what stays first.
            return HttpResponseRedirect(reverse("admin:privacy_rightsrequest_erase", args=[obj.pk]))
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
            "_export": lambda: request_answer_with_export(
                request=obj, staff=staff, answer=obj.answer
            ),
            "_block": lambda: request_block(
                request=obj,
                staff=staff,
                review_by=timezone.localdate() + timedelta(days=DEFAULT_VERIFICATION_DAYS),
                answer=obj.answer,
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


def _rows(counts: dict[str, int], labels: dict[str, Any]) -> list[tuple[str, int]]:
    """(label, count) for the confirmation page, in the labels' order, unknown names last."""
    known = [(str(labels[name]), counts[name]) for name in labels if name in counts]
    return known + [(name, count) for name, count in counts.items() if name not in labels]
