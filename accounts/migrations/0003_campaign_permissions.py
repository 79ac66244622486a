"""Campaign permissions for privacy officers and policy publishers (re-consent)."""

from django.db import migrations

from accounts.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_roles"),
        ("leads", "0005_campaign_reconsent"),
    ]

    # Reversing leaves the groups as the later code defines them: harmless, nothing to undo.
    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
