"""Migrations build the whole schema from empty, and no model change is left without one."""
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import select, text

from lms import create_app
from lms.compliance.models import ValidPeriod
from lms.compliance.periods import periods_of
from lms.extensions import db


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        db.engine.dispose()
    assert diff == [], f"models changed without a migration: {diff}"


def test_upgrade_fills_valid_periods_from_the_records_already_there(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="9b4e1f27c6d3")
        for statement in (
            "INSERT INTO organisations (id, name, sector, commissioned, created_at) VALUES (1, 'Recovery', 'health', false, '2020-01-01')",
            "INSERT INTO job_roles (id, name) VALUES (1, 'Worker')",
            "INSERT INTO requirements (id, slug, title, validity_months, due_soon_days, induction_days, courses, event_kinds) "
            "VALUES (1, 'awareness', 'Awareness', 24, 60, 90, '[]', '[]')",
            "INSERT INTO users (id, email, given_name, family_name, organisation_id, job_role_id, start_date, active, "
            "session_version, created_at) VALUES (1, 'a@example.test', 'A', 'A', 1, 1, '2019-01-01', true, 1, '2020-01-01'), "
            "(2, 'b@example.test', 'B', 'B', 1, 1, '2019-01-01', true, 1, '2020-01-01')",
            "INSERT INTO completions (user_id, requirement_id, completed_on, expires_on, source, note, created_at, superseded_at) VALUES "
            "(1, 1, '2019-01-01', '2021-01-01', 'import', '', '2020-01-01', '2020-02-01'), "  # set aside
            "(1, 1, '2020-01-01', '2022-01-01', 'import', '', '2020-01-01', NULL), "
            "(1, 1, '2021-06-01', '2023-06-01', 'import', '', '2020-01-01', NULL), "  # renewed while valid
            "(1, 1, '2023-06-01', '2025-06-01', 'import', '', '2020-01-01', NULL), "  # on the expiry day
            "(1, 1, '2025-06-03', '2027-06-03', 'import', '', '2020-01-01', NULL)",  # after a gap
        ):
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        rows = sorted(tuple(row) for row in db.session.execute(select(ValidPeriod.user_id, ValidPeriod.valid_from,
                                                                      ValidPeriod.valid_until, ValidPeriod.organisation_id)))
        assert rows == [(1, date(2020, 1, 1), date(2025, 6, 1), 1), (1, date(2025, 6, 3), date(2027, 6, 3), 1)]
        fresh = periods_of().subquery()
        assert rows == sorted(tuple(row) for row in db.session.execute(
            select(fresh.c.user_id, fresh.c.valid_from, fresh.c.valid_until, fresh.c.organisation_id)))
        db.session.remove()
        db.engine.dispose()
