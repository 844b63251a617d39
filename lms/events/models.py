"""Multi-agency sessions, their bookings, the history of every booking and personal calendar feeds."""
import enum
from datetime import datetime

from sqlalchemy import JSON, Column, Enum, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Sector, User
from lms.compliance.models import Completion, Requirement
from lms.db import Base, utcnow

event_requirements = Table(
    "event_requirements",
    Base.metadata,
    Column("event_id", ForeignKey("events.id"), primary_key=True),
    Column("requirement_id", ForeignKey("requirements.id"), primary_key=True),
)

event_trainers = Table(
    "event_trainers",
    Base.metadata,
    Column("event_id", ForeignKey("events.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Event(Base):
    """One face-to-face or online session. Times are stored in UTC and shown in Europe/London."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the programme's stable key
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int]
    booking_deadline: Mapped[datetime | None]
    cancellation_cutoff: Mapped[datetime | None]  # cancelling after it counts as late
    self_booking: Mapped[bool] = mapped_column(default=False)
    max_sector_percent: Mapped[int | None]
    max_organisation_percent: Mapped[int | None]
    min_sectors: Mapped[int | None]
    danos_units: Mapped[list] = mapped_column(JSON, default=list)
    # iCalendar: one UID for the life of the session; SEQUENCE goes up with every change sent.
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]
    cancelled_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    requirements: Mapped[list[Requirement]] = relationship(secondary=event_requirements, order_by=Requirement.title)
    trainers: Mapped[list[User]] = relationship(secondary=event_trainers, order_by=(User.family_name, User.given_name))
    holds: Mapped[list["HeldPlaces"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                     order_by="HeldPlaces.sector")

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class HeldPlaces(Base):
    """Places kept for one sector until a moment; after it they are open to everyone."""

    __tablename__ = "event_held_places"
    __table_args__ = (UniqueConstraint("event_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    sector: Mapped[Sector] = mapped_column(Enum(Sector, native_enum=False, length=32,
                                                values_callable=lambda e: [m.value for m in e]))
    places: Mapped[int]
    until: Mapped[datetime]
    released_at: Mapped[datetime | None]  # when the waiting list was last offered these places

    event: Mapped[Event] = relationship(back_populates="holds")


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {"booked": "Booked", "waitlisted": "On the waiting list", "cancelled": "Cancelled",
                "attended": "Attended", "no_show": "Did not attend"}[self.value]


# The statuses that hold one of a session's places: booked, and after the day attended or not.
HOLDING = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


_status = Enum(BookingStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Booking(Base):
    """One person's place (or wait) on one session. Its history is in BookingChange."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_bookings_user_id", "user_id"),
        Index("ix_bookings_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[BookingStatus] = mapped_column(_status)
    reason: Mapped[str] = mapped_column(Text, default="")  # why they wait, shown to whoever booked
    waitlisted_at: Mapped[datetime | None]  # first come, first served among equals
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    sent_sequence: Mapped[int | None]  # the highest calendar SEQUENCE this person has been sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    changes: Mapped[list["BookingChange"]] = relationship(back_populates="booking", order_by="BookingChange.id")


class BookingChange(Base):
    """Every change of a booking's state: from, to, who (None for the system), when and why."""

    __tablename__ = "booking_changes"
    __table_args__ = (Index("ix_booking_changes_booking_id", "booking_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    from_status: Mapped[BookingStatus | None] = mapped_column(_status)
    to_status: Mapped[BookingStatus] = mapped_column(_status)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    booking: Mapped[Booking] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()


class AttendanceCompletion(Base):
    """The completion an attended booking recorded for one requirement, so a corrected register can withdraw it."""

    __tablename__ = "attendance_completions"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), primary_key=True)

    completion: Mapped[Completion] = relationship()


class CalendarFeed(Base):
    """A person's private feed. Only a version is stored: the token is derived from it with the secret key."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
