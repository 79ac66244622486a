from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.audit.models import AuditAction, AuditEntry
from privacy.consent.models import ConsentRecord
from privacy.documents.models import DocumentKind, DocumentText, DocumentVersion
from privacy.documents.services import (
    NOT_ALLOWED_TO_PUBLISH,
    DraftText,
    PublishError,
    document_draft_create,
    document_publish,
)
from privacy.people.integrity import ImmutableRecordError
from tests.support.documents import draft as make_draft

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/documentversion/"
BODY = "## 1. Terms\n\nWe keep your data **safe** and never sell it.\n"


def change_url(version: DocumentVersion) -> str:
    return f"{CHANGELIST}{version.pk}/change/"


def version_form(
    texts: dict[str, tuple[str, str, str]],
    *,
    kind: str = DocumentKind.PRIVACY_POLICY,
    effective_at: tuple[str, str] = ("", ""),
    version: DocumentVersion | None = None,
    material: bool = False,
) -> dict[str, str]:
    """The admin's form: the version's fields and one inline text per language (title, body,
    summary), the existing texts of `version` first, as the page lists them."""
    existing = list(version.texts.order_by("language")) if version is not None else []
    data = {
        "kind": kind,
        "effective_at_0": effective_at[0],
        "effective_at_1": effective_at[1],
        "texts-TOTAL_FORMS": str(len(texts)),
        "texts-INITIAL_FORMS": str(len(existing)),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "1000",
    }
    if material:
        data["material"] = "on"
    languages = [text.language for text in existing] + [
        code for code in texts if code not in {text.language for text in existing}
    ]
    for index, code in enumerate(languages):
        title, body, summary = texts[code]
        data.update(
            {
                f"texts-{index}-language": code,
                f"texts-{index}-title": title,
                f"texts-{index}-body": body,
                f"texts-{index}-change_summary": summary,
            }
        )
        if index < len(existing):
            data[f"texts-{index}-id"] = str(existing[index].pk)
            data[f"texts-{index}-version"] = str(version.pk)
    return data


def test_the_add_page_offers_a_text_for_each_legal_language(client, publisher):
    client.force_login(publisher)

    response = client.get(f"{CHANGELIST}add/")

    assert response.status_code == 200
    assert 'name="texts-TOTAL_FORMS" value="2"' in response.text
    for index, code in enumerate(["ru", "en"]):
        assert f'<option value="{code}" selected>' in response.text.split(
            f'name="texts-{index}-language"'
        )[1].split("</select>")[0]


def test_a_publisher_drafts_a_new_version_in_every_language_in_admin(
    client, publisher, published_documents
):
    client.force_login(publisher)

    response = client.post(
        f"{CHANGELIST}add/",
        version_form(
            {
                "ru": ("Политика конфиденциальности", "Новый текст.", "Короче."),
                "en": ("Privacy Policy", "New text.", "Shorter."),
            }
        ),
    )

    assert response.status_code == 302
    draft = DocumentVersion.objects.get(status=DocumentVersion.Status.DRAFT)
    texts = {t.language: (t.title, t.body, t.change_summary) for t in draft.texts.all()}
    assert texts == {
        "ru": ("Политика конфиденциальности", "Новый текст.", "Короче."),
        "en": ("Privacy Policy", "New text.", "Shorter."),
    }
    assert draft.number is None


def test_a_draft_may_be_saved_with_one_language_and_completed_later(
    client, publisher, published_documents
):
    client.force_login(publisher)
    client.post(
        f"{CHANGELIST}add/",
        version_form({"ru": ("", "", ""), "en": ("Privacy Policy", "New text.", "")}),
    )
    draft = DocumentVersion.objects.get(status=DocumentVersion.Status.DRAFT)
    assert draft.languages() == ["en"]

    response = client.post(
        change_url(draft),
        version_form(
            {"en": ("Privacy Policy", "New text.", ""), "ru": ("Политика", "Новый текст.", "")},
            version=draft,
        ),
    )

    assert response.status_code == 302
    assert DocumentVersion.objects.get(pk=draft.pk).languages() == ["ru", "en"]


def test_a_text_in_a_language_that_is_not_configured_is_refused(
    client, publisher, published_documents
):
    client.force_login(publisher)

    response = client.post(
        f"{CHANGELIST}add/",
        version_form({"de": ("Datenschutz", "Neuer Text.", ""), "en": ("P", "Text.", "")}),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not DocumentVersion.objects.filter(status=DocumentVersion.Status.DRAFT).exists()


def test_a_draft_cannot_be_scheduled_in_the_past(client, publisher, draft):
    client.force_login(publisher)
    yesterday = timezone.localtime() - timedelta(days=1)

    response = client.post(
        change_url(draft),
        version_form(
            {code: ("Privacy Policy", "Changed.", "") for code in ("ru", "en")},
            version=draft,
            effective_at=(yesterday.strftime("%Y-%m-%d"), yesterday.strftime("%H:%M:%S")),
        ),
    )

    assert response.status_code == 200
    assert "cannot take effect in the past" in response.text
    draft.refresh_from_db()
    assert draft.effective_at is None
    assert set(draft.texts.values_list("body", flat=True)) == {BODY}


def test_the_preview_shows_the_draft_as_the_public_will_see_it(client, editor, draft):
    client.force_login(editor)

    response = client.get(f"{CHANGELIST}{draft.pk}/preview/")

    assert response.status_code == 200
    assert response.templates[0].name == "privacy/version.html"
    assert "<strong>safe</strong>" in response.text
    assert "Version 2" in response.text
    assert draft.text("en").compute_sha256() in response.text
    assert "this draft is not published" in response.text
    assert "Changes since version 1" in response.text
    assert '<p class="diff-added"' in response.text


def test_publishing_asks_for_confirmation_first(client, publisher, draft):
    client.force_login(publisher)

    response = client.get(f"{CHANGELIST}{draft.pk}/publish/")

    assert response.status_code == 200
    assert "can never be changed or deleted" in response.text
    assert "Yes, publish it" in response.text
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


def test_confirming_publishes_the_version_and_records_who_and_when(client, publisher, draft):
    client.force_login(publisher)

    response = client.post(f"{CHANGELIST}{draft.pk}/publish/", follow=True)

    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.PUBLISHED
    assert draft.number == 2
    assert draft.published_by == publisher
    assert abs(draft.published_at - timezone.now()) < timedelta(seconds=30)
    assert draft.is_in_force()
    assert "Published Privacy Policy v2" in response.text


def test_a_staff_member_without_the_permission_cannot_publish(client, editor, draft):
    client.force_login(editor)

    page = client.get(change_url(draft))
    confirmation = client.get(f"{CHANGELIST}{draft.pk}/publish/")
    attempt = client.post(f"{CHANGELIST}{draft.pk}/publish/")

    assert page.status_code == 200
    assert "/publish/" not in page.text
    assert confirmation.status_code == 403
    assert attempt.status_code == 403
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


def test_the_service_refuses_a_publisher_without_the_permission(editor, draft):
    with pytest.raises(PublishError, match=NOT_ALLOWED_TO_PUBLISH):
        document_publish(version=draft, published_by=editor)

    draft.refresh_from_db()
    assert (draft.status, draft.number) == (DocumentVersion.Status.DRAFT, None)


def test_the_service_publishes_without_a_user_for_pipelines(draft):
    version = document_publish(version=draft)

    assert (version.number, version.published_by) == (2, None)


def test_a_published_version_is_read_only_in_admin(client, publisher, published_documents):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    page = client.get(change_url(policy))
    edit = client.post(
        change_url(policy),
        version_form({c: ("Rewritten", "Rewritten", "") for c in ("ru", "en")}, version=policy),
    )
    delete = client.post(f"{CHANGELIST}{policy.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="texts-0-title"' not in page.text
    assert "Политика конфиденциальности" in page.text
    assert "Copy into a new draft" in page.text
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert set(policy.texts.values_list("title", flat=True)) == {
        "Privacy Policy",
        "Политика конфиденциальности",
    }


def test_bulk_delete_refuses_published_versions(client, publisher, published_documents, draft):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [policy.pk, draft.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert DocumentVersion.objects.filter(pk__in=[policy.pk, draft.pk]).count() == 2


def test_the_copy_button_makes_a_new_draft_of_a_published_version(
    client, publisher, published_documents
):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    response = client.post(f"{CHANGELIST}{policy.pk}/copy/")

    copy = DocumentVersion.objects.get(status=DocumentVersion.Status.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == change_url(copy)
    assert copy.kind == policy.kind

    def texts(version):
        return sorted(version.texts.values_list("language", "title", "body"))

    assert texts(copy) == texts(policy)
    assert set(copy.texts.values_list("change_summary", flat=True)) == {""}


def test_the_copy_action_makes_one_draft_per_selected_version(
    client, publisher, published_documents
):
    client.force_login(publisher)
    chosen = [
        published_documents[DocumentKind.PRIVACY_POLICY],
        published_documents[DocumentKind.CONSENT_MARKETING],
    ]

    client.post(
        CHANGELIST,
        {"action": "copy_into_new_draft", "_selected_action": [v.pk for v in chosen]},
    )

    drafts = DocumentVersion.objects.filter(status=DocumentVersion.Status.DRAFT)
    assert sorted(d.kind for d in drafts) == sorted(v.kind for v in chosen)


def test_a_draft_whose_date_has_passed_is_not_published(client, publisher, draft):
    client.force_login(publisher)
    DocumentVersion.objects.filter(pk=draft.pk).update(
        effective_at=timezone.now() - timedelta(hours=1)
    )

    response = client.post(f"{CHANGELIST}{draft.pk}/publish/", follow=True)

    assert "cannot take effect before it is published" in response.text
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


@pytest.mark.parametrize("model", ["person", "consentrecord", "consentwording", "consentreceipt"])
def test_the_consent_evidence_is_read_only_in_admin(admin_client, submission, model):
    from privacy.consent.receipts import receipt_issue

    receipt_issue(person=submission[0].person, records=submission)
    listing = admin_client.get(f"/admin/privacy/{model}/")
    add = admin_client.get(f"/admin/privacy/{model}/add/")

    assert listing.status_code == 200
    assert add.status_code == 403


def test_a_consent_record_page_shows_its_chain_fields_and_cannot_be_changed(
    admin_client, submission
):
    record = submission[1]
    url = f"/admin/privacy/consentrecord/{record.pk}/change/"

    page = admin_client.get(url)
    edit = admin_client.post(url, {"decision": "denied"})
    delete = admin_client.post(f"/admin/privacy/consentrecord/{record.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert record.record_hash in page.text
    assert record.prev_hash in page.text
    assert record.personal_digest in page.text
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert ConsentRecord.objects.get(pk=record.pk).decision == "granted"


def test_the_model_refuses_to_change_a_published_version_or_its_texts(published_documents):
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    policy.material = True
    text = policy.text("ru")
    text.body = "Rewritten"

    with pytest.raises(ImmutableRecordError):
        policy.save()
    with pytest.raises(ImmutableRecordError):
        policy.delete()
    with pytest.raises(ImmutableRecordError):
        DocumentVersion.objects.filter(pk=policy.pk).update(material=True)
    with pytest.raises(ImmutableRecordError):
        DocumentVersion.objects.filter(pk=policy.pk).delete()
    with pytest.raises(ImmutableRecordError):
        text.save()
    with pytest.raises(ImmutableRecordError):
        text.delete()
    with pytest.raises(ImmutableRecordError):
        DocumentText.objects.filter(version=policy).update(body="Rewritten")
    with pytest.raises(ImmutableRecordError):
        DocumentText.objects.filter(version=policy).delete()
    with pytest.raises(ImmutableRecordError):
        DocumentText.objects.create(version=policy, language="en", title="T", body="B")

    assert not DocumentVersion.objects.get(pk=policy.pk).material
    assert "Rewritten" not in set(policy.texts.values_list("body", flat=True))


def test_a_draft_can_be_deleted(client, publisher, published_documents):
    client.force_login(publisher)
    draft = make_draft("B", title="T")

    client.post(f"{CHANGELIST}{draft.pk}/delete/", {"post": "yes"})

    assert not DocumentVersion.objects.filter(pk=draft.pk).exists()
    assert not DocumentText.objects.filter(version_id=draft.pk).exists()


# -- Languages: one number for every language, published together --------------------------


def one_language_draft(**extra):
    return document_draft_create(
        kind=DocumentKind.PRIVACY_POLICY,
        texts={"en": DraftText(title="Privacy Policy", body="English only.", **extra)},
    )


def test_a_version_with_a_missing_language_cannot_be_published(published_documents):
    draft = one_language_draft()
    entries = AuditEntry.objects.count()

    with pytest.raises(PublishError, match="no text in Русский yet"):
        document_publish(version=draft)

    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.published_at) == ("draft", None, None)
    assert list(draft.texts.values_list("sha256", flat=True)) == [""]
    assert AuditEntry.objects.count() == entries
    assert DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY).number == 1


def test_a_text_with_an_empty_body_counts_as_missing(published_documents):
    draft = make_draft("Both.")
    DocumentText.objects.filter(version=draft, language="ru").update(body="  \n")

    with pytest.raises(PublishError, match="no text in Русский yet"):
        document_publish(version=draft)

    assert DocumentVersion.objects.get(pk=draft.pk).status == "draft"


def test_the_confirmation_page_says_what_is_missing_and_offers_no_publish_button(
    client, publisher, published_documents
):
    draft = one_language_draft()
    client.force_login(publisher)

    page = client.get(f"{CHANGELIST}{draft.pk}/publish/")
    attempt = client.post(f"{CHANGELIST}{draft.pk}/publish/", follow=True)

    assert "no text in Русский yet" in page.text
    assert "Yes, publish it" not in page.text
    assert "no text in Русский yet" in attempt.text
    assert DocumentVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_material_change_needs_a_summary_of_changes_in_every_language(published_documents):
    draft = document_draft_create(
        kind=DocumentKind.PRIVACY_POLICY,
        texts={
            "ru": DraftText(title="Политика", body="Новая.", change_summary="Новые цели."),
            "en": DraftText(title="Policy", body="New.", change_summary=""),
        },
        material=True,
    )

    with pytest.raises(PublishError, match="in every language; missing in English"):
        document_publish(version=draft)

    assert DocumentVersion.objects.get(pk=draft.pk).status == "draft"


def test_one_number_covers_every_language_and_each_text_gets_its_hash(published_documents):
    version = document_publish(version=make_draft("Both.", summary="Same."))

    texts = {t.language: t for t in version.texts.all()}
    assert version.number == 2
    assert sorted(texts) == ["en", "ru"]
    for text in texts.values():
        assert text.sha256 == text.compute_sha256()
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED, object_id=str(version.pk))
    assert entry.detail["texts"] == {code: text.sha256 for code, text in texts.items()}


def test_legal_languages_can_be_configured(settings, published_documents):
    settings.LEGAL_LANGUAGES = ["en"]

    version = document_publish(version=one_language_draft())

    assert version.number == 2
    assert version.languages() == ["en"]
