"""Requirements, plans and completions imports: hostile files are refused line by line, and a file
imported twice changes nothing the second time (on SQLite and PostgreSQL alike)."""
import io
import re
import textwrap
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.compliance.models import Completion, Requirement
from lms.reports.models import ActionPlan
from lms.compliance.services import supersede
from lms.extensions import db
from lms.importing import run_import


def write(tmp_path, text, name="file.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def refused(runner, kind, path):
    """Run the import and return its output, checking it failed cleanly and changed nothing."""
    result = runner.invoke(args=["import", kind, str(path)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    assert "nothing was changed" in result.output
    return result.output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def roles(make_job_role, make_org):
    make_job_role("Volunteer")
    make_org("Hope Project")


# An alias bomb of a few hundred bytes: each level repeats the one before nine times.
ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
requirements:
  - slug: bomb
    title: *e
"""


def test_yaml_aliases_are_refused_before_they_expand(runner, tmp_path, roles):
    output = refused(runner, "requirements", write(tmp_path, ALIAS_BOMB))
    assert "line 1: file: anchors and aliases (& and *) are not allowed" in output
    assert count(Requirement) == 0


def test_deeply_nested_yaml_is_refused(runner, tmp_path, roles):
    output = refused(runner, "requirements", write(tmp_path, "requirements: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "line 1: file: nested more than 10 levels deep" in output


@pytest.mark.parametrize("text, problem", [
    ("requirements: 5\n", "line 1: requirements: must be a list"),
    ("requirements: [5]\n", "line 1: requirements: each item must be a mapping"),
    ("requirements:\n  - {slug: a, title: A, satisfied_by: {courses: 5}}\n", "line 2: courses: must be a list"),
    ("requirements:\n  - {slug: a, title: [A, B]}\n", "line 2: title: must be text"),
    ("requirements:\n  - {slug: a, title: A, validity_months: 1.0e+9999}\n",
     "line 2: validity_months: must be a whole number from 1 to 240"),
    ("job_roles:\n  - name: Volunteer\n    requirements: 5\n", "line 3: requirements: must be a list"),
    ("job_roles:\n  - {name: Volunteer, requirements: [{a: b}]}\n", "line 2: requirements: must be a list of text"),
    ("job_roles: {name: Volunteer}\n", "line 1: job_roles: must be a list"),
    ("- just\n- a list\n", "line 1: file: must be a mapping with requirements: and job_roles:"),
    ("requirements:\n  - slug: a\n    title: A\n    validity_months: " + "9" * 5000 + "\n",
     "line 4: validity_months: must be a whole number from 1 to 240"),
])
def test_wrong_types_in_yaml_are_named_by_line_and_field(runner, tmp_path, roles, text, problem):
    assert problem in refused(runner, "requirements", write(tmp_path, text))


HOSTILE = ["5", "1.5", ".nan", "9" * 5000, "[]", "[[a]]", "{a: b}", "null", "''", "yes", "2026-02-30",
           "!!timestamp 2026-02-30", "!!binary aGVsbG8=", "!!set {a}", '"\\0"', '"\\ud800"', "x" * 301,
           "!!python/object:os.system x", "!!float 1e400"]
PLAN_FIELDS = {"slug": "p", "title": "T", "owner": "O", "starts_on": "2026-01-05", "requirement": "hh",
               "organisations": "all", "milestones": "[{date: 2026-12-31, percent: 50}]"}


def plan_text(fields: dict) -> str:
    return ("slug: {slug}\ntitle: {title}\nowner: {owner}\nstarts_on: {starts_on}\ntargets:\n"
            "  - requirement: {requirement}\n    organisations: {organisations}\n    milestones: {milestones}\n").format(**fields)


def test_any_value_in_any_field_of_a_plan_is_an_answer_never_a_crash(runner, tmp_path, roles):
    runner.invoke(args=["import", "requirements", str(write(tmp_path, "requirements: [{slug: hh, title: HH}]\n"))])
    assert run_import("plans", plan_text(PLAN_FIELDS)).ok
    db.session.rollback()
    for field in PLAN_FIELDS:
        for value in HOSTILE:
            report = run_import("plans", plan_text(PLAN_FIELDS | {field: value}))
            db.session.flush()  # what would be stored, is storable
            db.session.rollback()
            assert all(re.fullmatch(r"line \d+: \w+: .+", str(p)) for p in report.problems), (field, value, report.problems)
    assert count(ActionPlan) == 0


def test_impossible_yaml_dates_are_refused(runner, tmp_path, roles):
    runner.invoke(args=["import", "requirements", str(write(tmp_path, "requirements: [{slug: hh, title: HH}]\n"))])
    plan = """\
    slug: plan
    title: A plan
    owner: Someone
    starts_on: 2026-02-30
    targets:
      - requirement: hh
        organisations: all
        milestones: [{date: 2026-13-01, percent: 50}]
    """
    output = refused(runner, "plans", write(tmp_path, plan, "plan.yaml"))
    assert "line 4: starts_on: '2026-02-30' is not a date in the form YYYY-MM-DD" in output
    assert "line 8: date: '2026-13-01' is not a date in the form YYYY-MM-DD" in output
    assert count(ActionPlan) == 0


def test_nul_characters_and_over_long_values_are_refused(runner, tmp_path, roles):
    text = f"""\
    requirements:
      - slug: {"s" * 101}
        title: "Hidden\\0Harm"
      - slug: ok
        title: {"t" * 5000}
    """
    output = refused(runner, "requirements", write(tmp_path, text))
    assert "line 2: slug: is 101 characters long; at most 100" in output
    assert "line 3: title: contains a NUL character" in output
    assert "line 5: title: is 5,000 characters long; at most 200" in output
    assert count(Requirement) == 0


def test_a_raw_nul_byte_in_yaml_is_refused_with_its_line(runner, tmp_path, roles):
    output = refused(runner, "requirements", write(tmp_path, "requirements:\n  - slug: a\n    title: A\x00B\n"))
    assert "line 3: file: not valid YAML" in output


def test_two_plans_with_one_slug_in_a_file_are_an_error(runner, tmp_path, roles):
    runner.invoke(args=["import", "requirements", str(write(tmp_path, "requirements: [{slug: hh, title: HH}]\n"))])
    plan = """\
    plans:
      - slug: plan
        title: First
        owner: Someone
        starts_on: 2026-01-05
        targets: [{requirement: hh, organisations: all, milestones: [{date: 2026-12-31, percent: 50}]}]
      - slug: plan
        title: Second
        owner: Someone
        starts_on: 2026-01-05
        targets: [{requirement: hh, organisations: all, milestones: [{date: 2026-12-31, percent: 90}]}]
    """
    output = refused(runner, "plans", write(tmp_path, plan, "plan.yaml"))
    assert "line 7: slug: 'plan' is also on line 2" in output
    assert count(ActionPlan) == 0


def test_one_job_role_twice_in_a_requirements_file_is_an_error(runner, tmp_path, roles):
    text = """\
    requirements: [{slug: hh, title: HH}]
    job_roles:
      - {name: Volunteer, requirements: [hh]}
      - {name: volunteer, requirements: []}
    """
    assert "line 4: name: 'volunteer' is also on line 3" in refused(runner, "requirements", write(tmp_path, text))


def test_admin_upload_of_an_alias_bomb_lists_the_problem(client, login_as, make_person, roles):
    login_as(make_person(roles=["admin"]))
    response = client.post("/admin/imports", data={"kind": "requirements", "file": (io.BytesIO(ALIAS_BOMB.encode()), "bomb.yaml")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "line 1: file: anchors and aliases (&amp; and *) are not allowed" in page
    assert "Import requirements" not in page  # nothing to apply


# --- completions: the same file twice records nothing new ---

COMPLETIONS = """\
employee_id,requirement,completed_on,note
{a},hh,2025-03-01,face to face
{b},hh,2025-04-02,
"""


@pytest.fixture
def two_staff(runner, tmp_path, make_person, roles):
    runner.invoke(args=["import", "requirements", str(write(tmp_path, "requirements: [{slug: hh, title: HH}]\n", "r.yaml"))])
    return make_person(), make_person()


def test_importing_the_same_completions_twice_records_nothing_new(runner, tmp_path, two_staff):
    a, b = two_staff
    path = write(tmp_path, COMPLETIONS.format(a=a.employee_id, b=b.employee_id), "completions.csv")
    first = runner.invoke(args=["import", "completions", str(path)])
    assert first.exit_code == 0 and "2 completions recorded" in first.output
    second = runner.invoke(args=["import", "completions", str(path)])
    assert second.exit_code == 0, second.output
    assert "2 unchanged" in second.output and "recorded" not in second.output
    assert count(Completion) == 2


def test_a_withdrawn_completion_can_be_imported_again(runner, tmp_path, two_staff):
    a, b = two_staff
    path = write(tmp_path, COMPLETIONS.format(a=a.employee_id, b=b.employee_id), "completions.csv")
    runner.invoke(args=["import", "completions", str(path)])
    withdrawn = db.session.scalar(select(Completion).where(Completion.user_id == a.id))
    supersede(withdrawn, "entered against the wrong person", by=b)
    db.session.commit()
    result = runner.invoke(args=["import", "completions", str(path)])
    assert "1 completions recorded, 1 unchanged" in result.output
    assert db.session.scalar(select(func.count()).select_from(Completion).where(
        Completion.user_id == a.id, Completion.superseded_at.is_(None), Completion.completed_on == date(2025, 3, 1))) == 1


def test_identical_completions_in_one_file_name_both_lines(runner, tmp_path, two_staff):
    a, b = two_staff
    text = COMPLETIONS.format(a=a.employee_id, b=b.employee_id) + f"{a.employee_id},hh,2025-03-01,again\n"
    output = refused(runner, "completions", write(tmp_path, text, "completions.csv"))
    assert "line 4: completed_on: the same completion is on line 2" in output
    assert count(Completion) == 0


def test_completion_notes_are_checked_for_length_and_nul(runner, tmp_path, two_staff):
    a, b = two_staff
    text = f"employee_id,requirement,completed_on,note\n{a.employee_id},hh,2025-03-01,{'n' * 2001}\n{b.employee_id},hh,2025-03-01,a\x00b\n"
    output = refused(runner, "completions", write(tmp_path, text, "completions.csv"))
    assert "line 2: note: is 2,001 characters long; at most 2,000" in output
    assert "line 3: note: contains a NUL character" in output
    assert count(Completion) == 0


def test_only_dates_written_yyyy_mm_dd_are_read(runner, tmp_path, two_staff):
    a, b = two_staff
    text = f"employee_id,requirement,completed_on,note\n{a.employee_id},hh,20250301,\n{b.employee_id},hh,2025-W09-6,\n"
    output = refused(runner, "completions", write(tmp_path, text, "completions.csv"))
    assert "line 2: completed_on: '20250301' is not a date in the form YYYY-MM-DD" in output
    assert "line 3: completed_on: '2025-W09-6' is not a date in the form YYYY-MM-DD" in output


def test_requirements_no_longer_name_event_kinds(runner, tmp_path, make_job_role):
    path = tmp_path / "requirements.yaml"
    path.write_text("requirements:\n  - slug: hh\n    title: Hidden Harm\n    satisfied_by:\n      courses: [hh]\n      event_kinds: [briefing]\n")
    result = runner.invoke(args=["import", "requirements", str(path)])
    assert result.exit_code == 1
    assert "line 6: event_kinds: is no longer used: each session names the requirements it counts towards" in result.output
