"""The partnership's calendar: dates are Europe/London calendar days."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(LONDON).date()


def format_date(day: date | None) -> str:
    """GOV.UK style: 5 January 2026."""
    return f"{day.day} {day:%B %Y}" if day else ""


def format_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{format_date(local.date())} at {local:%H:%M}"
