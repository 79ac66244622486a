"""The staff admin of people (their page and timeline), the audit trail and staff exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts.models import staff_of
from privacy.audit.models import AuditAction, AuditEntry
from privacy.audit.services import audit_request
from privacy.blocks.admin import BlockForm, BlockInline, blocked_filter
from privacy.blocks.models import Block
from privacy.blocks.services import (
    BLOCK_PERMISSION,
    LIFT_PERMISSION,
    BlockError,
    blocked_annotation,
    person_block,
)
from privacy.consent.admin import ConsentRecordInline, consent_filter, consent_summary
from privacy.outbox.admin import MessageInline
from privacy.outbox.models import Message
from privacy.outbox.services import RETRY_PERMISSION
from privacy.oversight.models import DataExport
from privacy.people.changelists import (
    LargeListMixin,
    ReadOnlyMixin,
    ReadOnlyTabular,
    contact_search,
)
from privacy.people.identity import phone_display
from privacy.people.models import Person
from privacy.people.visits import client_ip

# Other apps add their rows to a person's page here (leads adds submissions), so that privacy
# shows them without importing those apps.
PERSON_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_person_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    if inline not in PERSON_INLINES:
        PERSON_INLINES.append(inline)


class AuditEntryInline(ReadOnlyTabular):
    model = AuditEntry
    show_change_link = False
    fields = ("created_at", "actor_email", "action", "object_type", "object_id", "ip")
    readonly_fields = fields
    ordering = ("-created_at",)


@admin.register(Person)
class PersonAdmin(LargeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "email",
        "phone_formatted",
        "created_at",
        "consent",
        "is_blocked",
        "erased_at",
    )
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        consent_filter(""),
        blocked_filter(""),
    )
    search_fields = ("email", "phone")
    search_help_text = _("An e-mail, its beginning, or a phone number in any format.")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    change_form_template = "admin/privacy/person/change_form.html"
    fields = (
        "email",
        "phone",
        "language",
        "created_at",
        "updated_at",
        "erased_at",
        "consent_processing",
        "consent_marketing",
        "consent_advertising",
    )
    readonly_fields = fields
    own_inlines = (ConsentRecordInline, MessageInline, BlockInline, AuditEntryInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).annotate(is_blocked=blocked_annotation(""))

    def get_inlines(self, request: HttpRequest, obj: Person | None) -> list[Any]:
        return [*PERSON_INLINES, *self.own_inlines]

    @admin.display(description=_("phone"), ordering="phone")
    def phone_formatted(self, obj: Person) -> str:
        return phone_display(obj.phone)

    @admin.display(description=_("current consent"))
    def consent(self, obj: Person) -> str:
        return consent_summary(obj)

    @admin.display(description=_("blocked"), boolean=True)
    def is_blocked(self, obj: Person) -> bool:
        return bool(getattr(obj, "is_blocked", False))  # annotated in get_queryset

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/block/", wrap(self.block_view), name="privacy_person_block"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        person = self.get_object(request, object_id)
        if person is None or not self.has_view_permission(request, person):
            return super().change_view(request, object_id, form_url, extra_context)
        audit_request(request, action=AuditAction.PERSON_VIEWED, person=person, obj=person)
        active = Block.objects.active().filter(person=person).first()
        context = {
            **(extra_context or {}),
            "active_block": active,
            "can_block": active is None and request.user.has_perm(BLOCK_PERMISSION),
            "can_lift": active is not None and request.user.has_perm(LIFT_PERMISSION),
            "can_retry": request.user.has_perm(RETRY_PERMISSION),
            "failed_messages": Message.objects.filter(
                person=person, status=Message.Status.FAILED
            ).count(),
        }
        return super().change_view(request, object_id, form_url, context)

    def block_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        person = get_object_or_404(Person, pk=object_id)
        if not request.user.has_perm(BLOCK_PERMISSION):
            raise PermissionDenied
        page = reverse("admin:privacy_person_change", args=[person.pk])
        form = BlockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                person_block(
                    person=person,
                    staff=staff_of(request),
                    ip=client_ip(request),
                    **form.cleaned_data,
                )
            except BlockError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "Blocked: nothing but legal notices will be sent, and nothing can be "
                        "changed or exported, until the block is lifted."
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(page)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Block the data of %(person)s") % {"person": person},
            "opts": self.opts,
            "original": person,
            "form": form,
            "cancel_url": page,
        }
        return TemplateResponse(request, "admin/privacy/person/block.html", context)


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return list(AuditAction.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEntry]) -> QuerySet[Any]:
        if self.value() in AuditAction.values:
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(LargeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "actor_email",
        "action",
        "person",
        "object_type",
        "object_id",
        "ip",
    )
    list_filter = (ActionFilter, ("created_at", admin.DateFieldListFilter))
    list_select_related = ("person",)
    search_fields = ("actor_email",)
    search_help_text = _("A staff e-mail (or its beginning); or a person's e-mail or phone.")
    contact_fields = {"email": "actor_email", "phone": "person__phone"}
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEntry], search_term: str
    ) -> tuple[QuerySet[AuditEntry], bool]:
        if not search_term.strip():
            return queryset, False
        by_staff = contact_search(search_term, email="actor_email", phone="person__phone")
        by_person = contact_search(search_term, email="person__email", phone="person__phone")
        return queryset.filter(by_staff | by_person), False


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "created_by",
        "source",
        "filters",
        "row_count",
        "finished_at",
        "ip",
    )
    list_select_related = ("created_by",)
    list_filter = ("source",)
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in DataExport._meta.fields]
