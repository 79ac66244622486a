"""The register's legal clocks: the monthly change notice (152-FZ Art. 22 part 7), the wait
before a cross-border transfer (Art. 12 parts 9-11), and the incident notices (Art. 21
part 3.1). Pure functions of dates; selectors.py feeds them the register."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from privacy.rights.deadlines import is_working_day

# Roskomnadzor's clocks run in Moscow time, whatever TIME_ZONE the site shows.
MOSCOW = ZoneInfo("Europe/Moscow")
# Art. 22 part 7: by the 15th of the month after the month of the changes.
CHANGE_NOTICE_DAY = 15
# Art. 12 part 9: Roskomnadzor decides within ten working days of receiving the notice.
CROSS_BORDER_WORKING_DAYS = 10
# Remind this many working days before a change notice is due (and mark it red on the list).
CHANGE_NOTICE_WARNING_WORKING_DAYS = 5
# Art. 21 part 3.1: hours from detection.
INCIDENT_FIRST_NOTICE_HOURS = 24
INCIDENT_RESULTS_NOTICE_HOURS = 72


def moscow_date(moment: datetime) -> date:
    """The calendar date in Moscow at `moment` (an aware datetime)."""
    return moment.astimezone(MOSCOW).date()


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def change_month(*, changed_at: datetime, effective_on: date | None = None) -> date:
    """The month a change belongs to: when it happened if given, else when it was recorded,
    in Moscow time (a change recorded at 00:10 on 1 January in Moscow is January's even though
    it is still 31 December in UTC)."""
    return month_of(effective_on or moscow_date(changed_at))


def change_notice_due(month: date) -> date:
    """The 15th of the month after `month`. Never later: the statute does not move a due date
    that falls on a day off, so the product does not either (it reminds earlier instead)."""
    year, next_month = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return date(year, next_month, CHANGE_NOTICE_DAY)


def last_working_day_on_or_before(
    day: date, *, working: Callable[[date], bool] = is_working_day
) -> date:
    while not working(day):
        day -= timedelta(days=1)
    return day


def working_days_between(
    start: date, end: date, *, working: Callable[[date], bool] = is_working_day
) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start, working=working)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if working(day):
            count += 1
    return count


@dataclass(frozen=True)
class TransferState:
    """Whether data may go to a foreign processor now, and if not, why and until when."""

    allowed: bool
    code: str = ""  # the system check's id: privacy.E301 ... E305
    reason: str = ""
    may_start: date | None = None


@dataclass(frozen=True)
class NoticeFacts:
    """What the guard needs of one cross-border notice."""

    countries: frozenset[str]
    adequate: frozenset[str]
    sent_on: date | None
    received_on: date | None
    request_received_on: date | None
    request_answered_on: date | None
    decision: str


def cross_border_may_start(
    notice: NoticeFacts, *, working: Callable[[date], bool] = is_working_day
) -> date | None:
    """The first day transfer under this notice may start, or None while it cannot be known.

    Listed (adequate) countries: the day the notice is sent (Art. 12 part 10). Others: the day
    after the tenth working day counted from the day after Roskomnadzor received it (part 11
    with part 9), the days from a request's arrival to its answer not counted (part 9).
    """
    if notice.sent_on is None:
        return None
    if notice.countries <= notice.adequate:
        return notice.sent_on
    if notice.received_on is None:
        return None
    if notice.request_received_on is not None and notice.request_answered_on is None:
        return None
    paused_from, paused_to = notice.request_received_on, notice.request_answered_on
    count, day = 0, notice.received_on
    while count < CROSS_BORDER_WORKING_DAYS:
        day += timedelta(days=1)
        if paused_from is not None and paused_to is not None and paused_from <= day <= paused_to:
            continue
        if working(day):
            count += 1
    # The term ends at the end of its tenth working day.
    return day + timedelta(days=1)


def transfer_state(
    *,
    countries: Iterable[str],
    notices: Iterable[NoticeFacts],
    operator_notified: bool,
    today: date,
    working: Callable[[date], bool] = is_working_day,
) -> TransferState:
    """May data go to these foreign countries today? Every country must be covered by a notice
    whose wait is over, with no open request and no ban or restriction."""
    from django.utils.translation import gettext as _

    wanted = {code or "??" for code in countries}
    if "??" in wanted:
        return TransferState(
            False,
            "privacy.E301",
            _("its country is not recorded; record it (RU if the data stay in Russia)"),
        )
    notices = [n for n in notices if n.sent_on is not None]
    for notice in notices:
        if notice.decision and notice.countries & wanted:
            return TransferState(
                False,
                "privacy.E304",
                _("Roskomnadzor banned or restricted the transfer (Art. 12 part 8)"),
            )
    if not operator_notified:
        return TransferState(
            False,
            "privacy.E305",
            _(
                "the operator's own Art. 22 notification (date and number) is not recorded; "
                "a cross-border notice must name it (Art. 12 part 4 item 1)"
            ),
        )
    latest = date.min
    for code in sorted(wanted):
        covering = [n for n in notices if code in n.countries]
        if not covering:
            return TransferState(
                False,
                "privacy.E301",
                _(
                    "no cross-border transfer notice covering %(country)s is recorded "
                    "(Art. 12 part 3)"
                )
                % {"country": code},
            )
        if any(
            n.request_received_on is not None and n.request_answered_on is None for n in covering
        ):
            return TransferState(
                False,
                "privacy.E303",
                _(
                    "Roskomnadzor's request about the notice is not answered yet; consideration "
                    "is paused (Art. 12 parts 6 and 9)"
                ),
            )
        starts = [s for s in (cross_border_may_start(n, working=working) for n in covering) if s]
        if not starts:
            return TransferState(
                False,
                "privacy.E302",
                _(
                    "record the date Roskomnadzor received the notice: the ten working days "
                    "run from it (Art. 12 part 9)"
                ),
            )
        latest = max(latest, min(starts))
    if today < latest:
        return TransferState(
            False,
            "privacy.E302",
            _("transfer may start on %(date)s, when the waiting period ends (Art. 12 part 11)")
            % {"date": latest.strftime("%d.%m.%Y")},
            may_start=latest,
        )
    return TransferState(True, may_start=latest)


def incident_due(detected_at: datetime, hours: int) -> datetime:
    return detected_at + timedelta(hours=hours)
