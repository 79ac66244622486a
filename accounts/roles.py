"""Staff roles: Django groups holding exactly the permissions each job needs (clause 5.4)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEAD_REVIEWER = "lead-reviewer", _("Lead reviewer")
    PRIVACY_OFFICER = "privacy-officer", _("Privacy officer")
    POLICY_PUBLISHER = "policy-publisher", _("Policy publisher")


# The group names staff see in the admin; stable, since migrations look groups up by them.
GROUP_NAMES = {
    Role.LEAD_REVIEWER: "Lead reviewer",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.POLICY_PUBLISHER: "Policy publisher",
}

# Named as app_label.codename. accounts imports neither privacy nor leads: the permissions
# are strings, resolved against whatever the database holds.
LEAD_REVIEWER_PERMISSIONS = [
    "privacy.view_person",
    "privacy.view_consentrecord",
    "privacy.view_consentwording",
    "privacy.view_message",
    "leads.view_lead",
    "leads.change_lead",
]
PRIVACY_OFFICER_PERMISSIONS = [
    *LEAD_REVIEWER_PERMISSIONS,
    "privacy.view_block",
    "privacy.block_person",
    "privacy.lift_block",
    "privacy.export_person",
    "privacy.view_auditentry",
    "privacy.view_dataexport",
    "privacy.view_consentreceipt",
    "privacy.view_suppression",
    "privacy.retry_message",
]
# Models of the privacy officer's own work (rights requests, incidents, disclosures): every
# permission on them, for the models that exist when roles_sync runs. The migration that adds
# such a model re-runs roles_sync.
PRIVACY_OFFICER_MODELS = ("rightsrequest", "claim", "incident", "breach", "disclosure")
# Campaigns show an audience count and progress, never who is in them: officers run consent-
# based mailings, publishers the re-consent mailing after a material policy change.
CAMPAIGN_PERMISSIONS = [
    "leads.view_campaign",
    "leads.add_campaign",
    "leads.change_campaign",
    "leads.delete_campaign",
    "leads.send_campaign",
]
PRIVACY_OFFICER_PERMISSIONS += CAMPAIGN_PERMISSIONS
POLICY_PUBLISHER_PERMISSIONS = [
    "privacy.view_documentversion",
    "privacy.add_documentversion",
    "privacy.change_documentversion",
    "privacy.delete_documentversion",
    "privacy.publish_documentversion",
    *CAMPAIGN_PERMISSIONS,
]
ROLE_PERMISSIONS = {
    Role.LEAD_REVIEWER: LEAD_REVIEWER_PERMISSIONS,
    Role.PRIVACY_OFFICER: PRIVACY_OFFICER_PERMISSIONS,
    Role.POLICY_PUBLISHER: POLICY_PUBLISHER_PERMISSIONS,
}


def roles_sync(*, group_model: Any, permission_model: Any) -> None:
    """Create the role groups and set each one's permissions to exactly its list.

    Takes the models so that a data migration can pass its historical ones.
    """
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=GROUP_NAMES[role])
        wanted = models.Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".", 1)
            wanted |= models.Q(content_type__app_label=app_label, codename=codename)
        if role == Role.PRIVACY_OFFICER:
            wanted |= models.Q(
                content_type__app_label="privacy", content_type__model__in=PRIVACY_OFFICER_MODELS
            )
        group.permissions.set(permission_model.objects.filter(wanted))


def roles_sync_migration(apps: Any, schema_editor: Any) -> None:
    """RunPython step: bring the role groups up to date with the models migrated so far.

    Permissions are normally created after migrations (post_migrate); they are created here
    first, so the groups can hold them on a fresh database. Every migration that adds a model
    a role needs runs this step again.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    roles_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )
