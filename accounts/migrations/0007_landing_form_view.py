"""Reviewers and officers see the forms (their statistics and settings); keys stay with
superusers. Every group is set to exactly the grants of the code (roles_sync)."""

from django.db import migrations

from accounts.roles import roles_sync_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_campaign_manager"),
        ("leads", "0008_landing_forms_api_keys"),
        ("privacy", "0018_widget_method_api_key_audit"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, migrations.RunPython.noop)]
