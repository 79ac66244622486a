"""Staff accounts: creation by operators, with one role each."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import User
from .roles import GROUP_NAMES, Role

UNKNOWN_ROLE = "Unknown role; choose one of: {roles}."


class StaffError(Exception):
    pass


def staff_create(*, email: str, role: str, password: str | None = None) -> tuple[User, bool]:
    """Create a staff user with one role, or give an existing one that role (and only it).

    A None password leaves the account without a usable one (set it later, or reset it).
    Raises django.core.exceptions.ValidationError for a weak password.
    """
    if role not in Role.values:
        raise StaffError(UNKNOWN_ROLE.format(roles=", ".join(Role.values)))
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        created = user is None
        if user is None:
            user = User(email=email)
        if password is not None:
            validate_password(password, user)
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = True
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=GROUP_NAMES[Role(role)])])
    return user, created
