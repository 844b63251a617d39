"""Booking, the agency mix, waiting lists and promotion, with the emails each change sends."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role, Sector
from lms.compliance.services import record_completion
from lms.db import utcnow
from lms.events import services
from lms.events.models import BookingChange, BookingStatus
from lms.extensions import db
from lms.notify.models import OutboxMessage
from tests.integration.events.conftest import book, cancel


def outbox_to(email):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id)))


def test_booking_takes_a_place_and_sends_an_invitation(make_event, make_person, orgs):
    event = make_event(capacity=2)
    person = make_person(org=orgs[Sector.HEALTH])
    booking = book(event, person)
    assert booking.status == BookingStatus.BOOKED
    [message] = outbox_to(person.email)
    assert message.subject.startswith("Booked: ")
    [attachment] = message.attachments
    assert attachment["content_type"] == "text/calendar; method=REQUEST; charset=UTF-8"
    assert "METHOD:REQUEST" in attachment["data"] and event.uid in attachment["data"]


def test_full_session_waitlists_then_a_cancellation_promotes_and_tells_the_manager(make_event, make_person, orgs):
    event = make_event(capacity=1)
    manager = make_person(org=orgs[Sector.HEALTH], roles=[Role.MANAGER])
    first, second = make_person(org=orgs[Sector.HEALTH]), make_person(org=orgs[Sector.HEALTH], manager=manager)
    first_booking = book(event, first)
    waiting = book(event, second)
    assert (waiting.status, waiting.reason) == (BookingStatus.WAITLISTED, "All 1 places are taken")
    [waitlisted_email] = outbox_to(second.email)
    assert waitlisted_email.attachments is None and "All 1 places are taken" in waitlisted_email.body_text

    promoted = cancel(first_booking)
    assert [b.user_id for b in promoted] == [second.id]
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.BOOKED and waiting.reason == ""
    assert outbox_to(second.email)[-1].subject.startswith("You have a place")
    assert "METHOD:REQUEST" in outbox_to(second.email)[-1].attachments[0]["data"]
    assert outbox_to(manager.email)[-1].subject.startswith(f"{second.name} has a place")
    assert "METHOD:CANCEL" in outbox_to(first.email)[-1].attachments[0]["data"]
    changes = db.session.scalars(select(BookingChange).where(BookingChange.booking_id == waiting.id)).all()
    assert [(c.from_status, c.to_status, c.note) for c in changes] == [
        (None, BookingStatus.WAITLISTED, "All 1 places are taken"),
        (BookingStatus.WAITLISTED, BookingStatus.BOOKED, "promoted from the waiting list")]


def test_sector_cap_waitlists_and_promotion_skips_those_who_still_do_not_fit(make_event, make_person, orgs):
    event = make_event(capacity=4, max_sector_percent=50)
    recovery, children = orgs[Sector.DRUG_ALCOHOL], orgs[Sector.CHILDREN]
    a1, a2, a3 = (make_person(org=recovery) for _ in range(3))
    c1 = make_person(org=children)
    b1, _ = book(event, a1), book(event, a2)
    capped = book(event, a3)
    assert capped.status == BookingStatus.WAITLISTED
    assert capped.reason.startswith("Drug and alcohol treatment already holds 50% of places (2 of 4)")
    c_booking = book(event, c1)
    assert c_booking.status == BookingStatus.BOOKED  # a place is left, and children's services are under the cap

    # Children's place frees: the waiting drug and alcohol worker still does not fit the cap.
    assert cancel(c_booking) == []
    # A drug and alcohol place frees: now they fit.
    assert [b.user_id for b in cancel(b1)] == [a3.id]


def test_promotion_prefers_the_soonest_expiry_then_first_come(make_event, make_person, orgs, requirement):
    event = make_event(capacity=1, requirements=[requirement])
    holder = make_person(org=orgs[Sector.HEALTH])
    early, soon, never = (make_person(org=orgs[Sector.HEALTH]) for _ in range(3))
    today = date.today()
    record_completion(early.id, requirement, today - timedelta(days=100), "import")  # expires in about 20 months
    record_completion(soon.id, requirement, today - timedelta(days=700), "import")  # expires in about a month
    db.session.commit()
    place = book(event, holder)
    for person in (early, soon, never):
        assert book(event, person).status == BookingStatus.WAITLISTED
    assert [b.user_id for b in cancel(place)] == [never.id]  # never held it: the most urgent


def test_capacity_increase_promotes_and_decrease_below_taken_is_refused(make_event, make_person, orgs):
    event = make_event(capacity=1)
    people = [make_person(org=orgs[Sector.HEALTH]) for _ in range(3)]
    for person in people:
        book(event, person)
    event = services.lock_event(event.id)
    change = services.save_event(event, {"capacity": 2}, utcnow())
    db.session.commit()
    assert [b.user_id for b in change.promoted] == [people[1].id]
    event = services.lock_event(event.id)
    with pytest.raises(services.CapacityTooLow, match="2 places are already taken"):
        services.save_event(event, {"capacity": 1}, utcnow())
    db.session.rollback()


def test_held_places_wait_for_their_sector_and_release_to_the_waiting_list(make_event, make_person, orgs):
    event = make_event(capacity=2)
    event = services.lock_event(event.id)
    services.save_event(event, {}, utcnow(), holds=[(Sector.CHILDREN, 1, utcnow() + timedelta(days=3))])
    db.session.commit()
    health = [make_person(org=orgs[Sector.HEALTH]) for _ in range(2)]
    assert book(event, health[0]).status == BookingStatus.BOOKED
    held_back = book(event, health[1])
    assert held_back.status == BookingStatus.WAITLISTED and "held for Health" not in held_back.reason
    assert "held for Children's services until" in held_back.reason

    assert services.release_held_places(utcnow()) == []  # not yet
    promoted = services.release_held_places(utcnow() + timedelta(days=3, minutes=1))
    db.session.commit()
    assert [b.user_id for b in promoted] == [health[1].id]


def test_one_booking_per_person_and_rebooking_after_cancelling(make_event, make_person, orgs):
    event = make_event(capacity=3)
    person = make_person(org=orgs[Sector.HEALTH])
    first = book(event, person)
    assert book(event, person).id == first.id  # booking again changes nothing
    cancel(first)
    again = book(event, person)
    assert again.id == first.id and again.status == BookingStatus.BOOKED
    assert len(outbox_to(person.email)) == 3  # invitation, cancellation, invitation


def test_past_cancelled_and_closed_sessions_cannot_be_booked(make_event, make_person, orgs):
    person = make_person(org=orgs[Sector.HEALTH])
    past = make_event(starts_at=utcnow() - timedelta(days=1))
    closed = make_event(booking_deadline=utcnow() - timedelta(hours=1))
    for event, message in ((past, "already taken place"), (closed, "Booking closed")):
        with pytest.raises(services.BookingRefused, match=message):
            book(event, person)
        db.session.rollback()


def test_cancelling_a_session_cancels_every_booking_and_tells_everyone(make_event, make_person, orgs):
    event = make_event(capacity=1)
    booked, waiting = make_person(org=orgs[Sector.HEALTH]), make_person(org=orgs[Sector.HEALTH])
    book(event, booked), book(event, waiting)
    event = services.lock_event(event.id)
    assert services.cancel_event(event, None, "the trainer is ill", utcnow()) == 2
    db.session.commit()
    assert "METHOD:CANCEL" in outbox_to(booked.email)[-1].attachments[0]["data"]
    assert outbox_to(waiting.email)[-1].attachments is None
    assert "the trainer is ill" in outbox_to(waiting.email)[-1].body_text
    assert {b.status for b in services.bookings_of(event, *BookingStatus)} == {BookingStatus.CANCELLED}


def test_late_cancellation_is_recorded(make_event, make_person, orgs):
    event = make_event(cancellation_cutoff=utcnow() - timedelta(hours=1))
    booking = book(event, make_person(org=orgs[Sector.HEALTH]))
    cancel(booking)
    assert booking.late_cancellation is True


def test_attendance_rates_count_places_held_not_waits(make_event, make_person, orgs):
    from lms.events import queries
    from tests.integration.events.conftest import cancel as cancel_booking

    event = make_event(capacity=1, cancellation_cutoff=utcnow() + timedelta(days=1))
    holder, waiter = make_person(org=orgs[Sector.HEALTH]), make_person(org=orgs[Sector.HEALTH])
    book(event, holder)
    cancel_booking(book(event, waiter))  # left the waiting list: never held a place
    [row] = queries.attendance_rates(utcnow() - timedelta(days=1), utcnow() + timedelta(days=60))
    assert (row.bookings, row.late_cancellations, row.places) == (1, 0, 0)
