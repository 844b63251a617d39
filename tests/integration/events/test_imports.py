"""A programme, bookings and registers from spreadsheets: checked whole first, line-numbered problems, nothing half-done."""
import icalendar
from sqlalchemy import select

from lms.accounts.models import Sector
from lms.clock import london_date
from lms.compliance.models import Completion
from lms.events.models import Booking, BookingStatus, Event
from lms.extensions import db
from lms.notify.models import OutboxMessage

HEADER = "code,title,requirements,starts_at,ends_at,venue,capacity,online_link,booking_deadline,self_booking,max_sector_percent,cancelled\n"


def run(runner, tmp_path, kind, text):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    return runner.invoke(args=["import", kind, str(path)])


def test_programme_imports_and_reimport_with_a_new_time_updates_everyone_booked(runner, tmp_path, requirement, make_person, orgs):
    result = run(runner, tmp_path, "events", HEADER +
                 "HH-2027-03,Hidden Harm multi-agency day,safeguarding-children-l2,2027-03-02 09:30,2027-03-02 16:00,\"Civic Centre, Room 2\",12,,2027-02-23 17:00,yes,50,no\n"
                 "HH-2020-01,Hidden Harm day (history),,2020-01-14 09:30,2020-01-14 16:00,Civic Centre,20,,,,,no\n")
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    event = db.session.scalar(select(Event).where(Event.code == "HH-2027-03"))
    assert (event.capacity, event.self_booking, event.max_sector_percent) == (12, True, 50)
    assert [r.slug for r in event.requirements] == ["safeguarding-children-l2"]
    assert event.starts_at.isoformat() == "2027-03-02T09:30:00+00:00"  # GMT in March before the clocks change

    person = make_person(org=orgs[Sector.HEALTH])
    result = run(runner, tmp_path, "bookings", f"event,employee_id,action\nHH-2027-03,{person.employee_id},book\n")
    assert f"line 2: {person.employee_id}: booked" in result.output

    moved = HEADER + "HH-2027-03,Hidden Harm multi-agency day,safeguarding-children-l2,2027-03-02 10:00,2027-03-02 16:00,\"Civic Centre, Room 2\",12,,2027-02-23 17:00,yes,50,no\n"
    result = run(runner, tmp_path, "events", moved)
    assert result.exit_code == 0 and "1 updated" in result.output and "time changed" in result.output
    update = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == person.email)
                                .order_by(OutboxMessage.id.desc())).first()
    vevent = icalendar.Calendar.from_ical(update.attachments[0]["data"]).walk("VEVENT")[0]
    assert int(vevent["SEQUENCE"]) == 1 and str(vevent["UID"]) == event.uid
    assert "1 unchanged" in run(runner, tmp_path, "events", moved).output  # the same file again changes nothing


def test_a_bad_programme_changes_nothing_and_names_every_problem(runner, tmp_path, requirement):
    result = run(runner, tmp_path, "events", HEADER +
                 "A1,Good,safeguarding-children-l2,2027-03-02 09:30,2027-03-02 16:00,Hall,10,,,,,\n"
                 "A1,Duplicate,,2027-03-03 09:30,2027-03-03 16:00,Hall,10,,,,,\n"
                 "B2,Backwards,nope,2027-03-04 16:00,2027-03-04 09:00,,0,http://x,,maybe,5,\n"
                 "C3,Clock change,,2027-03-28 01:30,2027-03-28 03:00,Hall,10,,,,,\n")
    assert result.exit_code == 1
    for problem in ("line 3: code: 'A1' is also on line 2", "line 4: requirements: no requirement 'nope'",
                    "line 4: ends_at: must be after starts_at", "line 4: capacity: '0' must be a whole number from 1 to 500",
                    "line 4: online_link: must start https://", "line 4: self_booking: 'maybe' must be yes or no",
                    "line 4: max_sector_percent: '5' must be a whole number from 10 to 100",
                    "line 5: starts_at: 01:30 on 28 March 2027 does not exist in London"):
        assert problem in result.output, result.output
    assert db.session.scalar(select(Event)) is None


def test_capacity_below_places_taken_is_refused_with_the_numbers(runner, tmp_path, make_event, make_person, orgs):
    from tests.integration.events.conftest import book

    event = make_event(capacity=3)
    for _ in range(3):
        book(event, make_person(org=orgs[Sector.HEALTH]))
    start, end = event.starts_at.strftime("%Y-%m-%d %H:%M"), event.ends_at.strftime("%Y-%m-%d %H:%M")
    result = run(runner, tmp_path, "events", f"code,title,requirements,starts_at,ends_at,venue,capacity\n{event.code},{event.title},,{start},{end},Hall,2\n")
    assert result.exit_code == 1 and "line 2: capacity: 2 is below the 3 places already taken" in result.output


def test_bookings_import_prints_each_row_and_refuses_unknowns(runner, tmp_path, make_event, make_person, orgs):
    event = make_event(capacity=1)
    a, b = make_person(org=orgs[Sector.HEALTH]), make_person(org=orgs[Sector.HEALTH])
    result = run(runner, tmp_path, "bookings", f"event,employee_id,action\n{event.code},{a.employee_id},book\n{event.code},{b.employee_id},\n")
    assert result.exit_code == 0
    assert f"line 2: {a.employee_id}: booked" in result.output
    assert f"line 3: {b.employee_id}: waitlisted (All 1 places are taken)" in result.output
    assert "1 booked, 1 waitlisted" in result.output
    result = run(runner, tmp_path, "bookings", f"event,employee_id,action\n{event.code},{a.employee_id},cancel\n")
    assert f"line 2: {a.employee_id}: cancelled" in result.output
    assert db.session.scalar(select(Booking).where(Booking.user_id == b.id)).status == BookingStatus.BOOKED  # promoted

    bad = run(runner, tmp_path, "bookings", f"event,employee_id,action\nNOPE,{a.employee_id},book\n{event.code},X999,book\n{event.code},{a.employee_id},maybe\n")
    assert bad.exit_code == 1
    assert "line 2: event: no session with code 'NOPE'" in bad.output
    assert "line 3: employee_id: no person with employee number 'X999'" in bad.output
    assert "line 4: action: 'maybe' must be book or cancel" in bad.output


def test_attendance_import_records_completions_and_walk_ins(runner, tmp_path, make_event, make_person, orgs, requirement):
    from datetime import timedelta

    from lms.db import utcnow
    from tests.integration.events.conftest import book

    event = make_event(capacity=5, requirements=[requirement])
    came, stayed_away = make_person(org=orgs[Sector.HEALTH]), make_person(org=orgs[Sector.HEALTH])
    walk_in = make_person(org=orgs[Sector.CHILDREN])
    book(event, came), book(event, stayed_away)
    event.starts_at, event.ends_at = utcnow() - timedelta(days=2, hours=6), utcnow() - timedelta(days=2)
    db.session.commit()
    result = run(runner, tmp_path, "attendance", f"event,employee_id,attended\n{event.code},{came.employee_id},yes\n"
                                                 f"{event.code},{stayed_away.employee_id},no\n{event.code},{walk_in.employee_id},yes\n")
    assert result.exit_code == 0, result.output
    assert f"line 4: {walk_in.employee_id}: walk-in, attended" in result.output
    completions = db.session.scalars(select(Completion).where(Completion.source == "event")).all()
    assert sorted(c.user_id for c in completions) == sorted([came.id, walk_in.id])
    assert {c.completed_on for c in completions} == {london_date(event.starts_at)}
