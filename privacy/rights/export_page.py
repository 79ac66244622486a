"""The access export as a person reads it: the same data as the JSON, grouped by what we hold,
with every field named and every coded value spelt out in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from privacy.blocks.models import Block, BlockRequester
from privacy.consent.models import ConsentMethod
from privacy.documents.models import language_name
from privacy.outbox.models import Message, MessageKind, SkipReason
from privacy.people.models import Decision, Purpose
from privacy.rights.models import RightsRequest

# Sections in the order a person looks for them. The export's format is privacy's own; its
# "leads" and "disclosures" keys come from the registered holders (privacy.people.holders),
# and a key a new holder adds comes last, titled from its name.
SECTIONS: dict[str, tuple[Promise, Promise]] = {
    "person": (
        _("Your contact data"),
        _("The person we hold: the contact details you gave and the consents in force now."),
    ),
    "leads": (
        _("Your submissions"),
        _("Each form you sent, with what your browser told us when you sent it (clause 3.3)."),
    ),
    "consent_records": (
        _("Your consent history"),
        _("Every decision in our consent log, with the exact words you were shown."),
    ),
    "messages": (
        _("Messages to you"),
        _("Every e-mail we wrote to you, sent or held back, and why."),
    ),
    "blocks": (
        _("Blocks"),
        _("Periods in which your data were blocked for verification (clause 6.2.4)."),
    ),
    "disclosures": (
        _("Disclosures to authorities"),
        _("Transfers of your data to state authorities, with their legal basis (clause 5.2)."),
    ),
    "corrections": (_("Corrections"), _("Changes you asked us to make to your data.")),
    "rights_requests": (
        _("Your requests"),
        _("Requests about your data made with your address, this one included."),
    ),
}

# Keys that describe the export itself (shown in the page's header), not data about the person.
ABOUT_THE_EXPORT = frozenset({"format", "generated_at", "controller"})

# Field names of the export, as a person would call them.
FIELD_LABELS: dict[str, Promise] = {
    "email": _("E-mail"),
    "phone": _("Phone"),
    "language": _("Language"),
    "created_at": _("First recorded"),
    "current_consent": _("Consents in force now"),
    "id": _("Reference"),
    "submitted_at": _("Sent at"),
    "account_name": _("Account name"),
    "status": _("Status"),
    "visit": _("Your visit"),
    "ip": _("IP address"),
    "user_agent": _("Browser (user agent)"),
    "page_opened_at": _("Page opened at"),
    "page_url": _("Page address"),
    "referrer": _("Referrer"),
    "utm": _("Campaign tags (UTM)"),
    "cookies": _("Analytics cookies"),
    "seq": _("Position in the consent log"),
    "purpose": _("Purpose"),
    "decision": _("Decision"),
    "method": _("How"),
    "recorded_at": _("When"),
    "policy_version": _("Privacy Policy version"),
    "consent_text_version": _("Consent text version"),
    "language_shown": _("Language of the texts shown"),
    "wording": _("The words shown"),
    "email_at_the_time": _("E-mail at the time"),
    "phone_at_the_time": _("Phone at the time"),
    "record_hash": _("Record hash"),
    "policy_sha256": _("SHA-256 of the policy text shown"),
    "consent_sha256": _("SHA-256 of the consent text shown"),
    "kind": _("Kind"),
    "to": _("To"),
    "skip_reason": _("Not sent because"),
    "finished_at": _("Finished at"),
    "requested_by": _("Asked for by"),
    "reason": _("Reason"),
    "blocked_at": _("Blocked at"),
    "review_by": _("Verification until"),
    "lifted_at": _("Lifted at"),
    "outcome": _("Outcome"),
    "authority": _("Authority"),
    "legal_basis": _("Legal basis"),
    "reference": _("Their reference"),
    "data_categories": _("Data released"),
    "released_at": _("Released at"),
    "field": _("Field"),
    "before": _("Before"),
    "after": _("After"),
    "at": _("At"),
    "received_at": _("Received"),
    "due_on": _("Answer due by"),
    "answered_at": _("Answered at"),
    "details": _("Details"),
    "answer": _("Our answer"),
    "source": _("Source"),
    "medium": _("Medium"),
    "campaign": _("Campaign"),
    "term": _("Term"),
    "content": _("Content"),
    "processing": Purpose.PROCESSING.label,
    "marketing": Purpose.MARKETING.label,
    "advertising": Purpose.ADVERTISING.label,
}

# Coded values spelt out, by the field that holds them (per section where they differ).
_CHOICES: dict[str, type[models.TextChoices]] = {
    "purpose": Purpose,
    "decision": Decision,
    "method": ConsentMethod,
    "processing": Decision,
    "marketing": Decision,
    "advertising": Decision,
    "skip_reason": SkipReason,
    "requested_by": BlockRequester,
    "outcome": Block.Outcome,
}
_SECTION_CHOICES: dict[tuple[str, str], type[models.TextChoices]] = {
    ("messages", "kind"): MessageKind,
    ("messages", "status"): Message.Status,
    ("rights_requests", "kind"): RightsRequest.Kind,
    ("rights_requests", "status"): RightsRequest.Status,
}
# Values that are language codes, shown as the language's name.
_LANGUAGE_FIELDS = {"language", "language_shown"}
# Shown in a monospace font and allowed to break anywhere (hashes, addresses, user agents).
_CODE_FIELDS = {
    "record_hash",
    "policy_sha256",
    "consent_sha256",
    "user_agent",
    "page_url",
    "referrer",
    "ip",
    "id",
}


@dataclass
class Row:
    label: str
    value: Any = None  # text, or None for "—"
    rows: list[Row] = field(default_factory=list)  # a nested group (a visit, its UTM tags)
    code: bool = False
    lang: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str
    items: list[list[Row]]
    empty: bool = False


def _label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()))


def _moment(value: str) -> str | None:
    """An ISO date or moment, written for people (in the active language and time zone)."""
    try:
        if len(value) == 10:
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    except ValueError:
        return None
    return None


def _value(section: str, key: str, value: Any) -> Any:
    choices = _SECTION_CHOICES.get((section, key)) or _CHOICES.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if key in _LANGUAGE_FIELDS and isinstance(value, str) and value:
        return language_name(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str):
        return _moment(value) or value
    return value


def _rows(section: str, data: dict[str, Any], *, nested: bool = False) -> list[Row]:
    rows = []
    for key, value in data.items():
        if isinstance(value, dict):
            inner = _rows(section, value, nested=True)
            if inner:
                rows.append(Row(_label(key), rows=inner))
            continue
        if nested and value in (None, "", []):
            continue  # an empty UTM tag or cookie: nothing held
        rows.append(
            Row(
                _label(key),
                None if value in (None, "", []) else _value(section, key, value),
                code=key in _CODE_FIELDS,
                lang=data.get("language_shown", "") if key == "wording" else "",
            )
        )
    return rows


def export_sections(data: dict[str, Any]) -> list[Section]:
    """The export's data (privacy.rights.export.person_export) as sections to read."""
    keys = [key for key in SECTIONS if key in data] + [
        key
        for key in data
        if key not in SECTIONS
        and key not in ABOUT_THE_EXPORT
        and isinstance(data[key], list | dict)
    ]
    sections = []
    for key in keys:
        value = data[key]
        title, intro = SECTIONS.get(key, (_label(key), ""))
        if value is None:
            items: list[list[Row]] = []
        elif isinstance(value, dict):
            items = [_rows(key, value)]
        else:
            items = [_rows(key, item) for item in value if isinstance(item, dict)]
        sections.append(Section(key, str(title), str(intro), items, empty=not items))
    return sections
