"""Writes for sessions: publish, change, cancel, book, wait, promote, attend. Flush only; callers commit.

Every decision about places is made while the session's lock is held (`lock_event`), so two
requests, imports or hosts can never both take the last place.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.clock import LONDON
from lms.competencies import services as competencies
from lms.compliance.queries import latest_expiries
from lms.compliance.services import record_completion, supersede
from lms.db import lock_row
from lms.events import rules
from lms.events.calendar import calendar, session_component
from lms.events.emails import booking_email, calendar_attachment
from lms.events.models import (
    HOLDING, AttendanceCompletion, Booking, BookingChange, BookingStatus, CalendarFeed, Event, HeldPlaces,
)
from lms.events.queries import mix_of, taken_on
from lms.extensions import db
from lms.notify.services import queue_email

ACTIVE = (BookingStatus.BOOKED, BookingStatus.WAITLISTED)


class BookingRefused(Exception):
    """The session cannot take this booking at all (cancelled, past, closed); the message says why."""


class CapacityTooLow(Exception):
    def __init__(self, capacity: int, taken: int):
        super().__init__(f"The capacity cannot be {capacity}: {taken} places are already taken. "
                         f"Cancel bookings first, or keep the capacity at {taken} or more")
        self.capacity, self.taken = capacity, taken


def lock_event(event_id: int) -> Event | None:
    """The session, locked for the rest of the transaction and read fresh."""
    return lock_row(db.session, Event, event_id)


def lock_events(event_ids) -> dict[int, Event]:
    """Several sessions locked in id order, so two imports touching the same sessions never deadlock."""
    return {event_id: lock_event(event_id) for event_id in sorted(set(event_ids))}


def _placement(event: Event, taken: rules.Taken, person: User, now: datetime) -> str | None:
    org = person.organisation
    return rules.place(mix_of(event), taken, org.sector.value, org.id, now,
                       sector_label=lambda value: type(org.sector)(value).label, organisation_name=org.name)


def _change(booking: Booking, to: BookingStatus, by: User | None, now: datetime, note: str = "") -> None:
    db.session.add(BookingChange(booking=booking, from_status=booking.status, to_status=to,
                                 by_id=by.id if by else None, at=now, note=note))
    booking.status = to


# --- calendar messages ---

def organizer() -> tuple[str, str]:
    config = current_app.config
    return config["MAIL_DEFAULT_SENDER"], config["SERVICE_NAME"]


def _session_url(event: Event) -> str:
    return f"{current_app.config['BASE_URL']}/sessions/{event.id}"


def ical_description(event: Event) -> str:
    parts = [event.description.strip()] if event.description.strip() else []
    if event.online_link:
        parts.append(f"Joining link: {event.online_link}")
    parts.append(f"Your booking: {_session_url(event)}")
    return "\n\n".join(parts)


def _send_calendar(booking: Booking, method: str, template: str, now: datetime, **context) -> None:
    """Email the person a calendar message with a SEQUENCE above any they hold, and remember it."""
    event = booking.event
    sequence = rules.sequence_for(event.sequence, booking.sent_sequence)
    event.sequence = max(event.sequence, sequence)
    booking.sent_sequence = sequence
    cancelled = method == "CANCEL"
    component = session_component(event, sequence=sequence, cancelled=cancelled, organizer=organizer(),
                                  description=ical_description(event), stamp=now, attendee=booking.user)
    subject, body = booking_email(template, booking=booking, event=event, url=_session_url(event), **context)
    queue_email(booking.user.email, subject, body,
                attachments=[calendar_attachment(method, calendar(method, [component]))])


def _send_plain(to: User, template: str, booking: Booking, **context) -> None:
    subject, body = booking_email(template, booking=booking, event=booking.event, url=_session_url(booking.event),
                                  **context)
    queue_email(to.email, subject, body)


# --- sessions ---

@dataclass
class SessionChange:
    changed: list[str]  # what people were told changed: "time", "place", "details"
    promoted: list[Booking]


DETAILS = {"starts_at": "time", "ends_at": "time", "venue": "place", "online_link": "place",
           "title": "details", "description": "details"}


def new_event(code: str) -> Event:
    """A session not yet saved, with the calendar UID it keeps for life."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "lms.invalid"
    return Event(code=code, uid=f"session-{uuid.uuid4()}@{host}", sequence=0)


def save_event(event: Event, values: dict, now: datetime, *, requirements=None, trainers=None,
               holds: list[tuple] | None = None) -> SessionChange:
    """Apply new details. A change of time, place or details goes to everyone booked with a higher
    SEQUENCE; more room (capacity, caps, holds) goes to the waiting list."""
    if event.id is not None and "capacity" in values:
        held = taken_on(event).total
        if values["capacity"] < held:
            raise CapacityTooLow(values["capacity"], held)
    changed = sorted({DETAILS[key] for key, value in values.items()
                      if key in DETAILS and event.id is not None and getattr(event, key) != value})
    for key, value in values.items():
        setattr(event, key, value)
    db.session.add(event)
    if requirements is not None:
        event.requirements = list(requirements)
    if trainers is not None:
        event.trainers = list(trainers)
    if holds is not None:
        _set_holds(event, holds)
    db.session.flush()
    if changed and not event.cancelled:
        event.sequence += 1
        for booking in bookings_of(event, BookingStatus.BOOKED):
            _send_calendar(booking, "REQUEST", "session_changed", now, changed=changed)
        if "time" in changed or "place" in changed:
            for booking in bookings_of(event, BookingStatus.WAITLISTED):
                _send_plain(booking.user, "waitlist_session_changed", booking, changed=changed)
    promoted = promote(event, now) if not event.cancelled else []
    db.session.flush()
    return SessionChange(changed, promoted)


def _set_holds(event: Event, holds: list[tuple]) -> None:
    """Replace the held places with [(sector, places, until)]."""
    wanted = {sector: (places, until) for sector, places, until in holds}
    for hold in list(event.holds):
        if hold.sector not in wanted:
            event.holds.remove(hold)
    existing = {hold.sector: hold for hold in event.holds}
    for sector, (places, until) in wanted.items():
        hold = existing.get(sector) or HeldPlaces(sector=sector)
        if hold.places != places or hold.until != until:
            hold.places, hold.until, hold.released_at = places, until, None
        if sector not in existing:
            event.holds.append(hold)


def cancel_event(event: Event, by: User | None, reason: str, now: datetime) -> int:
    """Cancel the session: every booking ends, the booked get a calendar cancellation, the waiting are told."""
    event.cancelled_at, event.cancelled_reason = now, reason
    event.sequence += 1
    told = 0
    for booking in bookings_of(event, BookingStatus.BOOKED):
        _change(booking, BookingStatus.CANCELLED, by, now, note=f"session cancelled: {reason}")
        _send_calendar(booking, "CANCEL", "session_cancelled", now, reason=reason)
        told += 1
    for booking in bookings_of(event, BookingStatus.WAITLISTED):
        _change(booking, BookingStatus.CANCELLED, by, now, note=f"session cancelled: {reason}")
        _send_plain(booking.user, "session_cancelled_waiting", booking, reason=reason)
        told += 1
    db.session.flush()
    return told


def bookings_of(event: Event, *statuses: BookingStatus) -> list[Booking]:
    """The session's bookings in these states, with each person and their organisation."""
    return list(db.session.scalars(
        select(Booking).where(Booking.event_id == event.id, Booking.status.in_(statuses))
        .options(joinedload(Booking.user).joinedload(User.organisation)).order_by(Booking.id)
    ))


# --- bookings ---

def booking_problem(event: Event, now: datetime) -> str | None:
    """Why nobody can book this session now (cancelled, started, closed), or None."""
    return rules.booking_problem(cancelled=event.cancelled, starts_at=event.starts_at,
                                 booking_deadline=event.booking_deadline, now=now)


def booking_for(event: Event, person: User) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.event_id == event.id, Booking.user_id == person.id))


def book(event: Event, person: User, by: User | None, now: datetime) -> Booking:
    """A place if the session and its agency mix allow, otherwise the waiting list with the reason.

    The caller holds the session's lock. A person already booked or waiting keeps what they have."""
    problem = booking_problem(event, now)
    if problem:
        raise BookingRefused(problem)
    booking = booking_for(event, person)
    if booking is not None and booking.status in (*ACTIVE, BookingStatus.ATTENDED):
        return booking
    reason = _placement(event, taken_on(event), person, now)
    if booking is None:
        booking = Booking(event=event, user=person, status=None)
        db.session.add(booking)
    booking.reason = reason or ""
    booking.late_cancellation = False
    if reason:
        booking.waitlisted_at = now
        _change(booking, BookingStatus.WAITLISTED, by, now, note=reason)
        db.session.flush()
        _send_plain(person, "waitlisted", booking, by=by)
    else:
        _change(booking, BookingStatus.BOOKED, by, now)
        db.session.flush()
        _send_calendar(booking, "REQUEST", "booked", now, by=by)
    db.session.flush()
    return booking


def cancel_booking(booking: Booking, by: User | None, now: datetime, note: str = "") -> list[Booking]:
    """Give up a place or leave the waiting list. A freed place goes to the waiting list at once."""
    was = booking.status
    if was not in ACTIVE:
        raise BookingRefused(f"This booking is {was.label.lower()}; there is nothing to cancel")
    event = booking.event
    if event.starts_at <= now:
        raise BookingRefused("The session has already started; mark attendance on the register instead")
    booking.late_cancellation = was == BookingStatus.BOOKED and rules.is_late_cancellation(event.cancellation_cutoff, now)
    _change(booking, BookingStatus.CANCELLED, by, now, note=note or ("late cancellation" if booking.late_cancellation else ""))
    db.session.flush()
    if was == BookingStatus.BOOKED:
        event.sequence += 1
        _send_calendar(booking, "CANCEL", "booking_cancelled", now, by=by)
        return promote(event, now)
    _send_plain(booking.user, "waitlist_left", booking, by=by)
    return []


def promote(event: Event, now: datetime) -> list[Booking]:
    """Fill free places from the waiting list: those whose requirement expires soonest first, each
    only if they fit the agency mix; they and their manager are told. The caller holds the lock."""
    if event.cancelled or event.starts_at <= now:
        return []
    waiting = {b.id: b for b in bookings_of(event, BookingStatus.WAITLISTED)}
    if not waiting:
        return []
    requirement_ids = [r.id for r in event.requirements]
    expiries = latest_expiries([b.user_id for b in waiting.values()], requirement_ids)

    def due(booking: Booking):
        dates = [expiries.get((booking.user_id, r)) for r in requirement_ids]
        return None if not dates or None in dates else min(dates)

    order = rules.waitlist_order(
        rules.Waiting(b.id, due(b), b.waitlisted_at or b.created_at) for b in waiting.values())
    taken = taken_on(event)
    promoted = []
    while taken.total < event.capacity:
        for entry in order:
            booking = waiting[entry.booking_id]
            if _placement(event, taken, booking.user, now) is None:
                break
        else:
            break
        order.remove(entry)
        taken.add(booking.user.organisation.sector.value, booking.user.organisation_id)
        booking.reason = ""
        _change(booking, BookingStatus.BOOKED, None, now, note="promoted from the waiting list")
        promoted.append(booking)
    db.session.flush()
    for booking in promoted:
        _send_calendar(booking, "REQUEST", "promoted", now)
        if booking.user.manager is not None:
            _send_plain(booking.user.manager, "promoted_manager", booking)
    return promoted


def release_held_places(now: datetime) -> list[Booking]:
    """Held places past their date go to the waiting list (cron, any host: each session is locked)."""
    due = db.session.execute(
        select(HeldPlaces.id, HeldPlaces.event_id).where(HeldPlaces.until <= now, HeldPlaces.released_at.is_(None))
    ).all()
    promoted = []
    for event_id, event in lock_events(event_id for _, event_id in due).items():
        for hold in event.holds:
            if hold.until <= now and hold.released_at is None:
                hold.released_at = now
        promoted += promote(event, now)
    return promoted


# --- attendance ---

def is_walk_in(was: BookingStatus | None, attended: bool) -> bool:
    """Someone marked as attending who held no place: they came without booking, or off the waiting list."""
    return attended and was not in HOLDING


def mark_attendance(event: Event, person: User, attended: bool, by: User | None, now: datetime) -> Booking:
    """Record who came. Attending records a completion of each of the session's requirements, dated the
    session's day, and knowledge evidence towards each of its DANOS units; a correction to "did not attend"
    withdraws them; a no-show is reported to the manager.
    Someone who came without booking (a walk-in) is recorded as attended."""
    if event.starts_at > now:
        raise BookingRefused("The session has not started yet, so attendance cannot be marked")
    booking = booking_for(event, person)
    if booking is None:
        booking = Booking(event=event, user=person, status=None)
        db.session.add(booking)
    wanted = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    if booking.status == wanted:
        return booking
    was = booking.status
    _change(booking, wanted, by, now, note="walk-in: came without a place" if is_walk_in(was, attended) else "")
    db.session.flush()
    if attended:
        day = event.starts_at.astimezone(LONDON).date()
        for requirement in event.requirements:
            completion = record_completion(person.id, requirement, day, "event",
                                           note=f"Attended {event.title} ({event.code})",
                                           recorded_by_id=by.id if by else None)
            db.session.add(AttendanceCompletion(booking_id=booking.id, completion_id=completion.id))
        competencies.add_session_evidence(person.id, event.danos_units, day, f"Attended {event.title} ({event.code})",
                                          booking.id, by.id if by else None)
    else:
        if was == BookingStatus.ATTENDED:
            for link in db.session.scalars(select(AttendanceCompletion).where(AttendanceCompletion.booking_id == booking.id)):
                if link.completion.superseded_at is None:
                    supersede(link.completion, "register corrected: did not attend", by)
            competencies.set_aside_session_evidence(booking.id, "register corrected: did not attend",
                                                    by.id if by else None)
        if person.manager is not None:
            _send_plain(person.manager, "no_show_manager", booking)
    db.session.flush()
    return booking


# --- calendar feeds ---

def feed_of(person: User) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, person.id)
    if feed is None:
        feed = CalendarFeed(user_id=person.id, version=1)
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(person: User) -> CalendarFeed:
    """A new feed address; the old one stops working at once."""
    feed = feed_of(person)
    feed.version += 1
    db.session.flush()
    return feed
