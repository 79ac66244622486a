"""Links in the admin only where the viewer may go.

Django's admin shows a read-only foreign key as a link to the related object's admin page
without asking whether the viewer may open it: an officer reading who placed a block was sent
to the staff user's page and met a 403. Here the link is kept only when the related model's
own admin lets the viewer see that object; otherwise its name is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("admin_links_request", default=None)


class AdminViewerMiddleware:
    """Remember the request being answered, for the admin's read-only links (after auth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def may_open(request: HttpRequest, obj: Any) -> bool:
    """Whether the registered admin of obj's model lets this request's user see obj."""
    model_admin = admin.site._registry.get(type(obj))
    if model_admin is None:
        return False
    return model_admin.has_view_or_change_permission(request, obj)


def link_only_where_permitted() -> None:
    """Make read-only foreign keys link to the related page only when the viewer may open it."""
    original = helpers.AdminReadonlyField.get_admin_url
    if getattr(original, "permission_aware", False):
        return

    def get_admin_url(self: helpers.AdminReadonlyField, remote_field: Any, remote_obj: Any) -> Any:
        request = _request.get()
        if request is not None and not may_open(request, remote_obj):
            return str(remote_obj)
        return original(self, remote_field, remote_obj)

    get_admin_url.permission_aware = True  # type: ignore[attr-defined]
    helpers.AdminReadonlyField.get_admin_url = get_admin_url  # type: ignore[method-assign]
