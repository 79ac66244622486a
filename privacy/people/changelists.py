"""Helpers for staff lists over millions of rows: estimated counts, contact search, dates."""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Max, Min, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property

from privacy.people.identity import email_search_forms, phone_search_form

# Below this many rows (as the planner guesses) the exact count is cheap, so it is shown;
# above it the planner's estimate is shown instead of scanning the whole filtered set.
EXACT_COUNT_BELOW = 20_000
# From this offset on, a page is located by its ids first (see EstimatedCountPaginator.page).
DEFERRED_JOIN_FROM = 1_000


def planner_estimate(queryset: QuerySet[Any]) -> int:
    """The number of rows PostgreSQL's planner expects the query to return (no execution)."""
    query = queryset.order_by()
    sql, params = query.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator for large lists: estimated counts, and pages found by id before rows.

    Counts exactly only when that is cheap (see EXACT_COUNT_BELOW). A page deep in the list
    skips its OFFSET rows on the ids alone (an index-only scan) and then loads just its own
    rows with their joins and annotations: PostgreSQL would otherwise join and compute every
    skipped row too.
    """

    object_list: QuerySet[Any]

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = planner_estimate(queryset)
        if estimate < EXACT_COUNT_BELOW:
            return queryset.count()
        return estimate

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if bottom < DEFERRED_JOIN_FROM:
            return Page(self.object_list[bottom:top], number, self)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


def contact_search(term: str, *, email: str = "email", phone: str = "phone") -> Q:
    """A filter finding a person's rows by e-mail or phone as staff type it; index-friendly.

    A whole e-mail matches exactly, a phone in any format by its E.164 form, and anything
    else as the beginning of an e-mail ("anna" or "anna@").
    """
    term = term.strip()
    local, at, domain = term.rpartition("@")
    if at and local and "." in domain:
        return Q(**{f"{email}__in": email_search_forms(term)})
    e164 = phone_search_form(term)
    if e164 is not None:
        return Q(**{phone: e164})
    return Q(**{f"{email}__startswith": term.lower()})


def _steps(first: datetime | date, last: datetime | date, kind: str) -> list[date]:
    """Every year, month or day from first to last: what a DISTINCT over the rows would give,
    give or take empty ones, without reading the rows."""
    first = timezone.localtime(first).date() if isinstance(first, datetime) else first
    last = timezone.localtime(last).date() if isinstance(last, datetime) else last
    if kind == "year":
        return [date(year, 1, 1) for year in range(first.year, last.year + 1)]
    if kind == "month":
        months = []
        current = date(first.year, first.month, 1)
        while current <= last:
            months.append(current)
            days = calendar.monthrange(current.year, current.month)[1]
            current += timedelta(days=days)
        return months
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class RangeDates:
    """Stands in for a changelist's queryset in the admin's date hierarchy.

    The admin lists the years, months or days that occur with SELECT DISTINCT over every
    matching row, and finds the range with MIN/MAX, which PostgreSQL answers from an index only
    on a single table: with a filter through the person it aggregates every matching lead.
    Here the range is the first row of each ordering (an index scan that stops at the first
    match) and every step within it is offered; a step with no rows shows an empty page.
    """

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset
        self._bounds: dict[str, tuple[Any, Any]] = {}

    def bounds(self, field: str) -> tuple[Any, Any]:
        if field not in self._bounds:
            ordered = self.queryset.values_list(field, flat=True)
            self._bounds[field] = (
                ordered.order_by(field).first(),
                ordered.order_by(f"-{field}").first(),
            )
        return self._bounds[field]

    def aggregate(self, **aggregates: Any) -> dict[str, Any]:
        """Answer the date hierarchy's aggregate(first=Min(f), last=Max(f)) by two lookups."""
        result = {}
        for name, aggregate in aggregates.items():
            field = aggregate.source_expressions[0].name
            first, last = self.bounds(field)
            if isinstance(aggregate, Min):
                result[name] = first
            elif isinstance(aggregate, Max):
                result[name] = last
            else:
                return self.queryset.aggregate(**aggregates)
        return result

    def _range(self, field: str, kind: str) -> list[date]:
        first, last = self.bounds(field)
        if first is None:
            return []
        return _steps(first, last, kind)

    def dates(self, field: str, kind: str, *args: Any, **kwargs: Any) -> list[date]:
        return self._range(field, kind)

    datetimes = dates


class FastDateHierarchyChangeList:
    """A changelist proxy whose queryset answers the date hierarchy from min and max."""

    def __init__(self, changelist: Any) -> None:
        self._changelist = changelist
        self.queryset = RangeDates(changelist.queryset)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._changelist, name)


class ReadOnlyMixin:
    """Shows rows and never writes them from the admin: evidence and history."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LargeListMixin(admin.ModelAdmin):
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


class ReadOnlyTabular(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True
