"""Session pages through the browser's eyes: who may see and do what, and what each page says."""
import re
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import Role, Sector
from lms.compliance.models import Completion, RoleRequirement
from lms.compliance.services import statuses
from lms.db import utcnow
from lms.events.models import Booking, BookingStatus, Event
from lms.extensions import db
from lms.notify.models import OutboxMessage
from tests.integration.events.conftest import book


def date_fields(prefix, day):
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def test_coordinator_publishes_a_session_with_an_agency_mix(client, login_as, make_person, orgs, requirement, framework):
    coordinator = make_person(org=orgs[Sector.CHILDREN], roles=[Role.COORDINATOR])
    login_as(coordinator)
    day = (utcnow() + timedelta(days=40)).date()
    data = {"title": "Hidden Harm: working together", "requirements": [str(requirement.id)], "start_time": "9:30am",
            "end_time": "4pm", "venue": "Riverside Civic Centre", "capacity": "12", "self_booking": "no",
            "max_sector_percent": "50", "min_sectors": "3", "hold_children": "3", "danos_units": "aa1 ab7.2014"} \
        | date_fields("starts_on", day) | date_fields("held_until_on", day - timedelta(days=14))
    response = client.post("/sessions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(Event))
    assert (event.capacity, event.max_sector_percent, event.min_sectors, event.danos_units) == (12, 50, 3, ["AA1", "AB7.2014"])
    assert [(h.sector, h.places) for h in event.holds] == [(Sector.CHILDREN, 3)]
    page = client.get(f"/sessions/{event.id}").get_data(as_text=True)
    assert "Safeguarding children (level 2)" in page and "one sector may take at most 50% of places" in page
    assert "3 places are held for Children&#39;s services" in page


def test_form_errors_use_the_error_summary(client, login_as, make_person, orgs):
    login_as(make_person(org=orgs[Sector.CHILDREN], roles=[Role.COORDINATOR]))
    day = (utcnow() + timedelta(days=40)).date()
    response = client.post("/sessions/new", data={"title": "X", "start_time": "4pm", "end_time": "9am", "capacity": "0",
                                                   "self_booking": "no", "online_link": "http://insecure"} | date_fields("starts_on", day))
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and "Places must be between 1 and 500" in page
    response = client.post("/sessions/new", data={"title": "X", "start_time": "4pm", "end_time": "9am", "capacity": "5",
                                                   "self_booking": "no", "online_link": "http://insecure"} | date_fields("starts_on", day))
    page = response.get_data(as_text=True)
    assert "End time must be after the start time" in page and "starts https://" in page
    assert db.session.scalar(select(Event)) is None


def test_manager_books_their_people_and_sees_the_cap_reason(client, login_as, make_event, make_person, orgs):
    event = make_event(capacity=2, max_sector_percent=50)
    manager = make_person(org=orgs[Sector.DRUG_ALCOHOL], roles=[Role.MANAGER])
    a, b = (make_person(org=orgs[Sector.DRUG_ALCOHOL], manager=manager) for _ in range(2))
    login_as(manager)
    page = client.get(f"/sessions/{event.id}/book").get_data(as_text=True)
    assert a.name in page and b.name in page
    response = client.post(f"/sessions/{event.id}/book", data={"person": [str(a.id), str(b.id)]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"{b.name} is on the waiting list: Drug and alcohol treatment already holds 50% of places (1 of 2)" in page
    assert {bk.user_id: bk.status for bk in db.session.scalars(select(Booking))} == {
        a.id: BookingStatus.BOOKED, b.id: BookingStatus.WAITLISTED}


def test_manager_cannot_book_or_see_people_outside_their_team(client, login_as, make_event, make_person, orgs):
    event = make_event()
    manager = make_person(org=orgs[Sector.HEALTH], roles=[Role.MANAGER])
    stranger = make_person(org=orgs[Sector.CHILDREN])
    theirs = book(event, stranger)
    login_as(manager)
    assert client.post(f"/sessions/{event.id}/book", data={"person": [str(stranger.id)]}).status_code == 404
    assert stranger.name not in client.get(f"/sessions/{event.id}").get_data(as_text=True)
    assert stranger.name not in client.get(f"/sessions/{event.id}/book?q={stranger.family_name}").get_data(as_text=True)
    assert client.post(f"/bookings/{theirs.id}/cancel").status_code == 404
    assert client.get(f"/sessions/{event.id}/register").status_code == 403
    assert client.get("/sessions/new").status_code == 403
    assert db.session.get(Booking, theirs.id).status == BookingStatus.BOOKED


def test_learner_books_themselves_only_where_allowed(client, login_as, make_event, make_person, orgs):
    open_event, managed = make_event(self_booking=True), make_event(self_booking=False)
    learner = make_person(org=orgs[Sector.HEALTH])
    login_as(learner)
    assert "Book a place" in client.get(f"/sessions/{open_event.id}").get_data(as_text=True)
    assert client.post(f"/sessions/{open_event.id}/book-me").status_code == 302
    assert "Ask your manager to book you" in client.get(f"/sessions/{managed.id}").get_data(as_text=True)
    assert client.post(f"/sessions/{managed.id}/book-me").status_code == 403
    assert client.get(f"/sessions/{managed.id}/book").status_code == 403
    [booking] = db.session.scalars(select(Booking)).all()
    assert booking.event_id == open_event.id
    assert client.post(f"/bookings/{booking.id}/cancel").status_code == 302
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_register_turns_attendance_into_completions_and_tells_the_manager_of_a_no_show(
        client, login_as, make_event, make_person, make_job_role, orgs, requirement):
    role = make_job_role("Drug and alcohol worker")
    db.session.add(RoleRequirement(job_role_id=role.id, requirement_id=requirement.id))
    db.session.commit()
    coordinator = make_person(org=orgs[Sector.CHILDREN], roles=[Role.COORDINATOR])
    manager = make_person(org=orgs[Sector.DRUG_ALCOHOL], roles=[Role.MANAGER])
    came, absent = (make_person(org=orgs[Sector.DRUG_ALCOHOL], manager=manager, job_role=role) for _ in range(2))
    event = make_event(requirements=[requirement])
    book(event, came), book(event, absent)
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=8), utcnow() - timedelta(hours=2)
    db.session.commit()
    day = utcnow().date()
    assert statuses([came], day)[came.id][0].status.status.overdue

    login_as(coordinator)
    response = client.post(f"/sessions/{event.id}/register", data={f"attended-{came.id}": "yes", f"attended-{absent.id}": "no"})
    assert response.status_code == 302
    assert not statuses([came], day)[came.id][0].status.status.overdue
    [completion] = db.session.scalars(select(Completion)).all()
    assert completion.user_id == came.id and completion.source == "event"
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == manager.email)).all()
    assert [m.subject for m in told] == [f"Did not attend: {absent.name}, {event.title}"]

    # A correction on the register withdraws the completion; the record of it stays.
    client.post(f"/sessions/{event.id}/register", data={f"attended-{came.id}": "no"})
    db.session.expire_all()
    assert db.session.get(Completion, completion.id).superseded_at is not None
    assert statuses([came], day)[came.id][0].status.status.overdue

    rates = client.get("/sessions/attendance").get_data(as_text=True)
    assert orgs[Sector.DRUG_ALCOHOL].name in rates and "100%" in rates


def test_programme_lists_places_left_and_filters_by_requirement(client, login_as, make_event, make_person, orgs, requirement):
    counted = make_event(capacity=3, title="Counts", requirements=[requirement])
    make_event(title="Does not count")
    book(counted, make_person(org=orgs[Sector.HEALTH]))
    login_as(make_person(org=orgs[Sector.HEALTH]))
    page = client.get(f"/sessions/?requirement={requirement.slug}").get_data(as_text=True)
    assert "Counts" in page and "Does not count" not in page and "2 of 3 places left" in page
    assert re.search(r"1 session\s+that count", page)


def test_every_session_page_renders_for_a_coordinator(client, login_as, make_event, make_person, orgs, requirement):
    from lms.events import services

    coordinator = make_person(org=orgs[Sector.CHILDREN], roles=[Role.COORDINATOR])
    event = make_event(capacity=2, max_sector_percent=50, requirements=[requirement], online_link="https://meet.example.test/hh",
                       cancellation_cutoff=utcnow() + timedelta(days=20), booking_deadline=utcnow() + timedelta(days=25))
    event = services.lock_event(event.id)
    services.save_event(event, {}, utcnow(), holds=[(Sector.CHILDREN, 1, utcnow() + timedelta(days=10))])
    db.session.commit()
    book(event, make_person(org=orgs[Sector.HEALTH]))
    login_as(coordinator)
    for url in ("/sessions/", f"/sessions/{event.id}", f"/sessions/{event.id}/edit", f"/sessions/{event.id}/book",
                f"/sessions/{event.id}/register", f"/sessions/{event.id}/sign-in-sheet", f"/sessions/{event.id}/cancel",
                "/sessions/attendance", "/sessions/mine", "/sessions/new", "/sessions/?when=past"):
        response = client.get(url)
        assert response.status_code == 200, url
    edit = client.get(f"/sessions/{event.id}/edit").get_data(as_text=True)
    assert 'value="Riverside Civic Centre, Room 2' in edit or "Riverside Civic Centre, Room 2</textarea>" in edit
    assert 'name="hold_children" type="text" value="1"' in edit.replace("inputmode=\"numeric\" ", "")
    show = client.get(f"/sessions/{event.id}").get_data(as_text=True)
    assert "<svg" in show and "Places taken by sector" in show and "Health" in show


def test_my_training_and_team_training_lead_to_sessions(client, login_as, make_person, make_job_role, orgs, requirement):
    role = make_job_role("Drug and alcohol worker")
    db.session.add(RoleRequirement(job_role_id=role.id, requirement_id=requirement.id))
    db.session.commit()
    manager = make_person(org=orgs[Sector.DRUG_ALCOHOL], roles=[Role.MANAGER], job_role=make_job_role("Team manager"))
    worker = make_person(org=orgs[Sector.DRUG_ALCOHOL], manager=manager, job_role=role)  # never trained: overdue
    login_as(worker)
    assert f"/sessions/?requirement={requirement.slug}" in client.get("/training").get_data(as_text=True)
    client.post("/logout")
    login_as(manager)
    team = client.get("/team").get_data(as_text=True)
    assert f"/sessions/?requirement={requirement.slug}&amp;person={worker.id}" in team
    listing = client.get(f"/sessions/?requirement={requirement.slug}&person={worker.id}").get_data(as_text=True)
    assert f"Choose a session to book {worker.name} onto" in listing
