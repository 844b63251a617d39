"""Safe defaults: no key in the code, no guessing which environment this is."""
import pytest
from flask.sessions import SecureCookieSessionInterface

from lms import config, create_app

STRONG_KEY = "k" * 32


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment, with the instance key file in a temporary folder."""
    monkeypatch.delenv("LMS_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "SECRET_KEY_FILE", tmp_path / "secret_key")
    return monkeypatch


def test_without_lms_env_or_a_key_the_app_refuses_to_start(environment):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("name", ["prod", "Production", "dev", "developement", ""])
def test_an_unknown_lms_env_is_refused(environment, name):
    environment.setenv("LMS_ENV", name)
    environment.setenv("SECRET_KEY", STRONG_KEY)
    with pytest.raises(RuntimeError, match="LMS_ENV must be development or production"):
        create_app()


def test_without_lms_env_the_app_runs_as_production(environment):
    environment.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app()
    assert app.config["ENV_NAME"] == "production" and app.config["SESSION_COOKIE_SECURE"]


def test_production_refuses_a_short_key(environment):
    environment.setenv("LMS_ENV", "production")
    environment.setenv("SECRET_KEY", "k" * 31)
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app()


def test_a_mail_timeout_that_could_outlast_the_outbox_lease_is_refused(environment):
    environment.setenv("SECRET_KEY", STRONG_KEY)
    environment.setenv("OUTBOX_LEASE_SECONDS", "100")
    environment.setenv("MAIL_TIMEOUT_SECONDS", "51")
    with pytest.raises(RuntimeError, match="MAIL_TIMEOUT_SECONDS must be at most half of OUTBOX_LEASE_SECONDS"):
        create_app()
    environment.setenv("MAIL_TIMEOUT_SECONDS", "50")
    assert create_app().config["MAIL_TIMEOUT_SECONDS"] == 50


def test_development_uses_the_generated_instance_key(environment):
    environment.setenv("LMS_ENV", "development")
    with pytest.raises(RuntimeError, match="make run"):
        create_app()  # no instance key yet
    config.SECRET_KEY_FILE.write_text("0123456789abcdef" * 4 + "\n")
    assert create_app().config["SECRET_KEY"] == "0123456789abcdef" * 4


def test_a_cookie_signed_with_the_old_public_key_does_not_reach_admin(client, make_person):
    admin = make_person(roles=["admin"])
    forger = create_app({"SECRET_KEY": "dev-only-not-secret"})
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps(
        {"_user_id": admin.get_id(), "_fresh": True})
    client.set_cookie("session", forged)
    response = client.get("/admin/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
