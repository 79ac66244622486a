from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import GROUP_NAMES, PRIVACY_OFFICER_MODELS, ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_the_roles_exist_with_exactly_their_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=GROUP_NAMES[role])
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        expected = set(names)
        if role == Role.PRIVACY_OFFICER:
            # Every permission on the officers' own models (rights requests, incidents, ...).
            expected |= {
                f"privacy.{p.codename}"
                for p in Permission.objects.filter(
                    content_type__app_label="privacy",
                    content_type__model__in=PRIVACY_OFFICER_MODELS,
                )
            }
        assert held == expected, role


def test_no_role_but_the_officers_may_export_block_or_read_the_audit_trail():
    sensitive = {"privacy.export_person", "privacy.block_person", "privacy.view_auditentry"}
    for role in (Role.LEAD_REVIEWER, Role.POLICY_PUBLISHER):
        assert not sensitive & set(ROLE_PERMISSIONS[role])


def test_the_publisher_holds_no_permission_on_personal_data():
    personal = ("person", "lead", "consentrecord", "message", "block", "auditentry")
    assert not [p for p in ROLE_PERMISSIONS[Role.POLICY_PUBLISHER] if p.endswith(personal)]


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
