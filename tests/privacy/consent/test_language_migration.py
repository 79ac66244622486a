"""Migrations 0016 (texts per language) and 0017 (the record's language) on a log written before.

A consent log must keep verifying across a schema change, with nothing rewritten: records
written before languages were recorded keep their payloads (an empty language is left out of
the hash) and name the same text hashes (each old version's text becomes its English text).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from privacy.consent.models import ConsentRecord
from privacy.consent.services import consent_record_append
from privacy.consent.verify import consent_log_verify
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.models import Decision, Purpose
from tests.support.staff import VISIT

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TEXTS = ("privacy", "0015_registers_corrections")

# What a record's hash covered before migration 0017, written out here rather than taken from
# the code under test, so the test proves the old hashes still verify.
OLD_HASHED_COLUMNS = {
    "seq": "seq",
    "person": "person_id",
    "purpose": "purpose",
    "decision": "decision",
    "method": "method",
    "policy_version": "policy_version_id",
    "policy_sha256": "policy_sha256",
    "consent_version": "consent_version_id",
    "consent_sha256": "consent_sha256",
    "wording_sha256": "wording_id",
    "source": "source",
    "created_at": "created_at",
    "personal_digest": "personal_digest",
    "prev_hash": "prev_hash",
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def old_record_hash(columns: dict) -> str:
    payload = {key: columns[column] for key, column in OLD_HASHED_COLUMNS.items()}
    payload["created_at"] = payload["created_at"].astimezone(UTC).isoformat()
    return sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")))


def migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_log():
    """The schema before 0016, a published policy and consent text, and a chain of 4 records
    written as the application wrote them then. Puts the schema back afterwards."""
    apps = migrate([BEFORE_TEXTS])
    try:
        yield write_old_log(apps)
    finally:
        migrate(latest())


def write_old_log(apps) -> dict:
    Version = apps.get_model("privacy", "DocumentVersion")
    Person = apps.get_model("privacy", "Person")
    Wording = apps.get_model("privacy", "ConsentWording")
    Record = apps.get_model("privacy", "ConsentRecord")
    Head = apps.get_model("privacy", "ConsentLogHead")
    now = datetime.now(UTC)
    versions = {}
    for kind, title, body in [
        (DocumentKind.PRIVACY_POLICY, "Privacy Policy", "We keep your data safe."),
        (DocumentKind.CONSENT_MARKETING, "Consent to marketing", "Send me offers."),
    ]:
        text_hash = sha256(f"{title}\n\n{body}\n")
        versions[kind] = Version.objects.create(
            kind=kind,
            number=1,
            title=title,
            body=body,
            change_summary="First.",
            status="published",
            effective_at=now - timedelta(days=1),
            published_at=now - timedelta(days=1),
            sha256=text_hash,
        )
    person = Person.objects.create(email="anna@example.com", phone="+79161234567", language="en")
    wording = Wording.objects.create(sha256=sha256("I agree.\n"), text="I agree.\n")
    prev = "0" * 64
    for seq in range(1, 5):
        salt = secrets.token_hex(16)
        personal = {
            "ip": "203.0.113.7",
            "page_url": "",
            "referrer": "",
            "subject_email": "anna@example.com",
            "subject_phone": "+79161234567",
            "user_agent": "Mozilla/5.0",
        }
        columns = {
            "seq": seq,
            "person_id": person.pk,
            "purpose": Purpose.MARKETING,
            "decision": Decision.GRANTED,
            "method": "web_form",
            "policy_version_id": versions[DocumentKind.PRIVACY_POLICY].pk,
            "policy_sha256": versions[DocumentKind.PRIVACY_POLICY].sha256,
            "consent_version_id": versions[DocumentKind.CONSENT_MARKETING].pk,
            "consent_sha256": versions[DocumentKind.CONSENT_MARKETING].sha256,
            "wording_id": wording.pk,
            "source": f"lead:{seq}",
            "created_at": now + timedelta(seconds=seq),
            "personal_digest": sha256(
                salt + json.dumps(personal, sort_keys=True, ensure_ascii=False)
            ),
            "prev_hash": prev,
        }
        record_hash = old_record_hash(columns)
        Record.objects.create(
            **columns,
            subject_email="anna@example.com",
            subject_phone="+79161234567",
            ip="203.0.113.7",
            user_agent="Mozilla/5.0",
            personal_salt=salt,
            record_hash=record_hash,
        )
        prev = record_hash
    Head.objects.update_or_create(pk=1, defaults={"last_seq": 4, "last_hash": prev})
    return {
        "policy_hash": versions[DocumentKind.PRIVACY_POLICY].sha256,
        "policy_id": versions[DocumentKind.PRIVACY_POLICY].pk,
        "head": prev,
    }


def test_a_log_written_before_languages_verifies_after_the_migrations_unchanged(old_log):
    migrate(latest())

    # Every old record verifies with its old hash: an empty language is left out of it.
    assert consent_log_verify() is None
    old = list(ConsentRecord.objects.order_by("seq"))
    assert {record.language for record in old} == {""}
    assert all("language" not in record.hashed_payload() for record in old)
    assert old[-1].record_hash == old_log["head"]

    # Each old version is now its English text, with the very hash the records name.
    policy = DocumentVersion.objects.get(pk=old_log["policy_id"])
    text = policy.text_by_hash(old_log["policy_hash"])
    assert policy.languages() == ["en"]
    assert (text.language, text.body) == ("en", "We keep your data safe.")
    assert text.sha256 == text.compute_sha256()
    assert policy.text("ru") == text  # published before it had Russian: shown in English

    # The guards hold the new columns.
    for sql in (
        "UPDATE privacy_consentrecord SET language = 'ru' WHERE seq = 1",
        "UPDATE privacy_documenttext SET body = 'Rewritten'",
        "UPDATE privacy_documentversion SET material = true",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)

    # A new record names its language, in its hash, and joins the same chain.
    new = consent_record_append(
        person=old[0].person,
        purpose=Purpose.MARKETING,
        decision=Decision.DENIED,
        method="request",
        wording_text="I withdraw.",
        visit=VISIT,
    )
    assert new.prev_hash == old_log["head"]
    assert (new.language, new.hashed_payload()["language"]) == ("en", "en")
    assert new.policy_sha256 == old_log["policy_hash"]
    assert consent_log_verify() is None


def test_the_text_migration_reverses_while_no_record_names_a_language(old_log):
    migrate(latest())
    apps = migrate([BEFORE_TEXTS])

    Version = apps.get_model("privacy", "DocumentVersion")
    policy = Version.objects.get(pk=old_log["policy_id"])
    assert (policy.title, policy.body, policy.sha256) == (
        "Privacy Policy",
        "We keep your data safe.",
        old_log["policy_hash"],
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_documentversion SET body = 'Rewritten'")
