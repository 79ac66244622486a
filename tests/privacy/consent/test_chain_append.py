"""The chain's locked step: hash templates, the database function and its Python twin."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from privacy.consent import services
from privacy.consent.chain import record_hash_fill, record_hash_of, record_hash_template
from privacy.consent.models import ConsentLogHead, ConsentRecord, ConsentWording
from privacy.consent.verify import consent_log_verify
from privacy.people.models import Decision, Person, Purpose
from privacy.people.visits import Visit
from tests.support.staff import VISIT

text = st.text(max_size=40)
payloads = st.fixed_dictionaries(
    {
        "person": st.one_of(st.none(), st.integers(min_value=1, max_value=2**62)),
        "purpose": text,
        "decision": text,
        "method": text,
        "policy_version": st.integers(min_value=1, max_value=10**6),
        "policy_sha256": text,
        "consent_version": st.one_of(st.none(), st.integers(min_value=1, max_value=10**6)),
        "consent_sha256": text,
        "wording_sha256": text,
        "source": text,
        "created_at": st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        "personal_digest": text,
    }
)


@given(
    payload=payloads,
    prev_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    seq=st.integers(min_value=1, max_value=2**62),
)
def test_a_filled_template_hashes_like_the_whole_payload(payload, prev_hash, seq):
    template = record_hash_template(payload)

    filled = record_hash_fill(template, prev_hash=prev_hash, seq=seq)

    assert filled == record_hash_of({**payload, "prev_hash": prev_hash, "seq": seq})


def test_a_value_imitating_a_slot_is_refused():
    with pytest.raises(ValueError, match="imitates a hash template slot"):
        record_hash_template({"source": "\x00seq\x00", "prev_hash": "", "seq": 0})


@pytest.mark.django_db
def test_the_database_and_python_steps_extend_one_chain(append, monkeypatch):
    """Records appended by either step link up, and the whole log verifies."""
    first = append(Purpose.PROCESSING)
    monkeypatch.setattr(services, "_write_in_database", services._write_in_python)
    second = append(Purpose.MARKETING, Decision.GRANTED, wording="Другие слова\r\n")
    monkeypatch.undo()
    third = append(Purpose.MARKETING, Decision.DENIED)

    assert [r.seq for r in (first, second, third)] == [1, 2, 3]
    assert second.prev_hash == first.record_hash and third.prev_hash == second.record_hash
    assert consent_log_verify() is None
    stored = ConsentRecord.objects.get(seq=2)
    assert stored.record_hash == record_hash_of(stored.hashed_payload()) == second.record_hash
    assert ConsentWording.objects.get(pk=stored.wording_id).text == "Другие слова\n"
    assert Person.objects.get(pk=first.person_id).consent_marketing == Decision.DENIED


@pytest.mark.django_db
def test_returned_records_are_the_stored_ones(append):
    record = append(Purpose.PROCESSING)

    stored = ConsentRecord.objects.get(pk=record.pk)
    assert (stored.seq, stored.prev_hash, stored.record_hash) == (
        record.seq,
        record.prev_hash,
        record.record_hash,
    )
    assert stored.created_at == record.created_at
    assert str(stored.ip) == str(record.ip)
    assert ConsentLogHead.objects.get().last_hash == record.record_hash


@pytest.mark.django_db
def test_the_function_sets_only_consent_columns(person):
    states = json.dumps([{"person_id": person.pk, "column": "email", "value": "x@example.com"}])

    with (
        pytest.raises(DatabaseError, match="is not a consent column"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM privacy_consent_append('[]', '[]', %s, NULL)", [states])

    person.refresh_from_db()
    assert person.email == "anna@example.com"


@pytest.mark.django_db
def test_a_failed_append_leaves_the_head_where_it_was(append):
    record = append(Purpose.PROCESSING)
    bad = services.ConsentEntry(
        person=None,
        purpose=Purpose.PROCESSING,
        decision=Decision.GRANTED,
        method="web_form",
        wording_text="x",
        visit=Visit(ip="not an address"),
        policy_version=record.policy_version,
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        services.consent_records_append(entries=[bad])

    head = ConsentLogHead.objects.get()
    assert (head.last_seq, head.last_hash) == (1, record.record_hash)
    assert ConsentRecord.objects.count() == 1


@pytest.mark.django_db
def test_both_steps_store_every_column_alike(person, published_documents, monkeypatch):
    """The function's column list cannot drift from the model's: a row from each step agrees."""
    entry = services.ConsentEntry(
        person=person,
        purpose=Purpose.MARKETING,
        decision=Decision.GRANTED,
        method="web_form",
        wording_text="Send me news.",
        visit=VISIT,
        policy_version=published_documents["privacy_policy"],
        consent_version=published_documents["consent_marketing"],
        source="lead:test",
    )
    [in_database] = services.consent_records_append(entries=[entry])
    monkeypatch.setattr(services, "_write_in_database", services._write_in_python)
    [in_python] = services.consent_records_append(entries=[entry])

    def stored(record):
        row = ConsentRecord.objects.filter(pk=record.pk).values().get()
        for chained in ("id", "seq", "prev_hash", "record_hash", "created_at"):
            row.pop(chained)
        row.pop("personal_salt"), row.pop("personal_digest")  # fresh salt per record
        return row

    assert stored(in_database) == stored(in_python)
    assert stored(in_database)["ip"] == VISIT.ip and stored(in_database)["source"] == "lead:test"
    assert consent_log_verify() is None
