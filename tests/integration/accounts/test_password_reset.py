"""Password reset by email: a working link reaches the person, and no usable token is ever stored or shown."""
import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from lms.accounts.models import PasswordResetToken, User
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import OutboxMessage, OutboxStatus
from lms.notify.services import deliver_pending
from tests.conftest import login


def reset_path(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", body).group(1)


def ask(client, email, address="192.0.2.1"):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def answer(response) -> str:
    """The page without its per-request CSP nonce, to compare two answers."""
    assert response.status_code == 200
    return re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))


def usable_tokens() -> int:
    return len(db.session.scalars(select(PasswordResetToken).where(
        PasswordResetToken.used_at.is_(None), PasswordResetToken.token_hash.is_not(None))).all())


def database_text() -> str:
    """Every value in every table, as one string."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            values.extend(str(value) for value in row)
    return "\n".join(values)


def test_password_reset_by_email_link_works_once(client, make_person, smtp):
    person = make_person()
    response = client.post("/password/forgot", data={"email": person.email.upper()})
    assert "Check your email" in response.get_data(as_text=True)
    assert deliver_pending().sent == 1
    [message] = smtp.messages
    assert message["To"] == person.email
    path = reset_path(message)

    assert client.post(path, data={"password": "brand new password", "confirm": "brand new password"}).status_code == 302
    assert login(client, person, password="brand new password").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 404  # spent


def test_neither_the_database_nor_the_outbox_page_holds_a_usable_token(client, login_as, make_person, smtp):
    person = make_person()
    ask(client, person.email)
    admin = make_person(roles=["admin"])
    before = login_as(admin).get("/admin/outbox").get_data(as_text=True)
    assert "/password/reset/" not in before and "[private link: only in the email itself]" in before

    assert deliver_pending().sent == 1
    token = reset_path(smtp.messages[0]).removeprefix("/password/reset/")
    stored = database_text()
    assert token not in stored
    assert token not in client.get("/admin/outbox").get_data(as_text=True)
    # Nothing that looks like a token in any table opens a reset page.
    for candidate in set(re.findall(r"[A-Za-z0-9_-]{32,}", stored)):
        assert client.get(f"/password/reset/{candidate}").status_code == 404
    client.post("/logout")
    assert client.get(f"/password/reset/{token}").status_code == 200  # the emailed link works


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, make_person, smtp):
    known = answer(ask(client, make_person(email="known@example.test").email))
    unknown = answer(ask(client, "stranger@example.test"))
    assert "Check your email" in unknown
    assert unknown.replace("stranger@example.test", "known@example.test") == known
    assert deliver_pending().sent == 1


def test_expired_reset_link_is_refused(client, make_person, smtp):
    person = make_person()
    with time_machine.travel(utcnow() - timedelta(hours=3)):
        ask(client, person.email)
        deliver_pending()
    path = reset_path(smtp.messages[0])
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "brand new password", "confirm": "brand new password"}).status_code == 404
    assert db.session.get(User, person.id).password_hash == person.password_hash


def test_a_new_link_retires_the_old_one(client, make_person, smtp):
    person = make_person()
    ask(client, person.email)
    deliver_pending()
    ask(client, person.email)
    deliver_pending()
    first, second = (reset_path(m) for m in smtp.messages)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert usable_tokens() == 1


def test_a_link_retired_before_sending_is_never_sent(client, make_person, smtp):
    person = make_person()
    ask(client, person.email)
    ask(client, person.email)
    report = deliver_pending()
    assert (report.sent, report.cancelled) == (1, 1)
    assert client.get(reset_path(smtp.messages[0])).status_code == 200
    statuses = [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert statuses == [OutboxStatus.CANCELLED, OutboxStatus.SENT]


def test_twenty_requests_for_one_account_queue_three_emails_and_leave_one_link(client, make_person, smtp):
    person = make_person()
    pages = {answer(ask(client, person.email)) for _ in range(20)}
    assert len(pages) == 1  # throttled or not, the same answer
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
    report = deliver_pending()
    assert (report.sent, report.cancelled) == (1, 2)  # the newest link retired the two before it
    assert usable_tokens() == 1
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        ask(client, person.email)
        assert deliver_pending().sent == 1
    assert len(smtp.messages) == 2


def test_reset_requests_are_throttled_per_address(app, client, make_person, smtp):
    limit = app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 3
    person = make_person()
    pages = {answer(ask(client, f"stranger{n}@example.test")).replace(f"stranger{n}@", "someone@") for n in range(limit)}
    throttled = answer(ask(client, person.email)).replace(person.email, "someone@example.test")
    assert pages == {throttled}
    assert deliver_pending().sent == 0
    ask(client, person.email, address="198.51.100.7")  # another address is not held back
    assert deliver_pending().sent == 1


def test_reset_requests_are_kept_for_a_day(client, make_person):
    from lms.accounts.models import PasswordResetRequest

    with time_machine.travel(utcnow() - timedelta(days=2)):
        ask(client, "someone@example.test")
    ask(client, make_person().email)
    assert len(db.session.scalars(select(PasswordResetRequest)).all()) == 1
