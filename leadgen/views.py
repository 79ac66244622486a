"""The health check and the site's error pages (400, 403, 404, 500 and CSRF failures)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import health_report

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    # GET or HEAD: load balancers probe with either (the server sends no body for HEAD).
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def _error_page(request: HttpRequest, status: int, **context: Any) -> HttpResponse:
    admin_page = request.path.startswith("/" + settings.ADMIN_URL)
    context = {"admin_page": admin_page, "admin_url": settings.ADMIN_URL, **context}
    html = render_to_string(f"{status}.html", context, request=request)
    return HttpResponse(html, status=status)


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, reason: str = ""
) -> HttpResponse:
    """400: what the browser sent could not be read.

    Not wrapped in requires_csrf_token, unlike Django's own: that decorator reads the form
    again, and a form Django could not read the first time fails again inside the handler.
    """
    return _error_page(request, 400, reason=reason)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form sent without a valid CSRF token: usually an old page or no cookies."""
    return _error_page(request, 403, csrf_failure=True)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404)


# The last resort when even the designed page cannot render: plain, no template, no database.
FALLBACK_500 = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Server error</title>"
    "<h1>Something went wrong on our side</h1>"
    "<p>Please try again in a few minutes.</p></html>"
)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered from templates and settings only, so it shows while the database is down."""
    try:
        return _error_page(request, 500)
    except Exception:  # the page of last resort must not fail; the cause is logged
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(FALLBACK_500)
