"""Imports of a session programme, bookings and typed-up registers (DESIGN §5)."""
import re
from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.queries import users_by_email
from lms.clock import LocalTimeError, london_datetime
from lms.competencies.queries import current_references, unknown_units
from lms.compliance.models import Requirement
from lms.compliance.queries import CHUNK
from lms.db import utcnow
from lms.events import rules, services
from lms.events.models import BookingStatus, Event
from lms.events.queries import places_taken
from lms.extensions import db
from lms.importing import TEXT_LIMIT, ImportReport, check_required, csv_rows, importer, limit_of, parse_yes_no

# Short fields get room for a wrong value, so the row's own check can say what is wrong with it.
SHORT = 40
EVENT_COLUMNS = {"code": limit_of(Event.code), "title": limit_of(Event.title), "requirements": TEXT_LIMIT,
                 "starts_at": SHORT, "ends_at": SHORT, "venue": limit_of(Event.venue), "capacity": SHORT}
EVENT_OPTIONAL = {"online_link": limit_of(Event.online_link), "booking_deadline": SHORT, "self_booking": SHORT,
                  "max_sector_percent": SHORT, "max_organisation_percent": SHORT, "min_sectors": SHORT,
                  "cancelled": SHORT, "description": limit_of(Event.description), "cancellation_cutoff": SHORT,
                  "danos_units": 200, "trainers": TEXT_LIMIT}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{1,2}):(\d{2})$")


def _moment(report: ImportReport, line: int, column: str, value: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM`, London time."""
    match = TIME.match(value)
    if not match:
        report.problem(line, column, f"{value!r} is not a time in the form YYYY-MM-DD HH:MM")
        return None
    try:
        day = datetime.strptime(match.group(1), "%Y-%m-%d").date()
        return london_datetime(day, int(match.group(2)), int(match.group(3)))
    except LocalTimeError as error:
        report.problem(line, column, str(error))
    except ValueError:
        report.problem(line, column, f"{value!r} is not a real date and time")
    return None


def _emails(value: str) -> list[str]:
    return [email.strip().lower() for email in value.split(",") if email.strip()]


def _whole(report: ImportReport, line: int, column: str, value: str, low: int, high: int) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        report.problem(line, column, f"{value!r} must be a whole number from {low} to {high}")
        return None
    return int(value)


def _yes_no(report: ImportReport, line: int, column: str, value: str, default: bool) -> bool:
    return default if not value else bool(parse_yes_no(report, line, column, value))


@importer("events", "Sessions programme (CSV: " + ",".join(EVENT_COLUMNS) + ", and optional columns)")
def import_events(text: str) -> ImportReport:
    """Sessions upserted by code. A changed time, place or details re-invites everyone booked."""
    report = ImportReport("events")
    existing = {e.code: e for e in db.session.scalars(select(Event))}
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    units = current_references()
    rows = csv_rows(text, EVENT_COLUMNS, EVENT_OPTIONAL)
    trainers_by_email = users_by_email({e for _, row in rows for e in _emails(row["trainers"])})
    taken_by_event = places_taken()
    seen: dict[str, int] = {}
    planned = []
    for line, row in rows:
        before = len(report.problems)
        check_required(report, line, row, {"code", "title", "starts_at", "ends_at", "capacity"})
        code = row["code"]
        if code and not CODE.match(code):
            report.problem(line, "code", "use letters, digits, dots, dashes or underscores")
        if code in seen:
            report.problem(line, "code", f"{code!r} is also on line {seen[code]}")
        seen[code] = line
        wanted = []
        for slug in row["requirements"].split():
            if slug not in requirements:
                report.problem(line, "requirements", f"no requirement {slug!r}")
            else:
                wanted.append(requirements[slug])
        starts = _moment(report, line, "starts_at", row["starts_at"]) if row["starts_at"] else None
        ends = _moment(report, line, "ends_at", row["ends_at"]) if row["ends_at"] else None
        if starts and ends and ends <= starts:
            report.problem(line, "ends_at", "must be after starts_at")
        deadline = _moment(report, line, "booking_deadline", row["booking_deadline"]) if row["booking_deadline"] else None
        cutoff = _moment(report, line, "cancellation_cutoff", row["cancellation_cutoff"]) if row["cancellation_cutoff"] else None
        for column, moment in (("booking_deadline", deadline), ("cancellation_cutoff", cutoff)):
            if moment and starts and moment > starts:
                report.problem(line, column, "must be before the session starts")
        if not row["venue"] and not row["online_link"]:
            report.problem(line, "venue", "give the venue address or an online_link")
        if row["online_link"] and not row["online_link"].startswith("https://"):
            report.problem(line, "online_link", "must start https://")
        capacity = _whole(report, line, "capacity", row["capacity"], *rules.CAPACITY)
        trainers = []
        for email in _emails(row["trainers"]):
            person = trainers_by_email.get(email)
            if person is None:
                report.problem(line, "trainers", f"no person with email {email!r}")
            trainers.append(person)
        values = {
            "title": row["title"], "description": row["description"], "starts_at": starts, "ends_at": ends,
            "venue": row["venue"], "online_link": row["online_link"], "capacity": capacity,
            "booking_deadline": deadline, "cancellation_cutoff": cutoff,
            "self_booking": _yes_no(report, line, "self_booking", row["self_booking"], False),
            "max_sector_percent": _whole(report, line, "max_sector_percent", row["max_sector_percent"], *rules.MAX_SECTOR_PERCENT),
            "max_organisation_percent": _whole(report, line, "max_organisation_percent", row["max_organisation_percent"],
                                               *rules.MAX_ORGANISATION_PERCENT),
            "min_sectors": _whole(report, line, "min_sectors", row["min_sectors"], *rules.MIN_SECTORS),
            "danos_units": rules.unit_codes(row["danos_units"]),
        }
        for problem in unknown_units(values["danos_units"], units):
            report.problem(line, "danos_units", problem)
        cancelled = _yes_no(report, line, "cancelled", row["cancelled"], False)
        event = existing.get(code)
        if event is not None and capacity is not None and not event.cancelled:
            taken = taken_by_event.get(event.id, 0)
            if capacity < taken:
                report.problem(line, "capacity", f"{capacity} is below the {taken} places already taken; "
                                                                 "cancel bookings first")
        if event is not None and event.cancelled and not cancelled:
            report.problem(line, "cancelled", f"{code} was cancelled and cannot be reinstated; "
                                                              "give the session a new code")
        if len(report.problems) == before:
            planned.append((code, values, wanted, trainers, cancelled))
    if not report.ok:
        return report

    now = utcnow()
    locked = services.lock_events(existing[code].id for code, *_ in planned if code in existing)
    for code, values, wanted, trainers, cancelled in planned:
        event = locked[existing[code].id] if code in existing else services.new_event(code)
        fresh = code not in existing
        if not fresh and event.cancelled:
            report.count("unchanged")
            continue
        before = _snapshot(event)
        change = services.save_event(event, values, now, requirements=wanted, trainers=trainers)
        if cancelled:
            services.cancel_event(event, None, "cancelled in the programme", now)
            report.count("cancelled")
        elif fresh:
            report.count("created")
        elif change.changed or _snapshot(event) != before:
            report.count("updated")
            if change.changed:
                report.lines.append(f"{code}: {' and '.join(change.changed)} changed; update sent to everyone booked")
        else:
            report.count("unchanged")
    db.session.flush()
    return report


def _snapshot(event: Event) -> tuple:
    return tuple(getattr(event, column.key) for column in Event.__table__.columns if column.key not in {"updated_at", "sequence"}) \
        + (tuple(r.id for r in event.requirements), tuple(t.id for t in event.trainers))


@importer("bookings", "Bookings (CSV: event, employee_id, action book or cancel)")
def import_bookings(text: str) -> ImportReport:
    """Book or cancel in file order, each row under its session's lock: capacity and the agency mix hold
    however many imports and web bookings run at once."""
    report = ImportReport("bookings")
    now = utcnow()
    events = {e.code: e for e in db.session.scalars(select(Event))}
    planned, seen = [], {}
    rows = csv_rows(text, {"event": limit_of(Event.code), "employee_id": limit_of(User.employee_id)}, {"action": SHORT})
    people = _people(rows)
    for line, row in rows:
        check_required(report, line, row, {"event", "employee_id"})
        event = events.get(row["event"])
        if row["event"] and event is None:
            report.problem(line, "event", f"no session with code {row['event']!r}")
        person = _person(report, line, row["employee_id"], people)
        action = (row["action"] or "book").lower()
        if action not in {"book", "cancel"}:
            report.problem(line, "action", f"{row['action']!r} must be book or cancel")
        key = (row["event"], row["employee_id"])
        if key in seen:
            report.problem(line, "employee_id", f"{row['employee_id']} is also on line {seen[key]} for this session")
        seen[key] = line
        if event is not None and action == "book":
            problem = services.booking_problem(event, now)
            if problem:
                report.problem(line, "event", f"{row['event']}: {problem.lower()}")
        planned.append((line, event, person, action))
    if not report.ok:
        return report

    locked = services.lock_events(event.id for _, event, _, _ in planned)
    for line, event, person, action in planned:
        event = locked[event.id]
        booking = services.booking_for(event, person)
        if action == "cancel":
            if booking is None or booking.status not in services.ACTIVE:
                report.lines.append(f"line {line}: {person.employee_id}: not booked, nothing to cancel")
                report.count("unchanged")
                continue
            services.cancel_booking(booking, None, now, note="cancelled by import")
            report.lines.append(f"line {line}: {person.employee_id}: cancelled")
            report.count("cancelled")
            continue
        if booking is not None and booking.status in (*services.ACTIVE, BookingStatus.ATTENDED):
            report.lines.append(f"line {line}: {person.employee_id}: already {booking.status.label.lower()}")
            report.count("unchanged")
            continue
        try:
            booking = services.book(event, person, None, now)
        except services.BookingRefused as error:
            report.problem(line, "event", str(error))
            return report
        if booking.status == BookingStatus.WAITLISTED:
            report.lines.append(f"line {line}: {person.employee_id}: waitlisted ({booking.reason})")
            report.count("waitlisted")
        else:
            report.lines.append(f"line {line}: {person.employee_id}: booked")
            report.count("booked")
    return report


def _people(rows: list[tuple[int, dict]]) -> dict[str, User]:
    """The people a file names, by employee number, in one query a thousand."""
    ids = sorted({row["employee_id"] for _, row in rows if row["employee_id"]})
    people = {}
    for start in range(0, len(ids), CHUNK):
        people.update((u.employee_id, u) for u in db.session.scalars(
            select(User).where(User.employee_id.in_(ids[start:start + CHUNK]))))
    return people


def _person(report: ImportReport, line: int, employee_id: str, people: dict[str, User], *,
            must_be_active: bool = True) -> User | None:
    if not employee_id:
        return None
    person = people.get(employee_id)
    if person is None:
        report.problem(line, "employee_id", f"no person with employee number {employee_id!r}")
    elif must_be_active and not person.is_active:
        report.problem(line, "employee_id", f"{employee_id} has left")
    return person


@importer("attendance", "Attendance from a paper register (CSV: event, employee_id, attended yes or no)")
def import_attendance(text: str) -> ImportReport:
    """Who came. Someone on the register who had not booked (a walk-in) is recorded as attended."""
    report = ImportReport("attendance")
    now = utcnow()
    events = {e.code: e for e in db.session.scalars(select(Event))}
    planned, seen = [], {}
    rows = csv_rows(text, {"event": limit_of(Event.code), "employee_id": limit_of(User.employee_id), "attended": SHORT})
    people = _people(rows)
    for line, row in rows:
        check_required(report, line, row, {"event", "employee_id", "attended"})
        event = events.get(row["event"])
        if row["event"] and event is None:
            report.problem(line, "event", f"no session with code {row['event']!r}")
        elif event is not None and event.cancelled:
            report.problem(line, "event", f"{row['event']} was cancelled")
        elif event is not None and event.starts_at > now:
            report.problem(line, "event", f"{row['event']} has not started yet")
        # Someone who has left since may still be on an old register.
        person = _person(report, line, row["employee_id"], people, must_be_active=False)
        attended = parse_yes_no(report, line, "attended", row["attended"]) if row["attended"] else None
        key = (row["event"], row["employee_id"])
        if key in seen:
            report.problem(line, "employee_id", f"{row['employee_id']} is also on line {seen[key]} for this session")
        seen[key] = line
        planned.append((line, event, person, attended))
    if not report.ok:
        return report

    locked = services.lock_events(event.id for _, event, _, _ in planned)
    for line, event, person, attended in planned:
        event = locked[event.id]
        before = services.booking_for(event, person)
        was = before.status if before else None
        booking = services.mark_attendance(event, person, attended, None, now)
        if booking.status == was:
            outcome, count = "already recorded", "unchanged"
        elif services.is_walk_in(was, attended):
            outcome, count = "walk-in, attended", "attended"
        else:
            outcome, count = ("attended", "attended") if attended else ("did not attend", "did not attend")
        report.lines.append(f"line {line}: {person.employee_id}: {outcome}")
        report.count(count)
    return report
