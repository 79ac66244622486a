"""Breaches of personal data (clause 5.3) and disclosures to authorities (clause 5.2): the
registers, the authority clocks, and the notice to the people affected, sent as legal notices
through the outbox (whatever their marketing consent, never to a suppressed address)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.incidents.models import DataCategory, Disclosure, Incident
from privacy.outbox.fanout import fan_out_messages, fan_out_progress, messages_fan_out_step
from privacy.outbox.models import Message, MessageKind
from privacy.people.holders import PersonalDataHolder
from privacy.people.law import MODE_RU, clock_mode
from privacy.people.models import Person


def incident_clocks(incident: Incident) -> list[dict[str, Any]]:
    """Each authority clock of an incident: its deadline and when it was done, if it was."""
    detected: datetime = incident.detected_at
    clocks = [
        {
            "name": "authority",
            "deadline": detected + timedelta(hours=settings.INCIDENT_AUTHORITY_HOURS),
            "done_at": incident.authority_notified_at,
        }
    ]
    if clock_mode() == MODE_RU:
        clocks.append(
            {
                "name": "investigation",
                "deadline": detected + timedelta(hours=settings.INCIDENT_INVESTIGATION_HOURS),
                "done_at": incident.investigation_reported_at,
            }
        )
    return clocks


NOTIFY_PERMISSION = "privacy.notify_incident"
NOT_ALLOWED_TO_NOTIFY = "You do not have the permission to notify people of incidents."
NOTICE_INCOMPLETE = "Write the notice's subject and text first."
DATES_REQUIRED = "Give both dates of the period, the first not after the second."
ALREADY_NOTIFYING = "The notice of this incident has already been sent."
UNKNOWN_CATEGORY = "Choose data categories from the list."


class IncidentError(Exception):
    pass


def incident_audience(incident: Incident) -> QuerySet[Person]:
    """The people the incident's filter selects who can be written to."""
    people = Person.objects.filter(erased_at__isnull=True, email__isnull=False)
    if incident.audience == Incident.Audience.CREATED_BETWEEN:
        if incident.affected_from is None or incident.affected_to is None:
            return people.none()
        people = people.filter(
            created_at__date__gte=incident.affected_from,
            created_at__date__lte=incident.affected_to,
        )
    return people


def _check(incident: Incident) -> None:
    if not incident.notice_subject.strip() or not incident.notice_body.strip():
        raise IncidentError(NOTICE_INCOMPLETE)
    if incident.audience == Incident.Audience.CREATED_BETWEEN and (
        incident.affected_from is None
        or incident.affected_to is None
        or incident.affected_from > incident.affected_to
    ):
        raise IncidentError(DATES_REQUIRED)
    if set(incident.data_categories) - set(DataCategory.values):
        raise IncidentError(UNKNOWN_CATEGORY)


def _context(incident: Incident) -> dict[str, Any]:
    return {"subject": incident.notice_subject, "body_text": incident.notice_body}


def incident_preview(*, incident: Incident) -> dict[str, Any]:
    """How many people the notice would reach now, and the message as they would read it."""
    _check(incident)
    from django.conf import settings
    from django.urls import reverse

    context = {
        **_context(incident),
        "site_name": settings.SITE_NAME,
        "privacy_contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "policy_url": settings.SITE_URL + reverse("privacy:policy"),
    }
    return {
        "count": incident_audience(incident).count(),
        "subject": render_to_string("emails/legal_notice_subject.txt", context).strip(),
        "text": render_to_string("emails/legal_notice.txt", context),
    }


def incident_notify(*, incident: Incident, staff: User, ip: str | None = None) -> Incident:
    """Start the notice to the people affected; the fan-out runs in Celery."""
    if not staff.has_perm(NOTIFY_PERMISSION):
        raise IncidentError(NOT_ALLOWED_TO_NOTIFY)
    _check(incident)
    with transaction.atomic():
        started = Incident.objects.filter(pk=incident.pk, notice_started_at__isnull=True).update(
            notice_started_at=timezone.now()
        )
        if not started:
            raise IncidentError(ALREADY_NOTIFYING)
        audit_record(
            action=AuditAction.INCIDENT_NOTIFIED,
            actor=staff,
            obj=incident,
            detail={"people": incident_audience(incident).count()},
            ip=ip,
        )
        transaction.on_commit(lambda: _start_fan_out(incident.pk))
    incident.refresh_from_db()
    return incident


def _start_fan_out(incident_id: int) -> None:
    from privacy.incidents.tasks import notify_incident

    notify_incident.delay(incident_id)


def incident_fan_out(*, incident_id: int) -> int:
    """Queue the legal notice for every person affected, in keyset steps; rerunnable.

    The unique (dedupe_key, person) index makes a second run, or a step run twice, add
    nothing: no one is notified twice.
    """
    queued = 0
    while True:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=incident_id)
            step = messages_fan_out_step(
                audience=incident_audience(incident),
                after=incident.notice_cursor,
                kind=MessageKind.LEGAL_NOTICE,
                context=_context(incident),
                dedupe_key=incident.dedupe_key,
            )
            if step is None:
                Incident.objects.filter(pk=incident_id, notice_finished_at__isnull=True).update(
                    notice_finished_at=timezone.now()
                )
                return queued
            queued += step.written
            Incident.objects.filter(pk=incident_id).update(notice_cursor=step.cursor)


def incident_messages(incident: Incident) -> QuerySet[Message]:
    return fan_out_messages(dedupe_key=incident.dedupe_key)


def incident_progress(incident: Incident) -> dict[str, int]:
    """Messages of the notice by status, and the skipped ones by reason."""
    return fan_out_progress(dedupe_key=incident.dedupe_key)


DISCLOSURE_PERMISSION = "privacy.add_disclosure"
NOT_ALLOWED_TO_DISCLOSE = "You do not have the permission to record disclosures."
AUTHORITY_REQUIRED = "Name the authority the data were released to."
BASIS_REQUIRED = "Give the legal basis of the release."
PEOPLE_REQUIRED = "Choose the people whose data were released."
CATEGORIES_REQUIRED = "Choose the data categories released, from the list."
RELEASED_IN_THE_FUTURE = "The release cannot be in the future."


class DisclosureError(Exception):
    pass


def disclosure_record(
    *,
    authority: str,
    legal_basis: str,
    people: Iterable[Person],
    data_categories: list[str],
    staff: User,
    reference: str = "",
    released_at: datetime | None = None,
    ip: str | None = None,
) -> Disclosure:
    """Record a release of people's data to a state authority: who, what, on what basis."""
    if not staff.has_perm(DISCLOSURE_PERMISSION):
        raise DisclosureError(NOT_ALLOWED_TO_DISCLOSE)
    people = list(people)
    if not authority.strip():
        raise DisclosureError(AUTHORITY_REQUIRED)
    if not legal_basis.strip():
        raise DisclosureError(BASIS_REQUIRED)
    if not people:
        raise DisclosureError(PEOPLE_REQUIRED)
    if not data_categories or set(data_categories) - set(DataCategory.values):
        raise DisclosureError(CATEGORIES_REQUIRED)
    released_at = released_at or timezone.now()
    if released_at > timezone.now():
        raise DisclosureError(RELEASED_IN_THE_FUTURE)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            authority=authority.strip(),
            legal_basis=legal_basis.strip(),
            reference=reference.strip(),
            data_categories=list(data_categories),
            released_at=released_at,
            released_by=staff,
        )
        disclosure.people.set(people)
        for person in people:
            audit_record(
                action=AuditAction.DISCLOSURE_RECORDED,
                actor=staff,
                person=person,
                obj=disclosure,
                detail={"authority": disclosure.authority, "categories": data_categories},
                ip=ip,
            )
    return disclosure


def disclosures_export(person: Person) -> dict[str, Any]:
    """The disclosures of a person's data, for their access export; kept on erasure (5.2)."""
    return {
        "disclosures": [
            {
                "authority": d.authority,
                "legal_basis": d.legal_basis,
                "reference": d.reference,
                "data_categories": d.data_categories,
                "released_at": d.released_at.isoformat(),
            }
            for d in Disclosure.objects.filter(people=person).order_by("released_at")
        ]
    }


DISCLOSURES = PersonalDataHolder(
    name="disclosures", export=disclosures_export, erase=lambda person: {}
)
