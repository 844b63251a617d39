"""Invitations a calendar program adds, updates and removes as one entry; DST; the private feed."""
from datetime import UTC, date, datetime

import icalendar
import vobject

from lms.accounts.models import Sector
from lms.clock import london_datetime
from lms.db import utcnow
from lms.events import services
from lms.extensions import db
from lms.notify.services import deliver_pending
from tests.integration.events.conftest import book, cancel


def calendar_parts(messages):
    """(Content-Type method param, the parsed calendar) of each delivered email's calendar part."""
    parts = []
    for message in messages:
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                parts.append((part.get_param("method"), part.get_payload(decode=True).decode("utf-8")))
    return parts


def test_book_move_cancel_arrive_as_one_calendar_entry(app, smtp, make_event, make_person, orgs):
    event = make_event(capacity=5, title="Hidden Harm: working together", description="Lunch provided.")
    person = make_person(org=orgs[Sector.HEALTH], given_name="Priya")
    booking = book(event, person)
    event = services.lock_event(event.id)
    services.save_event(event, {"venue": "Riverside Library, Meeting Room 1"}, utcnow())
    db.session.commit()
    cancel(booking)
    assert deliver_pending().sent == 3

    parts = calendar_parts(smtp.messages)
    assert [method for method, _ in parts] == ["REQUEST", "REQUEST", "CANCEL"]
    uids, sequences = set(), []
    for method, text in parts:
        cal = icalendar.Calendar.from_ical(text)
        assert cal["METHOD"] == method  # the part's Content-Type matches the body's METHOD
        [vevent] = cal.walk("VEVENT")
        uids.add(str(vevent["UID"]))
        sequences.append(int(vevent["SEQUENCE"]))
        assert str(vevent["ORGANIZER"]).startswith("mailto:") and str(vevent["ATTENDEE"]) == f"mailto:{person.email}"
        assert vevent["DTSTART"].params["TZID"] == "Europe/London" and cal.walk("VTIMEZONE")
        parsed = vobject.readOne(text)  # an independent parser reads the same thing
        assert parsed.vevent.uid.value == event.uid
        assert parsed.vevent.dtstart.value.astimezone(UTC) == event.starts_at
    assert uids == {event.uid}
    assert sequences == sorted(set(sequences)), "SEQUENCE must rise with every message"
    assert icalendar.Calendar.from_ical(parts[1][1]).walk("VEVENT")[0]["LOCATION"] == "Riverside Library, Meeting Room 1"
    assert icalendar.Calendar.from_ical(parts[2][1]).walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    # The words say the same as the calendar.
    [plain] = [p for p in smtp.messages[1].walk() if p.get_content_type() == "text/plain"]
    assert "Riverside Library, Meeting Room 1" in plain.get_payload(decode=True).decode()
    assert smtp.messages[1]["Subject"].startswith("Changed: Hidden Harm: working together")


def test_rebooking_after_a_cancellation_gets_a_higher_sequence(app, make_event, make_person, orgs):
    event = make_event()
    person = make_person(org=orgs[Sector.HEALTH])
    booking = book(event, person)
    cancel(booking)
    book(event, person)
    from sqlalchemy import select
    from lms.notify.models import OutboxMessage

    texts = [m.attachments[0]["data"] for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == person.email).order_by(OutboxMessage.id))]
    sequences = [int(icalendar.Calendar.from_ical(t).walk("VEVENT")[0]["SEQUENCE"]) for t in texts]
    assert sequences[0] < sequences[1] < sequences[2]


def test_sessions_on_the_days_the_clocks_change_keep_their_london_times(app, make_event, make_person, orgs):
    person = make_person(org=orgs[Sector.HEALTH])
    march = make_event(starts_at=london_datetime(date(2027, 3, 28), 10, 0), hours=6)
    october = make_event(starts_at=london_datetime(date(2027, 10, 31), 10, 0), hours=6)
    book(march, person), book(october, person)
    from sqlalchemy import select
    from lms.notify.models import OutboxMessage

    texts = [m.attachments[0]["data"] for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == person.email).order_by(OutboxMessage.id))]
    expected = [(datetime(2027, 3, 28, 9, 0, tzinfo=UTC), datetime(2027, 3, 28, 15, 0, tzinfo=UTC)),  # BST
                (datetime(2027, 10, 31, 10, 0, tzinfo=UTC), datetime(2027, 10, 31, 16, 0, tzinfo=UTC))]  # GMT
    for text, (start, end) in zip(texts, expected):
        assert "DTSTART;TZID=Europe/London:2027" in text and "T100000" in text
        parsed = vobject.readOne(text).vevent
        assert (parsed.dtstart.value.astimezone(UTC), parsed.dtend.value.astimezone(UTC)) == (start, end)
        vevent = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
        assert vevent.decoded("DTSTART").astimezone(UTC) == start


def test_private_feed_lists_booked_sessions_and_resets(client, login_as, make_event, make_person, orgs):
    person = make_person(org=orgs[Sector.HEALTH])
    booked, waiting_for = make_event(title="Booked session"), make_event(capacity=1, title="Full session")
    book(booked, person)
    book(waiting_for, make_person(org=orgs[Sector.HEALTH]))
    book(waiting_for, person)
    login_as(person)
    page = client.get("/sessions/mine").get_data(as_text=True)
    url = page.split("/calendar/")[1].split(".ics")[0]
    client.post("/logout")

    response = client.get(f"/calendar/{url}.ics")  # no sign-in: calendar programs fetch it on their own
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    assert cal["METHOD"] == "PUBLISH"
    assert [str(v["SUMMARY"]) for v in cal.walk("VEVENT")] == ["Booked session"]
    vobject.readOne(response.get_data(as_text=True))

    login_as(person)
    client.post("/sessions/mine/feed")
    assert client.get(f"/calendar/{url}.ics").status_code == 404
    new = client.get("/sessions/mine").get_data(as_text=True).split("/calendar/")[1].split(".ics")[0]
    assert new != url and client.get(f"/calendar/{new}.ics").status_code == 200


def test_forged_feed_tokens_are_refused(client, make_person, orgs):
    person = make_person(org=orgs[Sector.HEALTH])
    for token in (f"{person.id}-1-{'0' * 40}", "garbage", f"{person.id}-1"):
        assert client.get(f"/calendar/{token}.ics").status_code == 404
