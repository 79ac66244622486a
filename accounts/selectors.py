"""Reads about staff accounts that other apps need: who may do what."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import User


def staff_with_permission(permission: str) -> QuerySet[User]:
    """Active staff who hold `permission` ("app_label.codename"): by a group, directly, or as
    superusers. The people an assignee list may offer."""
    app_label, _dot, codename = permission.partition(".")
    held = Q(content_type__app_label=app_label, codename=codename)
    granted = Q(is_superuser=True)
    granted |= Q(groups__permissions__in=_permissions(held))
    granted |= Q(user_permissions__in=_permissions(held))
    return User.objects.filter(granted, is_active=True, is_staff=True).distinct()


def _permissions(condition: Q) -> QuerySet:
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(condition)
