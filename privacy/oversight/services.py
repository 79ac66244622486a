"""Exports of personal data: only with the permission, never of blocked people, always recorded."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.blocks.services import exclude_blocked
from privacy.oversight.models import DataExport
from privacy.people.holders import PersonalDataHolder
from privacy.people.models import Person

EXPORT_PERMISSION = "privacy.export_person"
NOT_ALLOWED_TO_EXPORT = "You do not have the permission to export personal data."
# Rows fetched per round trip while streaming: memory stays flat on a million rows.
EXPORT_CHUNK = 2000
# A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets skip spaces before a formula and read the full-width and small forms of these
# signs (U+FF1D, U+FE66, U+FF0B...) and the minus sign U+2212 as the ASCII ones; so a cell is
# judged by its first character that is neither space nor invisible, compared after NFKC,
# dashes counting as "-".
FORMULA_STARTS = frozenset("=+-@")
MINUS_SIGN = "\u2212"


class ExportError(Exception):
    pass


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def starts_a_formula(text: str) -> bool:
    """Whether a spreadsheet could read the cell as a formula (or a DDE command)."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    first = next((ch for ch in text if not _invisible(ch)), "")
    if not first:
        return False
    if first == MINUS_SIGN or unicodedata.category(first) == "Pd":
        return True
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def csv_safe(value: Any) -> str:
    """The cell as text, quoted with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if starts_a_formula(text) else text


def data_export_start(
    *,
    staff: User,
    source: str,
    queryset: QuerySet[Any],
    header: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
    filters: dict[str, Any] | None = None,
    person_field: str = "person",
    ip: str | None = None,
) -> tuple[DataExport, Iterator[str]]:
    """Record an export and return it with the CSV lines to stream; blocked people left out.

    The export row is written before the first line, so an export that is interrupted is still
    on record; its row count and finish time are filled in after the last line.
    """
    if not staff.has_perm(EXPORT_PERMISSION):
        raise ExportError(NOT_ALLOWED_TO_EXPORT)
    export = DataExport.objects.create(
        created_by=staff, source=source, filters=filters or {}, ip=ip
    )
    audit_record(
        action=AuditAction.DATA_EXPORTED,
        actor=staff,
        obj=export,
        detail={"source": source, "filters": filters or {}},
        ip=ip,
    )
    rows = exclude_blocked(queryset, person_field)
    return export, _lines(export, rows, header, row)


def _lines(
    export: DataExport,
    rows: QuerySet[Any],
    header: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_safe(name) for name in header])
    count = 0
    for obj in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow([csv_safe(value) for value in row(obj)])
        count += 1
    DataExport.objects.filter(pk=export.pk, finished_at__isnull=True).update(
        row_count=count, finished_at=timezone.now()
    )


def _exports_naming(person: Person) -> QuerySet[DataExport]:
    if not person.email:
        return DataExport.objects.none()
    return DataExport.objects.filter(filters__icontains=person.email)


def data_exports_forget(person: Person) -> dict[str, int]:
    """Forget an erased person's address in the filters of staff exports that searched for it."""
    return {"staff_export_filters": _exports_naming(person).update(filters={"erased": True})}


STAFF_EXPORTS = PersonalDataHolder(
    name="staff_exports",
    export=lambda person: {},
    erase=data_exports_forget,
    count=lambda person: {"staff_export_filters": _exports_naming(person).count()},
)
