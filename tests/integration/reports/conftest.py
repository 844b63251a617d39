"""A small partnership with a plan, built the same way every time so figures can be compared exactly."""
import textwrap
from datetime import date

import pytest

from lms import import_kinds  # noqa: F401 - every import kind registered
from lms.accounts.models import Sector
from lms.compliance.models import Requirement
from lms.reports.queries import plan_by_slug
from lms.compliance.services import record_completion
from lms.extensions import db
from lms.importing import run_import

REQUIREMENTS = """\
requirements:
  - slug: hidden-harm-awareness
    title: Hidden Harm awareness
    satisfied_by: {courses: [hidden-harm-awareness]}
  - slug: safeguarding-children-l2
    title: Safeguarding children (level 2)
job_roles:
  - {name: Drug and alcohol worker, requirements: [hidden-harm-awareness, safeguarding-children-l2]}
  - {name: Social worker, requirements: [hidden-harm-awareness]}
"""

PLAN = """\
slug: hh-2026
title: Hidden Harm training plan 2026
owner: Commissioning Manager
starts_on: 2026-01-05
targets:
  - requirement: hidden-harm-awareness
    organisations: all
    milestones: [{date: 2026-09-30, percent: 50}, {date: 2027-03-31, percent: 100}]
  - requirement: safeguarding-children-l2
    organisations: [Recovery Service]
    milestones: [{date: 2026-12-31, percent: 50}]
"""


def load(kind, text):
    report = run_import(kind, textwrap.dedent(text))
    assert report.ok, report.problems
    db.session.commit()


@pytest.fixture
def partnership(make_org, make_job_role, make_person):
    """Two organisations, a matrix, a plan, and staff whose records give every RAG a chance."""
    worker, social = make_job_role("Drug and alcohol worker"), make_job_role("Social worker")
    recovery = make_org("Recovery Service", sector=Sector.DRUG_ALCOHOL, commissioned=True)
    children = make_org("Children's Services", sector=Sector.CHILDREN)
    load("requirements", REQUIREMENTS)
    load("plans", PLAN)
    awareness, level2 = (db.session.scalar(db.select(Requirement).where(Requirement.slug == s))
                         for s in ("hidden-harm-awareness", "safeguarding-children-l2"))
    people = {}
    for n, (org, role, done) in enumerate([
        (recovery, worker, [(awareness, date(2026, 2, 1)), (level2, date(2025, 1, 10))]),
        (recovery, worker, [(awareness, date(2024, 12, 20))]),  # lapses on 2026-12-20
        (recovery, worker, []),
        (recovery, worker, [(awareness, date(2026, 6, 30)), (level2, date(2026, 7, 1))]),
        (children, social, [(awareness, date(2026, 3, 3))]),
        (children, social, []),
        (children, social, []),
    ]):
        person = make_person(org=org, job_role=role, start_date=date(2020, 1, 6), family_name=f"Staff{n}")
        for requirement, day in done:
            record_completion(person.id, requirement, day, "import")
        people[n] = person
    db.session.commit()
    return {"recovery": recovery, "children": children, "awareness": awareness, "level2": level2,
            "plan": plan_by_slug("hh-2026"), "people": people}


@pytest.fixture
def sign_in_as(login_as, make_person, make_job_role, partnership):
    """Sign in someone with a role whose job needs no training, so they are not counted themselves."""
    def sign_in(*roles, org=None):
        person = make_person(org=org or partnership["children"], roles=list(roles),
                             job_role=make_job_role("Commissioning manager"))
        login_as(person)
        return person

    return sign_in
from tests.integration.events.conftest import make_event  # noqa: F401 - sessions for pipeline tests
