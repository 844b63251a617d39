"""A large import refreshes PostgreSQL's planner statistics at once, so the next report does not plan for the
tables as they were before the load."""
import pytest
from sqlalchemy import func, select, text

from lms.accounts.models import User
from lms.extensions import db

HEADER = "employee_id,given_name,family_name,email,organisation,team,job_role,manager_email,start_date,leaving_date\n"


def staff_file(tmp_path, prefix: str):
    path = tmp_path / f"{prefix}.csv"
    path.write_text(HEADER + "".join(f"{prefix}{n},Sam,Smith,{prefix}{n}@example.test,Recovery Service,,"
                                     f"Drug and alcohol worker,,2019-04-01,\n" for n in range(3)))
    return str(path)


def planned_rows(table: str) -> float:
    return db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table})


def test_an_import_of_many_rows_runs_analyze(app, runner, tmp_path, database_url, make_org, make_job_role, make_person):
    if not database_url.startswith("postgresql"):
        pytest.skip("ANALYZE is for PostgreSQL's planner")
    make_org("Recovery Service"), make_job_role("Drug and alcohol worker"), make_person()
    db.session.execute(text("ANALYZE users"))
    db.session.commit()
    assert planned_rows("users") == 1

    app.config["ANALYZE_AFTER_IMPORT_ROWS"] = 4
    assert runner.invoke(args=["import", "staff", staff_file(tmp_path, "E")]).exit_code == 0
    assert planned_rows("users") == 1  # three rows is not a large import

    app.config["ANALYZE_AFTER_IMPORT_ROWS"] = 3
    assert runner.invoke(args=["import", "staff", staff_file(tmp_path, "F")]).exit_code == 0
    assert planned_rows("users") == db.session.scalar(select(func.count()).select_from(User)) == 7
