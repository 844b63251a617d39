import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.compliance.models import Requirement
from lms.compliance.rules import add_months
from lms.compliance.services import record_completion, send_reminders
from lms.extensions import db
from lms.notify.models import OutboxMessage
from lms.notify.services import deliver_pending
from tests.integration.compliance.test_report import REQUIREMENTS, load

DAY = date(2026, 3, 1)


@pytest.fixture
def requirement(make_job_role):
    make_job_role("Drug and alcohol worker")
    load("requirements", REQUIREMENTS)
    return db.session.scalar(select(Requirement))


def outbox_count():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_each_due_reminder_is_delivered_exactly_once(runner, smtp, make_person, requirement):
    due_soon = make_person(given_name="Dana")
    record_completion(due_soon.id, requirement, add_months(DAY, -24) + timedelta(days=20), "import")
    make_person(given_name="Neil", start_date=date(2020, 1, 1))
    make_person(given_name="Fresh", start_date=DAY - timedelta(days=5))  # in induction, not yet near its deadline
    db.session.commit()

    first = runner.invoke(args=["reminders", "send", "--as-of", DAY.isoformat()])
    assert "queued 2 reminder(s)" in first.output
    assert "queued 0 reminder(s)" in runner.invoke(args=["reminders", "send", "--as-of", DAY.isoformat()]).output
    assert deliver_pending().sent == 2
    assert deliver_pending().sent == 0
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == ["Due 21 March 2026: Hidden Harm awareness", "Overdue: Hidden Harm awareness"]
    body = next(m for m in smtp.messages if m["To"] == due_soon.email).get_payload(decode=True).decode()
    assert "/courses/hidden-harm-awareness" in body and "completed" in body


def test_a_later_stage_is_sent_but_earlier_missed_ones_are_not(runner, make_person, requirement):
    person = make_person()
    record_completion(person.id, requirement, add_months(DAY, -24) + timedelta(days=50), "import")  # 50 days left
    db.session.commit()
    send_reminders(DAY)
    send_reminders(DAY + timedelta(days=45))  # now 5 days left: the 7-day stage, not the 30-day one as well
    db.session.commit()
    keys = sorted(db.session.scalars(select(OutboxMessage.dedupe_key)))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["before-60", "before-7"]


def test_role_that_stops_requiring_it_stops_reminders_at_once(make_person, requirement):
    make_person(start_date=date(2020, 1, 1))
    db.session.commit()
    load("requirements", REQUIREMENTS.replace("requirements: [hidden-harm-awareness]}", "requirements: []}"))
    assert send_reminders(DAY) == 0


def test_two_concurrent_runs_queue_each_reminder_once(app, make_person, requirement):
    for _ in range(15):
        make_person(start_date=date(2020, 1, 1))
    db.session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                send_reminders(DAY)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outbox_count() == 15
    # SQLite serialises writers: the loser may fail as a whole and send nothing, never twice.
    assert len(errors) <= 1


def test_managers_get_one_weekly_digest_on_mondays(make_person, requirement):
    manager = make_person(roles=["manager"], given_name="Maggie")
    make_person(manager=manager, org=manager.organisation, given_name="Olive", start_date=date(2020, 1, 1))
    db.session.commit()
    monday = date(2026, 3, 2)
    from lms.compliance.services import send_manager_digests

    assert send_manager_digests(monday - timedelta(days=1)) == 0  # Sunday
    assert send_manager_digests(monday) == 1
    assert send_manager_digests(monday) == 0  # once a week
    db.session.commit()
    digest = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == manager.email))
    assert "Olive" in digest.body_text and "Not done" in digest.body_text and "/team" in digest.body_text
