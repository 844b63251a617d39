"""Valid periods stay equal to a fresh rebuild from the records through every kind of write, in the same
transaction, including writes made at the same moment on PostgreSQL."""
import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from lms.accounts.models import JobRole, User
from lms.bench.floor import floor_counts
from lms.clock import today
from lms.compliance import periods
from lms.compliance.models import Completion, Requirement, ValidPeriod
from lms.compliance.queries import counts_on
from lms.compliance.services import record_completion
from lms.extensions import db
from tests.integration.compliance.test_admin_records import date_fields

REQUIREMENTS = """\
requirements:
  - {slug: awareness, title: Hidden Harm awareness, validity_months: 24}
  - {slug: level-2, title: Safeguarding children (level 2), validity_months: 12}
job_roles:
  - {name: Drug and alcohol worker, requirements: [awareness, level-2]}
  - {name: Social worker, requirements: [awareness]}
"""
STAFF = """\
employee_id,given_name,family_name,email,organisation,team,job_role,manager_email,start_date,leaving_date
E1,Ann,Archer,ann@example.test,Recovery Service,,Drug and alcohol worker,,2019-04-01,
E2,Bob,Baker,bob@example.test,Recovery Service,,Drug and alcohol worker,,2021-09-01,
E3,Cat,Cole,cat@example.test,Children's Services,,Social worker,,2018-01-15,
"""
COMPLETIONS = """\
employee_id,requirement,completed_on,note
E1,awareness,2022-03-01,
E1,awareness,2024-02-20,renewed early
E1,level-2,2023-05-05,
E2,awareness,2021-10-10,
E2,level-2,2024-11-01,
E3,awareness,2020-02-29,
E3,awareness,2022-03-01,a day after it lapsed
"""


def stored() -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(select(*(ValidPeriod.__table__.c[c] for c in periods.COLUMNS))))


def assert_in_step() -> None:
    """The table equals what the records imply, and a rebuild from scratch changes nothing."""
    db.session.expire_all()
    before = stored()
    assert periods.differences() == (0, 0)
    periods.rebuild()
    db.session.commit()
    assert stored() == before


def run_cli(runner, tmp_path, *args, text=None):
    if text is not None:
        path = tmp_path / "import.txt"
        path.write_text(text)
        args = (*args, str(path))
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def partnership(runner, tmp_path, make_org, make_job_role, make_person):
    make_org("Recovery Service"), make_org("Children's Services")
    make_job_role("Drug and alcohol worker"), make_job_role("Social worker")
    run_cli(runner, tmp_path, "import", "requirements", text=REQUIREMENTS)
    run_cli(runner, tmp_path, "import", "staff", text=STAFF)
    return make_person(roles=["admin"], email="admin@example.test", job_role=make_job_role("Administrator"))


def person(employee_id: str) -> User:
    return db.session.scalar(select(User).where(User.employee_id == employee_id))


def requirement(slug: str) -> Requirement:
    return db.session.scalar(select(Requirement).where(Requirement.slug == slug))


def test_periods_equal_a_fresh_rebuild_after_mixed_writes(runner, tmp_path, client, login_as, partnership):
    run_cli(runner, tmp_path, "import", "completions", text=COMPLETIONS)
    assert_in_step()
    assert {(row[0], row[2], row[3]) for row in stored() if row[0] == person("E1").id and row[1] == requirement("awareness").id} == {
        (person("E1").id, date(2022, 3, 1), date(2026, 2, 20))}  # renewed while valid: one unbroken run
    assert len([row for row in stored() if row[0] == person("E3").id]) == 2  # lapsed a day: two runs

    login_as(partnership)
    e2 = person("E2")
    assert client.post(f"/people/{e2.id}/training/certificate", data={
        "requirement": str(requirement("level-2").id), "note": "Certificate from the trust, seen"
    } | date_fields("completed_on", date(2023, 10, 20))).status_code == 302
    assert_in_step()

    wrong = db.session.scalar(select(Completion).where(Completion.user_id == e2.id, Completion.completed_on == date(2021, 10, 10)))
    assert client.post(f"/completions/{wrong.id}/correct", data={"reason": "wrong year"} | date_fields(
        "corrected_on", date(2022, 10, 10))).status_code == 302
    assert_in_step()
    level2 = db.session.scalar(select(Completion).where(Completion.user_id == e2.id, Completion.completed_on == date(2024, 11, 1)))
    assert client.post(f"/completions/{level2.id}/correct", data={"reason": "never attended"}).status_code == 302
    assert_in_step()

    assert client.post(f"/people/{person('E1').id}/training/exemption", data={
        "requirement": str(requirement("level-2").id), "reason": "long-term sick"} | date_fields("ends_on", today())
    ).status_code == 302
    assert_in_step()

    # HR moves Bob to Children's Services as a social worker, Cat leaves, Ann starts later than recorded.
    moved = STAFF.replace("E2,Bob,Baker,bob@example.test,Recovery Service,,Drug and alcohol worker,,2021-09-01,",
                          "E2,Bob,Baker,bob@example.test,Children's Services,,Social worker,,2021-09-01,")
    moved = moved.replace("Social worker,,2018-01-15,", "Social worker,,2018-01-15,2024-12-31")
    moved = moved.replace("2019-04-01", "2019-05-01")
    run_cli(runner, tmp_path, "import", "staff", text=moved)
    assert_in_step()
    assert {row[4] for row in stored() if row[0] == person("E2").id} == {person("E2").organisation_id}

    # The matrix and the cycle change: social workers now need level 2, which becomes valid for 36 months.
    level_2 = requirement("level-2")
    roles = {str(r.id) for r in db.session.scalars(select(JobRole).where(JobRole.name.in_(["Drug and alcohol worker",
                                                                                            "Social worker"])))}
    assert client.post(f"/admin/requirements/{level_2.id}", data={
        "title": level_2.title, "validity_months": "36", "due_soon_days": "60", "induction_days": "90", "courses": [],
        "job_roles": sorted(roles)}).status_code == 302
    assert_in_step()
    assert {row[3] for row in stored() if row[0] == person("E1").id and row[1] == level_2.id} == {date(2026, 5, 5)}
    run_cli(runner, tmp_path, "import", "requirements", text=REQUIREMENTS)  # and back again, by import
    assert_in_step()

    # The report, from the periods, counts what the hand-written SQL counts from the records.
    for day in (today(), date(2024, 6, 1), date(2022, 3, 1)):
        assert counts_on(day) == floor_counts(db.session, day)


def test_a_rolled_back_change_leaves_no_trace(partnership):
    ann = person("E1")
    record_completion(ann.id, requirement("awareness"), date(2024, 1, 1), "import")
    periods.bring_up_to_date()
    assert len(stored()) == 1
    db.session.rollback()
    ann.start_date = date(2019, 6, 1)  # a later, unrelated change commits
    db.session.commit()
    assert stored() == []
    assert_in_step()


def test_bulk_sql_is_caught_by_check_and_mended_by_rebuild(runner, tmp_path, partnership):
    run_cli(runner, tmp_path, "import", "completions", text=COMPLETIONS)
    assert "valid periods match the records" in run_cli(runner, tmp_path, "periods", "check")
    db.session.execute(update(Completion).where(Completion.user_id == person("E3").id)
                       .values(superseded_at=db.func.current_timestamp()))  # bypasses the session's bookkeeping
    db.session.commit()
    result = runner.invoke(args=["periods", "check"])
    assert result.exit_code == 1
    assert "0 valid period(s) missing and 2 out of date; run `lms periods rebuild`" in result.output
    assert "valid periods rebuilt from the records" in run_cli(runner, tmp_path, "periods", "rebuild")
    assert_in_step()


def test_completions_at_the_same_moment_both_count(app, database_url, partnership):
    """Two requests record completions for one person at once: the second to commit sees the first's."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time")
    ann_id, awareness_id, level2_id = person("E1").id, requirement("awareness").id, requirement("level-2").id
    first_flushed, first_may_commit = threading.Event(), threading.Event()
    errors = []

    def record(requirement_id, completed_on, before_commit=None):
        try:
            with app.app_context():
                record_completion(ann_id, db.session.get(Requirement, requirement_id), completed_on, "import")
                periods.bring_up_to_date()  # holds Ann's row until commit
                if before_commit:
                    before_commit()
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    def pause():
        first_flushed.set()
        first_may_commit.wait(10)

    first = threading.Thread(target=record, args=(awareness_id, date(2024, 1, 1), pause))
    first.start()
    first_flushed.wait(10)
    second = threading.Thread(target=record, args=(level2_id, date(2024, 2, 1)))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first to commit
    first_may_commit.set()
    first.join(10), second.join(10)
    assert errors == []
    assert {row[1] for row in stored() if row[0] == ann_id} == {awareness_id, level2_id}
    assert_in_step()
