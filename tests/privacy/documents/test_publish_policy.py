from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from privacy.audit.models import AuditAction, AuditEntry
from privacy.documents.models import DocumentKind, DocumentVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / "privacy-policy.md"
    path.write_text("## 1. Terms\n\nA new policy.\n", encoding="utf-8")
    return path


def versions_of(kind=DocumentKind.PRIVACY_POLICY):
    return list(DocumentVersion.objects.of_kind(kind).order_by("created_at"))


def test_it_publishes_a_file_as_the_next_version_in_force_now(
    policy_file, published_documents, capsys
):
    call_command("publish_policy", str(policy_file), "--summary", "Shorter.")

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    assert version.number == 2
    assert version.body == "## 1. Terms\n\nA new policy.\n"
    assert version.title == "Privacy Policy"
    assert version.change_summary == "Shorter."
    assert version.published_by is None
    assert not version.material
    assert f"Published Privacy Policy v2 (sha256 {version.sha256})" in capsys.readouterr().out


def test_publishing_from_the_command_line_is_on_the_audit_trail(policy_file, published_documents):
    call_command("publish_policy", str(policy_file))

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED, object_id=str(version.pk))
    assert entry.actor is None
    assert (entry.detail["number"], entry.detail["channel"]) == (2, "publish_policy")


def test_a_refused_publication_leaves_no_audit_entry(policy_file, published_documents):
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError):
        call_command("publish_policy", str(policy_file), "--effective-at", "2000-01-01")

    assert AuditEntry.objects.count() == before


def test_it_schedules_a_material_change_for_a_future_date(policy_file, published_documents):
    call_command(
        "publish_policy",
        str(policy_file),
        "--effective-at",
        "2099-01-01T00:00:00+03:00",
        "--material",
        "--title",
        "Privacy Policy (2099)",
    )

    scheduled = DocumentVersion.objects.of_kind(DocumentKind.PRIVACY_POLICY).get(number=2)
    assert scheduled.effective_at.isoformat() == "2098-12-31T21:00:00+00:00"
    assert scheduled.material
    assert scheduled.title == "Privacy Policy (2099)"
    assert DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY).number == 1


def test_it_publishes_a_consent_text(policy_file, published_documents):
    call_command("publish_policy", str(policy_file), "--kind", "consent_marketing")

    version = DocumentVersion.objects.in_force(DocumentKind.CONSENT_MARKETING)
    assert (version.number, version.title) == (2, "Consent to marketing communications")


def test_it_publishes_the_first_version_of_a_document(policy_file):
    call_command("publish_policy", str(policy_file))

    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    assert (version.number, version.title) == (1, "Privacy Policy")


def test_publishing_the_same_text_again_changes_nothing(policy_file, published_documents, capsys):
    call_command("publish_policy", str(policy_file))
    call_command("publish_policy", str(policy_file))

    assert len(versions_of()) == 2
    assert "already has this text; nothing published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--effective-at", "next tuesday"], "is not an ISO 8601 date"),
        (["--effective-at", "2027-13-45"], "is not an ISO 8601 date"),
        (["--effective-at", "2020-01-01T00:00:00+00:00"], "is in the past"),
    ],
)
def test_a_bad_effective_date_is_refused_and_nothing_changes(
    policy_file, published_documents, arguments, message
):
    before = versions_of()

    with pytest.raises(CommandError, match=message):
        call_command("publish_policy", str(policy_file), *arguments)

    assert versions_of() == before


def test_a_date_an_hour_ago_in_the_site_time_zone_is_refused(policy_file, published_documents):
    an_hour_ago = timezone.localtime() - timedelta(hours=1)

    with pytest.raises(CommandError, match="is in the past"):
        call_command(
            "publish_policy",
            str(policy_file),
            "--effective-at",
            an_hour_ago.strftime("%Y-%m-%dT%H:%M"),
        )

    assert len(versions_of()) == 1


def test_a_missing_file_is_refused_and_nothing_changes(tmp_path, published_documents):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("publish_policy", str(tmp_path / "nope.md"))

    assert len(versions_of()) == 1


def test_an_empty_file_is_refused_and_nothing_changes(tmp_path, published_documents):
    empty = tmp_path / "empty.md"
    empty.write_text("\n  \n")

    with pytest.raises(CommandError, match="is empty"):
        call_command("publish_policy", str(empty))

    assert len(versions_of()) == 1


def test_an_unknown_kind_is_refused(policy_file, published_documents):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("publish_policy", str(policy_file), "--kind", "terms_of_sale")

    assert DocumentVersion.objects.count() == 4
