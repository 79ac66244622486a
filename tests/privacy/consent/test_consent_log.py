from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, close_old_connections, connection, transaction

from privacy.consent.chain import GENESIS_HASH
from privacy.consent.models import ConsentLogHead, ConsentMethod, ConsentRecord
from privacy.consent.services import consent_record_append
from privacy.consent.verify import consent_log_verify
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.integrity import ImmutableRecordError
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from tests.support.staff import VISIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(append):
    """A log of six records."""
    return [append(Purpose.PROCESSING if n % 2 else Purpose.MARKETING) for n in range(6)]


def run_sql(sql: str, params: tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def behind_the_apps_back(sql: str, params: tuple = ()) -> None:
    """Change the log as someone with the table owner's rights could: triggers off."""
    # The test's own inserts left deferred foreign-key checks pending, which ALTER TABLE
    # refuses to run beside; check them now.
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")
    run_sql("ALTER TABLE privacy_consentrecord DISABLE TRIGGER USER")
    try:
        run_sql(sql, params)
    finally:
        run_sql("ALTER TABLE privacy_consentrecord ENABLE TRIGGER USER")


def verify_command() -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("verify_consent_log", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_records_chain_each_to_the_one_before(log):
    assert log[0].prev_hash == GENESIS_HASH
    assert [record.seq for record in log] == [1, 2, 3, 4, 5, 6]
    for before, after in itertools.pairwise(log):
        assert after.prev_hash == before.record_hash
    head = ConsentLogHead.objects.get()
    assert (head.last_seq, head.last_hash) == (6, log[-1].record_hash)


def test_verify_reports_ok_with_the_record_count_and_head(log):
    output = verify_command()

    assert "OK: 6 records, the chain is intact" in output
    assert log[-1].record_hash in output
    assert "100%" in output


def test_verify_of_an_empty_log_is_ok(db):
    assert "OK: 0 records" in verify_command()


def test_an_altered_decision_is_caught(log):
    behind_the_apps_back(
        "UPDATE privacy_consentrecord SET decision = 'denied' WHERE seq = %s", (3,)
    )

    with pytest.raises(CommandError, match="BROKEN at record #3: its content does not match"):
        verify_command()


def test_altered_personal_data_are_caught(log):
    behind_the_apps_back(
        "UPDATE privacy_consentrecord SET ip = '198.51.100.1' WHERE seq = %s", (2,)
    )

    with pytest.raises(CommandError, match="BROKEN at record #2: its personal data were altered"):
        verify_command()


def test_a_rehashed_record_is_caught_by_the_next_link(log):
    behind_the_apps_back(
        "UPDATE privacy_consentrecord SET record_hash = %s WHERE seq = %s", ("f" * 64, 4)
    )

    with pytest.raises(CommandError, match="BROKEN at record #4"):
        verify_command()


def test_a_record_deleted_in_the_middle_is_caught(log):
    behind_the_apps_back("DELETE FROM privacy_consentrecord WHERE seq = %s", (3,))

    with pytest.raises(CommandError, match="BROKEN at record #3: record #3 is missing"):
        verify_command()


def test_the_last_record_deleted_is_caught_by_the_head(log):
    behind_the_apps_back("DELETE FROM privacy_consentrecord WHERE seq = %s", (6,))

    with pytest.raises(
        CommandError, match="BROKEN at record #6: the log ends at #5 but the head records #6"
    ):
        verify_command()


def test_a_record_slipped_in_past_the_head_is_caught(log):
    last = log[-1]
    behind_the_apps_back(
        "INSERT INTO privacy_consentrecord (seq, person_id, purpose, decision, method, "
        "policy_version_id, policy_sha256, consent_sha256, wording_id, source, created_at, "
        "subject_email, subject_phone, user_agent, page_url, referrer, personal_salt, "
        "personal_digest, prev_hash, record_hash) SELECT 7, person_id, purpose, 'granted', "
        "method, policy_version_id, policy_sha256, consent_sha256, wording_id, source, "
        "created_at, '', '', '', '', '', '', personal_digest, record_hash, %s "
        "FROM privacy_consentrecord WHERE seq = 6",
        ("e" * 64,),
    )

    with pytest.raises(CommandError, match="#7: it lies beyond the head"):
        verify_command()
    assert last.seq == 6


@pytest.mark.django_db(transaction=True)
def test_manage_py_verify_consent_log_exits_non_zero_on_a_break(append):
    import os
    import subprocess
    import sys
    from pathlib import Path

    for _ in range(3):
        append()
    behind_the_apps_back("DELETE FROM privacy_consentrecord WHERE seq = %s", (2,))
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "verify_consent_log"],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "BROKEN at record #2: record #2 is missing" in result.stderr


def test_pseudonymisation_is_the_one_update_the_database_allows_and_verify_still_passes(log):
    record = log[2]

    run_sql(
        "UPDATE privacy_consentrecord SET subject_email = '', subject_phone = '', ip = NULL, "
        "user_agent = '', page_url = '', referrer = '', personal_salt = '' WHERE seq = %s",
        (record.seq,),
    )

    erased = ConsentRecord.objects.get(seq=record.seq)
    assert erased.is_pseudonymised
    assert (erased.subject_email, erased.ip, erased.user_agent) == ("", None, "")
    assert erased.record_hash == record.record_hash
    assert consent_log_verify() is None
    assert "OK: 6 records" in verify_command()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE privacy_consentrecord SET decision = 'denied' WHERE seq = 3",
        "UPDATE privacy_consentrecord SET subject_email = 'someone@else.example' WHERE seq = 3",
        # Blanking the personal fields but keeping the salt would leave a digest to guess at.
        "UPDATE privacy_consentrecord SET subject_email = '', subject_phone = '', ip = NULL, "
        "user_agent = '', page_url = '', referrer = '' WHERE seq = 3",
        # Pseudonymising while also changing a hashed column is still a change.
        "UPDATE privacy_consentrecord SET subject_email = '', subject_phone = '', ip = NULL, "
        "user_agent = '', page_url = '', referrer = '', personal_salt = '', "
        "decision = 'denied' WHERE seq = 3",
        "DELETE FROM privacy_consentrecord WHERE seq = 3",
        "DELETE FROM privacy_consentrecord",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_consent_record(log, sql):
    before = list(ConsentRecord.objects.values_list("seq", "decision", "subject_email", "ip"))

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        run_sql(sql)

    after = list(ConsentRecord.objects.values_list("seq", "decision", "subject_email", "ip"))
    assert after == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE privacy_documentversion SET material = true WHERE id = %s",
        "UPDATE privacy_documentversion SET status = 'draft' WHERE id = %s",
        "DELETE FROM privacy_documentversion WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_published_version(published_documents, sql):
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    with (
        pytest.raises(IntegrityError, match="a published version never changes"),
        transaction.atomic(),
    ):
        run_sql(sql, (policy.pk,))

    stored = DocumentVersion.objects.get(pk=policy.pk)
    assert (stored.material, stored.status) == (False, DocumentVersion.Status.PUBLISHED)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE privacy_documenttext SET body = 'Rewritten' WHERE version_id = %s",
        "UPDATE privacy_documenttext SET sha256 = '' WHERE version_id = %s",
        "DELETE FROM privacy_documenttext WHERE version_id = %s",
        "INSERT INTO privacy_documenttext (version_id, language, title, body, change_summary, "
        "sha256) VALUES (%s, 'de', 'Datenschutz', 'Neu', '', '')",
    ],
)
def test_the_database_refuses_to_change_add_or_delete_a_text_of_a_published_version(
    published_documents, sql
):
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    before = list(policy.texts.values_list("language", "body", "sha256"))

    with (
        pytest.raises(IntegrityError, match="the texts of a published version never change"),
        transaction.atomic(),
    ):
        run_sql(sql, (policy.pk,))

    assert list(policy.texts.values_list("language", "body", "sha256")) == before
    assert [language for language, _body, _hash in before] == ["en", "ru"]


def test_the_database_lets_a_draft_change_its_texts(draft):
    run_sql("UPDATE privacy_documenttext SET body = 'Changed' WHERE version_id = %s", (draft.pk,))

    assert set(draft.texts.values_list("body", flat=True)) == {"Changed"}


def test_the_model_refuses_to_change_or_delete_a_consent_record(log):
    record = log[0]
    record.decision = Decision.DENIED

    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        record.delete()
    with pytest.raises(ImmutableRecordError):
        ConsentRecord.objects.filter(pk=record.pk).update(decision=Decision.DENIED)
    with pytest.raises(ImmutableRecordError):
        ConsentRecord.objects.filter(pk=record.pk).delete()

    assert ConsentRecord.objects.get(pk=record.pk).decision == Decision.GRANTED


WRITERS = 8
APPENDS_PER_WRITER = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(published_documents):
    people = [
        person_find_or_create(email=f"writer{n}@example.com", phone="") for n in range(WRITERS)
    ]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(person) -> None:
        try:
            start.wait()
            for _ in range(APPENDS_PER_WRITER):
                with transaction.atomic():
                    consent_record_append(
                        person=person,
                        purpose=Purpose.MARKETING,
                        decision=Decision.GRANTED,
                        method=ConsentMethod.WEB_FORM,
                        wording_text="Send me offers.",
                        visit=VISIT,
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = WRITERS * APPENDS_PER_WRITER
    assert ConsentRecord.objects.count() == total
    assert list(ConsentRecord.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert ConsentRecord.objects.values("prev_hash").distinct().count() == total
    assert consent_log_verify() is None
