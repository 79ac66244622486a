"""The database refuses to change or delete audit entries; people get their current consent.

- privacy_auditentry: no UPDATE, no DELETE, whatever the client (like 0002). TRUNCATE is left
  to the table's owner (test runs flush tables with it); the app's role should not own tables.
- privacy_person.consent_<purpose>: filled from the log for people who already have records;
  from now on consent_records_append keeps them.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION privacy_auditentry_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'privacy_auditentry: audit entries are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_auditentry_guard
    BEFORE UPDATE OR DELETE ON privacy_auditentry
    FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_guard();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS privacy_auditentry_guard ON privacy_auditentry;
DROP FUNCTION IF EXISTS privacy_auditentry_guard();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER privacy_auditentry_no_update BEFORE UPDATE ON privacy_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER privacy_auditentry_no_delete BEFORE DELETE ON privacy_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS privacy_auditentry_no_update",
]

PURPOSES = ("processing", "marketing", "advertising", "analytics")

BACKFILL = """
UPDATE privacy_person SET consent_{purpose} = COALESCE((
    SELECT c.decision FROM privacy_consentrecord c
    WHERE c.person_id = privacy_person.id AND c.purpose = '{purpose}'
      AND c.decision <> 'not_given'
    ORDER BY c.seq DESC LIMIT 1), '')
WHERE EXISTS (SELECT 1 FROM privacy_consentrecord c WHERE c.person_id = privacy_person.id)
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No database guards written for {vendor}.")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


def backfill(apps, schema_editor):
    for purpose in PURPOSES:
        schema_editor.execute(BACKFILL.format(purpose=purpose), params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_staff_roles_audit_exports")]

    operations = [
        migrations.RunPython(forward, reverse),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
