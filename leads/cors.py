"""CORS per form: a browser on another site may call a form's API only from the form's own
allowed origins (django-cors-headers asks here; nothing is allowed site-wide)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest

from .models import LandingForm

_FORM_PATH = re.compile(r"^/api/v1/forms/(?P<slug>[-a-zA-Z0-9_]{1,50})/")


def form_origin_allowed(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """django-cors-headers' check_request_enabled: is the Origin one of this form's sites?"""
    match = _FORM_PATH.match(request.path_info)
    origin = request.headers.get("Origin", "")
    if match is None or not origin:
        return False
    # The middleware asks after the view has run: the view left the form it read here.
    form = getattr(request, "landing_form", None)
    if form is None or form.slug != match["slug"]:
        form = LandingForm.objects.filter(slug=match["slug"], is_active=True).first()
    return form is not None and form.is_active and form.allows_origin(origin)
