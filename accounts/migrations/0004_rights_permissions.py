"""Privacy officers get every permission on rights requests, incidents and disclosures."""

from django.db import migrations

from accounts.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_campaign_permissions"),
        ("privacy", "0008_rights_incidents_disclosures"),
    ]

    # Reversing leaves the groups as the later code defines them: harmless, nothing to undo.
    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
