"""A fourth role, campaign manager, runs the campaigns; officers and publishers stop doing so.

Officers keep what their registers need and no longer add or delete them; every group is set
to exactly the grants of the code (roles_sync), so the change applies to existing databases.
"""

from django.db import migrations

from accounts.roles import roles_sync_migration


def remove_campaign_manager(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Campaign manager").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_register_permissions"),
        ("leads", "0006_fewer_redundant_indexes"),
        ("privacy", "0015_registers_corrections"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, remove_campaign_manager)]
