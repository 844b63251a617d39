"""Capacity and the agency mix hold when many book at once: threads with their own connections, and
several `lms import bookings` processes, against the same database (PostgreSQL in CI, SQLite by default)."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.accounts.models import Sector
from lms.db import utcnow
from lms.events import services
from lms.events.models import Booking, BookingStatus
from lms.extensions import db
from tests.conftest import login


def counts(event):
    rows = db.session.execute(select(Booking.status, func.count()).where(Booking.event_id == event.id)
                              .group_by(Booking.status)).all()
    return {status: n for status, n in rows}


@pytest.fixture
def roomy_app(database_url, app):
    """A second app on the same database with a pool large enough for one connection a thread."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 45, "max_overflow": 0, "pool_pre_ping": True}})
    yield other
    with other.app_context():
        db.engine.dispose()


def run_together(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def worker(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_forty_simultaneous_bookings_for_ten_places(roomy_app, make_event, make_person, orgs):
    event = make_event(capacity=10)
    people = [make_person(org=orgs[Sector.HEALTH]).id for _ in range(40)]
    event_id = event.id

    def book_one(index):
        with roomy_app.app_context():
            from lms.accounts.models import User

            locked = services.lock_event(event_id)
            services.book(locked, db.session.get(User, people[index]), None, utcnow())
            db.session.commit()

    run_together(40, book_one)
    assert counts(event) == {BookingStatus.BOOKED: 10, BookingStatus.WAITLISTED: 30}


def test_simultaneous_bookings_keep_the_sector_cap(roomy_app, make_event, make_person, orgs):
    event = make_event(capacity=10, max_sector_percent=50)
    health = [make_person(org=orgs[Sector.HEALTH]).id for _ in range(12)]
    children = [make_person(org=orgs[Sector.CHILDREN]).id for _ in range(12)]
    everyone = health + children
    event_id = event.id

    def book_one(index):
        with roomy_app.app_context():
            from lms.accounts.models import User

            locked = services.lock_event(event_id)
            services.book(locked, db.session.get(User, everyone[index]), None, utcnow())
            db.session.commit()

    run_together(len(everyone), book_one)
    booked = db.session.scalars(select(Booking).where(Booking.event_id == event.id,
                                                      Booking.status == BookingStatus.BOOKED)).all()
    assert len(booked) == 10
    assert sum(b.user_id in health for b in booked) == 5 and sum(b.user_id in children for b in booked) == 5


def test_simultaneous_self_bookings_through_the_web(roomy_app, make_event, make_person, orgs):
    event = make_event(capacity=5, self_booking=True)
    people = [make_person(org=orgs[Sector.HEALTH]) for _ in range(15)]
    clients = []
    for person in people:
        client = roomy_app.test_client()
        assert login(client, person).status_code == 302
        clients.append(client)

    url = f"/sessions/{event.id}/book-me"
    run_together(15, lambda i: clients[i].post(url))
    assert counts(event) == {BookingStatus.BOOKED: 5, BookingStatus.WAITLISTED: 10}


def test_concurrent_import_processes_never_overbook(database_url, tmp_path, make_event, make_person, orgs):
    event = make_event(capacity=10)
    people = [make_person(org=orgs[Sector.HEALTH]) for _ in range(40)]
    files = []
    for n in range(4):
        path = tmp_path / f"bookings-{n}.csv"
        path.write_text("event,employee_id,action\n" + "".join(f"{event.code},{p.employee_id},book\n" for p in people[n::4]))
        files.append(path)
    lms = Path(sys.executable).parent / "lms"
    env = {**os.environ, "DATABASE_URL": database_url, "LMS_ENV": "development", "SECRET_KEY": "x" * 40}
    processes = [subprocess.Popen([str(lms), "import", "bookings", str(path)], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for path in files]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], outputs
    lines = [line for out, _ in outputs for line in out.splitlines() if line.startswith("line ")]
    assert sum(line.endswith(": booked") for line in lines) == 10
    assert sum(": waitlisted (All 10 places are taken)" in line for line in lines) == 30
    db.session.expire_all()
    assert counts(event) == {BookingStatus.BOOKED: 10, BookingStatus.WAITLISTED: 30}
