"""The migration chains the completions and exemptions already held, so the first `lms audit verify` holds."""
from flask_migrate import upgrade
from sqlalchemy import text

from lms import create_app
from lms.audit.verify import verify
from lms.extensions import db

BEFORE_AUDIT = "1cc77834c5f5"  # 0004_events


def test_upgrade_chains_existing_records_in_id_order(empty_database_url):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE_AUDIT)
        with db.engine.begin() as conn:
            for sql in (
                "INSERT INTO organisations (id, name, sector, commissioned, created_at) VALUES (1, 'Riverside', 'health', false, '2025-01-01 09:00:00+00:00')",
                "INSERT INTO users (id, email, given_name, family_name, organisation_id, start_date, active, session_version, created_at) "
                "VALUES (1, 'a@example.test', 'Ann', 'Lee', 1, '2020-01-06', true, 1, '2025-01-01 09:00:00+00:00')",
                "INSERT INTO requirements (id, slug, title, validity_months, due_soon_days, induction_days, courses, event_kinds) "
                "VALUES (1, 'hh', 'Hidden Harm', 24, 60, 90, '[]', '[]')",
                "INSERT INTO completions (id, user_id, requirement_id, completed_on, expires_on, source, note, created_at) "
                "VALUES (1, 1, 1, '2024-02-29', '2026-02-28', 'import', 'old system', '2025-01-01 09:00:00.123456+00:00')",
                "INSERT INTO completions (id, user_id, requirement_id, completed_on, expires_on, source, note, created_at, "
                "superseded_at, superseded_by_user_id, superseded_reason) VALUES (2, 1, 1, '2023-05-01', '2025-05-01', "
                "'external', 'certificate', '2025-01-01 09:00:00+00:00', '2025-02-01 10:00:00+00:00', 1, 'wrong person')",
                "INSERT INTO exemptions (id, user_id, requirement_id, reason, starts_on, ends_on, created_at) "
                "VALUES (1, 1, 1, 'long-term leave', '2026-01-01', '2026-12-31', '2025-01-01 09:00:00+00:00')",
            ):
                conn.execute(text(sql))
        upgrade()
        entries = db.session.execute(text("SELECT table_name, row_id, action FROM audit_entries ORDER BY id")).all()
        assert [tuple(e) for e in entries] == [("completions", 1, "completion.existing"), ("completions", 2, "completion.existing"),
                                               ("exemptions", 1, "exemption.existing")]
        result = verify()
        assert result.ok, [str(f) for f in result.findings]
        assert result.rows == {"completions": 2, "exemptions": 1, "competency_evidence": 0, "competency_decisions": 0}
        db.session.remove()
        db.engine.dispose()
