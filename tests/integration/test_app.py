import logging

import pytest

from lms import create_app
from tests.conftest import PASSWORD


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_every_response_carries_security_headers(app, client):
    app.config["WTF_CSRF_ENABLED"] = True  # the form's token puts a session cookie on the page
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_form_without_csrf_token_is_refused_kindly(app, make_person):
    app.config["WTF_CSRF_ENABLED"] = True
    person = make_person()
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form timed out" in response.get_data(as_text=True)


def test_form_with_csrf_token_is_accepted(app, make_person):
    app.config["WTF_CSRF_ENABLED"] = True
    person = make_person()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/accessibility", "/cookies", "/privacy"])
def test_statement_pages_are_public(client, path):
    assert client.get(path).status_code == 200


def test_each_request_is_logged_with_method_path_status_and_duration(client, caplog):
    logger = logging.getLogger("lms.request")
    logger.addHandler(caplog.handler)  # lms loggers do not propagate to the root
    try:
        client.get("/healthz")
    finally:
        logger.removeHandler(caplog.handler)
    records = [r for r in caplog.records if r.name == "lms.request" and r.path == "/healthz"]
    record = records[0]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0
