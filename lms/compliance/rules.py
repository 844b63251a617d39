"""The compliance rules of DESIGN §2.3 and §2.6, as pure functions. `day` is always passed in.

Pages, reminders, exports and the report all use these (or the SQL in queries.py that mirrors
them and is tested against them), so each rule lives here and nowhere else.
"""
import calendar
import enum
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from lms.clock import format_date


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 2024-02-29 + 24 months = 2026-02-28."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(completed_on: date, validity_months: int) -> date:
    return add_months(completed_on, validity_months)


def is_valid_on(completed_on: date, expiry: date, day: date) -> bool:
    return completed_on <= day < expiry


def valid_until(expiry: date) -> date:
    """The last day a completion is valid: the day before it expires (see is_valid_on)."""
    return expiry - timedelta(days=1)


class Status(enum.StrEnum):
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"
    INDUCTION = "induction"
    MISSING = "missing"
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return {"compliant": "Up to date", "due_soon": "Due soon", "expired": "Expired", "induction": "New starter",
                "missing": "Not done", "exempt": "Exempt"}[self.value]

    @property
    def overdue(self) -> bool:
        return self in (Status.EXPIRED, Status.MISSING)


@dataclass(frozen=True)
class Rule:
    """The numbers of one requirement that decide status."""

    validity_months: int = 24
    due_soon_days: int = 60
    induction_days: int = 90


@dataclass(frozen=True)
class StatusOn:
    status: Status
    due: date | None  # when it expires, expired, or must first be done by
    explanation: str


# What someone is asked to do first: overdue before due soon before a new starter's first time.
URGENCY = {Status.EXPIRED: 0, Status.MISSING: 0, Status.DUE_SOON: 1, Status.INDUCTION: 2}


def urgency(status: StatusOn) -> tuple[int, date | None] | None:
    """Where a requirement comes in someone's list of things to do, soonest due first; None if nothing is to do."""
    rank = URGENCY.get(status.status)
    return None if rank is None else (rank, status.due)


def status_on(completions: list[date], rule: Rule, start_date: date, day: date,
              exemption_ends: date | None = None) -> StatusOn:
    """A person's status for one requirement on `day`, from the dates they completed it.

    Completing again replaces the expiry: the latest completion on or before the day decides.
    """
    if exemption_ends is not None:
        return StatusOn(Status.EXEMPT, exemption_ends, f"exempt until {format_date(exemption_ends)}")
    held = [d for d in completions if d <= day]
    if held:
        latest = max(held)
        expiry = expires_on(latest, rule.validity_months)
        sum_text = f"completed {format_date(latest)} + {rule.validity_months} months"
        if not is_valid_on(latest, expiry, day):
            return StatusOn(Status.EXPIRED, expiry, f"expired {format_date(expiry)}: {sum_text}")
        if (expiry - day).days <= rule.due_soon_days:
            return StatusOn(Status.DUE_SOON, expiry, f"due {format_date(expiry)}: {sum_text}")
        return StatusOn(Status.COMPLIANT, expiry, f"valid until {format_date(expiry)}: {sum_text}")
    deadline = start_date + timedelta(days=rule.induction_days)
    induction_text = f"started {format_date(start_date)} + {rule.induction_days} days' induction"
    if day < deadline:
        return StatusOn(Status.INDUCTION, deadline, f"first due {format_date(deadline)}: {induction_text}")
    return StatusOn(Status.MISSING, deadline, f"was due {format_date(deadline)}: {induction_text}")


# Reminders: before the due date, on it, then every 14 days while overdue.
REMINDER_DAYS_BEFORE = (60, 30, 7)
OVERDUE_EVERY_DAYS = 14


def reminder_stage(status: StatusOn, day: date) -> str | None:
    """The latest reminder stage reached on `day`, or None. Only the latest is ever sent,
    so a first run (or a run after an outage) does not send a burst of older stages."""
    if status.status == Status.EXEMPT or status.due is None:
        return None
    days_left = (status.due - day).days
    if days_left > 0:
        reached = [n for n in REMINDER_DAYS_BEFORE if days_left <= n]
        return f"before-{min(reached)}" if reached else None
    return f"overdue-{(-days_left) // OVERDUE_EVERY_DAYS * OVERDUE_EVERY_DAYS}"


# §2.6: percent trained, the target line, RAG, the next milestone and staff needed.

def percent(compliant: int, in_scope: int) -> Fraction | None:
    return Fraction(100 * compliant, in_scope) if in_scope else None


def format_percent(value: Fraction | Decimal | int | None) -> str:
    """One decimal place, rounded half up (6.25 -> 6.3); nobody in scope is "n/a"."""
    if value is None:
        return "n/a"
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Milestone:
    on: date
    percent: Fraction


def target_on(starts_on: date, milestones: list[Milestone], day: date) -> Fraction:
    """A straight line from 0% on the plan's start through each milestone; flat after the last."""
    points = [(starts_on, Fraction(0))] + [(m.on, Fraction(m.percent)) for m in sorted(milestones, key=lambda m: m.on)]
    if day <= starts_on:
        return Fraction(0)
    for (d0, p0), (d1, p1) in zip(points, points[1:]):
        if day <= d1:
            return p1 if d1 == d0 else p0 + (p1 - p0) * Fraction((day - d0).days, (d1 - d0).days)
    return points[-1][1]


def rag(value: Fraction | None, target: Fraction) -> str:
    """Green at or above target; amber within 10 points below; red otherwise (unrounded)."""
    if value is None:
        return "n/a"
    if value >= target:
        return "green"
    return "amber" if target - value <= 10 else "red"


def next_milestone(milestones: list[Milestone], day: date) -> Milestone | None:
    ordered = sorted(milestones, key=lambda m: m.on)
    return next((m for m in ordered if m.on >= day), ordered[-1] if ordered else None)


def staff_needed(milestone_percent: Fraction, in_scope: int, compliant: int) -> int:
    return max(0, math.ceil(Fraction(milestone_percent) * in_scope / 100) - compliant)
