import threading
import time
from datetime import timedelta

import time_machine
from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import OutboxMessage, OutboxStatus
from lms.notify.services import claim_batch, deliver_pending, queue_email
from tests.conftest import free_port
from tests.smtp import SMTPServer


def test_queued_mail_is_delivered_once_through_smtp(app, smtp):
    queue_email("lee@example.test", "Hello", "Body text")
    db.session.commit()
    assert deliver_pending().sent == 1
    assert deliver_pending().sent == 0
    [message] = smtp.messages
    assert message["Subject"] == "Hello" and message["To"] == "lee@example.test"


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app, smtp):
    queue_email("lee@example.test", "Hello", "Body")
    db.session.rollback()
    assert deliver_pending().sent == 0 and smtp.messages == []


def test_smtp_failure_then_recovery_loses_nothing_and_doubles_nothing(app):
    port = free_port()
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    queue_email("a@example.test", "One", "1")
    queue_email("b@example.test", "Two", "2")
    db.session.commit()

    with SMTPServer(port, refuse=2) as server:  # the server refuses both, then recovers
        first = deliver_pending()
        assert (first.sent, first.retrying) == (0, 2)
        assert deliver_pending().sent == 0  # not due yet: backing off
        with time_machine.travel(utcnow() + timedelta(minutes=2)):
            assert deliver_pending().sent == 2
            assert deliver_pending().sent == 0
        assert sorted(m["Subject"] for m in server.messages) == ["One", "Two"]
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {OutboxStatus.SENT} and {r.tries for r in rows} == {2}


def test_outbox_gives_up_after_max_tries_keeping_the_error(app):
    app.config["OUTBOX_MAX_TRIES"] = 2
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", free_port()  # nothing listens
    queue_email("a@example.test", "One", "1")
    db.session.commit()
    deliver_pending()
    with time_machine.travel(utcnow() + timedelta(hours=1)):
        report = deliver_pending()
    assert report.failed == 1
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status == OutboxStatus.FAILED and "Connection" in row.last_error


def test_two_workers_never_claim_the_same_message(app):
    for n in range(40):
        queue_email(f"p{n}@example.test", "Hi", "x")
    db.session.commit()
    claimed: list[list[int]] = []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            _, rows = claim_batch(limit=40)
            claimed.append([r.id for r in rows])
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_ids = claimed[0] + claimed[1]
    assert len(all_ids) == len(set(all_ids)) == 40


def test_a_slow_server_gets_each_message_once_from_two_workers(app):
    """The second worker starts once the first's batch is older than the lease, mid-delivery."""
    app.config["OUTBOX_LEASE_SECONDS"] = 3
    port = free_port()
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    for n in range(8):
        queue_email(f"p{n}@example.test", f"Message {n}", "x")
    db.session.commit()

    def worker():
        with app.app_context():
            deliver_pending()
            db.session.remove()

    with SMTPServer(port, delay=1.0) as server:
        fifth = server.handler.delivery_started(5)
        first = threading.Thread(target=worker)
        first.start()
        assert fifth.wait(timeout=60)
        second = threading.Thread(target=worker)
        second.start()
        first.join()
        second.join()
        subjects = sorted(m["Subject"] for m in server.messages)
    assert subjects == [f"Message {n}" for n in range(8)]
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(r.status, r.tries) for r in rows} == {(OutboxStatus.SENT, 1)}


def test_a_server_that_stops_answering_fails_the_delivery_within_the_timeout(app):
    """Flask-Mail sets no timeout: without ours the worker would wait on the server past its lease."""
    app.config["MAIL_TIMEOUT_SECONDS"] = 1
    port = free_port()
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    queue_email("lee@example.test", "Hello", "Body")
    db.session.commit()
    with SMTPServer(port, delay=5.0):
        started = time.monotonic()
        report = deliver_pending()
        waited = time.monotonic() - started
    assert (report.sent, report.retrying) == (0, 1) and waited < 4
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status == OutboxStatus.PENDING and "timed out" in row.last_error


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_lease(app, smtp):
    queue_email("lee@example.test", "Hello", "Body")
    db.session.commit()
    token, [claimed] = claim_batch()  # ...and the worker dies before sending
    db.session.commit()
    assert deliver_pending().sent == 0  # still leased
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)):
        assert deliver_pending().sent == 1
    assert [m["Subject"] for m in smtp.messages] == ["Hello"]


def test_outbox_page_shows_messages_to_admins(client, login_as, make_person):
    queue_email("lee@example.test", "Your training is due", "Body")
    db.session.commit()
    login_as(make_person(roles=["admin"]))
    assert "Your training is due" in client.get("/admin/outbox").get_data(as_text=True)


def test_cli_sends_the_outbox(runner, smtp):
    queue_email("lee@example.test", "Hi", "x")
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 1" in result.output and len(smtp.messages) == 1
