"""Finding or creating the person a submission is about, in one statement on PostgreSQL."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Q

from privacy.people.models import Person


def person_find_or_create(*, email: str, phone: str, language: str = "en") -> Person:
    """Return the person with this e-mail, else the first with this phone, else a new one."""
    if connection.vendor == "postgresql":
        return _person_find_or_create_in_one_statement(email=email, phone=phone, language=language)
    return _person_find_or_create_with_orm(email=email, phone=phone, language=language)


def _person_find_or_create_with_orm(*, email: str, phone: str, language: str) -> Person:
    matches = Q(email=email) | Q(phone=phone) if phone else Q(email=email)
    candidates = list(Person.objects.filter(matches).order_by("created_at")[:20])
    person = next((p for p in candidates if p.email == email), None) or next(iter(candidates), None)
    if person is not None:
        return person
    # An upsert, not a savepoint around an INSERT (three round trips for one): when a
    # concurrent submission created the same e-mail a moment earlier, this returns its id.
    (person,) = Person.objects.bulk_create(
        [Person(email=email, phone=phone, language=language)],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=["email"],
    )
    return person


def _person_find_or_create_in_one_statement(*, email: str, phone: str, language: str) -> Person:
    """The same in one round trip (PostgreSQL): find, else insert, else take the row a
    concurrent submission inserted a moment earlier (ON CONFLICT on the unique e-mail).

    Every submission starts here, and the ORM's SELECT and then INSERT cost a millisecond.
    The columns and their values come from the model, defaults included.
    """
    new = Person(email=email, phone=phone, language=language)
    values = [
        field.get_db_prep_save(field.pre_save(new, True), connection) for field in _PERSON_FIELDS
    ]
    return next(
        iter(Person.objects.raw(_person_upsert_sql(), [email, phone, phone, email, *values]))
    )


_PERSON_FIELDS = [field for field in Person._meta.concrete_fields if not field.primary_key]


@functools.cache
def _person_upsert_sql() -> str:
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in _PERSON_FIELDS)
    placeholders = ", ".join(["%s"] * len(_PERSON_FIELDS))
    return f"""
        WITH found AS (
            SELECT * FROM privacy_person
            WHERE email = %s OR (%s <> '' AND phone = %s)
            ORDER BY email IS NOT DISTINCT FROM %s DESC, created_at
            LIMIT 1
        ), created AS (
            INSERT INTO privacy_person ({columns})
            SELECT {placeholders} WHERE NOT EXISTS (SELECT FROM found)
            ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
            RETURNING *
        )
        SELECT * FROM found UNION ALL SELECT * FROM created
    """  # noqa: S608 (only our own column names are formatted in)
