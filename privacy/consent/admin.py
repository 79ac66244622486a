"""The consent log in the admin, read-only; the consent columns and filters staff lists share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from privacy.consent.models import ConsentReceipt, ConsentRecord, ConsentWording
from privacy.people.changelists import ReadOnlyMixin, ReadOnlyTabular
from privacy.people.models import Decision, Person, Purpose


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "seq",
        "person",
        "purpose",
        "decision",
        "method",
        "policy_version",
        "created_at",
        "short_hash",
    )
    list_filter = ("purpose", "decision", "method", "language")
    list_select_related = ("person", "policy_version")
    search_fields = ("=seq", "person__email", "person__phone", "=record_hash")
    # The log grows without bound: an exact count of every filtered page is a full scan.
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "seq",
                    "person",
                    "purpose",
                    "decision",
                    "method",
                    "source",
                    "created_at",
                )
            },
        ),
        (
            _("What was shown"),
            {
                "fields": (
                    "language",
                    "policy_version",
                    "policy_sha256",
                    "consent_version",
                    "consent_sha256",
                    "wording",
                )
            },
        ),
        (
            _("Where it came from"),
            {
                "fields": (
                    "subject_email",
                    "subject_phone",
                    "ip",
                    "user_agent",
                    "page_url",
                    "referrer",
                )
            },
        ),
        (
            _("Chain"),
            {"fields": ("personal_salt", "personal_digest", "prev_hash", "record_hash")},
        ),
    )

    @admin.display(description=_("record hash"), ordering="record_hash")
    def short_hash(self, obj: ConsentRecord) -> str:
        return obj.record_hash[:12]


@admin.register(ConsentWording)
class ConsentWordingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "created_at")
    search_fields = ("text", "=sha256")


@admin.register(ConsentReceipt)
class ConsentReceiptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("receipt_id", "person", "created_at")
    list_select_related = ("person",)
    search_fields = ("=receipt_id", "person__email")
    fields = ("receipt_id", "person", "created_at", "records", "content", "page")
    readonly_fields = ("page",)

    @admin.display(description=_("as the person reads it"))
    def page(self, obj: ConsentReceipt) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.receipt_id)


SHOWN_PURPOSES = (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)
CONSENT_MARKS = {Decision.GRANTED: "✓", Decision.DENIED: "✗", "": "·"}


def consent_filter(prefix: str) -> type[admin.SimpleListFilter]:
    """A filter by the current consent of a purpose; prefix leads to the person ("person__")."""

    class ConsentFilter(admin.SimpleListFilter):
        title = _("current consent")
        parameter_name = "consent"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
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
            purpose, _sep, state = (self.value() or "").partition(":")
            if purpose not in Purpose.values or state not in ("granted", "denied", "none"):
                return queryset
            if state != "none":
                return queryset.filter(**{f"{prefix}consent_{purpose}": state})
            # An erased person's columns are blank too, but they decided nothing: their consent
            # is simply not in effect, and they are not "never decided".
            return queryset.filter(
                **{f"{prefix}consent_{purpose}": "", f"{prefix}erased_at__isnull": True}
            )

    return ConsentFilter


def consent_summary(person: Person) -> str:
    """One cell: a mark per purpose, the full state in the tooltip; "erased" for an erased
    person, whose consent is no longer in effect (the log keeps the proof it was given)."""
    if person.erased_at is not None:
        return format_html(
            '<span class="consent-erased" title="{}">{}</span>',
            _("Data erased: no consent in effect"),
            _("erased"),
        )
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
        "language",
        "source",
    )
    readonly_fields = fields
    ordering = ("seq",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentRecord]:
        return super().get_queryset(request).select_related("policy_version", "consent_version")
