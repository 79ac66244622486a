"""Officers' admin of blocks: the list with overdue ones marked, and lifting a block."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
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
from privacy.blocks.models import DEFAULT_VERIFICATION_DAYS, Block, BlockRequester
from privacy.blocks.services import (
    LIFT_PERMISSION,
    BlockError,
    block_lift,
    exclude_blocked,
    only_blocked,
)
from privacy.people.changelists import ReadOnlyMixin, ReadOnlyTabular
from privacy.people.visits import client_ip


def blocked_filter(person_field: str) -> type[admin.SimpleListFilter]:
    class BlockedFilter(admin.SimpleListFilter):
        title = _("blocked")
        parameter_name = "blocked"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
            return [("yes", _("Blocked")), ("no", _("Not blocked"))]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if self.value() == "yes":
                return only_blocked(queryset, person_field)
            if self.value() == "no":
                return exclude_blocked(queryset, person_field)
            return queryset

    return BlockedFilter


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

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
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
                    staff=staff_of(request),
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
