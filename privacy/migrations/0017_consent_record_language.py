"""Consent records name the language the person was shown the texts in: a new hashed column.

`language` joins privacy.consent.chain.HASHED_COLUMNS, so the database's copies of that list are
recreated with it: the guard that allows only pseudonymisation keeps it unchanged, and
privacy_consent_append inserts it (PostgreSQL); SQLite's update trigger keeps it too.

Existing records get an empty language, and the chain leaves an empty language out of a
record's payload (chain.OPTIONAL_HASHED_KEYS): their payloads, hashes and links stay exactly as
they were, so the log verifies across this migration with nothing rewritten
(tests/privacy/consent/test_language_migration.py). Reversible while every record's language is
still empty; after that, removing the column would break the hashes of the records that have
one, so the reverse refuses.
"""

import importlib

from django.db import migrations, models

APPEND_0009 = importlib.import_module("privacy.migrations.0009_consent_append_function")

GUARD_POSTGRES = r"""
CREATE OR REPLACE FUNCTION privacy_consentrecord_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.seq, NEW.person_id, NEW.purpose, NEW.decision, NEW.method,
            NEW.policy_version_id, NEW.policy_sha256, NEW.consent_version_id,
            NEW.consent_sha256, NEW.wording_id, NEW.source, NEW.created_at, NEW.language,
            NEW.personal_digest, NEW.prev_hash, NEW.record_hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.seq, OLD.person_id, OLD.purpose, OLD.decision, OLD.method,
            OLD.policy_version_id, OLD.policy_sha256, OLD.consent_version_id,
            OLD.consent_sha256, OLD.wording_id, OLD.source, OLD.created_at, OLD.language,
            OLD.personal_digest, OLD.prev_hash, OLD.record_hash)
       AND NEW.subject_email = '' AND NEW.subject_phone = '' AND NEW.ip IS NULL
       AND NEW.user_agent = '' AND NEW.page_url = '' AND NEW.referrer = ''
       AND NEW.personal_salt = ''
    THEN
        RETURN NEW;  -- pseudonymisation only
    END IF;
    RAISE EXCEPTION 'privacy_consentrecord %: consent records are append-only', OLD.seq
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""

GUARD_POSTGRES_0002 = r"""
CREATE OR REPLACE FUNCTION privacy_consentrecord_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.seq, NEW.person_id, NEW.purpose, NEW.decision, NEW.method,
            NEW.policy_version_id, NEW.policy_sha256, NEW.consent_version_id,
            NEW.consent_sha256, NEW.wording_id, NEW.source, NEW.created_at,
            NEW.personal_digest, NEW.prev_hash, NEW.record_hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.seq, OLD.person_id, OLD.purpose, OLD.decision, OLD.method,
            OLD.policy_version_id, OLD.policy_sha256, OLD.consent_version_id,
            OLD.consent_sha256, OLD.wording_id, OLD.source, OLD.created_at,
            OLD.personal_digest, OLD.prev_hash, OLD.record_hash)
       AND NEW.subject_email = '' AND NEW.subject_phone = '' AND NEW.ip IS NULL
       AND NEW.user_agent = '' AND NEW.page_url = '' AND NEW.referrer = ''
       AND NEW.personal_salt = ''
    THEN
        RETURN NEW;  -- pseudonymisation only
    END IF;
    RAISE EXCEPTION 'privacy_consentrecord %: consent records are append-only', OLD.seq
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""

# The locked step of migration 0009 with the new column in its INSERT (the function reads every
# column from the record Python prepared, with jsonb_populate_record).
APPEND_POSTGRES = APPEND_0009.POSTGRES_FORWARD.replace(
    "consent_version_id, consent_sha256, wording_id, source, created_at,\n",
    "consent_version_id, consent_sha256, wording_id, source, created_at, language,\n",
).replace(
    "            r.created_at, r.subject_email,",
    "            r.created_at, r.language, r.subject_email,",
)
assert APPEND_POSTGRES.count("language") == 2, "migration 0009's INSERT changed shape"  # noqa: S101

_KEPT = """NEW.seq IS OLD.seq AND NEW.person_id IS OLD.person_id
            AND NEW.purpose IS OLD.purpose AND NEW.decision IS OLD.decision
            AND NEW.method IS OLD.method AND NEW.policy_version_id IS OLD.policy_version_id
            AND NEW.policy_sha256 IS OLD.policy_sha256
            AND NEW.consent_version_id IS OLD.consent_version_id
            AND NEW.consent_sha256 IS OLD.consent_sha256 AND NEW.wording_id IS OLD.wording_id
            AND NEW.source IS OLD.source AND NEW.created_at IS OLD.created_at{language}
            AND NEW.personal_digest IS OLD.personal_digest AND NEW.prev_hash IS OLD.prev_hash
            AND NEW.record_hash IS OLD.record_hash"""
_BLANKED = """NEW.subject_email = '' AND NEW.subject_phone = '' AND NEW.ip IS NULL
            AND NEW.user_agent = '' AND NEW.page_url = '' AND NEW.referrer = ''
            AND NEW.personal_salt = ''"""


def _sqlite_triggers(language: str) -> list[str]:
    kept = _KEPT.format(language=language)
    return [
        "DROP TRIGGER IF EXISTS privacy_consentrecord_no_update",
        "DROP TRIGGER IF EXISTS privacy_consentrecord_no_delete",
        """CREATE TRIGGER privacy_consentrecord_no_delete BEFORE DELETE ON privacy_consentrecord
           BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END""",
        f"""CREATE TRIGGER privacy_consentrecord_no_update BEFORE UPDATE ON privacy_consentrecord
           WHEN NOT ({kept}
            AND {_BLANKED})
           BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END""",
    ]


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in postgres:
            schema_editor.execute(statement, params=None)  # '%' in RAISE is literal
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No database guards written for {vendor}.")


def forward(apps, schema_editor):
    _run(
        schema_editor,
        [GUARD_POSTGRES, APPEND_POSTGRES],
        _sqlite_triggers("\n            AND NEW.language IS OLD.language"),
    )


def refuse_if_languages_recorded(apps, schema_editor):
    ConsentRecord = apps.get_model("privacy", "ConsentRecord")
    if ConsentRecord.objects.exclude(language="").exists():
        raise RuntimeError(
            "Consent records name their language now, and it is part of their hashes: removing "
            "the column would break the chain. Restore a backup taken before migration 0017."
        )
    # SQLite refuses to drop a column a trigger names; they come back without it, below.
    _run(schema_editor, [], _sqlite_triggers("")[:2])


def restore_0009_guards(apps, schema_editor):
    # After the column is gone (SQLite rebuilds the table without triggers, so they come last).
    _run(schema_editor, [GUARD_POSTGRES_0002, APPEND_0009.POSTGRES_FORWARD], _sqlite_triggers(""))


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0016_document_texts_per_language"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_0009_guards),
        migrations.AddField(
            model_name="consentrecord",
            name="language",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=8,
                verbose_name="language shown",
            ),
        ),
        migrations.RunPython(forward, refuse_if_languages_recorded),
    ]
