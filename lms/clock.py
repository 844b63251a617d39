"""The partnership's calendar: dates are Europe/London calendar days."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(LONDON).date()


def london_date(moment: datetime | None) -> date | None:
    return moment.astimezone(LONDON).date() if moment else None


def format_date(day: date | None) -> str:
    """GOV.UK style: 5 January 2026."""
    return f"{day.day} {day:%B %Y}" if day else ""


def format_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{format_date(local.date())} at {local:%H:%M}"


def format_moment(moment: datetime) -> str:
    """A date and time, or just the date when it is midnight in London (a deadline "on" a day)."""
    local = moment.astimezone(LONDON)
    return format_date(local.date()) if (local.hour, local.minute) == (0, 0) else format_datetime(moment)


def format_time(moment: datetime) -> str:
    """GOV.UK style: 9am, 9:30am, midday, 4:15pm, in London time."""
    local = moment.astimezone(LONDON)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def format_session_time(starts: datetime, ends: datetime) -> str:
    """Tuesday 3 March 2026, 9:30am to 4pm (London time); both days when it runs past midnight."""
    start_day, end_day = starts.astimezone(LONDON).date(), ends.astimezone(LONDON).date()
    if start_day == end_day:
        return f"{start_day:%A} {format_date(start_day)}, {format_time(starts)} to {format_time(ends)}"
    return (f"{start_day:%A} {format_date(start_day)}, {format_time(starts)} to "
            f"{end_day:%A} {format_date(end_day)}, {format_time(ends)}")


class LocalTimeError(ValueError):
    """A London wall-clock time that does not exist or happens twice."""


def london_datetime(day: date, hour: int, minute: int) -> datetime:
    """A London wall-clock time as an aware datetime; refuses the hour the clocks skip or repeat."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    first, second = naive.replace(tzinfo=LONDON, fold=0), naive.replace(tzinfo=LONDON, fold=1)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        raise LocalTimeError(f"{hour:02d}:{minute:02d} on {format_date(day)} does not exist in London "
                             "(the clocks go forward); choose another time")
    if first.utcoffset() != second.utcoffset():
        raise LocalTimeError(f"{hour:02d}:{minute:02d} on {format_date(day)} happens twice in London "
                             "(the clocks go back); choose another time")
    return first
