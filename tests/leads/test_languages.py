"""A submission in Russian records the Russian texts: their hashes, the language, the wording;
the receipt names the language and reads in it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from privacy.consent.verify import consent_log_verify
from privacy.documents.models import DocumentKind
from privacy.people.models import Purpose
from tests.support.forms import form_token

pytestmark = pytest.mark.django_db

RUSSIAN = {"Accept-Language": "ru"}


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def test_submitting_in_russian_records_the_russian_texts_hash_and_language(
    client, submit, valid_data, published_documents
):
    response = submit(
        {**valid_data, "consent_marketing": "on"}, get_headers=RUSSIAN, headers=RUSSIAN
    )

    assert response.status_code == 303
    lead = Lead.objects.get()
    records = {r.purpose: r for r in ConsentRecord.objects.filter(person=lead.person)}
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    for purpose, record in records.items():
        consent = published_documents[f"consent_{purpose}"]
        assert record.language == "ru"
        assert record.policy_sha256 == policy.text("ru").sha256 != policy.text("en").sha256
        assert record.consent_sha256 == consent.text("ru").sha256
        assert record.hashed_payload()["language"] == "ru"
    assert records[Purpose.PROCESSING].wording.text.startswith(
        "Я даю согласие на обработку моих персональных данных"
    )
    assert "Политика конфиденциальности, редакция 1" in records[Purpose.PROCESSING].wording.text
    assert (lead.language, lead.person.language) == ("ru", "ru")
    assert consent_log_verify() is None


def test_the_receipt_names_the_language_and_its_page_shows_the_russian_wording(
    client, submit, valid_data, published_documents
):
    submit(valid_data, get_headers=RUSSIAN, headers=RUSSIAN)
    receipt = Lead.objects.get().receipt
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    document = client.get(receipt.get_json_url()).json()
    page = client.get(receipt.get_absolute_url())  # an English browser: the receipt's language

    assert document["language"] == "ru"
    assert document["policy"]["language"] == "ru"
    assert document["policy"]["title"] == "Политика конфиденциальности"
    assert document["policy"]["sha256"] == policy.text("ru").sha256
    assert document["policyUrl"].endswith("/privacy/versions/1/?lang=ru")
    processing = document["purposes"][0]
    assert processing["consentText"]["language"] == "ru"
    assert processing["wording"].startswith("Я даю согласие на обработку")

    text = text_of(page)
    assert page.status_code == 200
    assert '<html lang="ru">' in page.text
    assert "Квитанция о вашем согласии" in text
    assert processing["wording"].strip() in text
    assert "Согласие на обработку персональных данных" in text  # the consent text's title
    assert 'href="http://127.0.0.1:8000/privacy/consents/consent_processing/1/?lang=ru"' in (
        page.text
    )
    assert document["consentReceiptID"] in text
    assert "/privacy/requests/?kind=withdrawal" in page.text
    assert receipt.get_json_url() in page.text
    for entry in document["purposes"]:
        assert entry["record"]["hash"] in text
    assert "no-store" in page["Cache-Control"]


def test_the_receipt_page_reads_in_another_language_when_asked(
    client, submit, valid_data, published_documents
):
    submit(valid_data, get_headers=RUSSIAN, headers=RUSSIAN)
    receipt = Lead.objects.get().receipt

    page = client.get(receipt.get_absolute_url() + "?lang=en")

    text = text_of(page)
    assert "Your consent receipt" in text
    assert "What you agreed to" in text
    # What was shown stays as it was shown: the Russian wording, marked as Russian.
    assert re.search(r'<blockquote lang="ru">Я даю согласие', page.text)


def test_an_unknown_receipt_page_is_not_found(client, published_documents):
    assert client.get("/privacy/receipts/not-a-token/").status_code == 404


def test_the_form_records_the_language_it_was_shown_in(
    client, submit, valid_data, published_documents
):
    # Shown in Russian, sent after the site was switched to English in another tab.
    token = form_token(client.get("/", headers=RUSSIAN))

    submit(valid_data, token=token, headers={"Accept-Language": "en"})

    record = ConsentRecord.objects.get(purpose=Purpose.PROCESSING)
    assert record.language == "ru"
    assert record.wording.text.startswith("Я даю согласие")


def test_a_token_naming_no_site_language_falls_back_to_the_requests(
    client, submit, valid_data, published_documents
):
    from leads.services import documents_in_force, form_token_issue, form_token_read

    token = form_token_issue(
        documents=documents_in_force(), landing_url="", referrer="", language="xx"
    )
    assert form_token_read(token).language == ""

    submit(valid_data, token=token, headers=RUSSIAN)

    assert ConsentRecord.objects.get(purpose=Purpose.PROCESSING).language == "ru"


def test_the_thank_you_page_links_the_receipt_page_the_json_and_the_rights_page(
    client, submit, valid_data
):
    response = submit(valid_data, get_headers=RUSSIAN, headers=RUSSIAN)

    page = client.get(response["Location"], headers=RUSSIAN)

    lead = Lead.objects.get()
    assert f'href="{lead.receipt.get_absolute_url()}"' in page.text
    assert f'href="{lead.receipt.get_json_url()}"' in page.text
    assert 'href="/privacy/requests/"' in page.text
    assert "Квитанция о вашем согласии" in text_of(page)
