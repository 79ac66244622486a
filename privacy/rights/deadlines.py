"""Legal clocks of rights requests: the due date of each kind, and its one extension.

Working days follow the Russian production calendar of the `holidays` library
(`holidays.RU`): Saturdays and Sundays off, the public holidays of Labour Code Art. 112, and
the Government's yearly transfers, both ways: days off moved onto weekdays (e.g. 2 May 2025)
and Saturdays made working days (`weekend_workdays`, e.g. 1 November 2025). Its limit: a
year's transfers are known once the Government's decree is out and the library released with
it (usually the autumn before), so a due date computed in a year the installed version does
not cover counts only the fixed holidays and weekends. Keep the library current.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings

from privacy.people.law import MODE_GDPR, clock_mode
from privacy.rights.models import RightsRequest

Kind = RightsRequest.Kind

# Which clock each kind of request runs on in "ru" mode: (setting key, counted in working days).
RU_CLOCKS: dict[str, tuple[str, bool]] = {
    Kind.ACCESS: ("access_working_days", True),
    Kind.CORRECTION: ("correction_working_days", True),
    Kind.ERASURE: ("erasure_working_days", True),
    Kind.BLOCKING: ("blocking_working_days", True),
    Kind.WITHDRAWAL: ("withdrawal_days", False),
    Kind.CLAIM: ("claim_days", False),
    Kind.QUESTION: ("question_days", False),
}
# Only these may be extended in "ru" mode (152-FZ Art. 20(3) provides it for access alone).
RU_EXTENSIONS: dict[str, str] = {Kind.ACCESS: "access_extension_working_days"}


@lru_cache(maxsize=1)
def russian_calendar() -> holidays.HolidayBase:
    # Years are filled in on demand as dates are looked up.
    return holidays.country_holidays("RU")


def is_working_day(day: date) -> bool:
    return russian_calendar().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the day of receipt does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has no such day.

    The rule of Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) that GDPR periods follow:
    31 January plus one month is 28 (or 29) February.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(*, kind: str, received: date, mode: str | None = None) -> date:
    """The date by which a request of `kind` received on `received` must be answered."""
    clocks = settings.RIGHTS_CLOCKS
    if (mode or clock_mode()) == MODE_GDPR:
        return add_months(received, clocks["gdpr_months"])
    key, working = RU_CLOCKS[kind]
    if working:
        return add_working_days(received, clocks[key])
    return received + timedelta(days=clocks[key])


def can_extend(*, kind: str, mode: str | None = None) -> bool:
    return (mode or clock_mode()) == MODE_GDPR or kind in RU_EXTENSIONS


def extended_due_date(*, kind: str, due: date, mode: str | None = None) -> date:
    """The due date after the one extension the law allows for this kind."""
    clocks = settings.RIGHTS_CLOCKS
    if (mode or clock_mode()) == MODE_GDPR:
        return add_months(due, clocks["gdpr_extension_months"])
    return add_working_days(due, clocks[RU_EXTENSIONS[kind]])
