"""The access export as a person reads it: grouped by what we hold, behind the signed link."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from privacy.blocks.models import Block
from privacy.rights.models import RightsRequest
from tests.support.mail import link_in, mails_to, send_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_link(confirmed, lead):
    """An access request by the person of `lead`, confirmed and answered: the export's link."""
    confirmed("access", "anna@example.com")
    send_outbox()
    [answer] = [m for m in mails_to("anna@example.com") if "ready" in m.subject]
    return link_in(answer, "export")


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def test_the_export_page_groups_everything_we_hold_by_kind(client, export_link):
    response = client.get(export_link)

    text = text_of(response)
    assert response.status_code == 200
    headings = re.findall(r"<h2 id=\"export-(\w+)-title\">([^<]+)</h2>", response.text)
    assert [key for key, _title in headings] == [
        "person",
        "leads",
        "consent_records",
        "messages",
        "blocks",
        "disclosures",
        "corrections",
        "rights_requests",
    ]
    assert "Your contact data" in text and "anna@example.com" in text
    assert "Your submissions" in text and "Anna" in text and "203.0.113.7" in text
    assert "Your consent history" in text and "Marketing communications" in text
    assert "Granted" in text  # decisions spelt out, not "granted"
    assert "A copy of my data" in text  # the request's kind, spelt out
    assert "We hold nothing of this kind about you." in text  # no blocks, no disclosures
    assert "Download the same data as a file (JSON)" in text
    assert f'href="{export_link}json/"' in response.text


def test_the_page_and_the_file_hold_the_same_data(client, export_link):
    data = json.loads(client.get(export_link + "json/").content)
    text = text_of(client.get(export_link))

    for record in data["consent_records"]:
        assert record["record_hash"] in text
        assert record["wording"].strip() in text
    assert data["leads"][0]["user_agent" if "user_agent" in data["leads"][0] else "visit"]


def test_the_page_shows_a_block_and_speaks_the_requests_language(client, export_link, lead):
    Block.objects.create(
        person=lead.person, requested_by="person", reason="Checking.", review_by="2027-01-01"
    )
    RightsRequest.objects.update(language="ru")

    response = client.get(export_link)

    assert '<html lang="ru">' in response.text
    assert "Ваши контактные данные" in text_of(response)
    assert "Checking." in text_of(response)


def test_the_export_page_needs_a_valid_link(client, export_link):
    forged = export_link.replace("/export/", "/export/x")

    assert client.get(forged).status_code == 400
    assert client.get(forged + "json/").status_code == 400


def test_the_requests_own_page_links_the_export(client, confirmed, lead):
    rights_request = confirmed("access", "anna@example.com")

    page = client.get(f"/privacy/requests/{rights_request.public_id}/")

    link = re.search(r'href="(/privacy/requests/export/[^"]+/)"', page.text).group(1)
    assert client.get(link).status_code == 200
    assert "The personal data we hold about you" in client.get(link).text
