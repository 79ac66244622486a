"""Fixtures for forms on other sites: a landing form, its keys, the API's two calls."""

from __future__ import annotations

import pytest

from leads.keys import IssuedKey, api_key_issue
from leads.models import LandingForm

PROMO_ORIGIN = "https://promo.example.com"


@pytest.fixture
def landing_form(published_documents) -> LandingForm:
    """A form shown on one other site, offering marketing but not advertising."""
    return LandingForm.objects.create(
        slug="promo",
        name="Spring promo",
        advertising=LandingForm.Offer.ABSENT,
        allowed_origins=PROMO_ORIGIN,
        source_tag="spring-promo",
        thank_you_message="Thanks from the promo team.",
    )


@pytest.fixture
def issued_key(landing_form, superuser) -> IssuedKey:
    return api_key_issue(form=landing_form, name="Promo back end", staff=superuser)


@pytest.fixture
def api_form(client):
    """GET /api/v1/forms/<slug>/ as a browser on `origin` (or a server, with none)."""

    def _get(slug: str = "promo", *, origin: str | None = PROMO_ORIGIN, lang: str = ""):
        headers = {"Origin": origin} if origin else {}
        query = f"?lang={lang}" if lang else ""
        return client.get(f"/api/v1/forms/{slug}/{query}", headers=headers)

    return _get


@pytest.fixture
def api_submit(client, api_form):
    """POST a submission as the widget would (or as a server, with `key`)."""

    def _post(
        data: dict,
        *,
        slug: str = "promo",
        origin: str | None = PROMO_ORIGIN,
        key: str | None = None,
        token: str | None = None,
        headers: dict | None = None,
    ):
        if token is None:
            token = api_form(slug, origin=None if key else origin).json()["token"]
        all_headers = dict(headers or {})
        if origin:
            all_headers["Origin"] = origin
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        return client.post(
            f"/api/v1/forms/{slug}/submissions/",
            {"token": token, **data},
            content_type="application/json",
            headers=all_headers,
        )

    return _post


@pytest.fixture
def api_data() -> dict:
    return {
        "account_name": "Acme Trading",
        "phone": "+7 912 345-67-89",
        "email": "ivan@example.com",
        "consent_processing": True,
        "page_url": f"{PROMO_ORIGIN}/spring/?utm_source=vk&utm_campaign=spring",
        "referrer": "https://vk.com/",
    }
