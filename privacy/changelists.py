"""Helpers for staff lists over millions of rows: estimated counts, contact search, dates."""

from __future__ import annotations

import calendar
import contextlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

# Below this many rows (as the planner guesses) the exact count is cheap, so it is shown;
# above it the planner's estimate is shown instead of scanning the whole filtered set.
EXACT_COUNT_BELOW = 20_000


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
    """A paginator that counts exactly only when that is cheap (see EXACT_COUNT_BELOW)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = planner_estimate(queryset)
        if estimate < EXACT_COUNT_BELOW:
            return queryset.count()
        return estimate


def normalise_email(term: str) -> list[str]:
    """The forms an e-mail is stored in: domain lower-cased in Unicode; also all lower-case."""
    local, _at, domain = term.strip().rpartition("@")
    domain = domain.lower()
    if "xn--" in domain:
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("ascii").decode("idna")
    stored = f"{local}@{domain}"
    return sorted({stored, stored.lower()})


def normalise_phone(term: str) -> str | None:
    """E.164 for a phone typed in any common format ("8 (912) 345-67-89"), else None."""
    digits = sum(ch.isdigit() for ch in term)
    if digits < 7 or any(ch.isalpha() for ch in term):
        return None
    try:
        number = phonenumbers.parse(term, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_search(term: str, *, email: str = "email", phone: str = "phone") -> Q:
    """A filter finding a person's rows by e-mail or phone as staff type it; index-friendly.

    A whole e-mail matches exactly, a phone in any format by its E.164 form, and anything
    else as the beginning of an e-mail ("anna" or "anna@").
    """
    term = term.strip()
    local, at, domain = term.rpartition("@")
    if at and local and "." in domain:
        return Q(**{f"{email}__in": normalise_email(term)})
    e164 = normalise_phone(term)
    if e164 is not None:
        return Q(**{phone: e164})
    return Q(**{f"{email}__startswith": term.lower()})


def _steps(first: datetime | date, last: datetime | date, kind: str) -> list[date]:
    """Every year, month or day from first to last: what a DISTINCT over the rows would give,
    give or take empty ones, without reading the rows."""
    if isinstance(first, datetime):
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
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
    matching row: a full scan of a million leads. Two index lookups (min and max) give the
    range, and every step within it is offered; a step with no rows shows an empty page.
    """

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.queryset.aggregate(*args, **kwargs)

    def _range(self, field: str, kind: str) -> list[date]:
        bounds = self.queryset.aggregate(first=Min(field), last=Max(field))
        if bounds["first"] is None:
            return []
        return _steps(bounds["first"], bounds["last"], kind)

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
