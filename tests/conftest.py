"""Fixtures: an app on a clean database per test (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""
import os
import secrets
import socket
import uuid
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import JobRole, Organisation, Role, RoleGrant, Sector, User
from lms.extensions import db

# Tests bring their own random key: never the instance key, never one written in the code.
os.environ["LMS_ENV"] = "development"
os.environ["SECRET_KEY"] = secrets.token_hex(32)

PASSWORD = "correct horse battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashing is slow; do it once


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database of the same kind as the suite's, with nothing in it, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"lms_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _engine_options(database_url: str) -> dict:
    options = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        # Test data need not survive a crash: skip waiting for the disk on each commit.
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    return options


@pytest.fixture
def app(database_url, _schema, tmp_path):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens: a test that sends mail starts an SMTP server
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would otherwise pretend to send under TESTING
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()  # each app has its own pool: close it rather than leave it to the garbage collector


def _empty_tables() -> None:
    # DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table per test costs seconds of fsync.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, so its own `g` and database session, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session sees what the request committed
        return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app):
    counter = iter(range(1, 1000))

    def make(name=None, sector=Sector.DRUG_ALCOHOL, commissioned=False) -> Organisation:
        org = Organisation(name=name or f"Organisation {next(counter)}", sector=sector, commissioned=commissioned)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_job_role(app):
    def make(name="Drug and alcohol worker") -> JobRole:
        role = db.session.scalar(db.select(JobRole).where(JobRole.name == name))
        if role is None:
            role = JobRole(name=name)
            db.session.add(role)
            db.session.commit()
        return role

    return make


@pytest.fixture
def make_person(make_org, make_job_role):
    counter = iter(range(1, 10_000))

    def make(*, org=None, manager=None, roles=(), email=None, job_role=None, start_date=date(2020, 1, 6),
             leaving_date=None, active=True, given_name="Sam", family_name=None) -> User:
        n = next(counter)
        person = User(
            email=email or f"person{n}@example.test", employee_id=f"E{n:05d}", given_name=given_name,
            family_name=family_name or f"Person{n}", organisation=org or make_org(),
            job_role=job_role or make_job_role(), manager=manager, start_date=start_date,
            leaving_date=leaving_date, active=active, password_hash=_PASSWORD_HASH, session_version=1,
        )
        person.role_grants = [RoleGrant(role=Role(r)) for r in roles]
        db.session.add(person)
        db.session.commit()
        return person

    return make


def login(client, person, password=PASSWORD):
    return client.post("/login", data={"email": person.email, "password": password})


@pytest.fixture
def login_as(client):
    def do(person):
        response = login(client, person)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def smtp(app):
    """Start a real SMTP server and point the app's mail at it."""
    from tests.smtp import SMTPServer

    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    with SMTPServer(port) as server:
        yield server


@pytest.fixture
def courses(app):
    """The shipped courses, question banks and competency frameworks, loaded as `lms courses sync` does."""
    from lms.sync import load_shipped, read_shipped

    load_shipped(read_shipped(app.config["CONTENT_ROOT"]))
    db.session.commit()


@pytest.fixture
def framework(app):
    """The shipped DANOS framework, loaded."""
    from lms.competencies.framework import parse_framework
    from lms.competencies.services import load_framework

    spec, problems = parse_framework((app.config["CONTENT_ROOT"] / "frameworks" / "danos.yaml").read_text())
    assert problems == []
    load_framework(spec)
    db.session.commit()
