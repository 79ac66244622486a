"""Helpers for tests that fill in the public lead form."""

from __future__ import annotations

import re

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from privacy.people.models import Person

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(response) -> str:
    match = TOKEN.search(response.text)
    assert match, "the form carries a token"
    return match.group(1)


def table_counts() -> tuple[int, int, int]:
    return Lead.objects.count(), Person.objects.count(), ConsentRecord.objects.count()
