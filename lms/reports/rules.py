"""Rules for reporting: a target's milestones, month ends for charts, quarter ends for boards and measures,
RAG tallies. Pure functions."""
import calendar
from datetime import date, timedelta
from fractions import Fraction

from lms.compliance.rules import Milestone


def milestones_after_start(starts_on: date, days) -> bool:
    """Every milestone falls after the plan starts: the target line rises from 0% on the start date."""
    return all(day > starts_on for day in days)


def encode_milestones(milestones: list[Milestone]) -> list[dict[str, str]]:
    """As PlanTarget.milestones stores them, in date order; the percent as an exact fraction ("50", "101/2")."""
    return [{"date": m.on.isoformat(), "percent": str(Fraction(m.percent))}
            for m in sorted(milestones, key=lambda m: (m.on, m.percent))]


def decode_milestones(stored: list[dict]) -> list[Milestone]:
    """PlanTarget.milestones read back; a decimal percent ("50.5") written before they were all fractions reads too."""
    return [Milestone(date.fromisoformat(m["date"]), Fraction(m["percent"])) for m in stored]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from start's month to end's month."""
    days, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        days.append(month_end(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def quarter_end_on_or_before(day: date) -> date:
    """The last 31 March, 30 June, 30 September or 31 December on or before the day."""
    candidates = [month_end(day.year, m) for m in (3, 6, 9, 12)] + [month_end(day.year - 1, 12)]
    return max(d for d in candidates if d <= day)


def quarter_ends(start: date, end: date) -> list[date]:
    return [d for d in month_ends(start, end) if d.month in (3, 6, 9, 12) and start <= d <= end]


def previous_quarter_end(day: date) -> date:
    """The last quarter end before the day: "since last quarter" compares with it."""
    return quarter_end_on_or_before(day - timedelta(days=1))


def rag_counts(rows) -> dict[str, int]:
    """How many report rows are green, amber and red; "n/a" for rows with no target."""
    counts = {"green": 0, "amber": 0, "red": 0, "n/a": 0}
    for row in rows:
        counts[row.rag or "n/a"] += 1
    return counts
