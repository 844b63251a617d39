from lms.extensions import db
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
