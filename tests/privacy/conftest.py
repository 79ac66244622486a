from __future__ import annotations

import pytest

from privacy.models import ConsentMethod, Decision, Purpose
from privacy.services import Visit, consent_record_append, person_find_or_create

WORDING = "I agree to the processing of my personal data under the Privacy Policy."
VISIT = Visit(
    ip="203.0.113.7",
    user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    page_url="https://leadgen.example/",
    referrer="https://search.example/?q=leads",
)


@pytest.fixture
def person(db):
    return person_find_or_create(email="anna@example.com", phone="+79161234567")


@pytest.fixture
def append(published_documents, person):
    """Append one consent record for `person` (a web form submission by default)."""

    def _append(
        purpose: str = Purpose.PROCESSING,
        decision: str = Decision.GRANTED,
        *,
        who=None,
        wording: str = WORDING,
    ):
        return consent_record_append(
            person=who or person,
            purpose=purpose,
            decision=decision,
            method=ConsentMethod.WEB_FORM,
            wording_text=wording,
            visit=VISIT,
            source="test",
        )

    return _append


@pytest.fixture
def submission(append):
    """The records one lead form submission appends: one per purpose offered."""
    return [
        append(Purpose.PROCESSING, Decision.GRANTED),
        append(Purpose.MARKETING, Decision.GRANTED, wording="Send me news and offers."),
        append(Purpose.ADVERTISING, Decision.NOT_GIVEN, wording="Show me advertising."),
    ]
