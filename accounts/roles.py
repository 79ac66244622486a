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
    CAMPAIGN_MANAGER = "campaign-manager", _("Campaign manager")


# The group names staff see in the admin; stable, since migrations look groups up by them.
GROUP_NAMES = {
    Role.LEAD_REVIEWER: "Lead reviewer",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.POLICY_PUBLISHER: "Policy publisher",
    Role.CAMPAIGN_MANAGER: "Campaign manager",
}

# Each role's job in a sentence, for the README's role table; what it may do there is
# generated from the grants (roles_table), so the two cannot drift apart.
ROLE_JOBS = {
    Role.LEAD_REVIEWER: "Reviews leads: reads people, their consent and messages; sets a "
    "lead's status and notes.",
    Role.PRIVACY_OFFICER: "Works the privacy registers: blocks, rights requests and erasure, "
    "incidents and their notices, disclosures, the processing register, exports, the audit "
    "trail.",
    Role.POLICY_PUBLISHER: "Drafts, previews and publishes legal document versions, reading the "
    "processing register and drafting consent texts from it; sees no personal data.",
    Role.CAMPAIGN_MANAGER: "Composes, starts, pauses and resumes campaigns (re-consent "
    "included) and sees their audience counts and progress; sees no personal data.",
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


def _permission_names(app_label: str) -> dict[str, tuple[str, str]]:
    """Every permission of an app: codename -> (model's verbose name, what it allows)."""
    names: dict[str, tuple[str, str]] = {}
    for model in installed_apps.get_app_config(app_label).get_models():
        opts = model._meta
        for action in opts.default_permissions:
            names[f"{action}_{opts.model_name}"] = (str(opts.verbose_name), action)
        for codename, name in opts.permissions:
            names[codename] = (str(opts.verbose_name), str(name))
    return names


UNKNOWN_PERMISSION = "{role} is granted {app}.{codename}, which no model of {app} defines."


def role_permission_summary(role: Role) -> list[str]:
    """What a role may do, in words: "lead: view, change", "Can publish ...", model by model.

    Raises LookupError for a grant naming a permission no model defines.
    """
    parts: list[str] = []
    for app_label, grant in sorted(role_grants()[role].items()):
        names = _permission_names(app_label)
        by_model: dict[str, list[str]] = {}
        custom: list[str] = []
        codenames = list(grant.permissions)
        for model_name in grant.models:
            codenames += [c for c in names if c.endswith(f"_{model_name}")]
        for codename in dict.fromkeys(codenames):
            if codename not in names:
                raise LookupError(
                    UNKNOWN_PERMISSION.format(role=role.value, app=app_label, codename=codename)
                )
            model, allowed = names[codename]
            if allowed in ("add", "change", "delete", "view"):
                by_model.setdefault(model, []).append(allowed)
            else:
                custom.append(allowed)
        parts += [f"{model}: {', '.join(actions)}" for model, actions in by_model.items()]
        parts += custom
    return parts


def roles_table() -> str:
    """The README's role table, in Markdown, from the roles' jobs and every app's grants."""
    from django.utils import translation

    with translation.override("en"):
        lines = ["| role | job | may (exactly the permissions granted) |", "|---|---|---|"]
        for role in Role:
            may = "; ".join(role_permission_summary(role)) or "nothing"
            lines.append(f"| {role.label} | {ROLE_JOBS[role]} | {may} |")
    return "\n".join(lines) + "\n"


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
