"""Court days and working days.

Court days: Kenya's rule that a 24-hour limit ending outside court hours, or on a day the
courts do not sit, runs to the end of the next court day (Constitution art. 49(1)(f)).

Assumption, stated because the Constitution gives none: courts sit 08:00–17:00 local time,
Monday to Friday, except public holidays (the `holidays` package's calendar for the country).
Working days: the same Monday-to-Friday calendar without hours (the Philippines' 60 working
days for a torture complaint's investigation, RA 9745 s.9(a)).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import holidays

OPEN, CLOSE = time(8, 0), time(17, 0)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    """Public holidays of one country and year (the package is imported when first needed:
    a tenth of a second every process would otherwise pay at start-up)."""
    import holidays
    return holidays.country_holidays(country, years=year)


def is_court_day(day: date, country: str) -> bool:
    """Mon–Fri and not a public holiday."""
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def court_deadline(due: datetime, tz_name: str, country: str = "KE") -> datetime:
    """Roll `due` (aware UTC) to 17:00 local of the next court day when it falls outside hours."""
    zone = ZoneInfo(tz_name)
    local = due.astimezone(zone)
    day = local.date()
    if is_court_day(day, country) and OPEN <= local.time() <= CLOSE:
        return due
    if not (is_court_day(day, country) and local.time() < OPEN):
        day += timedelta(days=1)
    while not is_court_day(day, country):
        day += timedelta(days=1)
    return datetime.combine(day, CLOSE, tzinfo=zone).astimezone(due.tzinfo)


def working_days_deadline(start: datetime, days: int, tz_name: str, country: str) -> datetime:
    """The end (next local midnight) of the `days`-th working day after `start`'s local day.

    The day of `start` itself is not counted, as "within N days" is read in procedure."""
    zone = ZoneInfo(tz_name)
    day, counted = start.astimezone(zone).date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_court_day(day, country)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(start.tzinfo)
