"""Lead review in the admin: the list, search in any format, filters, a lead's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead
from privacy.audit.models import AuditAction, AuditEntry
from privacy.people.models import Decision

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:leads_lead_changelist"


def listed(client, **params) -> str:
    return client.get(reverse(CHANGELIST), params).content.decode()


def test_the_lead_list_shows_contact_status_source_consent_and_blocked_flag(
    client, reviewer, make_lead
):
    make_lead(account_name="Anna Petrova", utm_source="yandex", utm_campaign="spring")
    client.force_login(reviewer)
    page = listed(client)
    for text in ("Anna Petrova", "+7 912 345-67-89", "anna@example.com", "New", "yandex/spring"):
        assert text in page
    assert "Marketing communications: Granted" in page
    assert 'alt="False"' in page  # not blocked


@pytest.mark.parametrize(
    "typed",
    ["8 (912) 345-67-89", "+7 912 345 67 89", "89123456789", "+79123456789", "7-912-345-6789"],
)
def test_a_phone_typed_in_any_common_format_finds_the_lead(client, reviewer, make_lead, typed):
    make_lead(account_name="Anna")
    make_lead("boris@example.com", "+79161112233", account_name="Boris")
    client.force_login(reviewer)
    page = listed(client, q=typed)
    assert "Anna" in page and "Boris" not in page


def test_an_email_finds_the_lead_whatever_the_case_of_its_domain(client, reviewer, make_lead):
    make_lead(account_name="Anna")
    make_lead("boris@example.com", "+79161112233", account_name="Boris")
    client.force_login(reviewer)
    assert "Boris" not in listed(client, q="anna@EXAMPLE.com")
    assert "Anna" in listed(client, q="anna@EXAMPLE.com")
    assert "Anna" in listed(client, q="ann")  # the beginning of an e-mail


def test_filters_by_status_consent_blocked_and_source(client, reviewer, make_lead):
    make_lead(account_name="Anna", status=Lead.Status.QUALIFIED)
    make_lead(
        "boris@example.com",
        "+79161112233",
        account_name="Boris",
        marketing=Decision.NOT_GIVEN,
        utm_source="",
        referrer="https://news.example/",
    )
    client.force_login(reviewer)
    assert "Boris" not in listed(client, status__exact="qualified")
    page = listed(client, consent="marketing:none")
    assert "Boris" in page and "Anna" not in page
    page = listed(client, source="(referral)")
    assert "Boris" in page and "Anna" not in page
    page = listed(client, source="yandex")
    assert "Anna" in page and "Boris" not in page
    assert "Anna" in listed(client, blocked="no")
    assert "Anna" not in listed(client, blocked="yes")


def test_the_list_costs_the_same_queries_for_one_lead_or_twenty(client, reviewer, make_lead):
    make_lead()
    client.force_login(reviewer)
    client.get(reverse(CHANGELIST))  # warm caches (sessions, content types, sources)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    for n in range(19):
        make_lead(f"p{n}@example.com", f"+7916000{n:04d}")
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    assert len(twenty) == len(one) <= 12


def test_a_large_list_is_counted_by_the_planners_estimate_not_a_scan(
    client, reviewer, make_lead, monkeypatch
):
    from privacy.people import changelists

    make_lead()
    monkeypatch.setattr(changelists, "EXACT_COUNT_BELOW", 0)  # as if the table were huge
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not any("COUNT(" in sql for sql in sqls)
    assert any(sql.startswith("EXPLAIN") for sql in sqls)


def test_a_reviewer_sets_status_and_notes_and_the_change_is_audited(client, reviewer, lead):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:leads_lead_change", args=[lead.pk]),
        {"status": "contacted", "notes": "Called, call back Friday."},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.notes) == ("contacted", "Called, call back Friday.")
    entry = AuditEntry.objects.get(action=AuditAction.LEAD_CHANGED)
    assert (entry.actor, entry.person, entry.ip) == (reviewer, lead.person, "198.51.100.9")
    assert entry.detail["status"] == ["new", "contacted"]


def test_a_reviewer_cannot_change_anything_but_status_and_notes(client, reviewer, lead):
    client.force_login(reviewer)
    client.post(
        reverse("admin:leads_lead_change", args=[lead.pk]),
        {"status": "new", "notes": "", "email": "evil@example.com", "account_name": "X"},
    )
    lead.refresh_from_db()
    assert (lead.email, lead.account_name) == ("anna@example.com", "Anna")


def test_a_persons_page_shows_submissions_consent_timeline_messages_and_is_audited(
    client, officer, lead
):
    from privacy.outbox.models import Message, MessageKind
    from privacy.outbox.services import message_queue

    message_queue(kind=MessageKind.MARKETING, to_email=lead.email, person=lead.person)
    Message.objects.filter(person=lead.person).update(
        status=Message.Status.SKIPPED, skip_reason="unconfirmed"
    )
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_person_change", args=[lead.person_id]))
    text = page.content.decode()
    assert page.status_code == 200
    for shown in (
        "Submissions (leads)",
        "203.0.113.7",  # visit metadata
        "Consent timeline",
        "Privacy Policy v1",
        "Messages (sent, skipped, failed)",
        "Consent not confirmed",
        "Audit trail",
    ):
        assert shown in text, shown
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_VIEWED)
    assert (entry.actor, entry.person) == (officer, lead.person)


def test_a_deep_page_shows_the_same_rows_in_the_same_order(
    client, reviewer, make_lead, monkeypatch
):
    from privacy.people import changelists

    for n in range(5):
        make_lead(f"p{n}@example.com", f"+7916000{n:04d}", account_name=f"Account {n}")
    client.force_login(reviewer)
    shallow = listed(client)
    monkeypatch.setattr(changelists, "DEFERRED_JOIN_FROM", 0)  # every page by ids first
    deep = listed(client)
    order = [f"Account {n}" for n in reversed(range(5))]
    for page in (shallow, deep):
        positions = [page.index(name) for name in order]
        assert positions == sorted(positions)  # newest first, all five shown
