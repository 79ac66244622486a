"""The register's clocks: the change notice by the 15th of the next month (in Moscow time), one
notice per month however many changes, and the wait before a cross-border transfer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from privacy.register.clocks import (
    NoticeFacts,
    change_month,
    change_notice_due,
    cross_border_may_start,
    transfer_state,
)
from privacy.register.history import entry_snapshot
from privacy.register.models import ProcessingPurpose, RegisterChange
from privacy.register.selectors import change_months_pending, register_clocks
from privacy.register.services import RegisterError, change_notice_record, register_changes_record
from tests.support.register import operator_notified


def _due(moment: datetime) -> date:
    return change_notice_due(change_month(changed_at=moment))


@pytest.mark.parametrize(
    ("moment_utc", "due"),
    [
        # 2026-12-03 10:00 Moscow: across the year boundary.
        (datetime(2026, 12, 3, 7, 0, tzinfo=UTC), date(2027, 1, 15)),
        # 2026-12-31 23:30 Moscow (20:30 UTC): still December.
        (datetime(2026, 12, 31, 20, 30, tzinfo=UTC), date(2027, 1, 15)),
        # 2027-01-01 00:10 Moscow is 2026-12-31 21:10 UTC: January in Moscow.
        (datetime(2026, 12, 31, 21, 10, tzinfo=UTC), date(2027, 2, 15)),
        # The last second of November in Moscow, and the first of December.
        (datetime(2026, 11, 30, 20, 59, 59, tzinfo=UTC), date(2026, 12, 15)),
        (datetime(2026, 11, 30, 21, 0, 0, tzinfo=UTC), date(2027, 1, 15)),
        # Due on a Sunday: the statute does not move it, neither do we.
        (datetime(2026, 1, 31, 9, 0, tzinfo=UTC), date(2026, 2, 15)),
    ],
)
def test_a_change_notice_is_due_by_the_15th_of_the_next_month_in_moscow_time(moment_utc, due):
    assert _due(moment_utc) == due


def test_the_day_a_change_happened_decides_its_month_when_the_officer_gives_it():
    recorded = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)

    assert change_notice_due(
        change_month(changed_at=recorded, effective_on=date(2026, 12, 28))
    ) == date(2027, 1, 15)


@pytest.mark.django_db
def test_changes_of_one_month_make_one_notice_and_filing_it_closes_them(officer):
    operator_notified()
    purpose = ProcessingPurpose.objects.create(code="leads", title_ru="обработка заявок")
    for title in ("обработка заявок с сайта", "обработка заявок и звонков"):
        before = entry_snapshot(purpose)
        purpose.title_ru = title
        purpose.save()
        register_changes_record(instance=purpose, before=before, staff=officer)
    [pending] = change_months_pending()
    month = pending.month

    assert len(pending.changes) == 2  # changed twice: both in one month, one notice
    assert pending.due == change_notice_due(month)
    change_notice_record(month=month, sent_on=date.today(), reference="исх. 12", staff=officer)
    assert change_months_pending() == []

    before = entry_snapshot(purpose)
    purpose.title_ru = "обработка заявок"
    purpose.save()
    register_changes_record(instance=purpose, before=before, staff=officer)
    [again] = change_months_pending()
    assert again.month == month and len(again.changes) == 1  # a later change opens it again


@pytest.mark.django_db
def test_a_change_that_is_not_an_art_22_item_starts_no_clock(officer):
    operator_notified()
    purpose = ProcessingPurpose.objects.create(code="leads", title_ru="обработка заявок")
    change_notice_record(month=date.today(), sent_on=date.today(), reference="", staff=officer)
    before = entry_snapshot(purpose)
    purpose.consent_term_ru = "3 года"
    purpose.save()

    register_changes_record(instance=purpose, before=before, staff=officer)

    assert RegisterChange.objects.filter(field="consent_term_ru", item="").exists()
    assert change_months_pending() == []


@pytest.mark.django_db
def test_a_notice_sent_in_the_future_is_refused_and_records_nothing(officer):
    with pytest.raises(RegisterError):
        change_notice_record(
            month=date.today(),
            sent_on=date.today() + timedelta(days=2),
            reference="",
            staff=officer,
        )

    assert change_months_pending() == []
    from privacy.register.models import ChangeNotice

    assert not ChangeNotice.objects.exists()


@pytest.mark.django_db
def test_the_officers_list_shows_the_monthly_notice_with_its_due_date(officer):
    operator_notified()
    ProcessingPurpose.objects.create(code="leads", title_ru="обработка заявок")
    purpose = ProcessingPurpose.objects.get()
    register_changes_record(instance=purpose, before=None, staff=officer)

    items = [item for item in register_clocks() if item["kind"] == "changes"]

    assert len(items) == 1 and items[0]["due"].day == 15


# -- the cross-border wait (Art. 12 parts 9-11) -------------------------------------------------


def _notice(**fields) -> NoticeFacts:
    values = {
        "countries": frozenset({"US"}),
        "adequate": frozenset(),
        "sent_on": date(2026, 10, 13),
        "received_on": date(2026, 10, 14),
        "request_received_on": None,
        "request_answered_on": None,
        "decision": "",
    }
    return NoticeFacts(**{**values, **fields})


def _weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_transfer_abroad_waits_ten_working_days_from_receipt():
    # Received Wednesday 14 October 2026: 15, 16, 19-23, 26, 27, 28 October.
    assert cross_border_may_start(_notice()) == date(2026, 10, 29)


def test_a_holiday_is_not_a_working_day_of_the_wait():
    def working(day: date) -> bool:
        return _weekdays(day) and day != date(2026, 11, 4)

    notice = _notice(sent_on=date(2026, 11, 2), received_on=date(2026, 11, 2))

    assert cross_border_may_start(notice, working=working) == date(2026, 11, 18)


def test_an_answered_request_pauses_the_wait_and_an_open_one_stops_it():
    paused = _notice(request_received_on=date(2026, 10, 19), request_answered_on=date(2026, 10, 21))

    assert cross_border_may_start(paused, working=_weekdays) == date(2026, 11, 3)
    assert cross_border_may_start(_notice(request_received_on=date(2026, 10, 19))) is None


def test_a_country_in_the_adequacy_list_may_receive_data_once_the_notice_is_sent():
    listed = _notice(countries=frozenset({"KZ"}), adequate=frozenset({"KZ"}), received_on=None)

    assert cross_border_may_start(listed) == date(2026, 10, 13)


@pytest.mark.parametrize(
    ("today", "allowed", "code"),
    [(date(2026, 10, 28), False, "privacy.E302"), (date(2026, 10, 29), True, "")],
)
def test_the_guard_opens_on_the_day_the_wait_ends(today, allowed, code):
    state = transfer_state(
        countries=["US"], notices=[_notice()], operator_notified=True, today=today
    )

    assert (state.allowed, state.code) == (allowed, code)
    if not allowed:
        assert "29.10.2026" in state.reason


@pytest.mark.parametrize(
    ("notices", "notified", "code"),
    [
        ([], True, "privacy.E301"),
        ([_notice(received_on=None)], True, "privacy.E302"),
        ([_notice(request_received_on=date(2026, 10, 20))], True, "privacy.E303"),
        ([_notice(decision="ban")], True, "privacy.E304"),
        ([_notice()], False, "privacy.E305"),
        ([_notice(countries=frozenset({"IE"}))], True, "privacy.E301"),
    ],
)
def test_the_guard_names_what_is_missing(notices, notified, code):
    state = transfer_state(
        countries=["US"], notices=notices, operator_notified=notified, today=date(2027, 1, 1)
    )

    assert not state.allowed and state.code == code


@pytest.mark.django_db
def test_filling_the_register_before_the_art_22_notification_starts_no_change_clock(officer):
    purpose = ProcessingPurpose.objects.create(code="leads", title_ru="обработка заявок")
    register_changes_record(instance=purpose, before=None, staff=officer)

    assert change_months_pending() == []  # it is what the notification itself will say
    operator_notified(rkn_notification_sent_on=timezone.localdate())
    assert change_months_pending() == []  # made by the day the notification was sent
