"""The rules of a multi-agency session (DESIGN §2.4) as pure functions: times and counts in, answers out.

Booking decisions, waiting-list order and calendar sequences are decided here and nowhere else;
services.py applies them inside a transaction that holds the session's lock.
"""
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from lms.accounts.models import Sector
from lms.clock import format_datetime, format_moment

# The ranges a session's numbers must fall in, whether typed into the form or imported.
CAPACITY = (1, 500)
MAX_SECTOR_PERCENT = (10, 100)
MAX_ORGANISATION_PERCENT = (5, 100)
MIN_SECTORS = (2, len(Sector))


@dataclass(frozen=True)
class Hold:
    """Places kept for one sector until a moment, after which anyone may take them."""

    sector: str
    places: int
    until: datetime


@dataclass(frozen=True)
class Mix:
    """What a session allows: its capacity and its agency-mix limits."""

    capacity: int
    max_sector_percent: int | None = None
    max_organisation_percent: int | None = None
    min_sectors: int | None = None
    holds: tuple[Hold, ...] = ()


@dataclass
class Taken:
    """The places booked now, by sector and by organisation."""

    by_sector: Counter = field(default_factory=Counter)
    by_organisation: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_sector.values())

    def add(self, sector: str, organisation_id: int) -> None:
        self.by_sector[sector] += 1
        self.by_organisation[organisation_id] += 1


def share_limit(capacity: int, percent: int) -> int:
    """The most places one sector or organisation may hold: the percent of capacity, rounded down, at least one."""
    return max(1, math.floor(capacity * percent / 100))


def active_holds(mix: Mix, now: datetime) -> list[Hold]:
    return [hold for hold in mix.holds if now < hold.until]


def place(mix: Mix, taken: Taken, sector: str, organisation_id: int, now: datetime, *,
          sector_label: Callable[[str], str] = str, organisation_name: str = "Their organisation") -> str | None:
    """None when one more person from this sector and organisation fits; otherwise why they wait."""
    if taken.total >= mix.capacity:
        return f"All {mix.capacity} places are taken"
    if mix.max_sector_percent is not None:
        limit = share_limit(mix.capacity, mix.max_sector_percent)
        if taken.by_sector[sector] >= limit:
            return (f"{sector_label(sector)} already holds {mix.max_sector_percent}% of places "
                    f"({taken.by_sector[sector]} of {mix.capacity}), the most one sector may take")
    if mix.max_organisation_percent is not None:
        limit = share_limit(mix.capacity, mix.max_organisation_percent)
        if taken.by_organisation[organisation_id] >= limit:
            return (f"{organisation_name} already holds {mix.max_organisation_percent}% of places "
                    f"({taken.by_organisation[organisation_id]} of {mix.capacity}), the most one organisation may take")
    held = [(hold, max(0, hold.places - taken.by_sector[hold.sector]))
            for hold in active_holds(mix, now) if hold.sector != sector]
    kept = sum(unfilled for _, unfilled in held)
    if kept and mix.capacity - taken.total - kept <= 0:
        names = " and ".join(f"{sector_label(h.sector)} until {format_moment(h.until)}" for h, n in held if n)
        return f"The remaining {mix.capacity - taken.total} place(s) are held for {names}"
    if mix.min_sectors:
        sectors_after = len({s for s, n in taken.by_sector.items() if n > 0} | {sector})
        free_after = mix.capacity - taken.total - 1
        if mix.min_sectors - sectors_after > free_after:
            return (f"The last {mix.capacity - taken.total} place(s) are kept for other sectors: the session needs "
                    f"people from at least {mix.min_sectors} sectors")
    return None


@dataclass(frozen=True)
class Waiting:
    """A waitlisted booking as the waiting-list order sees it."""

    booking_id: int
    due: date | None  # when their requirement expires (or expired); None if they never held it
    joined_at: datetime


def waitlist_order(entries: Iterable[Waiting]) -> list[Waiting]:
    """Those who never held the requirement first, then whose expiry is soonest, then first come."""
    return sorted(entries, key=lambda w: (w.due is not None, w.due or date.min, w.joined_at, w.booking_id))


def booking_problem(*, cancelled: bool, starts_at: datetime, booking_deadline: datetime | None, now: datetime) -> str | None:
    """Why nobody can book this session now, or None."""
    if cancelled:
        return "This session has been cancelled"
    if starts_at <= now:
        return "This session has already taken place"
    if booking_deadline is not None and now > booking_deadline:
        return f"Booking closed on {format_datetime(booking_deadline)}"
    return None


def is_late_cancellation(cutoff: datetime | None, now: datetime) -> bool:
    return cutoff is not None and now > cutoff


def sequence_for(event_sequence: int, held: int | None) -> int:
    """The SEQUENCE of the next calendar message to a person: the session's, unless they already hold it.

    Calendar programs ignore a message whose SEQUENCE is not above the one they hold, so a person
    who was sent a cancellation at the current sequence needs the next one up (RFC 5546 §2.1.4)."""
    return event_sequence if held is None or held < event_sequence else held + 1


def unit_codes(text: str) -> list[str]:
    """The DANOS unit references a session lists, separated by spaces or commas, in any case."""
    return [code for code in re.split(r"[\s,]+", text.strip().upper()) if code]
