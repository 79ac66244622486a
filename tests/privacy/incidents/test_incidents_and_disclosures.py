"""Breach register and notices (5.3); disclosures to authorities (5.2)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from privacy.consent.models import ConsentMethod
from privacy.consent.services import consent_withdraw
from privacy.incidents.models import Disclosure, Incident
from privacy.incidents.services import (
    ALREADY_NOTIFYING,
    DATES_REQUIRED,
    PEOPLE_REQUIRED,
    DisclosureError,
    IncidentError,
    disclosure_record,
    incident_notify,
    incident_preview,
)
from privacy.outbox.models import Message, MessageKind, Suppression
from privacy.people.models import Person, Purpose
from privacy.people.visits import Visit
from tests.support.mail import link_in, mails_to, send_outbox

pytestmark = pytest.mark.django_db

NOTICE = {
    "title": "Backup stolen",
    "description": "A backup disk was stolen from the office.",
    "data_categories": ["email", "phone"],
    "notice_subject": "Your data may have been exposed",
    "notice_body": "On 1 March a backup disk with your e-mail and phone was stolen.",
}


@pytest.fixture
def incident(officer):
    return Incident.objects.create(created_by=officer, **NOTICE)


def notify(incident, staff):
    """Send the notice as an officer does: from its preview."""
    return incident_notify(
        incident=incident, staff=staff, previewed=incident_preview(incident=incident)["digest"]
    )


def test_the_incident_page_counts_down_the_authority_clocks(client, officer, incident):
    Incident.objects.filter(pk=incident.pk).update(
        detected_at=timezone.now() - timedelta(hours=30),
        authority_notified_at=timezone.now() - timedelta(hours=10),
    )
    client.force_login(officer)

    page = client.get(f"/admin/privacy/incident/{incident.pk}/change/").text

    assert "Notice to the supervisory authority" in page and "done at" in page
    assert "Results of the investigation" in page and "left" in page


def test_in_gdpr_mode_there_is_one_72_hour_clock(client, officer, incident, settings):
    settings.RIGHTS_CLOCK_MODE = "gdpr"
    settings.INCIDENT_AUTHORITY_HOURS = 72
    from privacy.incidents.services import incident_clocks

    [clock] = incident_clocks(incident)
    assert clock["deadline"] - incident.detected_at == timedelta(hours=72)


def test_a_breach_notice_reaches_people_who_unsubscribed_and_is_recorded_per_person(
    client, officer, incident, make_lead
):
    unsubscribed = make_lead("una@example.com", "+79160000001").person
    consent_withdraw(
        person=unsubscribed,
        purpose=Purpose.MARKETING,
        method=ConsentMethod.EMAIL_LINK,
        visit=Visit(),
    )
    make_lead("bob@example.com", "+79160000002")
    bouncing = make_lead("gone@example.com", "+79160000003").person
    Suppression.objects.create(email="gone@example.com", reason=Suppression.Reason.BOUNCED)
    client.force_login(officer)
    url = f"/admin/privacy/incident/{incident.pk}/change/"

    preview = incident_preview(incident=incident)
    page = client.get(f"/admin/privacy/incident/{incident.pk}/notice/").text
    assert preview["count"] == 3 and "It will go to 3 people" in page
    assert all(NOTICE["notice_body"] in language["text"] for language in preview["languages"])

    with pytest.raises(IncidentError, match=ALREADY_NOTIFYING):
        notify(incident, officer)
        notify(incident, officer)
    from privacy.incidents.services import incident_fan_out

    incident_fan_out(incident_id=incident.pk)
    incident_fan_out(incident_id=incident.pk)  # a rerun notifies no one twice
    send_outbox()

    notices = Message.objects.filter(dedupe_key=f"incident:{incident.pk}")
    assert notices.count() == 3
    assert {m.kind for m in notices} == {MessageKind.LEGAL_NOTICE}
    [received] = mails_to("una@example.com")
    assert received.subject.startswith(NOTICE["notice_subject"])
    assert mails_to("gone@example.com") == []
    assert notices.get(person=bouncing).skip_reason == "suppressed"
    page = client.get(url).text
    assert "sent: 2" in page and "skipped: 1" in page and "una@example.com" in page


def test_a_notice_to_a_date_range_needs_both_dates_and_sends_nothing_without(
    officer, incident, make_lead
):
    make_lead()
    Incident.objects.filter(pk=incident.pk).update(audience=Incident.Audience.CREATED_BETWEEN)
    incident.refresh_from_db()

    with pytest.raises(IncidentError, match=DATES_REQUIRED):
        incident_notify(incident=incident, staff=officer, previewed="x")

    assert Incident.objects.get().notice_started_at is None
    assert not Message.objects.filter(kind=MessageKind.LEGAL_NOTICE).exists()


def test_a_date_range_selects_the_people_first_recorded_in_it(officer, incident, make_lead):
    old = make_lead("old@example.com", "+79160000004").person
    Person.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    make_lead("new@example.com", "+79160000005")
    today = timezone.localdate()
    Incident.objects.filter(pk=incident.pk).update(
        audience=Incident.Audience.CREATED_BETWEEN,
        affected_from=today - timedelta(days=1),
        affected_to=today,
    )
    incident.refresh_from_db()

    assert incident_preview(incident=incident)["count"] == 1


def test_a_disclosure_is_recorded_and_appears_in_the_persons_access_export(
    client, confirmed, officer, lead
):
    disclosure_record(
        authority="Roskomnadzor",
        legal_basis="152-FZ Art. 23",
        reference="RKN-2026/17",
        people=[lead.person],
        data_categories=["email", "phone"],
        staff=officer,
    )
    confirmed("access", "anna@example.com")
    send_outbox()
    [answer] = [m for m in mails_to("anna@example.com") if "ready" in m.subject]

    data = json.loads(client.get(link_in(answer, "export") + "json/").content)

    [disclosed] = data["disclosures"]
    assert disclosed["authority"] == "Roskomnadzor"
    assert disclosed["reference"] == "RKN-2026/17"
    assert disclosed["data_categories"] == ["email", "phone"]
    page = client.get(link_in(answer, "export")).text
    section = page.split('id="export-disclosures"')[1].split("</section>")[0]
    assert "Roskomnadzor" in section and "RKN-2026/17" in section


def test_a_disclosure_without_people_is_refused_and_records_nothing(officer):
    with pytest.raises(DisclosureError, match=PEOPLE_REQUIRED):
        disclosure_record(
            authority="Court",
            legal_basis="Order",
            people=[],
            data_categories=["email"],
            staff=officer,
        )
    assert not Disclosure.objects.exists()


def test_an_officer_records_a_disclosure_in_the_admin_and_it_is_kept_as_written(
    client, officer, lead
):
    client.force_login(officer)

    response = client.post(
        "/admin/privacy/disclosure/add/",
        {
            "authority": "Investigative Committee",
            "legal_basis": "Code of Criminal Procedure Art. 21",
            "reference": "IC-5",
            "people": [lead.person_id],
            "data_categories": ["email", "account_name"],
            "released_at_0": (date.today() - timedelta(days=1)).isoformat(),
            "released_at_1": "10:00:00",
        },
    )

    assert response.status_code == 302, response.text[:2000]
    disclosure = Disclosure.objects.get()
    assert disclosure.released_by == officer
    assert list(disclosure.people.all()) == [lead.person]
    page = client.get(f"/admin/privacy/disclosure/{disclosure.pk}/change/").text
    assert 'name="authority"' not in page  # view-only once recorded
