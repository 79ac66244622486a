"""The one list of what a consent record's hash covers, held against every copy of it.

A column added to ConsentRecord must be classified in privacy.consent.chain, and the
database's guard and append function must be migrated to match; these tests fail until
both are done.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from privacy.consent.chain import HASHED_COLUMNS, PERSONAL_FIELDS, UNHASHED_COLUMNS
from privacy.consent.models import ConsentRecord

pytestmark = pytest.mark.django_db

MODEL_COLUMNS = {field.column for field in ConsentRecord._meta.concrete_fields}


def function_source(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
        (source,) = cursor.fetchone()
    return source


def test_every_column_of_a_consent_record_is_hashed_personal_or_named_as_outside_the_hash():
    classified = [*HASHED_COLUMNS.values(), *PERSONAL_FIELDS, *UNHASHED_COLUMNS]

    assert sorted(classified) == sorted(MODEL_COLUMNS)


def test_the_database_guard_keeps_every_hashed_column_and_allows_only_blanking_personal_data():
    source = function_source("privacy_consentrecord_guard")
    kept, _, _ = source.partition("IS NOT DISTINCT FROM")
    blanked = source.partition("IS NOT DISTINCT FROM")[2]

    assert set(re.findall(r"NEW\.(\w+)", kept)) == {*HASHED_COLUMNS.values(), "id", "record_hash"}
    assert set(re.findall(r"NEW\.(\w+) (?:= ''|IS NULL)", blanked)) == {
        *PERSONAL_FIELDS,
        "personal_salt",
    }


def test_the_append_function_inserts_every_column_but_the_id():
    source = function_source("privacy_consent_append")
    inserted = re.search(r"INSERT INTO privacy_consentrecord \((.*?)\)", source, re.S)

    assert {column.strip() for column in inserted.group(1).split(",")} == MODEL_COLUMNS - {"id"}


def test_the_sqlite_guard_keeps_every_hashed_column_and_allows_only_blanking_personal_data():
    import importlib

    migration = importlib.import_module("privacy.migrations.0017_consent_record_language")
    (trigger,) = [
        sql
        for sql in migration._sqlite_triggers("\n            AND NEW.language IS OLD.language")
        if "CREATE TRIGGER privacy_consentrecord_no_update" in sql
    ]

    assert set(re.findall(r"NEW\.(\w+) IS OLD\.", trigger)) == {
        *HASHED_COLUMNS.values(),
        "record_hash",
    } - {"id"}
    assert set(re.findall(r"NEW\.(\w+) (?:= ''|IS NULL)", trigger)) == {
        *PERSONAL_FIELDS,
        "personal_salt",
    }
