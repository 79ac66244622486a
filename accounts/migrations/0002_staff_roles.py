"""The three staff roles as groups: lead reviewer, privacy officer, policy publisher."""

from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations (post_migrate); create them now so
    # the groups can hold them on a fresh database.
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

    operations = [migrations.RunPython(create_roles, remove_roles)]
