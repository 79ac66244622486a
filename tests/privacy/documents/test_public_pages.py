from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.views import IN_FORCE_MAX_AGE, PUBLISHED_VERSION_MAX_AGE
from tests.support.documents import draft, publish

pytestmark = pytest.mark.django_db

POLICY = DocumentKind.PRIVACY_POLICY


@pytest.fixture
def travel(monkeypatch):
    """Move the clock every caller of django.utils.timezone.now sees."""
    real_now = timezone.now

    def _travel(delta: timedelta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)

    return _travel


def test_a_scheduled_version_takes_effect_on_time_without_a_restart(
    client, published_documents, travel
):
    effective_at = timezone.now() + timedelta(days=3)
    publish("The policy from next week.", effective_at=effective_at)

    before = client.get("/privacy/")
    travel(timedelta(days=3, seconds=1))
    after = client.get("/privacy/")

    assert "Version 1" in before.text
    assert "The policy from next week." not in before.text
    assert "Version 2" in after.text
    assert "The policy from next week." in after.text
    assert DocumentVersion.objects.in_force(POLICY).number == 2


def test_exactly_one_version_is_in_force_at_any_moment(published_documents, travel):
    now = timezone.now()
    publish("Two.", effective_at=now + timedelta(hours=1))
    publish("Three.", effective_at=now + timedelta(hours=2))

    in_force = [
        DocumentVersion.objects.in_force(POLICY, at=now + timedelta(minutes=minutes)).number
        for minutes in (0, 59, 61, 119, 121)
    ]

    assert in_force == [1, 1, 2, 2, 3]


def test_a_scheduled_version_is_posted_in_advance_and_marked_scheduled(client, published_documents):
    publish("Coming.", effective_at=timezone.now() + timedelta(days=1))

    page = client.get("/privacy/versions/2/")
    listing = client.get("/privacy/versions/")

    assert page.status_code == 200
    assert "scheduled" in page.text
    assert "/privacy/versions/2/" in listing.text


@pytest.mark.parametrize(
    "url",
    [
        "/privacy/versions/2/",
        "/privacy/versions/0/",
        "/privacy/versions/1/diff/2/",
        "/privacy/consents/consent_marketing/2/",
        "/privacy/consents/privacy_policy/",
        "/privacy/consents/terms_of_sale/",
        "/privacy/consents/terms_of_sale/1/",
    ],
)
def test_unknown_versions_and_drafts_are_not_found(client, published_documents, url):
    draft("Not public yet.", title="Draft")
    draft("Nor this.", kind=DocumentKind.CONSENT_MARKETING, title="Draft")

    response = client.get(url)

    assert response.status_code == 404
    assert "Not public yet." not in response.text


def test_with_nothing_published_the_policy_page_is_not_found(client):
    assert client.get("/privacy/").status_code == 404


def test_the_archive_lists_every_published_version_with_its_summary(client, published_documents):
    publish("Two.", summary="Clearer retention rules.")

    response = client.get("/privacy/versions/")

    assert "/privacy/versions/1/" in response.text
    assert "/privacy/versions/2/" in response.text
    assert "Clearer retention rules." in response.text


def test_each_consent_text_has_its_in_force_and_permanent_pages(client, published_documents):
    marketing = published_documents[DocumentKind.CONSENT_MARKETING]

    in_force = client.get("/privacy/consents/consent_marketing/")
    permanent = client.get("/privacy/consents/consent_marketing/1/")

    assert in_force.status_code == permanent.status_code == 200
    assert marketing.text("en").sha256 in in_force.text
    assert "Permanent link to this version" in in_force.text


def test_version_pages_are_cacheable_for_long_and_the_page_in_force_for_short(
    client, published_documents
):
    version = client.get("/privacy/versions/1/")
    in_force = client.get("/privacy/")

    assert f"max-age={PUBLISHED_VERSION_MAX_AGE}" in version["Cache-Control"]
    assert "public" in version["Cache-Control"]
    assert f"max-age={IN_FORCE_MAX_AGE}" in in_force["Cache-Control"]
    for response in (version, in_force):
        assert response.has_header("ETag")
        assert response.has_header("Last-Modified")


def test_an_unchanged_page_is_revalidated_with_304(client, published_documents):
    first = client.get("/privacy/versions/1/")

    again = client.get("/privacy/versions/1/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_a_new_version_invalidates_the_old_version_page(client, published_documents):
    first = client.get("/privacy/versions/1/")
    publish("Two.")

    again = client.get("/privacy/versions/1/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert "superseded" in again.text


def test_no_cache_keeps_a_page_past_the_moment_a_scheduled_version_takes_effect(
    client, published_documents
):
    publish("Soon.", effective_at=timezone.now() + timedelta(seconds=30))

    response = client.get("/privacy/versions/1/")

    max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age <= 30


def test_raw_html_in_a_body_is_shown_escaped_never_run(client, published_documents):
    publish(
        "Hello <script>alert('body')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n'
        "[click](javascript:alert('link'))\n",
        title="Policy <script>alert('title')</script>",
    )

    for url in ("/privacy/", "/privacy/versions/2/", "/privacy/versions/2/diff/1/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "<script>alert" not in response.text
        assert "<img" not in response.text
        assert 'href="javascript:' not in response.text
        assert "&lt;script&gt;alert(" in response.text


def test_the_diff_marks_the_words_that_changed(client, published_documents):
    publish("# Terms\n\nWe keep data safe.\n\nWe answer in 30 days.\n", summary="")
    publish("# Terms\n\nWe keep data very safe.\n\nWe answer in 10 days.\n")

    response = client.get("/privacy/versions/3/diff/2/")

    assert response.status_code == 200
    assert "Changes from version 2 to version 3" in response.text
    assert "<ins>very </ins>" in response.text
    assert "<del>30</del>" in response.text
    assert "<ins>10</ins>" in response.text
    assert "max-age=604800" in response["Cache-Control"]


def test_the_diff_reads_the_same_in_either_order(client, published_documents):
    publish("Two.")

    forward = client.get("/privacy/versions/1/diff/2/")
    backward = client.get("/privacy/versions/2/diff/1/")

    def diff_of(response):
        return response.text.split('<div class="diff"')[1].split("</div>")[0]

    assert diff_of(forward) == diff_of(backward)


def test_a_version_links_to_its_changes_and_consent_texts_have_diffs_too(
    client, published_documents
):
    publish("Send me offers, please.", kind=DocumentKind.CONSENT_MARKETING, title="Marketing")

    page = client.get("/privacy/consents/consent_marketing/2/")
    diff = client.get("/privacy/consents/consent_marketing/2/diff/1/")

    assert "/privacy/consents/consent_marketing/2/diff/1/" in page.text
    assert diff.status_code == 200
    assert "Changes to Marketing" in diff.text
    added = "".join(part.split("</p>")[0] for part in diff.text.split('class="diff-added"')[1:])
    assert "please" in added


def test_pages_speak_russian(client, published_documents):
    publish("Two.")

    response = client.get("/privacy/versions/2/diff/1/", headers={"Accept-Language": "ru"})

    assert "Изменения" in response.text
