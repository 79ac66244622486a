from __future__ import annotations

import re

import pytest

# The lead form's own fixtures, to submit it from a browser that made a cookie choice.
from tests.leads.conftest import submit, valid_data  # noqa: F401

METRICA_ID = "98765432"
GA_ID = "G-TEST1234"
ROISTAT_ID = "abc123"
VK_ID = "3456789"

NONCE = re.compile(r"'nonce-([^']+)'")


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the request's language active in the thread: reset it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def all_scripts(settings):
    """Every statistics and advertising script configured, as an operator would by env."""
    settings.YANDEX_METRICA_ID = METRICA_ID
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    settings.ROISTAT_PROJECT_ID = ROISTAT_ID
    settings.VK_ADS_PIXEL_ID = VK_ID
    return settings


@pytest.fixture
def choose(client, published_documents):
    """Post the banner's form as a browser without JavaScript would."""

    def _choose(action: str, categories: tuple[str, ...] = (), *, next_url: str = "/", **extra):
        return client.post(
            "/privacy/cookies/choice/",
            {"action": action, "category": list(categories), "next": next_url},
            **extra,
        )

    return _choose


def csp_nonce(response) -> str:
    match = NONCE.search(response["Content-Security-Policy"])
    assert match, "the policy carries a nonce"
    return match.group(1)
