from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.consent.chain import personal_digest_of, record_hash_of
from privacy.consent.verify import _payload, _personal, _personal_digest_fast, _record_hash_fast

text = st.text(max_size=40)
ids = st.none() | st.integers(min_value=1, max_value=2**62)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)

rows = st.tuples(
    st.integers(min_value=1, max_value=2**62),  # seq
    ids,  # person
    text,  # purpose
    text,  # decision
    text,  # method
    st.integers(min_value=1, max_value=2**31),  # policy_version
    text,  # policy_sha256
    ids,  # consent_version
    text,  # consent_sha256
    text,  # wording
    text,  # source
    moments,  # created_at
    text,  # personal_digest
    text,  # prev_hash
    st.just("") | text,  # language: empty on records older than the column, then left out
    text,  # record_hash
    st.text(min_size=1, max_size=32),  # personal_salt
    text,  # subject_email
    text,  # subject_phone
    st.none() | st.ip_addresses().map(str),  # ip
    text,  # user_agent
    text,  # page_url
    text,  # referrer
)


@settings(max_examples=300, deadline=None)
@given(rows)
def test_the_verifiers_fast_hashes_equal_the_canonical_ones_for_any_content(row):
    # The fast path must agree byte for byte, or verification would fall back to the slow
    # path on every record (correct, but ten times slower).
    assert _record_hash_fast(row) == record_hash_of(_payload(row))
    assert _personal_digest_fast(row) == personal_digest_of(row[16], _personal(row))
