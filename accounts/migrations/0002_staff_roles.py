"""The three staff roles as groups: lead reviewer, privacy officer, policy publisher."""

from django.db import migrations

from accounts.roles import roles_sync_migration


def remove_roles(apps, schema_editor):
    from accounts.roles import GROUP_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0006_audit_guards_consent_state"),
        ("leads", "0003_lead_review_indexes"),
    ]

    operations = [migrations.RunPython(roles_sync_migration, remove_roles)]
