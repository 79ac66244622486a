"""Refusals made before any view reads the request body: too large, or not UTF-8.

Both sit after the security headers' middlewares (CSP, X-Frame-Options, nosniff) in
MIDDLEWARE, so their pages carry the same headers as every other page: a middleware that
answers early skips every middleware listed after it. Nothing before them reads the body (the
CSRF check reads the form in process_view, which runs only after every middleware's request
phase).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _

# The form encodings a browser posts; both must be UTF-8 here (RFC 1866 and the WHATWG URL
# standard make x-www-form-urlencoded UTF-8; our pages and forms declare UTF-8).
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Django reads a form only when its charset is spelled "utf-8" (in any case).
UTF8 = "utf-8"


class RequestBodyLimitMiddleware:
    """Answer 413 to a declared body over the limit before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            if request.path_info.startswith("/api/"):
                # The API's clients read JSON, in the shape of its other refusals.
                message = _("The request is too large.")
                return JsonResponse({"error": "too_large", "message": message}, status=413)
            html = render_to_string("errors/413.html", request=request)
            return HttpResponse(html, status=413)
        return self.get_response(request)


def form_encoding_refused(request: HttpRequest) -> bool:
    """Whether the body is a form declared in a charset other than UTF-8, or the header is
    unreadable (Django would fail on it later, in the view)."""
    try:
        content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    except ValueError:  # longer than Django reads
        return True
    if content_type.lower() not in FORM_TYPES or "charset" not in params:
        return False
    return params["charset"].strip().lower() != UTF8


class FormEncodingMiddleware:
    """Answer 400 with the site's page to a form body declared in any charset but UTF-8.

    Django refuses such a body with BadRequest when the form is first read; since it does not
    remember the failure, its error handling reads the form again and the answer became a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if form_encoding_refused(request):
            from .views import bad_request

            return bad_request(request, reason="encoding")
        return self.get_response(request)
