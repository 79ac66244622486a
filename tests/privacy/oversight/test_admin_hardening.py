"""Admin hardening: a configurable path, login lockout, session expiry, headers, CSP."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import clear_url_caches, reverse

from privacy.audit.models import AuditAction, AuditEntry
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_at_secret_path(settings):
    import leadgen.urls

    original = settings.ADMIN_URL
    settings.ADMIN_URL = "back-office-7f3a/"
    clear_url_caches()
    importlib.reload(leadgen.urls)
    yield
    settings.ADMIN_URL = original
    importlib.reload(leadgen.urls)
    clear_url_caches()


def test_the_admin_lives_at_the_configured_path(client, admin_at_secret_path):
    assert client.get("/back-office-7f3a/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


def test_repeated_failed_logins_lock_the_account_out_from_that_address(client, reviewer):
    login = reverse("admin:login")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": reviewer.email, "password": "guess"})
    response = client.post(login, {"username": reviewer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5
    # Another address is not locked out of the same account.
    other = client.post(
        login, {"username": reviewer.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.50"
    )
    assert other.status_code == 302


def test_a_successful_login_before_the_limit_resets_the_count(client, reviewer):
    login = reverse("admin:login")
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        client.post(login, {"username": reviewer.email, "password": "guess"})
    assert client.post(login, {"username": reviewer.email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("weak", ["short1", "password1234", "123456789012", "reviewer@example"])
def test_weak_staff_passwords_are_refused(reviewer, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, reviewer)


def test_staff_sessions_end_with_the_browser_and_within_a_working_day():
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


def test_admin_pages_carry_the_security_headers_and_the_csp(client, officer, lead):
    client.force_login(officer)
    for address in (
        reverse("admin:login"),
        reverse("admin:leads_lead_changelist"),
        reverse("admin:privacy_person_change", args=[lead.person_id]),
    ):
        response = client.get(address)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_in_a_real_browser_under_the_csp(page, live_server, settings):
    """Log in, filter, search, open a person and the block form: no CSP violation anywhere."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    from accounts.models import User
    from accounts.roles import GROUP_NAMES, Role, roles_sync

    roles_sync(group_model=Group, permission_model=Permission)
    call_command("load_demo", "--no-user", verbosity=0)
    officer = User.objects.create_user("officer@example.com", PASSWORD, is_staff=True)
    officer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PRIVACY_OFFICER]))
    from privacy.outbox.models import MessageKind
    from privacy.outbox.services import message_queue
    from privacy.people.services import person_find_or_create

    person = person_find_or_create(email="anna@example.com", phone="+79123456789")
    message = message_queue(kind=MessageKind.LEGAL_NOTICE, to_email=person.email, person=person)

    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/{settings.ADMIN_URL}login/")
    page.fill("#id_username", officer.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/{settings.ADMIN_URL}")

    page.goto(f"{live_server.url}/{settings.ADMIN_URL}leads/lead/")
    page.fill("#searchbar", "8 (912) 345-67-89")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    # The filter sidebar's toggle and the date hierarchy are the admin's own JavaScript.
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}privacy/person/")
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}privacy/auditentry/")
    assert page.locator("text=Logged in").count() >= 1
    # "Select all" in the messages list is the admin's own JavaScript (actions.js).
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}privacy/message/")
    page.click("#action-toggle")
    assert page.locator("input.action-select").first.is_checked()
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}privacy/person/{message.person_id}/")
    assert page.locator("text=Consent timeline").count() >= 1
    assert violations == [] and errors == []
