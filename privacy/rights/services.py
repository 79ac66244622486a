"""Rights requests (clauses 6.1.2, 8.1, 8.2, 9.3): submitted, confirmed by a one-time link,
worked by privacy officers against the legal clock, answered by e-mail."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from privacy.audit.approvals import Act, ApprovalPending, approval_gate
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.blocks.models import BlockRequester
from privacy.blocks.services import BlockError, person_block, person_is_blocked
from privacy.consent.models import ConsentMethod
from privacy.consent.services import consent_withdraw
from privacy.outbox.alerts import officers_alert_daily
from privacy.outbox.models import SEALED_TO, Message, MessageKind
from privacy.outbox.services import message_queue
from privacy.people.holders import correction_form_class, holders
from privacy.people.identity import email_digest, email_normalise
from privacy.people.links import (
    RIGHTS_CONFIRM,
    RIGHTS_EXPORT,
    RIGHTS_NEW_EMAIL,
    LinkInvalid,
    LinkKind,
)
from privacy.people.models import Person, Purpose
from privacy.people.sealing import seal
from privacy.people.visits import Visit
from privacy.rights.deadlines import can_extend, due_date, extended_due_date
from privacy.rights.erasure import (
    ERASE_PERMISSION,
    NOT_ALLOWED_TO_ERASE,
    ErasureError,
    person_erase,
    person_erase_check,
)
from privacy.rights.models import OPEN_STATUSES, DataCorrection, Destruction, RightsRequest

Kind = RightsRequest.Kind
Status = RightsRequest.Status

ANSWER_PERMISSION = "privacy.answer_rightsrequest"

EMAIL_INVALID = gettext_noop("Enter a valid e-mail address, like name@example.com.")
UNKNOWN_KIND = gettext_noop("Choose what you are asking for.")
PURPOSE_REQUIRED = gettext_noop("Choose the consent to withdraw.")
DETAILS_REQUIRED = gettext_noop("Write your claim, question or suggestion.")
DETAILS_TOO_LONG = gettext_noop("Please keep it under 5,000 characters.")
LINK_INVALID = gettext_noop(
    "This link is not valid: it has expired, was already used or is damaged."
)
NOT_OPEN = "This request is already answered or rejected."
NOT_ALLOWED_TO_ANSWER = "You do not have the permission to answer rights requests."
ANSWER_REQUIRED = "Write the answer first."
REASON_REQUIRED = "Write the reason first: the person receives it."
CANNOT_EXTEND = "The law allows no extension of this kind of request."
ALREADY_EXTENDED = "The deadline has already been extended once."
WRONG_KIND = "This action does not fit this kind of request."
NO_PERSON = gettext_noop("We hold no data about this address.")
RECORD_BLOCKED = gettext_noop(
    "Your data are blocked while a verification is under way; write to us."
)
EMAIL_TAKEN = gettext_noop(
    "This address belongs to another record; write to us and we will sort it out."
)
NOTHING_CHANGED = gettext_noop("Nothing was changed.")

DETAILS_MAX = 5000
# Purposes a person may withdraw; "processing" also ends marketing and advertising.
WITHDRAWABLE = (Purpose.MARKETING, Purpose.ADVERTISING, Purpose.PROCESSING)
NEEDS_DETAILS = (Kind.CLAIM, Kind.QUESTION)


class RightsError(Exception):
    pass


def _email(value: str) -> str:
    try:
        return email_normalise(value)
    except ValidationError as exc:
        raise RightsError(EMAIL_INVALID) from exc


def _iso_date(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def _read(token: str, kind: LinkKind) -> dict[str, Any]:
    try:
        return kind.read(token)
    except LinkInvalid as exc:
        raise RightsError(LINK_INVALID) from exc


def _notify(
    request: RightsRequest, event: str, to_email: str = "", sealed_to: str = "", **context: Any
) -> None:
    """Queue an e-mail about a request to the person (person=None: not tied to a record).

    `sealed_to`: an address the row must not show (an erased person's): sealed for the
    worker, dropped once the message is sent.
    """
    if sealed_to:
        context[SEALED_TO] = seal(sealed_to)
    message_queue(
        kind=MessageKind.RIGHTS,
        to_email="" if sealed_to else to_email or request.email,
        language=request.language,
        context={
            "event": event,
            "request": str(request.public_id),
            "request_kind": request.kind,
            **context,
        },
    )


def request_submit(
    *,
    kind: str,
    email: str,
    details: str = "",
    purpose: str = "",
    language: str = "en",
) -> RightsRequest:
    """Register a request and mail a one-time link to the address to confirm it.

    Known and unknown addresses take the same path (a pending request, one message), so
    neither the answer nor its timing tells whether we hold data about an address.
    """
    if kind not in Kind.values:
        raise RightsError(UNKNOWN_KIND)
    email = _email(email)
    details = details.strip()
    if kind == Kind.WITHDRAWAL and purpose not in WITHDRAWABLE:
        raise RightsError(PURPOSE_REQUIRED)
    if kind in NEEDS_DETAILS and not details:
        raise RightsError(DETAILS_REQUIRED)
    if len(details) > DETAILS_MAX:
        raise RightsError(DETAILS_TOO_LONG)
    nonce = secrets.token_urlsafe(24)
    with transaction.atomic():
        request = RightsRequest.objects.create(
            kind=kind,
            email=email,
            email_digest=email_digest(email),
            purpose=purpose if kind == Kind.WITHDRAWAL else "",
            details=details,
            language=language,
            verify_nonce=nonce,
        )
        link = RIGHTS_CONFIRM.url(r=request.pk, n=nonce)
        _notify(request, "confirm", link=link, hours=settings.RIGHTS_CONFIRM_LINK_HOURS)
    return request


def request_for_link(token: str) -> RightsRequest:
    """The pending request a confirmation link names, or RightsError when spent or expired."""
    payload = _read(token, RIGHTS_CONFIRM)
    request = RightsRequest.objects.filter(
        pk=payload["r"], status=Status.NEW, verify_nonce=payload["n"]
    ).first()
    if request is None or not request.verify_nonce:
        raise RightsError(LINK_INVALID)
    return request


def request_verify(*, token: str, visit: Visit, today: date | None = None) -> RightsRequest:
    """Confirm a request by its one-time link: start its clock and act on what may be at once."""
    request = request_for_link(token)
    today = today or timezone.localdate()
    person = Person.objects.filter(email=request.email, erased_at__isnull=True).first()
    with transaction.atomic():
        # Spends the link: a second click (or a concurrent one) updates nothing.
        spent = RightsRequest.objects.filter(
            pk=request.pk, status=Status.NEW, verify_nonce=request.verify_nonce
        ).update(
            status=Status.VERIFIED,
            verify_nonce="",
            verified_at=timezone.now(),
            due_on=due_date(kind=request.kind, received=today),
            person=person,
        )
        if not spent:
            raise RightsError(LINK_INVALID)
        request.refresh_from_db()
        _notify(request, "acknowledged", due_on=_iso_date(request.due_on))
        _alert_contact(request)
        if request.kind == Kind.WITHDRAWAL and person is not None:
            _withdraw(request, person, visit)
        elif request.kind == Kind.ACCESS:
            request_answer_with_export(request=request, staff=None)
    request.refresh_from_db()
    return request


def _alert_contact(request: RightsRequest) -> None:
    """Tell the privacy contact address (clause 9.3) a request came in: a link, no data."""
    message_queue(
        kind=MessageKind.STAFF_ALERT,
        to_email=settings.PRIVACY_CONTACT_EMAIL,
        context={
            "alert": "rights_request",
            "request_kind": request.kind,
            "due_on": request.due_on.isoformat() if request.due_on else "",
            "admin_url": settings.SITE_URL
            + reverse("admin:privacy_rightsrequest_change", args=[request.pk]),
        },
    )


def _withdraw(request: RightsRequest, person: Person, visit: Visit) -> None:
    """Processing for the purpose stops now: the gate skips every message not yet sent."""
    purposes = [request.purpose]
    if request.purpose == Purpose.PROCESSING:
        # Without the consent to processing nothing consent-based may go on.
        purposes = [Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING]
    for purpose in purposes:
        consent_withdraw(
            person=person,
            purpose=purpose,
            method=ConsentMethod.REQUEST,
            visit=visit,
            source=f"rights-request:{request.pk}",
        )
    if request.purpose == Purpose.PROCESSING:
        # The data held only on that consent are destroyed by an officer within the clock.
        RightsRequest.objects.filter(pk=request.pk).update(status=Status.IN_PROGRESS)
        return
    _answer(request, staff=None, answer="", event="withdrawn")


def _check_open(request: RightsRequest, staff: User | None) -> None:
    if staff is not None and not staff.has_perm(ANSWER_PERMISSION):
        raise RightsError(NOT_ALLOWED_TO_ANSWER)
    if not request.is_open:
        raise RightsError(NOT_OPEN)


def _answer(
    request: RightsRequest,
    *,
    staff: User | None,
    answer: str,
    event: str = "answered",
    status: str = Status.ANSWERED,
    rejection_reason: str = "",
    **context: Any,
) -> RightsRequest:
    with transaction.atomic():
        done = RightsRequest.objects.filter(pk=request.pk, status__in=OPEN_STATUSES).update(
            status=status,
            answer=answer,
            rejection_reason=rejection_reason,
            answered_at=timezone.now(),
            answered_by=staff if staff is not None and staff.pk else None,
        )
        if not done:
            raise RightsError(NOT_OPEN)
        request.refresh_from_db()
        _notify(request, event, answer=answer, reason=rejection_reason, **context)
        audit_record(
            action=AuditAction.REQUEST_ANSWERED,
            actor=staff,
            person=request.person,
            obj=request,
            detail={"kind": request.kind, "status": status},
        )
    return request


def request_take(*, request: RightsRequest, staff: User | None) -> RightsRequest:
    """An officer takes a confirmed request: in progress, assigned to them."""
    _check_open(request, staff)
    RightsRequest.objects.filter(pk=request.pk, status__in=[Status.VERIFIED]).update(
        status=Status.IN_PROGRESS
    )
    RightsRequest.objects.filter(pk=request.pk).update(assignee=staff)
    request.refresh_from_db()
    return request


def request_answer(*, request: RightsRequest, staff: User | None, answer: str) -> RightsRequest:
    """Answer a request (a claim, a question, any other) and mail the answer to the person."""
    _check_open(request, staff)
    if not answer.strip():
        raise RightsError(ANSWER_REQUIRED)
    return _answer(request, staff=staff, answer=answer.strip())


def request_reject(*, request: RightsRequest, staff: User | None, reason: str) -> RightsRequest:
    """Refuse a request, with the reason the person receives."""
    _check_open(request, staff)
    if not reason.strip():
        raise RightsError(REASON_REQUIRED)
    return _answer(
        request,
        staff=staff,
        answer="",
        event="rejected",
        status=Status.REJECTED,
        rejection_reason=reason.strip(),
    )


def request_extend(*, request: RightsRequest, staff: User | None, reason: str) -> RightsRequest:
    """Extend the deadline once where the law allows, with a reasoned notice to the person."""
    _check_open(request, staff)
    if not can_extend(kind=request.kind):
        raise RightsError(CANNOT_EXTEND)
    if not reason.strip():
        raise RightsError(REASON_REQUIRED)
    if request.due_on is None:  # open requests always have one; the type does not know
        raise RightsError(NOT_OPEN)
    new_due = extended_due_date(kind=request.kind, due=request.due_on)
    with transaction.atomic():
        done = RightsRequest.objects.filter(pk=request.pk, extended_at__isnull=True).update(
            extended_at=timezone.now(), due_on=new_due, extension_reason=reason.strip()
        )
        if not done:
            raise RightsError(ALREADY_EXTENDED)
        request.refresh_from_db()
        _notify(request, "extended", due_on=new_due.isoformat(), reason=request.extension_reason)
    return request


def export_url(request: RightsRequest) -> str:
    return RIGHTS_EXPORT.url(r=request.pk)


def export_path(request: RightsRequest) -> str:
    return RIGHTS_EXPORT.path(r=request.pk)


def request_for_export(token: str) -> RightsRequest:
    payload = _read(token, RIGHTS_EXPORT)
    request = (
        RightsRequest.objects.filter(pk=payload["r"], kind=Kind.ACCESS)
        .exclude(status__in=[Status.NEW, Status.REJECTED])
        .select_related("person")
        .first()
    )
    if request is None or not request.email:
        raise RightsError(LINK_INVALID)
    return request


def request_answer_with_export(
    *, request: RightsRequest, staff: User | None, answer: str = ""
) -> RightsRequest:
    """Answer an access request with a signed, expiring link to the JSON export (never the
    data themselves in the e-mail)."""
    if request.kind != Kind.ACCESS:
        raise RightsError(WRONG_KIND)
    if request.status in (Status.ANSWERED,) and staff is not None:
        # A fresh link for a person whose link expired.
        _notify(
            request, "export", link=export_url(request), hours=settings.RIGHTS_EXPORT_LINK_HOURS
        )
        return request
    _check_open(request, staff)
    return _answer(
        request,
        staff=staff,
        answer=answer.strip(),
        event="export",
        link=export_url(request),
        hours=settings.RIGHTS_EXPORT_LINK_HOURS,
    )


def erasure_digest(request: RightsRequest) -> str:
    """What an approval of this erasure covers: this request, this person."""
    return f"{request.pk}:{request.person_id or '-'}"


def request_erase(
    *, request: RightsRequest, staff: User | None, answer: str = "", ip: str | None = None
) -> RightsRequest:
    """Carry out an erasure request (or the destruction after a withdrawal) and answer it,
    with the officer's own words under the fixed text.

    The person's address leaves every readable column when this commits: the answer goes to
    it sealed. Raises ApprovalPending, having done nothing but record the request for
    approval, when a second person's approval is required and this is the first.
    """
    _check_open(request, staff)
    if request.kind not in (Kind.ERASURE, Kind.WITHDRAWAL):
        raise RightsError(WRONG_KIND)
    if staff is not None and not staff.has_perm(ERASE_PERMISSION):
        raise RightsError(NOT_ALLOWED_TO_ERASE)
    ground = (
        Destruction.Ground.REQUEST
        if request.kind == Kind.ERASURE
        else (Destruction.Ground.WITHDRAWAL)
    )
    person = request.person if request.person and request.person.erased_at is None else None
    answer = answer.strip()
    address = request.email
    try:
        if person is not None:
            person_erase_check(person=person, staff=staff)
        with transaction.atomic():
            outcome = approval_gate(
                act=Act.ERASURE,
                obj=request,
                digest=erasure_digest(request),
                staff=staff,
                person=person,
                ip=ip,
            )
            if not outcome.proceed:
                # The second person sees the answer written so far, and may improve it.
                RightsRequest.objects.filter(pk=request.pk).update(answer=answer)
            else:
                if person is not None:
                    person_erase(
                        person=person,
                        staff=staff,
                        ground=ground,
                        request=request,
                        ip=ip,
                        audit_detail=outcome.audit_detail(),
                    )
                RightsRequest.objects.filter(pk=request.pk).update(email="")
                _answer(request, staff=staff, answer=answer, event="erased", sealed_to=address)
    except ErasureError as exc:
        raise RightsError(str(exc)) from exc
    if not outcome.proceed:
        assert outcome.approval is not None
        raise ApprovalPending(outcome.approval, created=outcome.created)
    request.refresh_from_db()
    return request


def request_block(
    *,
    request: RightsRequest,
    staff: User,
    review_by: date,
    answer: str = "",
    ip: str | None = None,
) -> RightsRequest:
    """Block the person's data at their request and tell them."""
    _check_open(request, staff)
    if request.kind != Kind.BLOCKING:
        raise RightsError(WRONG_KIND)
    with transaction.atomic():
        if request.person is not None:
            try:
                person_block(
                    person=request.person,
                    requested_by=BlockRequester.PERSON,
                    reason=f"Rights request #{request.pk}",
                    reference=str(request.public_id),
                    review_by=review_by,
                    staff=staff,
                    ip=ip,
                )
            except BlockError as exc:
                raise RightsError(str(exc)) from exc
        return _answer(
            request, staff=staff, answer=answer.strip(), event="blocked", review_by=str(review_by)
        )


def correction_initial(person: Person) -> dict[str, str]:
    initial = {"phone": person.phone, "email": person.email or ""}
    for holder in holders():
        if holder.correction_initial is not None:
            initial.update(holder.correction_initial(person))
    return initial


def correction_form(request: RightsRequest, data: dict[str, Any] | None = None) -> Any:
    form_class = correction_form_class()
    if form_class is None or request.person is None:
        return None
    return form_class(data, initial=correction_initial(request.person))


def request_correct(*, request: RightsRequest, cleaned: dict[str, str]) -> list[DataCorrection]:
    """Apply a person's corrections (validated like the lead form), each recorded with its
    before and after values; a new e-mail waits for a link sent to it."""
    if request.kind != Kind.CORRECTION or not request.is_open:
        raise RightsError(NOT_OPEN)
    person = request.person
    if person is None or person.erased_at is not None:
        raise RightsError(NO_PERSON)
    if person_is_blocked(person):
        raise RightsError(RECORD_BLOCKED)
    changes: list[DataCorrection] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        phone = cleaned.get("phone", person.phone)
        if phone and phone != person.phone:
            changes.append(_correction(request, person, "phone", person.phone, phone))
            Person.objects.filter(pk=person.pk).update(phone=phone)
        owned = {k: v for k, v in cleaned.items() if k != "email"}
        for holder in holders():
            if holder.correct is not None:
                for field, before, after in holder.correct(person, owned):
                    if field != "phone":  # the person's phone is recorded once, above
                        changes.append(_correction(request, person, field, before, after))
        new_email = cleaned.get("email", "")
        if new_email and new_email != person.email:
            nonce = secrets.token_urlsafe(24)
            RightsRequest.objects.filter(pk=request.pk).update(
                new_email=new_email, new_email_nonce=nonce, status=Status.IN_PROGRESS
            )
            link = RIGHTS_NEW_EMAIL.url(r=request.pk, n=nonce)
            _notify(
                request,
                "confirm_email",
                to_email=new_email,
                link=link,
                hours=settings.RIGHTS_CONFIRM_LINK_HOURS,
            )
        elif not changes:
            raise RightsError(NOTHING_CHANGED)
        if changes:
            audit_record(
                action=AuditAction.DATA_CORRECTED,
                person=person,
                obj=request,
                detail={"fields": [c.field for c in changes]},
            )
        if not new_email or new_email == person.email:
            request.refresh_from_db()
            _answer(request, staff=None, answer="", event="corrected")
    request.refresh_from_db()
    return changes


def _correction(
    request: RightsRequest, person: Person, field: str, before: str, after: str
) -> DataCorrection:
    return DataCorrection.objects.create(
        request=request, person=person, field=field, before=before or "", after=after or ""
    )


def request_confirm_new_email(*, token: str) -> RightsRequest:
    """The new address of a correction is confirmed by the link sent to it: apply it."""
    payload = _read(token, RIGHTS_NEW_EMAIL)
    request = (
        RightsRequest.objects.filter(
            pk=payload["r"], kind=Kind.CORRECTION, status=Status.IN_PROGRESS
        )
        .exclude(new_email_nonce="")
        .filter(new_email_nonce=payload["n"])
        .select_related("person")
        .first()
    )
    if request is None or request.person is None or request.person.erased_at is not None:
        raise RightsError(LINK_INVALID)
    if person_is_blocked(request.person):
        raise RightsError(RECORD_BLOCKED)
    new_email = request.new_email
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=request.person.pk)
        spent = RightsRequest.objects.filter(
            pk=request.pk, new_email_nonce=request.new_email_nonce
        ).update(new_email_nonce="", new_email="")
        if not spent:
            raise RightsError(LINK_INVALID)
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(email=new_email)
        except IntegrityError as exc:
            raise RightsError(EMAIL_TAKEN) from exc
        _correction(request, person, "email", person.email or "", new_email)
        for holder in holders():
            if holder.correct is not None:
                holder.correct(person, {"email": new_email})
        # Answers go to the confirmed address from now on.
        RightsRequest.objects.filter(pk=request.pk).update(
            email=new_email, email_digest=email_digest(new_email)
        )
        request.refresh_from_db()
        _answer(request, staff=None, answer="", event="corrected")
    request.refresh_from_db()
    return request


def requests_due(*, today: date | None = None) -> list[RightsRequest]:
    """Open requests due within RIGHTS_DUE_SOON_DAYS, overdue ones first."""
    today = today or timezone.localdate()
    limit = today + timedelta(days=settings.RIGHTS_DUE_SOON_DAYS)
    return list(RightsRequest.objects.due_by(limit).order_by("due_on", "pk"))


def requests_due_notify(*, today: date | None = None) -> int:
    """Mail each privacy officer the requests due soon or overdue; return messages queued."""
    today = today or timezone.localdate()
    due = requests_due(today=today)
    if not due:
        return 0
    context = {
        "alert": "rights_due",
        "admin_url": settings.SITE_URL + reverse("admin:privacy_rightsrequest_changelist"),
        # Ids, kinds and dates only: the mail links to the admin rather than carrying data.
        "requests": [
            {
                "id": r.pk,
                "kind": r.kind,
                "due_on": _iso_date(r.due_on),
                "overdue": r.due_on is not None and r.due_on < today,
            }
            for r in due
        ],
        "count": len(due),
    }
    return officers_alert_daily(topic="rights-due", context=context, today=today)


def requests_purge_unconfirmed(*, now: Any = None) -> int:
    """Delete requests never confirmed once their link expired: an address nobody proved."""
    now = now or timezone.now()
    stale = RightsRequest.objects.filter(
        status=Status.NEW,
        received_at__lt=now - timedelta(hours=settings.RIGHTS_CONFIRM_LINK_HOURS),
    )
    ids = [str(public_id) for public_id in stale.values_list("public_id", flat=True)]
    with transaction.atomic():
        Message.objects.filter(kind=MessageKind.RIGHTS, context__request__in=ids).exclude(
            status__in=[Message.Status.QUEUED, Message.Status.SENDING]
        ).update(to_email="")
        return stale.delete()[0]


def rights_scrub_erased() -> int:
    """Drop sealed addresses left on finished answers (sending drops them; a safety net).

    A failed answer keeps its sealed address, so that an officer can retry it.
    """
    finished = [Message.Status.SENT, Message.Status.SKIPPED]
    scrubbed = 0
    for message in Message.objects.filter(
        kind=MessageKind.RIGHTS, status__in=finished, context__has_key=SEALED_TO
    ):
        context = {k: v for k, v in message.context.items() if k != SEALED_TO}
        scrubbed += Message.objects.filter(pk=message.pk).update(context=context)
    return scrubbed
