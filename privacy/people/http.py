"""HTTP pieces shared by the public pages of privacy and leads."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import get_language


class HttpResponseSeeOther(HttpResponseRedirect):
    """303 after a POST: reload or back never submits the form again."""

    status_code = 303


def page_language(request: HttpRequest, default: str) -> str:
    """The language of a page kept for a person (a receipt, a copy of their data): `?lang=`,
    else the language this browser chose on the site, else `default` (theirs)."""
    languages = dict(settings.LANGUAGES)
    for candidate in (
        request.GET.get("lang", ""),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        default,
    ):
        if candidate in languages:
            return candidate
    return get_language() or settings.LANGUAGE_CODE
