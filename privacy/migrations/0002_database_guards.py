"""Database-level guards: the database itself refuses to change what the law asks us to keep.

- A published legal document version can be neither updated nor deleted.
- A consent record can be neither deleted nor updated, except to pseudonymise it: blanking
  its personal fields and salt while every hashed column stays as it was (erasure, clause 6.2
  of the rights issue), so the chain still verifies.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION privacy_documentversion_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'privacy_documentversion %: a published version never changes', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_documentversion_guard
    BEFORE UPDATE OR DELETE ON privacy_documentversion
    FOR EACH ROW EXECUTE FUNCTION privacy_documentversion_guard();

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

CREATE TRIGGER privacy_consentrecord_guard
    BEFORE UPDATE OR DELETE ON privacy_consentrecord
    FOR EACH ROW EXECUTE FUNCTION privacy_consentrecord_guard();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS privacy_consentrecord_guard ON privacy_consentrecord;
DROP FUNCTION IF EXISTS privacy_consentrecord_guard();
DROP TRIGGER IF EXISTS privacy_documentversion_guard ON privacy_documentversion;
DROP FUNCTION IF EXISTS privacy_documentversion_guard();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER privacy_documentversion_no_update BEFORE UPDATE ON privacy_documentversion
       WHEN OLD.status = 'published'
       BEGIN SELECT RAISE(ABORT, 'a published version never changes'); END""",
    """CREATE TRIGGER privacy_documentversion_no_delete BEFORE DELETE ON privacy_documentversion
       WHEN OLD.status = 'published'
       BEGIN SELECT RAISE(ABORT, 'a published version never changes'); END""",
    """CREATE TRIGGER privacy_consentrecord_no_delete BEFORE DELETE ON privacy_consentrecord
       BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END""",
    """CREATE TRIGGER privacy_consentrecord_no_update BEFORE UPDATE ON privacy_consentrecord
       WHEN NOT (NEW.seq IS OLD.seq AND NEW.person_id IS OLD.person_id
            AND NEW.purpose IS OLD.purpose AND NEW.decision IS OLD.decision
            AND NEW.method IS OLD.method AND NEW.policy_version_id IS OLD.policy_version_id
            AND NEW.policy_sha256 IS OLD.policy_sha256
            AND NEW.consent_version_id IS OLD.consent_version_id
            AND NEW.consent_sha256 IS OLD.consent_sha256 AND NEW.wording_id IS OLD.wording_id
            AND NEW.source IS OLD.source AND NEW.created_at IS OLD.created_at
            AND NEW.personal_digest IS OLD.personal_digest AND NEW.prev_hash IS OLD.prev_hash
            AND NEW.record_hash IS OLD.record_hash
            AND NEW.subject_email = '' AND NEW.subject_phone = '' AND NEW.ip IS NULL
            AND NEW.user_agent = '' AND NEW.page_url = '' AND NEW.referrer = ''
            AND NEW.personal_salt = '')
       BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_consentrecord_no_update",
    "DROP TRIGGER IF EXISTS privacy_consentrecord_no_delete",
    "DROP TRIGGER IF EXISTS privacy_documentversion_no_delete",
    "DROP TRIGGER IF EXISTS privacy_documentversion_no_update",
]


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres, params=None)  # no params: '%' in RAISE is literal
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No database guards written for {vendor}.")


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    _run(schema_editor, POSTGRES_REVERSE, SQLITE_REVERSE)


def create_log_head(apps, schema_editor):
    apps.get_model("privacy", "ConsentLogHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [
        migrations.RunPython(forward, reverse),
        migrations.RunPython(create_log_head, migrations.RunPython.noop),
    ]
