"""Publishing a material change offers, in the same confirmation step, to ask the people it
affects to keep their consent: one campaign, each notice in its person's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from leads.models import Campaign
from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.services import DraftText, document_draft_create
from privacy.people.models import Person
from tests.leads.test_campaigns import person_with

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/documentversion/"
CONFIRMED = (ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)


@pytest.fixture
def subscribers(published_documents):
    """Two people who keep marketing (one reads Russian) and one with advertising only."""
    anna = person_with("anna@example.com", *CONFIRMED)
    ivan = person_with("ivan@example.com", *CONFIRMED)
    Person.objects.filter(pk=ivan.pk).update(language="ru")
    person_with("ads@example.com", *CONFIRMED, purpose="advertising")
    return anna, ivan


def material_draft(kind=DocumentKind.PRIVACY_POLICY, material=True) -> DocumentVersion:
    return document_draft_create(
        kind=kind,
        texts={
            "ru": DraftText(
                title="Политика конфиденциальности",
                body="Новая редакция.",
                change_summary="Добавлены новые цели обработки.",
            ),
            "en": DraftText(
                title="Privacy Policy",
                body="The new version.",
                change_summary="New purposes of processing were added.",
            ),
        },
        material=material,
    )


def test_the_confirmation_offers_re_consent_for_the_purposes_affected_with_counts(
    client, publisher, subscribers
):
    draft = material_draft()
    client.force_login(publisher)

    page = client.get(f"{CHANGELIST}{draft.pk}/publish/")

    assert "Ask people to consent again" in page.text
    assert "Marketing communications: 2 people hold this consent now" in page.text
    assert "Advertising: 1 people hold this consent now" in page.text
    assert "New purposes of processing were added." in page.text
    assert "Добавлены новые цели обработки." in page.text


def test_publishing_with_re_consent_starts_one_campaign_in_each_persons_language(
    client, publisher, subscribers, django_capture_on_commit_callbacks
):
    draft = material_draft()
    client.force_login(publisher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{CHANGELIST}{draft.pk}/publish/", {"purposes": ["marketing"]}, follow=True
        )

    version = DocumentVersion.objects.get(pk=draft.pk)
    campaign = Campaign.objects.get()
    assert version.number == 2 and version.is_published
    assert (campaign.purpose, campaign.policy_version, campaign.reconsent_purposes) == (
        "reconsent",
        version,
        ["marketing"],
    )
    assert campaign.status in ("sending", "done")
    assert "Started the campaign" in response.text
    notices = {m.to[0]: m for m in mail.outbox}
    assert sorted(notices) == ["anna@example.com", "ivan@example.com"]  # not the ads-only one
    assert "New purposes of processing were added." in notices["anna@example.com"].body
    russian = notices["ivan@example.com"]
    assert "Добавлены новые цели обработки." in russian.body
    assert "Политика конфиденциальности" in russian.subject
    assert "?lang=ru" in russian.body

    link = re.search(r"http://\S+(/privacy/reconsent/\S+/)", russian.body).group(1)
    assert client.post(link, headers={"Accept-Language": "ru"}).status_code == 200
    kept = ConsentRecord.objects.get(source="reconsent")
    assert (kept.purpose, kept.policy_version, kept.language) == ("marketing", version, "ru")


def test_publishing_without_ticking_starts_nothing(client, publisher, subscribers):
    draft = material_draft()
    client.force_login(publisher)

    client.post(f"{CHANGELIST}{draft.pk}/publish/")

    assert DocumentVersion.objects.get(pk=draft.pk).is_published
    assert not Campaign.objects.exists()


def test_a_publication_refused_starts_no_campaign(client, publisher, subscribers):
    draft = material_draft()
    draft.texts.filter(language="ru").update(change_summary="")
    client.force_login(publisher)

    response = client.post(
        f"{CHANGELIST}{draft.pk}/publish/", {"purposes": ["marketing"]}, follow=True
    )

    assert "missing in Русский" in response.text
    assert not DocumentVersion.objects.get(pk=draft.pk).is_published
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("kind", "material", "offered"),
    [
        (DocumentKind.PRIVACY_POLICY, False, False),
        (DocumentKind.CONSENT_MARKETING, True, True),
        (DocumentKind.CONSENT_PROCESSING, True, False),
    ],
)
def test_only_a_material_change_of_a_document_with_a_mailing_offers_it(
    client, publisher, subscribers, kind, material, offered
):
    draft = material_draft(kind=kind, material=material)
    client.force_login(publisher)

    page = client.get(f"{CHANGELIST}{draft.pk}/publish/")

    assert ("Ask people to consent again" in page.text) is offered
    if kind == DocumentKind.CONSENT_MARKETING:
        assert "Advertising:" not in page.text


def test_a_changed_consent_text_is_kept_under_its_own_version(
    client, publisher, subscribers, django_capture_on_commit_callbacks
):
    draft = material_draft(kind=DocumentKind.CONSENT_MARKETING)
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{CHANGELIST}{draft.pk}/publish/", {"purposes": ["marketing"]})
    notice = next(m for m in mail.outbox if m.to == ["anna@example.com"])

    link = re.search(r"http://\S+(/privacy/reconsent/\S+/)", notice.body).group(1)
    client.post(link)

    kept = ConsentRecord.objects.get(source="reconsent")
    assert kept.consent_version_id == draft.pk
    assert kept.policy_version.number == 1
