"""Exports of personal data: only with the permission, never of blocked people, always recorded."""

from __future__ import annotations

import csv
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


class ExportError(Exception):
    pass


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: Any) -> str:
    """The cell as text, quoted with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


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


def data_exports_forget(person: Person) -> dict[str, int]:
    """Forget an erased person's address in the filters of staff exports that searched for it."""
    if not person.email:
        return {}
    forgotten = DataExport.objects.filter(filters__icontains=person.email).update(
        filters={"erased": True}
    )
    return {"staff_export_filters": forgotten}


STAFF_EXPORTS = PersonalDataHolder(
    name="staff_exports", export=lambda person: {}, erase=data_exports_forget
)
