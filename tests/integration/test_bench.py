"""`lms bench` builds its partnership, checks the report against the floor and ends with DESIGN §5's line;
it never touches a database it did not build (its figures go in the README; they are not asserted here)."""
import re

import pytest
from sqlalchemy import create_engine, text

from lms.compliance.rules import expires_on

LAST_LINE = re.compile(r"report_seconds=\d+\.\d{3} floor_seconds=\d+\.\d{3} ratio=\d+\.\d{2} peak_mb=\d+")
SMALL = ["--staff", "300", "--completions", "3000", "--repeats", "1"]


def test_bench_ends_with_the_contract_line(runner):
    result = runner.invoke(args=["bench", *SMALL])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert LAST_LINE.fullmatch(lines[-1]), lines[-1]
    assert [line.split(",")[0] for line in lines if "in scope trained" in line] == ["today", "a year ago", "five years ago"]
    assert "a learner's My training page" in result.output


def test_bench_refuses_a_database_it_did_not_create(runner, database_url, make_person):
    person = make_person()
    result = runner.invoke(args=["bench", "--database-url", database_url, *SMALL])
    assert result.exit_code == 1
    assert "already holds tables the bench did not create; give it an empty database" in result.output
    assert person.email  # still there: nothing was dropped


def test_bench_builds_into_postgresql_and_reuses_what_it_built(runner, database_url, empty_database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL run")
    first = runner.invoke(args=["bench", "--database-url", empty_database_url, *SMALL])
    assert first.exit_code == 0, first.output
    assert "building 200 organisations, 300 staff, 6 requirements, 3000 completions into" in first.output
    again = runner.invoke(args=["bench", "--database-url", empty_database_url, *SMALL])
    assert again.exit_code == 0, again.output
    assert "reusing the data the bench built" in again.output and LAST_LINE.fullmatch(again.output.splitlines()[-1])

    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT c.completed_on, c.expires_on, q.validity_months FROM completions c "
                                       "JOIN requirements q ON q.id = c.requirement_id")).all()
    engine.dispose()
    assert len(rows) == 3000
    assert all(expiry == expires_on(done, months) for done, expiry, months in rows)  # SQL month arithmetic = the rule
