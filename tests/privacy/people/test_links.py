"""Correctly signed links with a payload the site never issued are refused with 400."""

from __future__ import annotations

import pytest
from django.core import signing

from privacy.consent.models import ConsentRecord
from privacy.people.links import (
    CONFIRM_CONSENT,
    RECONSENT,
    RIGHTS_CONFIRM,
    RIGHTS_EXPORT,
    RIGHTS_NEW_EMAIL,
    UNSUBSCRIBE,
)
from privacy.rights.models import RightsRequest

pytestmark = pytest.mark.django_db

HUGE = 10**30  # no bigint holds it

# (link kind, path prefix, method, malformed payloads signed with the kind's own salt)
MALFORMED = [
    (
        UNSUBSCRIBE,
        "/privacy/unsubscribe/",
        "post",
        [{"p": "1", "u": "marketing"}, {"p": 1, "u": ["marketing"]}, {"p": HUGE, "u": "marketing"}],
    ),
    (
        CONFIRM_CONSENT,
        "/privacy/confirm/",
        "post",
        [
            {"p": 1, "u": "marketing", "m": 1},
            {"p": "1", "u": ["marketing"], "m": 1},
            {"p": 1, "u": [["marketing"]], "m": 1},
            {"p": 1, "u": ["marketing"], "m": "x"},
            {"p": 1, "u": ["marketing"]},
            {"p": HUGE, "u": ["marketing"], "m": 1},
        ],
    ),
    (
        RECONSENT,
        "/privacy/reconsent/",
        "post",
        [
            {"p": 1, "u": ["marketing"], "v": "2"},
            {"p": 1, "u": {"marketing": 1}, "v": 1},
            {"p": True, "u": ["marketing"], "v": 1},
            {"p": 1, "u": ["marketing"], "v": HUGE},
        ],
    ),
    (
        RIGHTS_CONFIRM,
        "/privacy/requests/confirm/",
        "post",
        [{"r": "1", "n": "x"}, {"r": 1, "n": ["x"]}, {"r": 1}, {"r": HUGE, "n": "x"}, ["r", 1]],
    ),
    (
        RIGHTS_NEW_EMAIL,
        "/privacy/requests/email/",
        "post",
        [{"r": [1], "n": "x"}, {"r": 1, "n": 5}, {"r": HUGE, "n": "x"}],
    ),
    (
        RIGHTS_EXPORT,
        "/privacy/requests/export/",
        "get",
        [{"r": "1"}, {"r": 1.5}, {"r": None}, {"r": 1, "x": 2}, {"r": HUGE}, "1"],
    ),
]
CASES = [
    pytest.param(kind, prefix, method, payload, id=f"{prefix}{payload!r}")
    for kind, prefix, method, payloads in MALFORMED
    for payload in payloads
]


@pytest.mark.parametrize(("kind", "prefix", "method", "payload"), CASES)
def test_a_signed_link_with_a_malformed_payload_gets_400_and_changes_nothing(
    client, published_documents, kind, prefix, method, payload
):
    token = signing.dumps(payload, salt=kind.salt, compress=True)
    records, requests = ConsentRecord.objects.count(), RightsRequest.objects.count()

    response = getattr(client, method)(f"{prefix}{token}/")

    assert response.status_code == 400
    assert "not valid" in response.text
    assert (ConsentRecord.objects.count(), RightsRequest.objects.count()) == (records, requests)
