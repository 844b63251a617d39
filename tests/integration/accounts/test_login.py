import re

from lms.accounts.models import User
from lms.extensions import db
from lms.notify.services import deliver_pending
from tests.conftest import PASSWORD, login


def test_person_signs_in_and_sees_their_home_page(client, make_person):
    person = make_person(given_name="Priya")
    response = login(client, person)
    assert response.status_code == 302
    assert "Welcome, Priya" in client.get("/").get_data(as_text=True)


def test_wrong_password_gives_one_message_for_unknown_and_known_accounts(client, make_person):
    person = make_person()
    known = login(client, person, password="not the password").get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "x" * 12}).get_data(as_text=True)
    for page in (known, unknown):
        assert "Enter a correct email address and password" in page
        assert "govuk-error-summary" in page


def test_eleventh_bad_password_in_a_minute_is_throttled_even_with_the_right_password(client, make_person):
    person = make_person()
    for _ in range(10):
        assert login(client, person, password="wrong password").status_code == 200
    response = login(client, person)  # the right password, but too late
    assert response.status_code == 429
    assert "too many attempts" in response.get_data(as_text=True)


def test_attempts_from_one_address_are_throttled_across_accounts(app, client, make_person):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    people = [make_person() for _ in range(4)]
    for person in people[:3]:
        login(client, person, password="wrong password")
    assert login(client, people[3]).status_code == 429


def test_leaver_cannot_sign_in(client, make_person):
    person = make_person(active=False)
    assert "Enter a correct email address and password" in login(client, person).get_data(as_text=True)


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_only_redirects_within_the_site(client, make_person):
    person = make_person()
    response = client.post("/login?next=https://evil.example/", data={"email": person.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_signing_out_ends_every_session_of_the_person(app, make_person):
    person = make_person()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, person)
    login(phone, person)
    assert phone.get("/").status_code == 200
    laptop.post("/logout")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302


def test_changing_password_keeps_this_session_and_ends_the_others(app, make_person):
    person = make_person()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, person)
    login(elsewhere, person)
    response = here.post("/account/password", data={"current": PASSWORD, "password": "a new long password", "confirm": "a new long password"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    here.post("/logout")
    assert login(here, person, password="a new long password").status_code == 302


def test_short_new_password_is_refused_with_an_error_summary(client, make_person, login_as):
    login_as(make_person())
    page = client.post("/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Password must be 10 characters or more" in page
    assert "govuk-error-summary" in page


def test_password_reset_by_email_link_works_once(client, make_person, smtp):
    person = make_person()
    response = client.post("/password/forgot", data={"email": person.email.upper()})
    assert "Check your email" in response.get_data(as_text=True)
    db.session.commit()
    assert deliver_pending().sent == 1
    [message] = smtp.messages
    assert message["To"] == person.email
    link = re.search(r"http://\S+/password/reset/(\S+)", message.get_payload(decode=True).decode()).group(0)
    path = link.split("127.0.0.1:5000", 1)[1]

    assert client.post(path, data={"password": "brand new password", "confirm": "brand new password"}).status_code == 302
    assert login(client, person, password="brand new password").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 404  # spent


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, smtp):
    page = client.post("/password/forgot", data={"email": "stranger@example.test"}).get_data(as_text=True)
    assert "Check your email" in page
    assert deliver_pending().sent == 0


def test_expired_reset_link_is_refused(client, make_person):
    import time_machine
    from datetime import timedelta

    from lms.accounts.services import request_password_reset
    from lms.db import utcnow

    person = make_person()
    with time_machine.travel(utcnow() - timedelta(hours=3)):
        request_password_reset(person.email)
        db.session.commit()
    from lms.notify.models import OutboxMessage

    body = db.session.scalars(db.select(OutboxMessage)).one().body_text
    path = "/password/reset/" + body.split("/password/reset/")[1].split()[0]
    assert client.get(path).status_code == 404
    assert db.session.get(User, person.id).password_hash == person.password_hash


def test_sign_in_attempts_older_than_a_day_are_deleted(client, make_person):
    from datetime import timedelta

    import time_machine

    from lms.accounts.models import LoginAttempt
    from lms.db import utcnow

    person = make_person()
    with time_machine.travel(utcnow() - timedelta(days=2)):
        login(client, person, password="wrong password")
    login(client, person)
    assert [a.succeeded for a in db.session.scalars(db.select(LoginAttempt))] == [True]
