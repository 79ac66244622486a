"""Reads of the register: one snapshot for the generators and the checker, the transfer state
of each foreign processor, and the officer's list of open clocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from privacy.register.clocks import (
    CHANGE_NOTICE_WARNING_WORKING_DAYS,
    INCIDENT_FIRST_NOTICE_HOURS,
    INCIDENT_RESULTS_NOTICE_HOURS,
    NoticeFacts,
    TransferState,
    change_month,
    change_notice_due,
    incident_due,
    moscow_date,
    transfer_state,
    working_days_between,
)
from privacy.register.history import field_label
from privacy.register.models import (
    ChangeNotice,
    CrossBorderNotice,
    Operator,
    ProcessingPurpose,
    Processor,
    RegisterChange,
    RegisterRevision,
)
from privacy.register.vocabulary import country_codes


@dataclass
class Register:
    """The register as it stands, read once."""

    revision: int
    operator: Operator
    purposes: list[ProcessingPurpose]
    processors: list[Processor]
    site_url: str = field(default_factory=lambda: settings.SITE_URL)

    def processors_of(self, purpose: ProcessingPurpose) -> list[Processor]:
        return [
            p
            for p in self.processors
            if p.enabled and purpose.pk in {x.pk for x in p.purposes.all()}
        ]

    def purpose_of_kind(self, kind: str) -> ProcessingPurpose | None:
        return next((p for p in self.purposes if p.document_kind == kind and p.active), None)

    @property
    def policy_url(self) -> str:
        return self.site_url + reverse("privacy:policy")

    @property
    def rights_url(self) -> str:
        return self.site_url + reverse("privacy:requests")


def register_revision() -> int:
    return RegisterRevision.objects.aggregate(last=Max("pk"))["last"] or 0


def register_load() -> Register:
    return Register(
        revision=register_revision(),
        operator=Operator.load(),
        purposes=list(ProcessingPurpose.objects.all()),
        processors=list(Processor.objects.prefetch_related("purposes")),
    )


def notice_facts(notice: CrossBorderNotice) -> NoticeFacts:
    return NoticeFacts(
        countries=frozenset(notice.covers()),
        adequate=frozenset(country_codes(notice.adequate_countries)),
        sent_on=notice.sent_on,
        received_on=notice.received_by_rkn_on,
        request_received_on=notice.request_received_on,
        request_answered_on=notice.request_answered_on,
        decision=notice.decision,
    )


def processor_transfer_state(
    processor: Processor,
    *,
    today: date | None = None,
    notices: list[CrossBorderNotice] | None = None,
    operator: Operator | None = None,
) -> TransferState:
    """May this processor receive data today (152-FZ Art. 12)?"""
    if not processor.is_cross_border:
        return TransferState(True)
    operator = operator or Operator.load()
    if notices is None:
        notices = list(processor.cross_border_notices.all()) if processor.pk else []
    return transfer_state(
        countries=processor.foreign_countries(),
        notices=[notice_facts(n) for n in notices],
        operator_notified=bool(
            operator.rkn_notification_sent_on and operator.rkn_notification_number
        ),
        today=today or moscow_date(timezone.now()),
    )


@dataclass(frozen=True)
class ChangeMonth:
    """A month whose notifiable changes are not all covered by a filed notice."""

    month: date
    due: date
    changes: list[RegisterChange]
    working_days_left: int

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0

    @property
    def urgent(self) -> bool:
        return self.working_days_left <= CHANGE_NOTICE_WARNING_WORKING_DAYS


def change_months_pending(*, today: date | None = None) -> list[ChangeMonth]:
    """Months with notifiable changes made after the operator's Art. 22 notification and not
    covered by that month's last filed notice, oldest first, each due by the 15th of the next
    month (152-FZ Art. 22 part 7)."""
    today = today or moscow_date(timezone.now())
    # Until the operator's own Art. 22 notification is filed, the register is what that
    # notification will say: only what changes after it needs a notice of changes.
    notified_on = Operator.load().rkn_notification_sent_on
    if notified_on is None:
        return []
    last_filed: dict[date, datetime] = {}
    for notice in ChangeNotice.objects.order_by("recorded_at"):
        last_filed[notice.month] = notice.recorded_at
    by_month: dict[date, list[RegisterChange]] = {}
    for change in RegisterChange.objects.exclude(item="").order_by("pk"):
        if (change.effective_on or moscow_date(change.changed_at)) <= notified_on:
            continue
        month = change_month(changed_at=change.changed_at, effective_on=change.effective_on)
        filed = last_filed.get(month)
        if filed is not None and change.changed_at <= filed:
            continue
        by_month.setdefault(month, []).append(change)
    return [
        ChangeMonth(
            month=month,
            due=change_notice_due(month),
            changes=changes,
            working_days_left=working_days_between(today, change_notice_due(month)),
        )
        for month, changes in sorted(by_month.items())
    ]


def operator_missing_fields(operator: Operator) -> list[str]:
    """The operator's fields the Art. 22 notification needs that are empty (verbose names)."""
    required = (
        "full_name_ru",
        "inn",
        "ogrn",
        "legal_address_ru",
        "responsible_name",
        "responsible_phone",
        "responsible_email",
        "processing_start_date",
        "processing_end_condition_ru",
        "security_measures_ru",
        "security_level",
        "database_locations",
        "rkn_territorial_body",
    )
    return [field_label(Operator, name) for name in required if not getattr(operator, name)]


def register_clocks(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Everything the register says is due, for the officer's list and the daily reminder:
    each with what, the due date (or moment), whether it is late or close, and where to act.

    Another page (a staff home page) may show the same list: it is plain data.
    """
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    today = moscow_date(now)
    items: list[dict[str, Any]] = []
    operator = Operator.load()
    if not (operator.rkn_notification_sent_on and operator.rkn_notification_number):
        items.append(
            {
                "kind": "notification",
                "what": _("Notification of processing to Roskomnadzor (Art. 22) not recorded"),
                "due": operator.processing_start_date,
                "late": True,
                "urgent": True,
                "url": reverse("admin:privacy_operator_notice", args=["processing"]),
            }
        )
    for month in change_months_pending(today=today):
        items.append(
            {
                "kind": "changes",
                "what": _("Notice of changes of %(month)s (Art. 22 part 7): %(count)d change(s)")
                % {"month": month.month.strftime("%m.%Y"), "count": len(month.changes)},
                "due": month.due,
                "late": month.overdue,
                "urgent": month.urgent,
                "url": reverse(
                    "admin:privacy_operator_notice", args=[f"changes-{month.month:%Y-%m}"]
                ),
            }
        )
    notices = list(CrossBorderNotice.objects.prefetch_related("processors"))
    for processor in Processor.objects.filter(enabled=True):
        if not processor.is_cross_border:
            continue
        covering = [n for n in notices if processor in n.processors.all()]
        state = processor_transfer_state(
            processor, today=today, notices=covering, operator=operator
        )
        if state.allowed:
            continue
        items.append(
            {
                "kind": "cross_border",
                "what": _("%(processor)s held back: %(reason)s")
                % {"processor": processor, "reason": state.reason},
                "due": state.may_start,
                "late": state.may_start is None,
                "urgent": True,
                "url": reverse("admin:privacy_processor_change", args=[processor.pk]),
            }
        )
    from privacy.incidents.models import Incident

    for incident in Incident.objects.filter(investigation_reported_at__isnull=True).order_by(
        "detected_at"
    )[:50]:
        for hours, done, label, which in (
            (
                INCIDENT_FIRST_NOTICE_HOURS,
                incident.authority_notified_at,
                _("first notice (24 h)"),
                "24h",
            ),
            (
                INCIDENT_RESULTS_NOTICE_HOURS,
                incident.investigation_reported_at,
                _("investigation results (72 h)"),
                "72h",
            ),
        ):
            if done is not None:
                continue
            due_at = incident_due(incident.detected_at, hours)
            items.append(
                {
                    "kind": "incident",
                    "what": _("Incident “%(title)s”: %(notice)s to Roskomnadzor (Art. 21 part 3.1)")
                    % {"title": incident.title, "notice": label},
                    "due": due_at,
                    "late": due_at < now,
                    "urgent": True,
                    "url": reverse(
                        "admin:privacy_operator_incident_notice", args=[incident.pk, which]
                    ),
                }
            )
    return items
