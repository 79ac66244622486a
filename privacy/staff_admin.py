"""The staff review admin: people, their timeline, blocks, messages, exports, the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .audit import audit_request
from .blocks import (
    BLOCK_PERMISSION,
    LIFT_PERMISSION,
    BlockError,
    block_lift,
    blocked_annotation,
    exclude_blocked,
    only_blocked,
    person_block,
)
from .changelists import EstimatedCountPaginator, contact_search
from .models import (
    AuditAction,
    AuditEntry,
    Block,
    BlockRequester,
    ConsentRecord,
    DataExport,
    Decision,
    Message,
    Person,
    Purpose,
)
from .retries import RETRY_PERMISSION, RetryError, messages_retry
from .visits import client_ip

# A new block's review date unless the officer sets one: the verification period.
DEFAULT_VERIFICATION_DAYS = 30
SHOWN_PURPOSES = (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)
CONSENT_MARKS = {Decision.GRANTED: "✓", Decision.DENIED: "✗", "": "·"}


class ReadOnlyMixin:
    """Shows rows and never writes them from the admin: evidence and history."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LargeListMixin:
    """Changelists over millions of rows: no exact total, estimated counts, cheap dates."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    change_list_template = "admin/staff_change_list.html"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.filter(contact_search(search_term, **self.contact_fields)), False

    contact_fields: dict[str, str] = {"email": "email", "phone": "phone"}


def consent_filter(prefix: str) -> type[admin.SimpleListFilter]:
    """A filter by the current consent of a purpose; prefix leads to the person ("person__")."""

    class ConsentFilter(admin.SimpleListFilter):
        title = _("current consent")
        parameter_name = "consent"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            states = [
                ("granted", _("granted")),
                ("denied", _("denied or withdrawn")),
                ("none", _("never decided")),
            ]
            return [
                (f"{purpose}:{state}", f"{purpose.label}: {label}")
                for purpose in SHOWN_PURPOSES
                for state, label in states
            ]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if not self.value():
                return queryset
            purpose, _sep, state = self.value().partition(":")
            if purpose not in Purpose.values or state not in ("granted", "denied", "none"):
                return queryset
            decision = "" if state == "none" else state
            return queryset.filter(**{f"{prefix}consent_{purpose}": decision})

    return ConsentFilter


def blocked_filter(person_field: str) -> type[admin.SimpleListFilter]:
    class BlockedFilter(admin.SimpleListFilter):
        title = _("blocked")
        parameter_name = "blocked"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [("yes", _("Blocked")), ("no", _("Not blocked"))]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if self.value() == "yes":
                return only_blocked(queryset, person_field)
            if self.value() == "no":
                return exclude_blocked(queryset, person_field)
            return queryset

    return BlockedFilter


def consent_summary(person: Person) -> str:
    """One cell: a mark per purpose, the full state in the tooltip."""
    return format_html_join(
        " ",
        '<span title="{}: {}">{}&nbsp;{}</span>',
        (
            (
                purpose.label,
                Decision(state).label if state else _("never decided"),
                CONSENT_MARKS.get(state, "?"),
                purpose.value[:3],
            )
            for purpose in SHOWN_PURPOSES
            for state in [getattr(person, f"consent_{purpose.value}")]
        ),
    )


# Other apps add their rows to a person's page here (leads adds submissions), so that privacy
# shows them without importing those apps.
PERSON_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_person_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    if inline not in PERSON_INLINES:
        PERSON_INLINES.append(inline)


class ReadOnlyTabular(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class ConsentRecordInline(ReadOnlyTabular):
    model = ConsentRecord
    verbose_name_plural = _("consent timeline")
    fields = (
        "seq",
        "created_at",
        "purpose",
        "decision",
        "method",
        "policy_version",
        "consent_version",
        "source",
    )
    readonly_fields = fields
    ordering = ("seq",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentRecord]:
        return super().get_queryset(request).select_related("policy_version", "consent_version")


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


class BlockInline(ReadOnlyTabular):
    model = Block
    fk_name = "person"
    fields = (
        "created_at",
        "requested_by",
        "reason",
        "reference",
        "review_by",
        "created_by",
        "lifted_at",
        "lifted_by",
        "outcome",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Block]:
        return super().get_queryset(request).select_related("created_by", "lifted_by")


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
        "consent_analytics",
    )
    readonly_fields = fields
    own_inlines = (ConsentRecordInline, MessageInline, BlockInline, AuditEntryInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).annotate(is_blocked=blocked_annotation(""))

    def get_inlines(self, request: HttpRequest, obj: Person | None) -> list[Any]:
        return [*PERSON_INLINES, *self.own_inlines]

    @admin.display(description=_("phone"), ordering="phone")
    def phone_formatted(self, obj: Person) -> str:
        return format_phone(obj.phone)

    @admin.display(description=_("current consent"))
    def consent(self, obj: Person) -> str:
        return consent_summary(obj)

    @admin.display(description=_("blocked"), boolean=True)
    def is_blocked(self, obj: Person) -> bool:
        return obj.is_blocked

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
                    staff=request.user,
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


def format_phone(value: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class BlockForm(forms.Form):
    requested_by = forms.ChoiceField(label=_("requested by"), choices=BlockRequester.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}))
    reference = forms.CharField(
        label=_("reference"),
        required=False,
        max_length=200,
        help_text=_("The request's or the authority's reference, if any."),
    )
    review_by = forms.DateField(
        label=_("review by"),
        help_text=_("The end of the verification period: the block is reviewed by then."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_by"].initial = timezone.localdate() + timedelta(
            days=DEFAULT_VERIFICATION_DAYS
        )


class LiftForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Block.Outcome.choices)


class OverdueFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("yes", _("Active, review date passed")),
            ("active", _("Active")),
            ("lifted", _("Lifted")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Block]) -> QuerySet[Block]:
        if self.value() == "yes":
            return queryset.filter(lifted_at__isnull=True, review_by__lt=timezone.localdate())
        if self.value() == "active":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(Block)
class BlockAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "person",
        "requested_by",
        "reference",
        "created_at",
        "created_by",
        "review_by",
        "overdue",
        "lifted_at",
        "outcome",
        "lift_link",
    )
    list_filter = (OverdueFilter, "requested_by", "outcome")
    list_select_related = ("person", "created_by")
    search_fields = ("person__email", "reference")
    ordering = ("lifted_at", "review_by")
    fields = (
        "person",
        "requested_by",
        "reason",
        "reference",
        "review_by",
        "created_at",
        "created_by",
        "lifted_at",
        "lifted_by",
        "outcome",
    )
    readonly_fields = fields

    @admin.display(description=_("review overdue"), boolean=True)
    def overdue(self, obj: Block) -> bool:
        return obj.is_overdue()

    @admin.display(description="")
    def lift_link(self, obj: Block) -> str:
        if not obj.is_active:
            return ""
        url = reverse("admin:privacy_block_lift", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Lift…"))

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/lift/", wrap(self.lift_view), name="privacy_block_lift"),
            *super().get_urls(),
        ]

    def lift_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        block = get_object_or_404(Block.objects.select_related("person"), pk=object_id)
        if not request.user.has_perm(LIFT_PERMISSION):
            raise PermissionDenied
        page = reverse("admin:privacy_person_change", args=[block.person_id])
        form = LiftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                block_lift(
                    block=block,
                    outcome=form.cleaned_data["outcome"],
                    staff=request.user,
                    ip=client_ip(request),
                )
            except BlockError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("The block is lifted."), messages.SUCCESS)
            return HttpResponseRedirect(page)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Lift the block on %(person)s") % {"person": block.person},
            "opts": self.opts,
            "original": block,
            "form": form,
            "cancel_url": page,
        }
        return TemplateResponse(request, "admin/privacy/block/lift.html", context)


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
            count = messages_retry(messages=failed, staff=request.user, ip=client_ip(request))
        except RetryError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)d failed message(s) queued again; the gate decides again at sending.")
            % {"count": count},
            messages.SUCCESS,
        )


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
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
