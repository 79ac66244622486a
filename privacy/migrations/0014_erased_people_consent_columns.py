"""Erased people have no consent in effect: their current-consent columns are cleared.

From now on person_erase clears them; this clears them for people erased before. Reversing
restores each column from the log, as migration 0006 first filled them.
"""

from django.db import migrations

PURPOSES = ("processing", "marketing", "advertising")

CLEAR = "UPDATE privacy_person SET {columns} WHERE erased_at IS NOT NULL"

RESTORE = """
UPDATE privacy_person SET consent_{purpose} = COALESCE((
    SELECT c.decision FROM privacy_consentrecord c
    WHERE c.person_id = privacy_person.id AND c.purpose = '{purpose}'
      AND c.decision <> 'not_given'
    ORDER BY c.seq DESC LIMIT 1), '')
WHERE erased_at IS NOT NULL
"""


def clear(apps, schema_editor):
    columns = ", ".join(f"consent_{purpose} = ''" for purpose in PURPOSES)
    schema_editor.execute(CLEAR.format(columns=columns), params=None)


def restore(apps, schema_editor):
    for purpose in PURPOSES:
        schema_editor.execute(RESTORE.format(purpose=purpose), params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0013_approvals")]

    operations = [migrations.RunPython(clear, restore)]
