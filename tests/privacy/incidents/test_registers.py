"""Breach notices only from their preview; incidents and disclosures as registers nobody can
rewrite: no delete, a sent notice frozen, corrections as new entries."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from privacy.audit.models import AuditAction, AuditEntry
from privacy.incidents.models import Disclosure, Incident
from privacy.incidents.services import (
    NOT_PREVIEWED,
    NOTICE_CHANGED,
    IncidentError,
    disclosure_record,
    incident_notify,
    incident_preview,
)
from privacy.outbox.models import Message
from privacy.people.integrity import ImmutableRecordError
from privacy.people.models import Person

pytestmark = pytest.mark.django_db

NOTICE = {
    "title": "Backup stolen",
    "description": "A backup disk was stolen from the office.",
    "data_categories": ["email", "phone"],
    "notice_subject": "Your data may have been exposed",
    "notice_body": "On 1 March a backup disk with your e-mail and phone was stolen.",
}
REFUSED = (IntegrityError, InternalError)


@pytest.fixture
def incident(officer):
    return Incident.objects.create(created_by=officer, **NOTICE)


@pytest.fixture
def audience(make_lead):
    make_lead("anna@example.com", "+79160000001")
    make_lead("boris@example.com", "+79160000002")
    ivan = make_lead("ivan@example.com", "+79160000003").person
    Person.objects.filter(pk=ivan.pk).update(language="ru")


def notice_page(incident) -> str:
    return reverse("admin:privacy_incident_notice", args=[incident.pk])


def change_page(incident) -> str:
    return reverse("admin:privacy_incident_change", args=[incident.pk])


def sql_refused(statement: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except REFUSED:
        return True
    return False


# -- The notice: a preview with the count and the text in each language, then a confirmation


def test_the_preview_shows_the_count_and_the_text_in_each_language(
    client, officer, incident, audience
):
    client.force_login(officer)

    page = client.get(notice_page(incident)).text

    assert "It will go to 3 people" in page
    assert "English · 2 people" in page
    assert "Русский · 1 person" in page
    assert page.count(NOTICE["notice_body"]) == 2
    assert "Send the notice to 3 people" in page
    assert Incident.objects.get().notice_started_at is None  # looking sends nothing


def test_the_preview_renders_the_frame_in_the_persons_language(incident, audience):
    preview = incident_preview(incident=incident)

    english, russian = preview["languages"]
    assert (english["code"], russian["code"]) == ("en", "ru")
    cyrillic = re.compile("[\u0400-\u04ff]")
    # The officer's text is the same; the frame around it is in each person's language.
    assert NOTICE["notice_body"] in english["text"] and NOTICE["notice_body"] in russian["text"]
    assert cyrillic.search(russian["text"]) and not cyrillic.search(english["text"])


def test_confirming_the_preview_sends_the_notice(
    client, officer, incident, audience, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    digest = incident_preview(incident=incident)["digest"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(notice_page(incident), {"previewed": digest})

    assert response.status_code == 302
    assert Incident.objects.get().notice_started_at is not None
    assert Message.objects.filter(dedupe_key=incident.dedupe_key).count() == 3


def test_the_old_send_button_only_leads_to_the_preview(client, officer, incident, audience):
    client.force_login(officer)
    data = {key: value for key, value in NOTICE.items() if key != "data_categories"}
    data |= {
        "data_categories": NOTICE["data_categories"],
        "detected_at_0": timezone.localdate().isoformat(),
        "detected_at_1": "10:00:00",
        "audience": "all",
        "_notify": "1",
    }

    response = client.post(change_page(incident), data)

    assert response.status_code == 302 and response["Location"] == notice_page(incident)
    assert Incident.objects.get().notice_started_at is None
    assert not Message.objects.filter(dedupe_key=incident.dedupe_key).exists()


@pytest.mark.parametrize("previewed", ["", "0" * 64])
def test_a_notice_without_its_preview_is_not_sent(client, officer, incident, audience, previewed):
    client.force_login(officer)

    client.post(notice_page(incident), {"previewed": previewed})

    assert Incident.objects.get().notice_started_at is None
    assert not Message.objects.filter(dedupe_key=incident.dedupe_key).exists()


def test_a_notice_edited_after_its_preview_is_not_sent(officer, incident, audience):
    digest = incident_preview(incident=incident)["digest"]
    Incident.objects.filter(pk=incident.pk).update(notice_body="Something else entirely.")
    incident.refresh_from_db()

    with pytest.raises(IncidentError, match=NOTICE_CHANGED):
        incident_notify(incident=incident, staff=officer, previewed=digest)
    with pytest.raises(IncidentError, match=NOT_PREVIEWED):
        incident_notify(incident=incident, staff=officer)
    assert Incident.objects.get().notice_started_at is None


# -- Registers nobody can rewrite ----------------------------------------------------------


def test_an_incident_cannot_be_deleted_from_the_app_or_the_database(client, officer, incident):
    client.force_login(officer)

    assert client.get(change_page(incident) + "../delete/").status_code == 403
    assert "deletelink" not in client.get(change_page(incident)).text
    with pytest.raises(ImmutableRecordError):
        incident.delete()
    with pytest.raises(ImmutableRecordError):
        Incident.objects.all().delete()
    assert sql_refused("DELETE FROM privacy_incident")
    assert Incident.objects.count() == 1


def test_a_sent_notice_is_frozen_in_the_admin_and_in_the_database(
    client, officer, incident, audience
):
    incident_notify(
        incident=incident, staff=officer, previewed=incident_preview(incident=incident)["digest"]
    )
    client.force_login(officer)

    page = client.get(change_page(incident)).text

    assert 'name="notice_body"' not in page and 'name="title"' not in page
    assert NOTICE["notice_body"] in page  # shown, read-only
    for column, value in [
        ("notice_subject", "Nothing happened"),
        ("notice_body", "Nothing happened"),
        ("title", "Nothing"),
        ("audience", "created_between"),
        ("notice_started_at", None),
    ]:
        statement = f"UPDATE privacy_incident SET {column} = %s"  # noqa: S608 (a test's own names)
        assert sql_refused(statement, [value]), column
    assert Incident.objects.get().notice_body == NOTICE["notice_body"]
    # The fan-out's own bookkeeping still moves.
    Incident.objects.filter(pk=incident.pk).update(notice_cursor=99)


def test_what_happened_is_fixed_once_the_authority_was_notified(officer, incident):
    Incident.objects.filter(pk=incident.pk).update(description="We know more now.")  # allowed
    Incident.objects.filter(pk=incident.pk).update(authority_notified_at=timezone.now())

    assert sql_refused("UPDATE privacy_incident SET description = 'Rewritten'")
    assert sql_refused("UPDATE privacy_incident SET authority_notified_at = NULL")
    assert sql_refused(
        "UPDATE privacy_incident SET authority_notified_at = %s",
        [timezone.now() - timedelta(days=1)],
    )
    # The notice to people can still be written: it has not left yet.
    Incident.objects.filter(pk=incident.pk).update(notice_body="Updated notice.")
    assert Incident.objects.get().description == "We know more now."


def test_a_correction_is_a_new_entry_pointing_to_what_it_corrects(client, officer, incident):
    Incident.objects.filter(pk=incident.pk).update(authority_notified_at=timezone.now())
    client.force_login(officer)
    add = reverse("admin:privacy_incident_add") + f"?corrects={incident.pk}"

    form = client.get(add).text
    assert "Record a correction" in client.get(change_page(incident)).text
    assert NOTICE["description"] in form  # prefilled from the entry it corrects
    data = {
        "title": NOTICE["title"],
        "description": "Two backup disks were stolen, not one.",
        "data_categories": NOTICE["data_categories"],
        "detected_at_0": timezone.localdate().isoformat(),
        "detected_at_1": "10:00:00",
        "audience": "all",
    }
    without_reason = client.post(add, data)
    assert (
        without_reason.status_code == 200 and "Say what this entry corrects" in without_reason.text
    )
    assert Incident.objects.count() == 1

    response = client.post(add, {**data, "correction_reason": "A second disk was found missing."})

    assert response.status_code == 302
    correction = Incident.objects.exclude(pk=incident.pk).get()
    assert correction.corrects == incident and correction.created_by == officer
    assert Incident.objects.get(pk=incident.pk).description == NOTICE["description"]
    entry = AuditEntry.objects.get(action=AuditAction.INCIDENT_RECORDED)
    assert entry.detail == {"corrects": incident.pk}
    original_page = client.get(change_page(incident)).text
    assert f'href="/admin/privacy/incident/{correction.pk}/change/"' in original_page


@pytest.fixture
def disclosure(officer, lead):
    return disclosure_record(
        authority="Court",
        legal_basis="Order 1",
        reference="A-1",
        people=[lead.person],
        data_categories=["email"],
        staff=officer,
    )


def test_a_disclosure_cannot_be_changed_or_deleted_anywhere(client, officer, disclosure):
    client.force_login(officer)

    assert client.get(f"/admin/privacy/disclosure/{disclosure.pk}/delete/").status_code == 403
    with pytest.raises(ImmutableRecordError):
        disclosure.delete()
    with pytest.raises(ImmutableRecordError):
        Disclosure.objects.filter(pk=disclosure.pk).update(reference="B-2")
    with pytest.raises(ImmutableRecordError):
        disclosure.save()
    assert sql_refused("UPDATE privacy_disclosure SET reference = 'B-2'")
    assert sql_refused("DELETE FROM privacy_disclosure")
    assert sql_refused("DELETE FROM privacy_disclosure_people")
    assert sql_refused("UPDATE privacy_disclosure_people SET person_id = person_id")
    assert Disclosure.objects.get().reference == "A-1"
    assert Disclosure.objects.get().people.count() == 1


def test_a_disclosure_correction_is_a_new_record_and_both_are_in_the_export(
    client, officer, disclosure, lead, confirmed
):
    client.force_login(officer)
    add = reverse("admin:privacy_disclosure_add") + f"?corrects={disclosure.pk}"
    assert "Court" in client.get(add).text  # prefilled

    response = client.post(
        add,
        {
            "authority": "Court",
            "legal_basis": "Order 1",
            "reference": "A-1-corrected",
            "people": [lead.person_id],
            "data_categories": ["email", "phone"],
            "released_at_0": timezone.localdate().isoformat(),
            "released_at_1": "00:00:01",
            "correction_reason": "The phone was released too.",
        },
    )

    assert response.status_code == 302, response.text[:3000]
    correction = Disclosure.objects.exclude(pk=disclosure.pk).get()
    assert correction.corrects == disclosure
    assert Disclosure.objects.get(pk=disclosure.pk).data_categories == ["email"]
    from privacy.incidents.services import disclosures_export

    exported = disclosures_export(lead.person)["disclosures"]
    assert sorted((d["id"], d["corrects"] or 0) for d in exported) == [
        (disclosure.pk, 0),
        (correction.pk, disclosure.pk),
    ]
    json.dumps(exported)


def test_the_notice_goes_in_each_persons_language_when_written_in_it(
    client, officer, incident, audience, django_capture_on_commit_callbacks
):
    from tests.support.mail import mails_to, send_outbox

    client.force_login(officer)
    data = {key: value for key, value in NOTICE.items()}
    data |= {
        "detected_at_0": timezone.localdate().isoformat(),
        "detected_at_1": "10:00:00",
        "audience": "all",
        "notice_subject_ru": "Ваши данные могли быть раскрыты",
        "notice_body_ru": "1 марта украден диск с резервной копией.",
    }
    assert client.post(change_page(incident), data).status_code == 302
    incident.refresh_from_db()
    preview = incident_preview(incident=incident)
    english, russian = preview["languages"]
    assert english["translated"] and russian["translated"]
    assert "украден диск" in russian["text"] and "украден диск" not in english["text"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(notice_page(incident), {"previewed": preview["digest"]})
    send_outbox()

    [to_ivan] = mails_to("ivan@example.com")
    [to_anna] = mails_to("anna@example.com")
    assert to_ivan.subject.startswith("Ваши данные") and "украден диск" in to_ivan.body
    assert to_anna.subject.startswith(NOTICE["notice_subject"])


def test_a_translation_needs_both_subject_and_text(client, officer, incident):
    client.force_login(officer)
    data = {key: value for key, value in NOTICE.items()}
    data |= {
        "detected_at_0": timezone.localdate().isoformat(),
        "detected_at_1": "10:00:00",
        "audience": "all",
        "notice_subject_ru": "Ваши данные могли быть раскрыты",
    }

    response = client.post(change_page(incident), data)

    assert response.status_code == 200
    assert "both a subject and a text" in response.text
    assert Incident.objects.get().notice_translations == {}


def test_a_language_without_its_text_is_flagged_in_the_preview(client, officer, incident, audience):
    client.force_login(officer)

    page = client.get(notice_page(incident)).text

    assert page.count("No text in this language") == 1  # Russian; English is the default


def test_what_was_told_to_roskomnadzor_is_fixed_once_told(officer, incident):
    Incident.objects.filter(pk=incident.pk).update(
        presumed_causes="A stolen disk.", investigation_results="Still looking."
    )
    Incident.objects.filter(pk=incident.pk).update(
        authority_notified_at=timezone.now(), rkn_incident_reference="RKN-1"
    )

    assert sql_refused("UPDATE privacy_incident SET presumed_causes = 'Something else'")
    assert sql_refused("UPDATE privacy_incident SET rkn_incident_reference = 'RKN-2'")
    # The investigation's results may still be written until they are reported.
    Incident.objects.filter(pk=incident.pk).update(investigation_results="An insider.")
    Incident.objects.filter(pk=incident.pk).update(investigation_reported_at=timezone.now())
    assert sql_refused("UPDATE privacy_incident SET investigation_results = 'Rewritten'")
    saved = Incident.objects.get()
    assert (saved.presumed_causes, saved.investigation_results) == ("A stolen disk.", "An insider.")
