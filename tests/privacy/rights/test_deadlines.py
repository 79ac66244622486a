"""The legal clocks: working days of the Russian production calendar, calendar days, months."""

from __future__ import annotations

from datetime import date

import pytest

from privacy.rights.deadlines import (
    add_months,
    add_working_days,
    can_extend,
    due_date,
    extended_due_date,
)
from privacy.rights.models import RightsRequest

Kind = RightsRequest.Kind


def test_access_is_due_ten_working_days_later_across_the_russian_new_year_holidays():
    # 31 Dec 2025 and 1-9 Jan 2026 are days off; 29, 30 Dec then 12-21 Jan are working days.
    assert due_date(kind=Kind.ACCESS, received=date(2025, 12, 26), mode="ru") == date(2026, 1, 21)


def test_a_working_saturday_counts_and_a_transferred_day_off_does_not():
    # Saturday 1 Nov 2025 was a working day; Monday 3 Nov a day off moved from it.
    assert add_working_days(date(2025, 10, 31), 1) == date(2025, 11, 1)
    assert add_working_days(date(2025, 10, 31), 2) == date(2025, 11, 5)


def test_the_access_extension_adds_five_working_days_once_with_reason():
    assert extended_due_date(kind=Kind.ACCESS, due=date(2026, 1, 21), mode="ru") == date(
        2026, 1, 28
    )
    assert can_extend(kind=Kind.ACCESS, mode="ru")
    assert not can_extend(kind=Kind.CLAIM, mode="ru")


def test_a_claim_is_due_thirty_calendar_days_later_across_a_month_end():
    assert due_date(kind=Kind.CLAIM, received=date(2026, 1, 31), mode="ru") == date(2026, 3, 2)


def test_a_withdrawal_gives_thirty_days_to_destroy_the_data():
    assert due_date(kind=Kind.WITHDRAWAL, received=date(2026, 2, 1), mode="ru") == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_gdpr_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month(start, expected):
    assert add_months(start, 1) == expected
    assert due_date(kind=Kind.ERASURE, received=start, mode="gdpr") == expected


def test_in_gdpr_mode_every_right_extends_by_two_months():
    assert can_extend(kind=Kind.CLAIM, mode="gdpr")
    assert extended_due_date(kind=Kind.CLAIM, due=date(2026, 2, 28), mode="gdpr") == date(
        2026, 4, 28
    )


def test_the_clocks_are_settings(settings):
    settings.RIGHTS_CLOCKS = {**settings.RIGHTS_CLOCKS, "claim_days": 10}
    assert due_date(kind=Kind.CLAIM, received=date(2026, 1, 31), mode="ru") == date(2026, 2, 10)
