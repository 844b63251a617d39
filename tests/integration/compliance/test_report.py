import csv
import io
import random
import textwrap
from datetime import date, timedelta

import pytest

from lms.compliance import rules
from lms.compliance.models import Exemption
from lms.compliance.queries import counts_on
from lms.compliance.services import record_completion, statuses
from lms.extensions import db
from lms.importing import run_import
from lms import import_kinds  # noqa: F401

REQUIREMENTS = """\
requirements:
  - slug: hidden-harm-awareness
    title: Hidden Harm awareness
    satisfied_by: {courses: [hidden-harm-awareness]}
job_roles:
  - {name: Drug and alcohol worker, requirements: [hidden-harm-awareness]}
"""

PLAN = """\
slug: substance-misuse-parents-2012
title: Substance misuse among parents and carers - action plan
owner: Commissioning Manager
starts_on: 2012-07-17
targets:
  - requirement: hidden-harm-awareness
    organisations: [Adult Social Care, Drug and Alcohol Service]
    milestones: [{date: 2012-12-31, percent: 50}, {date: 2013-06-30, percent: 100}]
"""


def load(kind, text):
    report = run_import(kind, textwrap.dedent(text))
    assert report.ok, report.problems
    db.session.commit()


@pytest.fixture
def matrix(make_org, make_job_role):
    make_job_role("Drug and alcohol worker")
    adults, service = make_org("Adult Social Care"), make_org("Drug and Alcohol Service")
    load("requirements", REQUIREMENTS)
    from lms.compliance.models import Requirement

    return adults, service, db.session.scalar(db.select(Requirement))


def report(runner, *args):
    result = runner.invoke(args=["report", "compliance", *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_report_follows_the_rules_for_starters_leavers_exemptions_and_expiry(runner, make_person, matrix):
    adults, service, requirement = matrix
    day = date(2012, 12, 31)
    valid = make_person(org=service, start_date=date(2010, 1, 1))
    record_completion(valid.id, requirement, date(2012, 9, 1), "import")
    expired = make_person(org=service, start_date=date(2008, 1, 1))
    record_completion(expired.id, requirement, date(2010, 12, 31), "import")  # expires 2012-12-31: not valid on it
    leaver_on_day = make_person(org=service, start_date=date(2010, 1, 1), leaving_date=day)
    record_completion(leaver_on_day.id, requirement, date(2012, 1, 5), "import")
    make_person(org=service, start_date=date(2010, 1, 1), leaving_date=day - timedelta(days=1))  # gone
    make_person(org=service, start_date=day + timedelta(days=1))  # not started yet
    exempt = make_person(org=service, start_date=date(2010, 1, 1))
    db.session.add(Exemption(user_id=exempt.id, requirement_id=requirement.id, reason="long-term sick",
                             starts_on=date(2012, 11, 1), ends_on=date(2013, 2, 1)))
    db.session.commit()
    load("plans", PLAN)

    rows = {r["organisation"]: r for r in report(runner, "--plan", "substance-misuse-parents-2012", "--as-of", "2012-12-31")}
    assert rows["Drug and Alcohol Service"] == {
        "organisation": "Drug and Alcohol Service", "requirement": "hidden-harm-awareness",
        "in_scope": "3", "compliant": "2", "percent": "66.7", "target_percent": "50.0", "rag": "green",
        "next_milestone_date": "2012-12-31", "next_milestone_percent": "50.0", "staff_needed": "0",
    }
    assert rows["Adult Social Care"]["percent"] == "n/a" and rows["Adult Social Care"]["in_scope"] == "0"

    later = {r["organisation"]: r for r in report(runner, "--plan", "substance-misuse-parents-2012", "--as-of", "2013-08-01")}
    # After the last milestone the target stays at 100. The leaver has gone; the starter has started
    # and the exemption has ended, so in scope: valid, expired, starter, formerly exempt.
    assert later["Drug and Alcohol Service"]["target_percent"] == "100.0"
    assert (later["Drug and Alcohol Service"]["in_scope"], later["Drug and Alcohol Service"]["compliant"]) == ("4", "1")
    assert later["Drug and Alcohol Service"]["percent"] == "25.0"
    assert later["Drug and Alcohol Service"]["rag"] == "red"
    assert later["Drug and Alcohol Service"]["staff_needed"] == "3"


def test_report_without_a_plan_lists_every_organisation_and_requirement(runner, matrix):
    rows = report(runner, "--as-of", "2012-12-31")
    assert {(r["organisation"], r["requirement"]) for r in rows} == {
        ("Adult Social Care", "hidden-harm-awareness"), ("Drug and Alcohol Service", "hidden-harm-awareness")}
    assert list(rows[0]) == ["organisation", "requirement", "in_scope", "compliant", "percent", "target_percent",
                             "rag", "next_milestone_date", "next_milestone_percent", "staff_needed"]


def test_sql_counts_agree_with_the_rules(make_person, matrix):
    adults, service, requirement = matrix
    rng = random.Random(7)
    people = []
    for _ in range(40):
        start = date(2008, 1, 1) + timedelta(days=rng.randint(0, 2000))
        leaving = start + timedelta(days=rng.randint(100, 3000)) if rng.random() < 0.3 else None
        person = make_person(org=rng.choice([adults, service]), start_date=start, leaving_date=leaving)
        for _ in range(rng.randint(0, 3)):
            record_completion(person.id, requirement, start + timedelta(days=rng.randint(0, 1500)), "import")
        people.append(person)
    db.session.commit()
    for day in [date(2009, 6, 1), date(2011, 2, 28), date(2012, 12, 31), date(2014, 7, 1)]:
        expected = {}
        for person in people:
            if not (person.start_date <= day and (person.leaving_date is None or day <= person.leaving_date)):
                continue
            [item] = statuses([person], day)[person.id]
            key = (person.organisation_id, requirement.id)
            in_scope, ok = expected.get(key, (0, 0))
            expected[key] = (in_scope + 1, ok + (item.status.status in (rules.Status.COMPLIANT, rules.Status.DUE_SOON)))
        assert counts_on(day) == expected, day


def test_bad_plan_and_requirements_files_change_nothing(runner, tmp_path, matrix):
    bad = tmp_path / "plan.yaml"
    bad.write_text(PLAN.replace("Adult Social Care", "Nowhere Council").replace("percent: 50", "percent: 150"))
    result = runner.invoke(args=["import", "plans", str(bad)])
    assert result.exit_code == 1
    assert "line 7: organisations: no organisation called 'Nowhere Council'" in result.output
    assert "line 8: percent: must be a number from 0 to 100" in result.output
    bad_matrix = tmp_path / "requirements.yaml"
    bad_matrix.write_text(REQUIREMENTS.replace("[hidden-harm-awareness]}", "[hidden-harm-awareness, astronomy]}"))
    result = runner.invoke(args=["import", "requirements", str(bad_matrix)])
    assert result.exit_code == 1 and "line 6: requirements: no requirement 'astronomy'" in result.output


def test_completions_import_refuses_future_and_ancient_dates(runner, tmp_path, make_person, matrix):
    person = make_person()
    path = tmp_path / "completions.csv"
    future = (date.today() + timedelta(days=5)).isoformat()
    path.write_text(f"employee_id,requirement,completed_on,note\n{person.employee_id},hidden-harm-awareness,{future},\n"
                    f"{person.employee_id},hidden-harm-awareness,1989-12-31,\nNOBODY,hidden-harm-awareness,2020-01-01,\n")
    result = runner.invoke(args=["import", "completions", str(path)])
    assert result.exit_code == 1
    assert "line 2: completed_on: is in the future" in result.output
    assert "line 3: completed_on: is before 1990" in result.output
    assert "line 4: employee_id: no person with employee number 'NOBODY'" in result.output


def test_cli_csv_neutralises_formulas_in_names(runner, make_org, make_job_role):
    make_job_role("Drug and alcohol worker")
    for name in ("=HYPERLINK(\"http://evil.test\")", "+1 Service", "-Minus", "@SUM(A1)"):
        make_org(name)
    load("requirements", REQUIREMENTS)
    names = {row["organisation"] for row in report(runner)}
    assert names == {"'=HYPERLINK(\"http://evil.test\")", "'+1 Service", "'-Minus", "'@SUM(A1)"}
