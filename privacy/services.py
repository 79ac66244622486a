"""Writes on personal data and legal documents. Views, admin, commands and tasks call these."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .models import (
    GENESIS_HASH,
    PURPOSE_DOCUMENT,
    ConsentLogHead,
    ConsentRecord,
    ConsentWording,
    Decision,
    DocumentKind,
    DocumentVersion,
    Person,
    canonical_text,
    sha256_hex,
)

VERSION_ALREADY_PUBLISHED = "This version is already published."
EFFECTIVE_BEFORE_PUBLICATION = "A version cannot take effect before it is published."


class PublishError(Exception):
    pass


@dataclass(frozen=True)
class Visit:
    """Where an act of consent came from (clause 3.3); every value already truncated."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""
    referrer: str = ""


def document_publish(
    *,
    version: DocumentVersion,
    published_by=None,
    effective_at: datetime | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Publish a draft: number it, hash its text, and freeze it."""
    now = now or timezone.now()
    effective_at = effective_at or version.effective_at or now
    if effective_at < now.replace(microsecond=0) - timezone.timedelta(seconds=1):
        raise PublishError(EFFECTIVE_BEFORE_PUBLICATION)
    with transaction.atomic():
        # Lock the draft so two publishers cannot both publish it.
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise PublishError(VERSION_ALREADY_PUBLISHED)
        last = (
            DocumentVersion.objects.of_kind(locked.kind)
            .published()
            .aggregate(last=Max("number"))["last"]
        )
        locked.number = (last or 0) + 1
        locked.status = DocumentVersion.Status.PUBLISHED
        locked.effective_at = effective_at
        locked.published_at = now
        locked.published_by = published_by
        locked.sha256 = locked.compute_sha256()
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:  # another version of this kind took the number
            raise PublishError("Another version was published at the same moment; retry.") from exc
    return locked


def document_draft_create(
    *,
    kind: str,
    title: str,
    body: str,
    change_summary: str = "",
    material: bool = False,
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        kind=kind, title=title, body=body, change_summary=change_summary, material=material
    )


def document_draft_from(*, version: DocumentVersion) -> DocumentVersion:
    """Copy a version into a new draft: the way to amend a published text."""
    return document_draft_create(
        kind=version.kind, title=version.title, body=version.body, material=False
    )


def person_find_or_create(*, email: str, phone: str, language: str = "en") -> Person:
    """Return the person with this e-mail, else with this phone, else a new one."""
    person = Person.objects.filter(email=email).first()
    if person is None and phone:
        person = Person.objects.filter(phone=phone).order_by("created_at").first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return Person.objects.create(email=email, phone=phone, language=language)
    except IntegrityError:
        # A concurrent submission created the same person a moment earlier.
        return Person.objects.get(email=email)


def consent_wording_get_or_create(*, text: str) -> ConsentWording:
    text = canonical_text(text)
    wording, _created = ConsentWording.objects.get_or_create(
        sha256=sha256_hex(text), defaults={"text": text}
    )
    return wording


def consent_record_append(
    *,
    person: Person | None,
    purpose: str,
    decision: str,
    method: str,
    wording_text: str,
    visit: Visit,
    policy_version: DocumentVersion | None = None,
    consent_version: DocumentVersion | None = None,
    source: str = "",
) -> ConsentRecord:
    """Append one record to the chained log, under the versions in force unless given."""
    policy_version = policy_version or DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    if policy_version is None:
        raise PublishError("No privacy policy is in force; publish one first.")
    if consent_version is None and purpose in PURPOSE_DOCUMENT:
        consent_version = DocumentVersion.objects.in_force(PURPOSE_DOCUMENT[purpose])
    wording = consent_wording_get_or_create(text=wording_text)
    record = ConsentRecord(
        person=person,
        purpose=purpose,
        decision=decision,
        method=method,
        policy_version=policy_version,
        policy_sha256=policy_version.sha256,
        consent_version=consent_version,
        consent_sha256=consent_version.sha256 if consent_version else "",
        wording=wording,
        source=source,
        subject_email=(person.email or "") if person else "",
        subject_phone=person.phone if person else "",
        ip=visit.ip,
        user_agent=visit.user_agent,
        page_url=visit.page_url,
        referrer=visit.referrer,
        personal_salt=secrets.token_hex(16),
    )
    record.personal_digest = record.compute_personal_digest()
    with transaction.atomic():
        # The head row lock serialises appends: concurrent writers queue here and the chain
        # stays linear. It is held until the caller's transaction commits.
        head, _created = ConsentLogHead.objects.select_for_update().get_or_create(pk=1)
        record.seq = head.last_seq + 1
        record.prev_hash = head.last_hash
        record.created_at = timezone.now()
        record.record_hash = record.compute_record_hash()
        record.save()
        head.last_seq = record.seq
        head.last_hash = record.record_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return record


def consent_current(*, person: Person, purpose: str) -> ConsentRecord | None:
    """The record that decides the purpose now: the latest that is not 'not given'."""
    return (
        ConsentRecord.objects.filter(person=person, purpose=purpose)
        .deciding()
        .order_by("-seq")
        .first()
    )


def consent_is_granted(*, person: Person, purpose: str) -> bool:
    record = consent_current(person=person, purpose=purpose)
    return record is not None and record.decision == Decision.GRANTED


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


VERIFY_BATCH = 5000


def consent_log_verify(*, progress=None) -> ChainBreak | None:
    """Recompute the whole chain; return the first broken record, or None when intact.

    Reads in keyset-paginated batches of plain tuples, so memory stays flat on any size.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    for record in _iterate_log(progress):
        if record.seq != expected_seq:
            return ChainBreak(expected_seq, f"record #{expected_seq} is missing")
        if record.prev_hash != expected_prev:
            return ChainBreak(record.seq, "it does not link to the previous record's hash")
        if not record.is_pseudonymised and record.compute_personal_digest() != (
            record.personal_digest
        ):
            return ChainBreak(record.seq, "its personal data were altered")
        if record.compute_record_hash() != record.record_hash:
            return ChainBreak(record.seq, "its content does not match its hash")
        expected_prev = record.record_hash
        expected_seq += 1
        last_seq = record.seq
    head = ConsentLogHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (last_seq, expected_prev):
        return ChainBreak(
            last_seq + 1, f"the log ends at #{last_seq} but the head records #{head.last_seq}"
        )
    return None


def _iterate_log(progress=None) -> Iterator[ConsentRecord]:
    after = 0
    while True:
        batch = list(ConsentRecord.objects.filter(seq__gt=after).order_by("seq")[:VERIFY_BATCH])
        if not batch:
            return
        yield from batch
        after = batch[-1].seq
        if progress is not None:
            progress(len(batch))
