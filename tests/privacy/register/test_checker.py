"""The consent texts the register drafts pass the Art. 9 part 4 checker; a text lacking any
one item is caught, in Russian and in English; publishing a text with a gap needs a reason."""

from __future__ import annotations

import re

import pytest

from privacy.audit.models import AuditAction, AuditEntry
from privacy.documents.models import DocumentVersion
from privacy.documents.services import GAPS_NEED_A_REASON, PublishError, document_publish
from privacy.register.consent import consent_check, consent_text
from privacy.register.integrations import PURPOSE_SEEDS
from privacy.register.models import ProcessingPurpose
from privacy.register.seams import version_texts
from privacy.register.selectors import register_load
from privacy.register.services import consent_draft_create

pytestmark = pytest.mark.django_db


def _text(purpose: ProcessingPurpose, language: str) -> str:
    generated = consent_text(purpose=purpose, register=register_load(), language=language)
    return f"{generated.title}\n\n{generated.body}"


def _gaps(text: str, purpose: ProcessingPurpose, language: str) -> set[str]:
    found = consent_check(text=text, language=language, purpose=purpose, register=register_load())
    return {f.code for f in found if f.blocking}


def _drop_line(number: str):
    return lambda text, lang: "\n".join(
        line for line in text.splitlines() if not line.startswith(f"{number}. ")
    )


def _drop(ru: str, en: str):
    return lambda text, lang: re.sub(re.escape(ru if lang == "ru" else en), "", text)


# Each item of Art. 9 part 4 (and part 1), and how to take exactly it out of the text.
WITHOUT = {
    "9.4.3": lambda text, lang: text.replace("7707083893", ""),
    "9.4.4": _drop(PURPOSE_SEEDS[0].title_ru, PURPOSE_SEEDS[0].title_en),
    "9.4.5": _drop("название аккаунта", "account name"),
    "9.4.6": _drop(
        "1 Market St, San Francisco, CA 94105, USA", "1 Market St, San Francisco, CA 94105, USA"
    ),
    "9.4.7a": _drop("систематизация", "systematisation"),
    "9.4.7b": _drop(
        "смешанная обработка (с использованием средств автоматизации и без них)",
        "mixed processing (by automated means and without them)",
    ),
    "9.4.8a": lambda text, lang: text.replace(
        "до достижения цели обработки, но не более 3 (трёх) лет", "—"
    ).replace("until the purpose is achieved, but no longer than 3 (three) years", "—"),
    "9.4.8b": _drop_line("6"),
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_text_drafted_from_the_register_has_no_gap(filled_register, language):
    purpose = ProcessingPurpose.objects.get(code="processing")

    assert _gaps(_text(purpose, language), purpose, language) == set()


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("code", sorted(WITHOUT))
def test_a_text_lacking_one_item_has_exactly_that_gap(filled_register, code, language):
    purpose = ProcessingPurpose.objects.get(code="processing")
    text = WITHOUT[code](_text(purpose, language), language)

    assert _gaps(text, purpose, language) == {code}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_foreign_processor_must_be_named_as_a_cross_border_transfer(filled_register, language):
    purpose = ProcessingPurpose.objects.get(code="processing")
    text = (
        "\n".join(
            line for line in _text(purpose, language).splitlines() if not line.startswith("4. ")
        )
        + "\n4. Mail Sender Inc., 1 Market St, San Francisco, CA 94105, USA."
    )

    assert _gaps(text, purpose, language) == {"9.4.6"}


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ru", "Я принимаю условия Политики обработки персональных данных."),
        ("ru", "Я ознакомлен и согласен с Пользовательским соглашением."),
        ("en", "I accept the terms of use."),
    ],
)
def test_a_consent_that_also_accepts_another_document_has_a_gap(
    filled_register, language, sentence
):
    purpose = ProcessingPurpose.objects.get(code="processing")

    assert _gaps(_text(purpose, language) + sentence, purpose, language) == {"9.1.sep"}


def test_a_marketing_consent_must_name_its_channels(filled_register):
    purpose = ProcessingPurpose.objects.get(code="marketing")
    assert _gaps(_text(purpose, "ru"), purpose, "ru") == set()

    text = _drop_line("7")(_text(purpose, "ru"), "ru")

    assert _gaps(text, purpose, "ru") == {"15.1"}


def test_a_purpose_that_needs_written_consent_cannot_pass_with_a_tick(filled_register):
    purpose = ProcessingPurpose.objects.get(code="processing")
    purpose.written_consent_required = True
    purpose.save()

    assert _gaps(_text(purpose, "ru"), purpose, "ru") == {"9.4.1", "9.4.9"}


def test_an_empty_register_field_shows_in_the_draft_and_is_a_gap(filled_register):
    purpose = ProcessingPurpose.objects.get(code="processing")
    purpose.consent_term_en = ""
    purpose.save()
    text = _text(purpose, "en")

    assert "[MISSING: term of consent]" in text
    assert "register" in _gaps(text, purpose, "en")


def test_quotes_and_dashes_do_not_matter(filled_register):
    purpose = ProcessingPurpose.objects.get(code="processing")
    text = _text(purpose, "ru").replace("«", '"').replace("»", '"')

    assert _gaps(text, purpose, "ru") == set()


# -- drafting and publishing ------------------------------------------------------------------


def remove_the_inn(draft) -> None:
    """A gap in every language of a draft: the operator's INN (Art. 9 part 4 item 3) removed."""
    for text in draft.texts.all():
        text.body = text.body.replace("7707083893", "")
        text.save()


def test_the_officer_drafts_both_languages_and_the_draft_publishes_without_a_reason(
    filled_register, officer, publisher
):
    purpose = ProcessingPurpose.objects.get(code="processing")

    draft = consent_draft_create(purpose=purpose, staff=officer)

    assert draft.status == DocumentVersion.Status.DRAFT
    assert set(version_texts(draft)) == {"ru", "en"}
    assert AuditEntry.objects.filter(action=AuditAction.CONSENT_DRAFTED, actor=officer).exists()
    published = document_publish(version=draft, published_by=publisher)
    assert published.is_published
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED)
    assert "gaps" not in entry.detail


def test_publishing_a_text_with_a_gap_is_refused_without_a_reason_and_changes_nothing(
    filled_register, publisher
):
    purpose = ProcessingPurpose.objects.get(code="processing")
    draft = consent_draft_create(purpose=purpose, staff=None)
    remove_the_inn(draft)

    for reason in ("", "too short"):
        with pytest.raises(PublishError, match=re.escape(GAPS_NEED_A_REASON)):
            document_publish(version=draft, published_by=publisher, override_reason=reason)

    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT and draft.number is None
    assert not AuditEntry.objects.filter(action=AuditAction.VERSION_PUBLISHED).exists()


def test_publishing_with_a_gap_and_a_reason_is_audited_with_the_gaps(filled_register, publisher):
    purpose = ProcessingPurpose.objects.get(code="processing")
    draft = consent_draft_create(purpose=purpose, staff=None)
    remove_the_inn(draft)
    reason = "The INN is being re-registered; the lawyer approved publishing now."

    document_publish(version=draft, published_by=publisher, override_reason=reason)

    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED)
    assert entry.detail["override_reason"] == reason
    assert {(g["code"], g["language"]) for g in entry.detail["gaps"]} == {
        ("9.4.3", "ru"),
        ("9.4.3", "en"),
    }
    assert entry.actor == publisher


def test_the_publish_confirmation_lists_the_gaps_and_asks_for_a_reason(
    filled_register, publisher, client
):
    purpose = ProcessingPurpose.objects.get(code="processing")
    draft = consent_draft_create(purpose=purpose, staff=None)
    remove_the_inn(draft)
    client.force_login(publisher)
    url = f"/admin/privacy/documentversion/{draft.pk}/publish/"

    page = client.get(url)
    refused = client.post(url, {"override_reason": ""}, follow=True)

    assert "Art. 9 part 4 item 3" in page.text
    assert 'name="override_reason"' in page.text
    assert GAPS_NEED_A_REASON in refused.text
    draft.refresh_from_db()
    assert not draft.is_published
    client.post(url, {"override_reason": "Approved by the lawyer on 1 December, ticket 42."})
    draft.refresh_from_db()
    assert draft.is_published


def test_a_consent_text_the_register_does_not_describe_is_published_with_an_advisory(
    published_documents, publisher
):
    version = published_documents["consent_processing"]

    assert version.is_published  # load_demo publishes with no register: advice, no gap


def test_a_pipeline_publishes_a_text_with_a_gap_only_with_a_reason(filled_register, tmp_path):
    from django.core.management import CommandError, call_command

    purpose = ProcessingPurpose.objects.get(code="processing")
    paths = []
    for language in ("ru", "en"):
        path = tmp_path / f"consent.{language}.md"
        path.write_text(_text(purpose, language).replace("7707083893", ""), encoding="utf-8")
        paths.append(str(path))
    arguments = ["publish_policy", *paths, "--kind", "consent_processing", "--title", "ru=Согласие"]

    with pytest.raises(CommandError, match="lacks items the law requires"):
        call_command(*arguments)
    assert not DocumentVersion.objects.exists()

    call_command(*arguments, "--override-reason", "Approved by the lawyer, ticket 42 of 1.12.")
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED)
    assert entry.detail["channel"] == "publish_policy" and entry.detail["gaps"]
