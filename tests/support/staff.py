"""What staff tests share: the staff password and a visit for records they create."""

from __future__ import annotations

from privacy.people.visits import Visit

PASSWORD = "correct horse battery staple 42"
VISIT = Visit(
    ip="203.0.113.7",
    user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    page_url="https://leadgen.example/",
    referrer="https://search.example/?q=leads",
)


def staff_in_browser(page, live_server, role) -> object:
    """A staff member of `role` (created here, groups synced) logged in in the browser."""
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    from accounts.models import User
    from accounts.roles import GROUP_NAMES, roles_sync

    # Transactional tests flush the groups with every table: bring them back first.
    roles_sync(group_model=Group, permission_model=Permission)
    user = User.objects.create_user(f"{role.value}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/{settings.ADMIN_URL}")
    return user


def screenshot(page, name: str) -> None:
    """Keep a picture of the page for people to look at (tests/screenshots/, git-ignored)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
