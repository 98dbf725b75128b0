"""PRC working days with the official calendar, make-up workdays included (R35)."""

import datetime

from governance.filing import filing_deadline
from governance.workdays import add_workdays, is_workday, workdays_between

D = datetime.date


def test_national_day_holiday_is_skipped():
    # 2025: 1-8 October off. Tuesday 30 September + 1 working day is Thursday 9 October.
    result = add_workdays(D(2025, 9, 30), 1)
    assert (result.day, result.estimated) == (D(2025, 10, 9), False)


def test_make_up_workdays_count():
    # Sunday 28 September and Saturday 11 October 2025 are make-up workdays (调休).
    assert is_workday(D(2025, 9, 28)) == (True, False)
    assert is_workday(D(2025, 10, 11)) == (True, False)
    assert add_workdays(D(2025, 9, 26), 1).day == D(2025, 9, 28)


def test_thirty_working_day_deadline_across_national_day():
    # From Friday 26 September 2025: 28, 29, 30 Sep (3); 9, 10, 11 Oct (6); then weekdays
    # from 13 October: 24 more ends on Thursday 13 November.
    deadline, estimated = filing_deadline(D(2025, 9, 26))
    assert deadline == D(2025, 11, 13) and estimated is False
    assert workdays_between(D(2025, 9, 26), deadline) == (30, False)


def test_year_beyond_the_calendar_counts_weekdays_and_warns():
    result = add_workdays(D(2030, 1, 4), 1)  # Friday
    assert result.day == D(2030, 1, 7) and result.estimated is True
