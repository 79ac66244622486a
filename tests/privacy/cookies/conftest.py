from __future__ import annotations

import pytest

from tests.support.cookies import GA_ID, METRICA_ID, ROISTAT_ID, VK_ID


@pytest.fixture
def all_scripts(settings, db):
    """Every statistics and advertising script configured, as an operator would by env, with
    Google Analytics (abroad) notified to Roskomnadzor long enough ago to be loaded."""
    from tests.support.register import released

    released("google_analytics")
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
