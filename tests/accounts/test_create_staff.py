from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role, role_grants

pytestmark = pytest.mark.django_db


def held(role: Role) -> set[str]:
    group = Group.objects.get(name=GROUP_NAMES[role])
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_roles_exist_with_exactly_what_each_app_grants_them():
    for role, grants in role_grants().items():
        expected = set()
        for app_label, grant in grants.items():
            expected |= {f"{app_label}.{codename}" for codename in grant.permissions}
            expected |= {
                f"{app_label}.{p.codename}"
                for p in Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model__in=grant.models
                )
            }
        assert held(role) == expected, role


def test_every_granted_permission_exists():
    for role in Role:
        for app_label, grant in role_grants()[role].items():
            for codename in grant.permissions:
                assert Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).exists(), f"{role}: {app_label}.{codename}"
            for model in grant.models:
                assert Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model
                ).exists(), f"{role}: {app_label}.{model}"


def test_officers_work_their_registers_but_delete_nothing_from_them():
    officer = held(Role.PRIVACY_OFFICER)
    assert {
        "privacy.answer_rightsrequest",
        "privacy.erase_person",
        "privacy.add_incident",
        "privacy.notify_incident",
        "privacy.add_disclosure",
    } <= officer
    assert (
        not {
            "privacy.add_rightsrequest",
            "privacy.delete_rightsrequest",
            "privacy.delete_incident",
            "privacy.change_disclosure",
            "privacy.delete_disclosure",
        }
        & officer
    )


def test_no_role_but_the_officers_may_export_block_or_read_the_audit_trail():
    sensitive = {"privacy.export_person", "privacy.block_person", "privacy.view_auditentry"}
    for role in (Role.LEAD_REVIEWER, Role.POLICY_PUBLISHER, Role.CAMPAIGN_MANAGER):
        assert not sensitive & held(role)


# Every model whose rows hold or name a person's data.
PERSONAL = (
    "person",
    "lead",
    "consentrecord",
    "consentreceipt",
    "message",
    "suppression",
    "block",
    "auditentry",
    "dataexport",
    "rightsrequest",
    "datacorrection",
    "destruction",
    "disclosure",
    "incident",
    "visitorlink",
)


@pytest.mark.parametrize("role", [Role.POLICY_PUBLISHER, Role.CAMPAIGN_MANAGER])
def test_publishers_and_campaign_managers_hold_no_permission_on_personal_data(role):
    assert not [p for p in held(role) if p.endswith(PERSONAL)]


def test_only_the_campaign_manager_composes_and_starts_campaigns():
    runs = {"leads.add_campaign", "leads.change_campaign", "leads.send_campaign"}
    assert runs <= held(Role.CAMPAIGN_MANAGER)
    for role in (Role.LEAD_REVIEWER, Role.PRIVACY_OFFICER, Role.POLICY_PUBLISHER):
        assert not runs & held(role), role


def test_create_staff_makes_a_staff_user_with_one_role(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long and unusual passphrase 7\n"))
    out = io.StringIO()
    call_command(
        "create_staff",
        "Olga@Example.com",
        "--role",
        "privacy-officer",
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(email="olga@example.com")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("a long and unusual passphrase 7")
    assert [g.name for g in user.groups.all()] == ["Privacy officer"]
    assert user.has_perm("privacy.block_person")
    assert "Created olga@example.com as Privacy officer" in out.getvalue()


def test_create_staff_moves_an_existing_user_to_the_new_role_only():
    call_command("create_staff", "olga@example.com", "--role", "privacy-officer", "--no-password")
    call_command("create_staff", "olga@example.com", "--role", "lead-reviewer", "--no-password")
    user = User.objects.get(email="olga@example.com")
    assert [g.name for g in user.groups.all()] == ["Lead reviewer"]
    assert not user.has_usable_password()


def test_create_staff_refuses_a_weak_password_and_creates_nobody(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError):
        call_command(
            "create_staff", "olga@example.com", "--role", "lead-reviewer", "--password-stdin"
        )
    assert not User.objects.filter(email="olga@example.com").exists()


def test_create_staff_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("create_staff", "olga@example.com", "--role", "root")
    assert not User.objects.exists()
