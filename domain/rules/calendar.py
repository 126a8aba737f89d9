"""Working days and office hours in England (bank holidays from the ``holidays`` library)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# Office hours are not defined in the documents (002:L273 says only "during office hours");
# the council's published opening hours, 09:00-17:00 on working days, are assumed.
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 0)


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.UK(subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after ``start`` (England bank holidays)."""
    local = start.astimezone(LONDON)
    day = local.date()
    added = 0
    while added < days:
        day += timedelta(days=1)
        if is_working_day(day):
            added += 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), LONDON)


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(LONDON)
    return is_working_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))
