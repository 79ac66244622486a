"""Where a request came from (clause 3.3), read defensively: headers are the client's words."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Visit:
    """Where an act of consent came from (clause 3.3); every value already truncated."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""
    referrer: str = ""


# Lengths we keep; longer values are cut, never rejected (a hostile header must not cost a 500).
MAX_USER_AGENT = 512
MAX_URL = 2048


def clean_text(value: str, limit: int) -> str:
    """Drop control characters (NUL breaks PostgreSQL text) and cut to `limit` characters."""
    return "".join(ch for ch in value[: limit * 2] if ch >= " " and ch != "\x7f")[:limit]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only through the configured proxies.

    Each trusted proxy appends the address it received the request from, so with N proxies the
    client is the N-th address from the right; anything further left was written by the client
    and may be forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate.strip()[:64]))
    except ValueError:
        return None


def visit_from_request(
    request: HttpRequest, *, page_url: str | None = None, referrer: str | None = None
) -> Visit:
    return Visit(
        ip=client_ip(request),
        user_agent=clean_text(request.META.get("HTTP_USER_AGENT", ""), MAX_USER_AGENT),
        page_url=clean_text(
            page_url if page_url is not None else request.build_absolute_uri(), MAX_URL
        ),
        referrer=clean_text(
            referrer if referrer is not None else request.META.get("HTTP_REFERER", ""), MAX_URL
        ),
    )
