"""PRC working days: the official holiday calendar, make-up workdays (调休) included.

The chinese-calendar package carries the State Council's yearly holiday notices. For a year it
does not cover yet, Monday to Friday count instead and the result says it is an estimate, so a
deadline is never silently wrong.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class WorkdayResult:
    """A date computed from working days; ``estimated`` when weekdays stood in for the calendar."""

    day: date
    estimated: bool


def is_workday(day: date) -> tuple[bool, bool]:
    """Return (is a PRC working day, estimated) for ``day``."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_workdays(start: date, days: int) -> WorkdayResult:
    """Return the date ``days`` PRC working days after ``start`` (``start`` itself not counted).

    CAC Announcement of 28 May 2025 (R35, R37): filings are due within 30 working days.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current, counted, estimated = start, 0, False
    while counted < days:
        current += timedelta(days=1)
        workday, guessed = is_workday(current)
        estimated = estimated or guessed
        if workday:
            counted += 1
    return WorkdayResult(current, estimated)


def workdays_between(start: date, end: date) -> tuple[int, bool]:
    """Return (working days after ``start`` up to and including ``end``, estimated)."""
    count, estimated, current = 0, False, start
    while current < end:
        current += timedelta(days=1)
        workday, guessed = is_workday(current)
        estimated = estimated or guessed
        count += int(workday)
    return count, estimated
