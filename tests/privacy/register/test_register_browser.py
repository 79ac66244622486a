"""The register's overview and a printable notice in a real Chromium, under the strict CSP;
screenshots under tests/screenshots/ for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.staff import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_an_officer_reads_the_register_and_prints_a_notice(
    page, live_server, settings, filled_register
):
    from django.contrib.auth.models import Group, Permission

    from accounts.models import User
    from accounts.roles import GROUP_NAMES, Role, roles_sync

    roles_sync(group_model=Group, permission_model=Permission)
    officer = User.objects.create_user("officer@example.com", PASSWORD, is_staff=True)
    officer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PRIVACY_OFFICER]))
    settings.GOOGLE_ANALYTICS_ID = "G-TEST1234"
    problems: list[str] = []
    # Console errors (a CSP violation among them) and failed requests, the favicon aside.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    SHOTS.mkdir(exist_ok=True)
    admin = f"{live_server.url}/{settings.ADMIN_URL}"

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{admin}login/")
    page.fill("#id_username", officer.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(admin)
    page.goto(f"{admin}privacy/operator/")

    assert page.locator("h2#register-due").is_visible()
    assert page.locator("text=Google LLC").first.is_visible()
    page.screenshot(path=str(SHOTS / "register-overview.png"), full_page=True)

    page.click("text=Notification of processing (Art. 22) >> nth=0")
    page.wait_for_load_state()
    assert page.locator(".notice-banner").is_visible()
    assert page.locator("text=Общество с ограниченной ответственностью «Лидген»").first.is_visible()
    page.screenshot(path=str(SHOTS / "register-notice-art22.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("#header").is_visible()
    page.screenshot(path=str(SHOTS / "register-notice-art22-print.png"), full_page=True)
    assert problems == []
