"""Privacy officers keep the processing register; publishers read it and draft from it."""

from django.db import migrations

from accounts.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_rights_permissions"),
        ("privacy", "0012_processing_register"),
    ]

    # Reversing leaves the groups as the later code defines them: harmless, nothing to undo.
    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
