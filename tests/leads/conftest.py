from __future__ import annotations

import re

import pytest

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from privacy.people.models import Person

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(response) -> str:
    match = TOKEN.search(response.text)
    assert match, "the form carries a token"
    return match.group(1)


@pytest.fixture
def valid_data():
    return {
        "account_name": "Acme Trading",
        "phone": "+7 912 345-67-89",
        "email": "ivan@example.com",
        "consent_processing": "on",
    }


@pytest.fixture
def submit(client, published_documents):
    """Open the form like a browser, then post it; returns the POST response."""

    def _submit(
        data: dict,
        *,
        path: str = "/",
        token: str | None = None,
        headers: dict | None = None,
        get_headers: dict | None = None,
        **extra,
    ):
        if token is None:
            token = form_token(client.get(path, headers=get_headers or {}))
        return client.post(path, {**data, "form_token": token}, headers=headers or {}, **extra)

    return _submit


def table_counts() -> tuple[int, int, int]:
    return Lead.objects.count(), Person.objects.count(), ConsentRecord.objects.count()
