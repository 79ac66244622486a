"""Breaches of personal data (clause 5.3) and disclosures to authorities (clause 5.2): the
registers, the authority clocks, and the notice to the people affected, sent as legal notices
through the outbox (whatever their marketing consent, never to a suppressed address)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.incidents.models import DataCategory, Disclosure, Incident
from privacy.outbox.fanout import fan_out_messages, fan_out_progress, messages_fan_out_step
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.rendering import message_render
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
TRANSLATION_INCOMPLETE = "Give the notice in each other language both a subject and a text."
NOT_PREVIEWED = "Preview the notice first: it is sent only from its preview."
NOTICE_CHANGED = "The notice or its audience changed since the preview; preview it again."
NOT_ALLOWED_TO_RECORD = "You do not have the permission to record incidents."
TITLE_REQUIRED = "Say in a few words what happened."
REASON_REQUIRED = "Say what the correction corrects, and why."


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
    if _translations(incident) is None:
        raise IncidentError(TRANSLATION_INCOMPLETE)


def _translations(incident: Incident) -> dict[str, dict[str, str]] | None:
    """The notice's other languages, each with subject and body; None when one lacks either."""
    spoken = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    translations: dict[str, dict[str, str]] = {}
    for code, text in (incident.notice_translations or {}).items():
        if not isinstance(text, dict) or code not in spoken:
            return None
        subject, body = str(text.get("subject", "")).strip(), str(text.get("body", "")).strip()
        if bool(subject) != bool(body):
            return None
        if subject:
            translations[code] = {"subject": subject, "body_text": body}
    return translations


def _context(incident: Incident) -> dict[str, Any]:
    context: dict[str, Any] = {
        "subject": incident.notice_subject,
        "body_text": incident.notice_body,
    }
    translations = _translations(incident)
    if translations:
        context["by_language"] = translations
    return context


def incident_notice_digest(incident: Incident) -> str:
    """What a preview showed: the notice and its audience. Sending checks it is unchanged."""
    shown = {
        "subject": incident.notice_subject,
        "body": incident.notice_body,
        "audience": incident.audience,
        "from": incident.affected_from.isoformat() if incident.affected_from else "",
        "to": incident.affected_to.isoformat() if incident.affected_to else "",
        "translations": incident.notice_translations or {},
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _audience_by_language(incident: Incident) -> dict[str, int]:
    """How many people would get the notice in each of the site's languages; a language the
    site does not speak is read in the default one, as message_render does."""
    spoken = {code for code, _name in settings.LANGUAGES}
    counts = {code: 0 for code, _name in settings.LANGUAGES}
    rows = incident_audience(incident).values("language").annotate(people=Count("pk"))
    for row in rows.order_by():
        code = row["language"] if row["language"] in spoken else settings.LANGUAGE_CODE
        counts[code] += row["people"]
    return counts


def incident_preview(*, incident: Incident) -> dict[str, Any]:
    """How many people the notice would reach now, and the message as they would read it,
    in each language: rendered by the outbox's own renderer, as sending will."""
    _check(incident)
    counts = _audience_by_language(incident)
    translated = {settings.LANGUAGE_CODE, *(_translations(incident) or {})}
    languages = []
    for code, name in settings.LANGUAGES:
        email = message_render(
            Message(kind=MessageKind.LEGAL_NOTICE, language=code, context=_context(incident))
        )
        with translation.override(code):
            label = str(name)
        languages.append(
            {
                "code": code,
                "name": label,
                "count": counts[code],
                "subject": email.subject,
                "text": email.body,
                # False: these readers get the default language's text in their own frame.
                "translated": code in translated,
            }
        )
    return {
        "count": sum(counts.values()),
        "languages": languages,
        "digest": incident_notice_digest(incident),
    }


def incident_notify(
    *, incident: Incident, staff: User, previewed: str = "", ip: str | None = None
) -> Incident:
    """Start the notice to the people affected, as previewed; the fan-out runs in Celery.

    `previewed` is the digest the preview showed (incident_preview): nothing is sent without
    a preview, nor when the notice or its audience changed since.
    """
    if not staff.has_perm(NOTIFY_PERMISSION):
        raise IncidentError(NOT_ALLOWED_TO_NOTIFY)
    _check(incident)
    if not previewed:
        raise IncidentError(NOT_PREVIEWED)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.notice_started_at is not None:
            raise IncidentError(ALREADY_NOTIFYING)
        if previewed != incident_notice_digest(incident):
            raise IncidentError(NOTICE_CHANGED)
        Incident.objects.filter(pk=incident.pk, notice_started_at__isnull=True).update(
            notice_started_at=timezone.now()
        )
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


INCIDENT_PERMISSION = "privacy.add_incident"
# What a new entry may be recorded with besides the facts (all of it, for a correction).
WRITABLE_ON_RECORDING = (
    *Incident.FIRST_NOTICE,
    "rkn_incident_reference",
    *Incident.INVESTIGATION,
    *Incident.NOTICE,
    *Incident.CLOCKS,
)


def incident_record(
    *,
    staff: Any,
    title: str,
    description: str,
    detected_at: datetime | None = None,
    occurred_at: datetime | None = None,
    data_categories: list[str] | None = None,
    corrects: Incident | None = None,
    correction_reason: str = "",
    ip: str | None = None,
    **notice: Any,
) -> Incident:
    """Add an entry to the breach register; with `corrects`, a correction of an earlier one
    (which stays as it was)."""
    if not staff.has_perm(INCIDENT_PERMISSION):
        raise IncidentError(NOT_ALLOWED_TO_RECORD)
    if not title.strip():
        raise IncidentError(TITLE_REQUIRED)
    if corrects is not None and not correction_reason.strip():
        raise IncidentError(REASON_REQUIRED)
    if set(data_categories or []) - set(DataCategory.values):
        raise IncidentError(UNKNOWN_CATEGORY)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title.strip(),
            description=description,
            detected_at=detected_at or timezone.now(),
            occurred_at=occurred_at,
            data_categories=list(data_categories or []),
            corrects=corrects,
            correction_reason=correction_reason.strip() if corrects is not None else "",
            created_by=staff,
            **{k: v for k, v in notice.items() if k in WRITABLE_ON_RECORDING},
        )
        audit_record(
            action=AuditAction.INCIDENT_RECORDED,
            actor=staff,
            obj=incident,
            detail={"corrects": corrects.pk if corrects is not None else None},
            ip=ip,
        )
    return incident


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
    corrects: Disclosure | None = None,
    correction_reason: str = "",
    ip: str | None = None,
) -> Disclosure:
    """Record a release of people's data to a state authority: who, what, on what basis;
    with `corrects`, a correction of an earlier record (which stays as it was)."""
    if not staff.has_perm(DISCLOSURE_PERMISSION):
        raise DisclosureError(NOT_ALLOWED_TO_DISCLOSE)
    if corrects is not None and not correction_reason.strip():
        raise DisclosureError(REASON_REQUIRED)
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
            corrects=corrects,
            correction_reason=correction_reason.strip() if corrects is not None else "",
        )
        disclosure.people.add(*people)
        for person in people:
            audit_record(
                action=AuditAction.DISCLOSURE_RECORDED,
                actor=staff,
                person=person,
                obj=disclosure,
                detail={
                    "authority": disclosure.authority,
                    "categories": data_categories,
                    "corrects": corrects.pk if corrects is not None else None,
                },
                ip=ip,
            )
    return disclosure


def disclosures_export(person: Person) -> dict[str, Any]:
    """The disclosures of a person's data, for their access export; kept on erasure (5.2)."""
    return {
        "disclosures": [
            {
                "id": d.pk,
                "corrects": d.corrects_id,
                "correction_reason": d.correction_reason,
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
