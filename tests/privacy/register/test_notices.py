"""Draft notices to Roskomnadzor from the register: printable pages and .docx downloads for
officers only, the incident notices with the affected count computed from the data."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from privacy.audit.models import AuditAction, AuditEntry
from privacy.incidents.models import Incident
from privacy.people.models import Person
from privacy.register.models import Operator
from privacy.register.notices import incident_affected_counts

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _person(email: str | None, phone: str, created: datetime, erased: datetime | None = None):
    return Person.objects.create(email=email, phone=phone, created_at=created, erased_at=erased)


@pytest.fixture
def incident(db):
    # Four people first recorded in the leaked period, one before it, one after it.
    inside = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
    _person("a@example.com", "+79160000001", inside)
    _person("b@example.com", "", inside)
    _person(None, "+79160000003", inside)
    # Erased after the incident: their data were there when they leaked.
    _person(None, "", inside, erased=datetime(2026, 11, 19, tzinfo=UTC))
    _person("before@example.com", "+79160000005", datetime(2026, 9, 1, tzinfo=UTC))
    _person("after@example.com", "+79160000006", datetime(2026, 11, 19, tzinfo=UTC))
    return Incident.objects.create(
        title="Exported CSV left on a public share",
        description="A staff export was reachable by link for two hours.",
        occurred_at=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        detected_at=datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
        data_categories=["email", "phone", "account_name"],
        audience=Incident.Audience.CREATED_BETWEEN,
        affected_from=date(2026, 10, 1),
        affected_to=date(2026, 10, 31),
        presumed_causes="A share link without expiry.",
        presumed_harm="Contact data could be used for unsolicited messages.",
        measures_taken="The link was revoked; exports now expire in an hour.",
    )


def test_the_affected_count_comes_from_the_data_in_the_incidents_scope(incident):
    counts = incident_affected_counts(incident, now=NOW)

    assert counts.persons == 4
    # e-mails a@, b@ and the erased person's; phones ...01, ...03 and the erased person's.
    assert counts.by_category == {"email": 3, "phone": 3}
    assert counts.identifiers == 6


def test_a_person_erased_before_the_incident_is_not_counted(incident):
    _person(None, "", datetime(2026, 10, 12, tzinfo=UTC), erased=datetime(2026, 11, 1, tzinfo=UTC))

    assert incident_affected_counts(incident).persons == 4


def test_an_incident_concerning_everyone_counts_everyone_recorded_by_then(incident):
    incident.audience = Incident.Audience.ALL
    incident.data_categories = ["email"]

    counts = incident_affected_counts(incident)

    assert counts.persons == 5  # all but the one first recorded after it happened
    assert counts.identifiers == 4


def test_the_24_hour_notice_is_filled_from_the_incident_with_its_deadline(
    incident, officer, client
):
    client.force_login(officer)

    page = client.get(f"/admin/privacy/operator/notices/incident/{incident.pk}/24h/")

    assert page.status_code == 200
    text = page.text
    assert "ЧЕРНОВИК" in text and "Не является юридической консультацией" in text
    assert "A share link without expiry." in text
    assert "Количество субъектов персональных данных: 4" in text
    assert "уникальных идентификаторов: 6" in text
    assert "19.11.2026 13:00 (МСК)" in text  # detected 13:00 Moscow, 24 hours later
    assert AuditEntry.objects.filter(action=AuditAction.NOTICE_DRAFTED, actor=officer).exists()


def test_the_72_hour_notice_reports_the_investigation(incident, officer, client):
    incident.investigation_results = "The share was opened twice, both from our office."
    incident.save()
    client.force_login(officer)

    page = client.get(f"/admin/privacy/operator/notices/incident/{incident.pk}/72h/")

    assert "The share was opened twice" in page.text
    assert "21.11.2026 13:00 (МСК)" in page.text
    assert "Не установлены." in page.text


def test_the_notification_of_processing_marks_what_the_register_lacks(officer, client):
    Operator.load()
    client.force_login(officer)

    page = client.get("/admin/privacy/operator/notices/processing/")

    assert page.status_code == 200
    assert "[НЕ ЗАПОЛНЕНО: ИНН]" in page.text
    assert "notice-missing" in page.text


def test_every_notice_downloads_as_an_editable_docx(filled_register, officer, client):
    from docx import Document

    client.force_login(officer)

    answer = client.get("/admin/privacy/operator/notices/processing/?format=docx")

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="processing.docx"'
    text = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert "Общество с ограниченной ответственностью «Лидген»" in text
    assert "ЧЕРНОВИК" in text
    assert "Осуществляется; государства: США" in text  # the foreign processor, item 10


def test_the_cross_border_notice_names_the_countries_and_when_transfer_may_start(
    filled_register, officer, client
):
    from privacy.register.models import Processor
    from tests.support.register import cross_border_notice

    notice = cross_border_notice(
        list(Processor.objects.all()), received_on=date(2026, 10, 14), countries="US"
    )
    client.force_login(officer)

    page = client.get(f"/admin/privacy/operator/notices/cross-border-{notice.pk}/")

    assert "США (не включено в перечень" in page.text
    assert "передача возможна с 29.10.2026" in page.text


def test_the_change_notice_lists_the_months_changes(filled_register, officer, client):
    client.force_login(officer)
    client.post(
        "/admin/privacy/operator/1/change/",
        {
            **{
                f: getattr(filled_register, f) or ""
                for f in (
                    "full_name_ru",
                    "short_name_ru",
                    "name_en",
                    "inn",
                    "ogrn",
                    "address_en",
                    "postal_address_ru",
                    "responsible_name",
                    "responsible_position",
                    "responsible_phone",
                    "responsible_email",
                    "subject_contact_email",
                    "rkn_territorial_body",
                )
            },
            "legal_address_ru": "125009, г. Москва, ул. Тверская, д. 7",
        },
    )
    month = timezone.localdate().strftime("%Y-%m")

    page = client.get(f"/admin/privacy/operator/notices/changes-{month}/")

    assert "ул. Тверская, д. 1" in page.text and "ул. Тверская, д. 7" in page.text
    assert "п. 1" in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/privacy/operator/notices/processing/",
        "/admin/privacy/operator/",
    ],
)
def test_people_outside_the_privacy_office_cannot_open_the_register(url, reviewer, client):
    client.force_login(reviewer)

    assert client.get(url).status_code == 403


def test_an_unknown_notice_is_not_found(officer, client):
    client.force_login(officer)

    assert client.get("/admin/privacy/operator/notices/changes-2026-13/").status_code == 404
    assert client.get("/admin/privacy/operator/notices/whatever/").status_code == 404
    assert client.get("/admin/privacy/operator/notices/incident/999/24h/").status_code == 404
