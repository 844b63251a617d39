"""Reads for sessions: the programme, one session's mix and bookings, a person's bookings, attendance rates."""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Organisation, Sector, User
from lms.accounts.queries import listed_people, name_matches, visible_people
from lms.compliance.models import Requirement
from lms.events import rules
from lms.events.models import HOLDING, Booking, BookingChange, BookingStatus, Event, HeldPlaces, event_requirements
from lms.extensions import db
from lms.paging import Page, paged


def _counts():
    """Per session: places held and people waiting."""
    return (
        select(Booking.event_id,
               func.sum(case((Booking.status.in_(HOLDING), 1), else_=0)).label("taken"),
               func.sum(case((Booking.status == BookingStatus.WAITLISTED, 1), else_=0)).label("waiting"))
        .group_by(Booking.event_id).subquery()
    )


@dataclass
class Listing:
    event: Event
    taken: int
    waiting: int

    @property
    def places_left(self) -> int:
        return max(0, self.event.capacity - self.taken)


def programme(now: datetime, *, requirement: Requirement | None = None, past: bool = False,
              include_cancelled: bool = False, page: int = 1, per_page: int = 25) -> Page:
    """Sessions in date order (upcoming, or past newest first) with places taken and waiting, paged in SQL."""
    counts = _counts()
    query = (
        select(Event, func.coalesce(counts.c.taken, 0), func.coalesce(counts.c.waiting, 0))
        .outerjoin(counts, counts.c.event_id == Event.id)
        .options(selectinload(Event.requirements))
    )
    query = query.where(Event.starts_at < now).order_by(Event.starts_at.desc()) if past else \
        query.where(Event.starts_at >= now).order_by(Event.starts_at, Event.id)
    if not include_cancelled:
        query = query.where(Event.cancelled_at.is_(None))
    if requirement is not None:
        query = query.where(Event.id.in_(
            select(event_requirements.c.event_id).where(event_requirements.c.requirement_id == requirement.id)))
    found = paged(query, page, per_page)
    return replace(found, items=[Listing(event, taken, waiting) for event, taken, waiting in found.items])


def places_taken() -> dict[int, int]:
    """Places held on every session that has any, by session id, in one query."""
    return dict(db.session.execute(
        select(Booking.event_id, func.count()).where(Booking.status.in_(HOLDING)).group_by(Booking.event_id)).all())


def listing_of(event: Event) -> Listing:
    counts = _counts()
    taken, waiting = db.session.execute(
        select(func.coalesce(counts.c.taken, 0), func.coalesce(counts.c.waiting, 0))
        .select_from(Event).outerjoin(counts, counts.c.event_id == Event.id).where(Event.id == event.id)
    ).one()
    return Listing(event, taken, waiting)


def event_by_code(code: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.code == code))


def mix_of(event: Event) -> rules.Mix:
    return rules.Mix(
        capacity=event.capacity, max_sector_percent=event.max_sector_percent,
        max_organisation_percent=event.max_organisation_percent, min_sectors=event.min_sectors,
        holds=tuple(rules.Hold(h.sector.value, h.places, h.until) for h in event.holds),
    )


def taken_on(event: Event) -> rules.Taken:
    """The places held now, counted by sector and organisation in one query."""
    taken = rules.Taken()
    for sector, organisation_id, count in db.session.execute(
        select(Organisation.sector, User.organisation_id, func.count())
        .select_from(Booking).join(User, User.id == Booking.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Booking.event_id == event.id, Booking.status.in_(HOLDING))
        .group_by(Organisation.sector, User.organisation_id)
    ):
        taken.by_sector[sector.value] += count
        taken.by_organisation[organisation_id] += count
    return taken


@dataclass
class MixBar:
    label: str
    taken: int
    limit: int | None  # the most this sector may take, if capped
    held: int  # places held for it now, if any


def active_holds(event: Event, now: datetime) -> list[HeldPlaces]:
    """The session's places still held for a sector, as the booking rules see them."""
    active = {hold.sector for hold in rules.active_holds(mix_of(event), now)}
    return [hold for hold in event.holds if hold.sector.value in active]


def mix_bars(event: Event, now: datetime) -> list[MixBar]:
    """Places taken by sector, for the mix chart: every sector with a place or a hold."""
    taken = taken_on(event).by_sector
    held = {hold.sector: hold.places for hold in rules.active_holds(mix_of(event), now)}
    limit = rules.share_limit(event.capacity, event.max_sector_percent) if event.max_sector_percent else None
    return [MixBar(sector.label, taken[sector.value], limit, held.get(sector.value, 0))
            for sector in Sector if taken[sector.value] or held.get(sector.value)]


def bookings_seen_by(viewer: User, event: Event, *statuses: BookingStatus) -> list[Booking]:
    """The bookings of this session for the people the viewer may see, in waiting-list then name order."""
    visible = visible_people(viewer).with_only_columns(User.id)
    query = (
        select(Booking).join(User, User.id == Booking.user_id)
        .where(Booking.event_id == event.id, Booking.user_id.in_(visible))
        .options(joinedload(Booking.user).joinedload(User.organisation), joinedload(Booking.user).joinedload(User.manager))
        .order_by(Booking.waitlisted_at.is_(None), Booking.waitlisted_at, User.family_name, User.given_name)
    )
    if statuses:
        query = query.where(Booking.status.in_(statuses))
    return list(db.session.scalars(query))


def bookings_of_person(person: User) -> list[Booking]:
    """All of a person's bookings, soonest session first."""
    return list(db.session.scalars(
        select(Booking).join(Event, Event.id == Booking.event_id).where(Booking.user_id == person.id)
        .options(joinedload(Booking.event).selectinload(Event.requirements))
        .order_by(Event.starts_at.desc())
    ))


def feed_bookings(person: User) -> list[Booking]:
    """What the person's calendar feed holds: sessions they have a place on or attended."""
    return list(db.session.scalars(
        select(Booking).join(Event, Event.id == Booking.event_id)
        .where(Booking.user_id == person.id, Booking.status.in_((BookingStatus.BOOKED, BookingStatus.ATTENDED)),
               Event.cancelled_at.is_(None))
        .options(joinedload(Booking.event)).order_by(Event.starts_at)
    ))


def bookable_people(viewer: User, event: Event, *, search: str = "", page: int = 1) -> Page:
    """People the viewer may book onto the session (a manager's reports; anyone active for a coordinator),
    with their booking on it if any, paged in SQL."""
    booking = (select(Booking.user_id, Booking.status).where(Booking.event_id == event.id).subquery())
    query = (
        listed_people(viewer).add_columns(booking.c.status)
        .outerjoin(booking, booking.c.user_id == User.id)
        .where(User.active)
        .options(joinedload(User.organisation), joinedload(User.job_role), joinedload(User.team))
        .order_by(User.family_name, User.given_name, User.id)
    )
    if search:
        query = query.where(name_matches(search))
    return paged(query, page)


@dataclass
class AttendanceRate:
    organisation: Organisation
    places: int  # bookings that reached the day: attended or no-show
    no_shows: int
    bookings: int  # every place held, including those cancelled later (walk-ins count: they had a place)
    late_cancellations: int

    @staticmethod
    def rate(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "n/a"


def attendance_rates(since: datetime, until: datetime) -> list[AttendanceRate]:
    """No-shows and late cancellations per organisation for sessions in a period, in one query."""
    in_period = and_(Event.starts_at >= since, Event.starts_at < until, Event.cancelled_at.is_(None))
    rows = db.session.execute(
        select(Organisation,
               func.sum(case((Booking.status.in_((BookingStatus.ATTENDED, BookingStatus.NO_SHOW)), 1), else_=0)),
               func.sum(case((Booking.status == BookingStatus.NO_SHOW, 1), else_=0)),
               func.count(Booking.id),
               func.sum(case((Booking.late_cancellation, 1), else_=0)))
        .select_from(Booking).join(Event, Event.id == Booking.event_id).join(User, User.id == Booking.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        # Places that were held at some time: a wait that ended in cancellation never was one.
        .where(in_period, Booking.id.in_(select(BookingChange.booking_id).where(BookingChange.to_status == BookingStatus.BOOKED))
               | Booking.status.in_((BookingStatus.ATTENDED, BookingStatus.NO_SHOW)))
        .group_by(Organisation.id).order_by(Organisation.name)
    ).all()
    return [AttendanceRate(org, int(places or 0), int(no_shows or 0), int(bookings), int(late or 0))
            for org, places, no_shows, bookings, late in rows]


def upcoming_for(person: User, now: datetime, limit: int = 3) -> list[Booking]:
    """The person's next sessions with a place or on a waiting list, soonest first."""
    return list(db.session.scalars(
        select(Booking).join(Event, Event.id == Booking.event_id)
        .where(Booking.user_id == person.id, Booking.status.in_((BookingStatus.BOOKED, BookingStatus.WAITLISTED)),
               Event.starts_at >= now, Event.cancelled_at.is_(None))
        .options(joinedload(Booking.event)).order_by(Event.starts_at).limit(limit)
    ))
