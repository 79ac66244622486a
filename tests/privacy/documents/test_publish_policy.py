from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from privacy.audit.models import AuditAction, AuditEntry
from privacy.documents.models import DocumentKind, DocumentVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_files(tmp_path):
    """The new version's text in each legal language: policy.ru.md and policy.en.md."""
    russian = tmp_path / "privacy-policy.ru.md"
    russian.write_text("## 1. Термины\n\nНовая политика.\n", encoding="utf-8")
    english = tmp_path / "privacy-policy.en.md"
    english.write_text("## 1. Terms\n\nA new policy.\n", encoding="utf-8")
    return [str(russian), str(english)]


def versions_of(kind=DocumentKind.PRIVACY_POLICY):
    return list(DocumentVersion.objects.of_kind(kind).order_by("created_at"))


def texts_of(version):
    return {t.language: t for t in version.texts.all()}


def test_it_publishes_one_file_per_language_as_the_next_version_in_force_now(
    policy_files, published_documents, capsys
):
    call_command(
        "publish_policy", *policy_files, "--summary", "ru=Короче.", "--summary", "en=Shorter."
    )

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    texts = texts_of(version)
    assert version.number == 2
    assert texts["en"].body == "## 1. Terms\n\nA new policy.\n"
    assert texts["ru"].body == "## 1. Термины\n\nНовая политика.\n"
    assert (texts["en"].title, texts["ru"].title) == (
        "Privacy Policy",
        "Политика конфиденциальности",
    )
    assert (texts["en"].change_summary, texts["ru"].change_summary) == ("Shorter.", "Короче.")
    assert version.published_by is None
    assert not version.material
    out = capsys.readouterr().out
    assert f"Published Privacy Policy v2 (sha256 en {texts['en'].sha256}" in out
    assert f"ru {texts['ru'].sha256}" in out


def test_files_may_name_their_language_as_lang_equals_path(tmp_path, published_documents):
    (tmp_path / "a.md").write_text("Русский текст.", encoding="utf-8")
    (tmp_path / "b.md").write_text("English text.", encoding="utf-8")

    call_command("publish_policy", f"ru={tmp_path / 'a.md'}", f"en={tmp_path / 'b.md'}")

    texts = texts_of(DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY))
    assert (texts["ru"].body, texts["en"].body) == ("Русский текст.", "English text.")


def test_a_missing_language_is_refused_and_nothing_changes(policy_files, published_documents):
    before = versions_of()

    with pytest.raises(CommandError, match="no text in Русский yet"):
        call_command("publish_policy", policy_files[1])

    assert versions_of() == before


def test_a_file_of_no_known_language_is_refused(tmp_path, published_documents):
    plain = tmp_path / "policy.md"
    plain.write_text("Text.")

    with pytest.raises(CommandError, match=r"Which language is .*policy\.md in"):
        call_command("publish_policy", str(plain))

    assert len(versions_of()) == 1


def test_two_files_for_one_language_are_refused(policy_files, published_documents):
    with pytest.raises(CommandError, match="Two files for en"):
        call_command("publish_policy", policy_files[1], f"en={policy_files[0]}")

    assert len(versions_of()) == 1


def test_with_one_legal_language_a_plain_file_is_in_it(settings, tmp_path, published_documents):
    settings.LEGAL_LANGUAGES = ["en"]
    plain = tmp_path / "policy.md"
    plain.write_text("English only.")

    call_command("publish_policy", str(plain), "--summary", "Shorter.")

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    assert version.languages() == ["en"]
    assert version.text("en").change_summary == "Shorter."


def test_publishing_from_the_command_line_is_on_the_audit_trail(policy_files, published_documents):
    call_command("publish_policy", *policy_files)

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED, object_id=str(version.pk))
    assert entry.actor is None
    assert (entry.detail["number"], entry.detail["channel"]) == (2, "publish_policy")


def test_a_refused_publication_leaves_no_audit_entry(policy_files, published_documents):
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError):
        call_command("publish_policy", *policy_files, "--effective-at", "2000-01-01")

    assert AuditEntry.objects.count() == before


def test_it_schedules_a_material_change_for_a_future_date(policy_files, published_documents):
    call_command(
        "publish_policy",
        *policy_files,
        "--effective-at",
        "2099-01-01T00:00:00+03:00",
        "--material",
        "--title",
        "en=Privacy Policy (2099)",
        "--summary",
        "en=New purposes.",
        "--summary",
        "ru=Новые цели.",
    )

    scheduled = DocumentVersion.objects.of_kind(DocumentKind.PRIVACY_POLICY).get(number=2)
    assert scheduled.effective_at.isoformat() == "2098-12-31T21:00:00+00:00"
    assert scheduled.material
    assert scheduled.text("en").title == "Privacy Policy (2099)"
    assert scheduled.text("ru").title == "Политика конфиденциальности"
    assert DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY).number == 1


def test_a_material_change_without_a_summary_in_every_language_is_refused(
    policy_files, published_documents
):
    with pytest.raises(CommandError, match="missing in Русский"):
        call_command("publish_policy", *policy_files, "--material", "--summary", "en=New.")

    assert len(versions_of()) == 1


def test_it_publishes_a_consent_text(policy_files, published_documents):
    call_command("publish_policy", *policy_files, "--kind", "consent_marketing")

    version = DocumentVersion.objects.in_force(DocumentKind.CONSENT_MARKETING)
    assert version.number == 2
    assert version.text("en").title == "Consent to marketing communications"
    assert version.text("ru").title == "Согласие на получение маркетинговых сообщений"


def test_it_publishes_the_first_version_of_a_document_titled_in_each_language(policy_files):
    call_command("publish_policy", *policy_files)

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    assert version.number == 1
    assert version.text("en").title == "Privacy Policy"
    assert version.text("ru").title == "Политика конфиденциальности"


def test_publishing_the_same_texts_again_changes_nothing(policy_files, published_documents, capsys):
    call_command("publish_policy", *policy_files)
    call_command("publish_policy", *policy_files)

    assert len(versions_of()) == 2
    assert "already has these texts; nothing published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--effective-at", "next tuesday"], "is not an ISO 8601 date"),
        (["--effective-at", "2027-13-45"], "is not an ISO 8601 date"),
        (["--effective-at", "2020-01-01T00:00:00+00:00"], "is in the past"),
        (["--title", "de=Datenschutz"], "--title 'de=Datenschutz': write LANG=TEXT"),
        (["--summary", "Shorter."], "--summary 'Shorter.': write LANG=TEXT"),
    ],
)
def test_bad_options_are_refused_and_nothing_changes(
    policy_files, published_documents, arguments, message
):
    before = versions_of()

    with pytest.raises(CommandError, match=message):
        call_command("publish_policy", *policy_files, *arguments)

    assert versions_of() == before


def test_a_date_an_hour_ago_in_the_site_time_zone_is_refused(policy_files, published_documents):
    an_hour_ago = timezone.localtime() - timedelta(hours=1)

    with pytest.raises(CommandError, match="is in the past"):
        call_command(
            "publish_policy",
            *policy_files,
            "--effective-at",
            an_hour_ago.strftime("%Y-%m-%dT%H:%M"),
        )

    assert len(versions_of()) == 1


def test_a_missing_file_is_refused_and_nothing_changes(tmp_path, published_documents):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("publish_policy", str(tmp_path / "nope.ru.md"))

    assert len(versions_of()) == 1


def test_an_empty_file_is_refused_and_nothing_changes(tmp_path, published_documents):
    empty = tmp_path / "empty.en.md"
    empty.write_text("\n  \n")

    with pytest.raises(CommandError, match="is empty"):
        call_command("publish_policy", str(empty))

    assert len(versions_of()) == 1


def test_an_unknown_kind_is_refused(policy_files, published_documents):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("publish_policy", *policy_files, "--kind", "terms_of_sale")

    assert DocumentVersion.objects.count() == 4
