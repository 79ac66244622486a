"""Privacy officers get every permission on rights requests, incidents and disclosures."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    from accounts.roles import roles_sync

    roles_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_campaign_permissions"),
        ("privacy", "0008_rights_incidents_disclosures"),
    ]

    # Reversing leaves the groups as the later code defines them: harmless, nothing to undo.
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
