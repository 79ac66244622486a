"""Staff roles: Django groups holding exactly the permissions each job needs (clause 5.4).

accounts provides the mechanism and names no app above it: each app declares, in its own
`roles` module, which role gets which of its permissions (ROLE_GRANTS), and roles_sync
gathers them from every installed app.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps as installed_apps
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


@dataclass(frozen=True)
class Grant:
    """What one app gives one role: permission codenames of its own, and models of which the
    role holds every permission (add, change, delete, view and the model's own)."""

    permissions: tuple[str, ...] = ()
    models: tuple[str, ...] = ()


def _roles_module(app_name: str) -> ModuleType | None:
    if importlib.util.find_spec(f"{app_name}.roles") is None:
        return None
    return importlib.import_module(f"{app_name}.roles")


def role_grants() -> dict[Role, dict[str, Grant]]:
    """Every installed app's grants: role -> app label -> grant."""
    grants: dict[Role, dict[str, Grant]] = {role: {} for role in Role}
    for config in installed_apps.get_app_configs():
        module = _roles_module(config.name)
        for role, grant in getattr(module, "ROLE_GRANTS", {}).items():
            grants[Role(role)][config.label] = grant
    return grants


def role_permission_filter(role: Role) -> models.Q:
    """A filter on Permission selecting exactly what `role` holds."""
    wanted = models.Q(pk__in=[])
    for app_label, grant in role_grants()[role].items():
        wanted |= models.Q(content_type__app_label=app_label, codename__in=grant.permissions)
        wanted |= models.Q(content_type__app_label=app_label, content_type__model__in=grant.models)
    return wanted


def roles_sync(*, group_model: Any, permission_model: Any) -> None:
    """Create the role groups and set each one's permissions to exactly its grants.

    Takes the models so that a data migration can pass its historical ones.
    """
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=GROUP_NAMES[role])
        group.permissions.set(permission_model.objects.filter(role_permission_filter(role)))


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
