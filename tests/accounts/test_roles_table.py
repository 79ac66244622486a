"""The README's role table says exactly what each role is granted: both come from the grants."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.management.commands.roles_table import BEGIN, END, readme_with_table
from accounts.roles import GROUP_NAMES, Role, role_permission_summary, roles_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_role_table_is_the_one_the_grants_generate():
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert readme_with_table(text) == text, (
        "README.md's role table differs from the grants: run "
        "`manage.py roles_table --readme README.md` and review the change"
    )


def test_the_table_has_one_row_per_role_with_its_exact_permissions():
    table = roles_table()
    for role in Role:
        [row] = [line for line in table.splitlines() if line.startswith(f"| {role.label} |")]
        assert "; ".join(role_permission_summary(role)) in row


@pytest.mark.django_db
def test_every_permission_in_the_table_is_held_by_the_roles_group():
    # The table is made from the grants; the groups are synced from the same grants.
    for role in Role:
        group = Group.objects.get(name=GROUP_NAMES[role])
        held = {p.name for p in group.permissions.all()}
        for part in role_permission_summary(role):
            if part.startswith("Can "):
                assert part in held, (role, part)
            else:
                model, _sep, actions = part.partition(": ")
                for action in actions.split(", "):
                    assert f"Can {action} {model}" in held, (role, part)


def test_a_grant_naming_a_permission_no_model_defines_is_an_error(monkeypatch):
    from accounts import roles
    from accounts.roles import Grant

    original = roles.role_grants

    def grants():
        result = original()
        result[Role.CAMPAIGN_MANAGER]["leads"] = Grant(permissions=("launch_rocket",))
        return result

    monkeypatch.setattr(roles, "role_grants", grants)
    with pytest.raises(LookupError, match="launch_rocket"):
        role_permission_summary(Role.CAMPAIGN_MANAGER)
