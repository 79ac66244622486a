"""Erasure leaves no personal data and a verifying consent log; corrections are recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import Lead
from privacy.audit.models import AuditAction, AuditEntry
from privacy.blocks.models import BlockRequester
from privacy.blocks.services import person_block
from privacy.consent.verify import consent_log_verify
from privacy.people.models import Person
from privacy.rights.erasure import ERASE_BLOCKED
from privacy.rights.models import DataCorrection, Destruction, RightsRequest
from privacy.rights.services import RightsError, request_erase, rights_scrub_erased
from tests.support.mail import link_in, mails_to, send_outbox

pytestmark = pytest.mark.django_db
Status = RightsRequest.Status

EMAIL = "zoe.unique@example.com"
PHONE = "+79161112233"
NAME = "Zyxwvut Trading"


def tables_holding(*needles: str) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) of the database where a text or JSON value holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'inet')"""
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column, needle))
    return found


@pytest.fixture
def zoe(make_lead):
    return make_lead(EMAIL, PHONE, account_name=NAME, utm_source="yandex")


def test_erasure_leaves_no_personal_data_and_the_consent_log_still_verifies(
    confirmed, officer, zoe
):
    rights_request = confirmed("erasure", EMAIL)
    assert {t for t, _c, _n in tables_holding(EMAIL)} >= {"leads_lead", "privacy_person"}

    request_erase(request=rights_request, staff=officer)
    send_outbox()
    rights_scrub_erased()

    assert tables_holding(EMAIL, PHONE, NAME, "203.0.113.7") == []
    assert consent_log_verify() is None
    person = Person.objects.get(pk=zoe.person_id)
    assert person.erased_at is not None and person.email is None
    destruction = Destruction.objects.get()
    assert (destruction.person, destruction.created_by) == (person, officer)
    assert destruction.ground == Destruction.Ground.REQUEST
    assert destruction.destroyed["leads"] == 1
    assert destruction.destroyed["consent_records_pseudonymised"] == 3
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_ERASED, person=person).exists()
    # The rows the law asks to keep are there, pseudonymised: the proof consent existed.
    assert person.consent_records.count() == 3
    assert Lead.objects.filter(person=person).count() == 1
    assert RightsRequest.objects.get().status == Status.ANSWERED


def test_the_address_is_gone_when_the_erasure_commits_and_the_person_still_hears(
    client, confirmed, officer, zoe
):
    rights_request = confirmed("erasure", EMAIL)
    send_outbox()

    request_erase(request=rights_request, staff=officer, answer="We kept nothing else.")

    # Before the answer is sent: no readable copy anywhere, not even on the answer itself.
    assert tables_holding(EMAIL, PHONE, NAME) == []
    client.force_login(officer)
    assert EMAIL not in client.get("/admin/privacy/message/").text
    send_outbox()
    [answer] = [m for m in mails_to(EMAIL) if "erased" in m.body]
    assert "We kept nothing else." in answer.body
    assert tables_holding(EMAIL) == []
    assert rights_scrub_erased() == 0  # sending dropped the sealed address already


def test_a_blocked_person_cannot_be_erased_until_the_block_is_lifted(confirmed, officer, zoe):
    rights_request = confirmed("erasure", EMAIL)
    person_block(
        person=zoe.person,
        requested_by=BlockRequester.AUTHORITY,
        reason="Court case",
        review_by=timezone.localdate() + timedelta(days=10),
        staff=officer,
    )

    with pytest.raises(RightsError, match=ERASE_BLOCKED):
        request_erase(request=rights_request, staff=officer)

    zoe.refresh_from_db()
    assert zoe.email == EMAIL and zoe.account_name == NAME
    assert Person.objects.get(pk=zoe.person_id).erased_at is None
    assert RightsRequest.objects.get().status == Status.VERIFIED
    assert not Destruction.objects.exists()


def test_a_reviewer_cannot_erase(confirmed, reviewer, zoe):
    rights_request = confirmed("erasure", EMAIL)

    with pytest.raises(RightsError):
        request_erase(request=rights_request, staff=reviewer)
    assert Person.objects.get(pk=zoe.person_id).erased_at is None


def test_a_person_corrects_name_and_phone_recorded_with_before_and_after(client, confirmed, zoe):
    rights_request = confirmed("correction", EMAIL)
    page = f"/privacy/requests/{rights_request.public_id}/"
    assert NAME in client.get(page).text

    response = client.post(
        page, {"account_name": "  Zyx Trading  ", "phone": "8 (916) 999-88-77", "email": EMAIL}
    )

    assert response.status_code == 303
    zoe.refresh_from_db()
    assert (zoe.account_name, zoe.phone) == ("Zyx Trading", "+79169998877")
    assert Person.objects.get(pk=zoe.person_id).phone == "+79169998877"
    changes = {c.field: (c.before, c.after) for c in DataCorrection.objects.all()}
    assert changes == {
        "phone": (PHONE, "+79169998877"),
        "account_name": (NAME, "Zyx Trading"),
    }
    assert RightsRequest.objects.get().status == Status.ANSWERED


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("phone", "12", "valid phone number"),
        ("phone", "+7 916 999-88-77 abc", "valid phone number"),
        ("phone", "+7 916 999-88-77\U0001f600", "valid phone number"),
        ("email", '"zoe\x01"@example.com', "valid e-mail"),
    ],
)
def test_an_impossible_phone_or_address_is_refused_and_changes_nothing(
    client, confirmed, zoe, field, value, error
):
    rights_request = confirmed("correction", EMAIL)
    data = {"account_name": "New name", "phone": PHONE, "email": EMAIL, field: value}

    response = client.post(f"/privacy/requests/{rights_request.public_id}/", data)

    assert response.status_code == 400
    assert error in response.text
    zoe.refresh_from_db()
    assert (zoe.account_name, zoe.phone) == (NAME, PHONE)
    assert not DataCorrection.objects.exists()


def test_a_new_email_takes_effect_only_when_confirmed_from_the_new_address(client, confirmed, zoe):
    rights_request = confirmed("correction", EMAIL)

    client.post(
        f"/privacy/requests/{rights_request.public_id}/",
        {"account_name": NAME, "phone": PHONE, "email": "zoe.new@example.com"},
    )
    assert Person.objects.get(pk=zoe.person_id).email == EMAIL
    send_outbox()
    [confirmation] = mails_to("zoe.new@example.com")

    assert client.post(link_in(confirmation, "email")).status_code == 200

    assert Person.objects.get(pk=zoe.person_id).email == "zoe.new@example.com"
    zoe.refresh_from_db()
    assert zoe.email == "zoe.new@example.com"
    [change] = DataCorrection.objects.all()
    assert (change.field, change.before, change.after) == ("email", EMAIL, "zoe.new@example.com")
    assert client.post(link_in(confirmation, "email")).status_code == 400  # one use
