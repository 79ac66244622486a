"""Per-response consequences of the visitor's cookie choice: CSP hosts and cache keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from privacy.cookies.banner import Script, consent_state

_ETAG = re.compile(r'^(W/)?"(.*)"$')


def csp_with_scripts(scripts: list[Script]) -> dict[str, list[str]] | None:
    """The site's policy widened by the hosts of these scripts, if any."""
    if not scripts:
        return None
    site_policy = cast(dict[str, list[str]], settings.SECURE_CSP)
    policy = {directive: list(values) for directive, values in site_policy.items()}
    for script in scripts:
        for directive, hosts in script.hosts.items():
            values = policy.setdefault(directive, list(site_policy.get("default-src", [])))
            values.extend(host for host in hosts if host not in values)
    return policy


def _with_variant(etag: str, variant: str) -> str:
    match = _ETAG.match(etag)
    if not match:
        return etag
    return f'{match.group(1) or ""}"{match.group(2)}-{variant}"'


class CookieConsentMiddleware:
    """Read the cookie choice; widen the CSP for consented scripts; keep caches honest.

    Pages render the banner and the scripts from the choice, so a cached copy must never
    outlive a change of it: HTML responses vary on Cookie and Sec-GPC, and their ETags carry
    a key of the consent state, so a revalidation after a change is answered in full, not 304.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = consent_state(request)
        self._strip_stale_validators(request, state.variant())
        response = self.get_response(request)
        is_page = response.get("Content-Type", "").startswith("text/html")
        if not is_page and response.status_code != 304:
            return response
        patch_vary_headers(response, ("Cookie", "Sec-GPC"))
        if response.has_header("ETag"):
            response["ETag"] = _with_variant(response["ETag"], state.variant())
        # Only a page that rendered consented scripts (see {% consented_scripts %}) gets their
        # hosts: the admin, JSON and every page without them keep the strict policy.
        policy = csp_with_scripts(getattr(request, "consented_scripts_rendered", []))
        if policy is not None and getattr(response, "_csp_config", None) is None:
            response._csp_config = policy  # type: ignore[attr-defined]
        return response

    @staticmethod
    def _strip_stale_validators(request: HttpRequest, variant: str) -> None:
        """Hand the view the ETags it issued, or nothing when the consent state changed."""
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match is None:
            # Without our ETag we cannot tell which consent state a cached copy was made in.
            request.META.pop("HTTP_IF_MODIFIED_SINCE", None)
            return
        suffix = f'-{variant}"'
        tags = [tag.strip() for tag in if_none_match.split(",")]
        current = [tag.replace(suffix, '"') for tag in tags if tag.endswith(suffix)]
        if current:
            request.META["HTTP_IF_NONE_MATCH"] = ", ".join(current)
        else:
            request.META.pop("HTTP_IF_NONE_MATCH", None)
            request.META.pop("HTTP_IF_MODIFIED_SINCE", None)
