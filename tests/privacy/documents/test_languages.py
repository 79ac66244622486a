"""The public legal pages per language: the policy, a version, the archive and the diffs show
the text in the page's language, or the one a link pins with ?lang=."""

from __future__ import annotations

import re
from html import unescape

import pytest

from privacy.documents.models import DocumentKind
from privacy.documents.services import DraftText, document_draft_create, document_publish

pytestmark = pytest.mark.django_db

RUSSIAN = {"Accept-Language": "ru"}


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", "", response.text))


def publish_v2(**summaries):
    draft = document_draft_create(
        kind=DocumentKind.PRIVACY_POLICY,
        texts={
            "ru": DraftText(
                title="Политика конфиденциальности",
                body="## 1. Термины\n\nМы бережно храним данные.\n",
                change_summary=summaries.get("ru", "Проще."),
            ),
            "en": DraftText(
                title="Privacy Policy",
                body="## 1. Terms\n\nWe keep data carefully.\n",
                change_summary=summaries.get("en", "Plainer."),
            ),
        },
    )
    return document_publish(version=draft)


def test_the_policy_page_shows_the_text_in_the_pages_language(client, published_documents):
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    english = client.get("/privacy/")
    russian = client.get("/privacy/", headers=RUSSIAN)

    assert "2.4. The Site Administration does not verify" in english.text
    assert policy.text("en").sha256 in english.text
    assert "2.4. Администрация сайта не проверяет достоверность" in russian.text
    assert policy.text("ru").sha256 in russian.text
    assert "<h1>Политика конфиденциальности</h1>" in russian.text
    assert english["ETag"] != russian["ETag"]


def test_a_link_with_lang_pins_the_text_and_marks_its_language(client, published_documents):
    response = client.get("/privacy/versions/1/?lang=en", headers=RUSSIAN)

    assert '<html lang="ru">' in response.text
    assert '<article class="legal-document" lang="en">' in response.text
    assert "2.4. The Site Administration does not verify" in response.text
    assert "Редакция 1" in response.text  # the page around the text speaks Russian
    assert 'href="/privacy/versions/1/?lang=ru"' in response.text  # "also in"


def test_each_consent_text_reads_in_both_languages(client, published_documents):
    russian = client.get("/privacy/consents/consent_marketing/", headers=RUSSIAN)
    english = client.get("/privacy/consents/consent_marketing/")

    assert "Согласие на получение маркетинговых сообщений" in russian.text
    assert "Я даю согласие на получение от ООО «Лидген»" in russian.text
    assert "I agree to receive from Lidgen LLC" in english.text


def test_the_archive_lists_the_summaries_in_the_pages_language(client, published_documents):
    publish_v2()

    russian = client.get("/privacy/versions/", headers=RUSSIAN)
    english = client.get("/privacy/versions/")

    assert "Проще." in russian.text and "Plainer." not in russian.text
    assert "Первая опубликованная редакция." in russian.text
    assert "Plainer." in english.text and "Проще." not in english.text


def test_the_diff_compares_the_texts_of_one_language(client, published_documents):
    publish_v2()

    russian = client.get("/privacy/versions/2/diff/1/", headers=RUSSIAN)
    english = client.get("/privacy/versions/2/diff/1/?lang=en", headers=RUSSIAN)

    assert russian.status_code == english.status_code == 200
    assert "Мы бережно храним данные." in text_of(russian)
    assert "We keep data carefully." not in text_of(russian)
    assert "Проще." in russian.text
    assert "We keep data carefully." in text_of(english)
    assert "Plainer." in english.text


def test_a_version_published_before_a_language_is_shown_in_the_first_it_has(
    client, settings, published_documents
):
    settings.LEGAL_LANGUAGES = ["en"]
    draft = document_draft_create(
        kind=DocumentKind.PRIVACY_POLICY,
        texts={"en": DraftText(title="Privacy Policy", body="English only.")},
    )
    document_publish(version=draft)
    settings.LEGAL_LANGUAGES = ["ru", "en"]

    page = client.get("/privacy/", headers=RUSSIAN)
    diff = client.get("/privacy/versions/2/diff/1/", headers=RUSSIAN)
    pinned = client.get("/privacy/versions/2/diff/1/?lang=ru", headers=RUSSIAN)

    assert "English only." in page.text
    assert '<article class="legal-document" lang="en">' in page.text
    assert "опубликована до появления текста на языке «Русский»" in page.text
    assert diff.status_code == 200  # compared in the language both versions have
    assert "English only." in text_of(diff)
    assert pinned.status_code == 404
    assert 'href="/privacy/versions/2/diff/1/?lang=en"' in pinned.text


def test_the_policy_page_links_the_rights_request_page(client, published_documents):
    assert 'href="/privacy/requests/"' in client.get("/privacy/").text
