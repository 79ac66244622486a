"""privacy_consent_append: the chain's locked step in one round trip (PostgreSQL only).

privacy.services.consent_records_append prepares every record in Python, including its hashed
text cut around the two values only the head can give (record_hash_template). This function
then does under the head's row lock what took five round trips: store new wordings, give each
record the next seq and the previous hash, hash head + prev_hash + middle + seq + tail, insert,
move the head, set the people's consent_<purpose> columns in log order, and link the
records to the receipt issued for them, if any. It decides nothing:
which columns change, and to what, comes from Python. SQLite (`make run`) runs the same step
in Python (services._write_in_python).
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION privacy_consent_append(
    entries jsonb, wordings jsonb, states jsonb, receipt bigint
)
RETURNS TABLE (out_id bigint, out_seq bigint, out_prev_hash varchar, out_hash varchar)
LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint;
    head_hash varchar;
    entry jsonb;
    new_hash varchar;
    state jsonb;
BEGIN
    INSERT INTO privacy_consentwording (sha256, text, created_at)
    SELECT w->>'sha256', w->>'text', now() FROM jsonb_array_elements(wordings) AS w
    ON CONFLICT (sha256) DO NOTHING;

    SELECT h.last_seq, h.last_hash INTO head_seq, head_hash
    FROM privacy_consentloghead AS h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN  -- a flushed test database; the first migration creates the row
        INSERT INTO privacy_consentloghead (id, last_seq, last_hash)
        VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
        SELECT h.last_seq, h.last_hash INTO head_seq, head_hash
        FROM privacy_consentloghead AS h WHERE h.id = 1 FOR UPDATE;
    END IF;

    FOR entry IN
        SELECT e.value FROM jsonb_array_elements(entries) WITH ORDINALITY AS e(value, n)
        ORDER BY e.n
    LOOP
        out_seq := head_seq + 1;
        out_prev_hash := head_hash;
        new_hash := encode(sha256(convert_to(
            (entry->'template'->>0) || head_hash || (entry->'template'->>1)
            || out_seq::text || (entry->'template'->>2), 'UTF8')), 'hex');
        INSERT INTO privacy_consentrecord (
            seq, person_id, purpose, decision, method, policy_version_id, policy_sha256,
            consent_version_id, consent_sha256, wording_id, source, created_at,
            subject_email, subject_phone, ip, user_agent, page_url, referrer,
            personal_salt, personal_digest, prev_hash, record_hash)
        SELECT out_seq, r.person_id, r.purpose, r.decision, r.method, r.policy_version_id,
            r.policy_sha256, r.consent_version_id, r.consent_sha256, r.wording_id, r.source,
            r.created_at, r.subject_email, r.subject_phone, r.ip, r.user_agent, r.page_url,
            r.referrer, r.personal_salt, r.personal_digest, head_hash, new_hash
        FROM jsonb_populate_record(NULL::privacy_consentrecord, entry->'record') AS r
        RETURNING id INTO out_id;
        IF receipt IS NOT NULL THEN
            INSERT INTO privacy_consentreceipt_records (consentreceipt_id, consentrecord_id)
            VALUES (receipt, out_id);
        END IF;
        out_hash := new_hash;
        head_seq := out_seq;
        head_hash := new_hash;
        RETURN NEXT;
    END LOOP;

    UPDATE privacy_consentloghead SET last_seq = head_seq, last_hash = head_hash
    WHERE privacy_consentloghead.id = 1;

    FOR state IN SELECT s.value FROM jsonb_array_elements(states) AS s LOOP
        IF state->>'column' NOT LIKE 'consent\_%' THEN
            RAISE EXCEPTION 'privacy_consent_append: % is not a consent column', state->>'column';
        END IF;
        EXECUTE format('UPDATE privacy_person SET %I = $1 WHERE id = $2', state->>'column')
        USING state->>'value', (state->>'person_id')::bigint;
    END LOOP;
END $$;
"""

POSTGRES_REVERSE = "DROP FUNCTION IF EXISTS privacy_consent_append(jsonb, jsonb, jsonb, bigint);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)  # '%' in RAISE is literal


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_rights_incidents_disclosures")]

    operations = [migrations.RunPython(forward, reverse)]
