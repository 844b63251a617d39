"""A requirements matrix of two requirements and a way to give people a status for each."""
import re
from html import unescape
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.clock import today
from lms.compliance.models import Requirement
from lms.compliance.rules import add_months
from lms.compliance.services import record_completion
from lms.extensions import db
from tests.integration.compliance.test_report import load

MATRIX = """\
requirements:
  - slug: hidden-harm-awareness
    title: Hidden Harm awareness
    satisfied_by: {courses: [hidden-harm-awareness]}
  - slug: safeguarding-children-l2
    title: Safeguarding children (level 2)
    satisfied_by: {courses: [safeguarding-children-substance-misuse]}
job_roles:
  - {name: Drug and alcohol worker, requirements: [hidden-harm-awareness, safeguarding-children-l2]}
"""


@pytest.fixture
def matrix(make_job_role) -> dict[str, Requirement]:
    make_job_role("Drug and alcohol worker")
    load("requirements", MATRIX)
    return {r.slug: r for r in db.session.scalars(select(Requirement))}


@pytest.fixture
def hold(matrix):
    """hold(person, slug, status): record a completion that puts the person in that status today."""
    def do(person, slug, status):
        requirement = matrix[slug]
        completed = {
            "compliant": today() - timedelta(days=30),
            "due_soon": add_months(today(), -requirement.validity_months) + timedelta(days=10),
            "expired": add_months(today(), -requirement.validity_months) - timedelta(days=10),
        }[status]
        record_completion(person.id, requirement, completed, "import", note="from the old system")
        db.session.commit()

    return do


def text_of(html: str) -> str:
    """The page as a person reads it: tags gone, spaces collapsed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").strip())


@pytest.fixture
def pass_course(courses):
    """pass_course(person, slug, on): a passed attempt and its completion, as passing the assessment records them."""
    from lms.compliance.services import on_course_completed
    from lms.db import utcnow
    from lms.learning.models import Attempt, CourseCompletion
    from lms.learning.queries import published_version

    def do(person, slug, on):
        version = published_version(slug)
        attempt = Attempt(user_id=person.id, course_version_id=version.id, pass_mark=80, questions=[], answers={},
                          score=10, passed=True, submitted_at=utcnow())
        db.session.add(attempt)
        db.session.flush()
        completion = CourseCompletion(user_id=person.id, course_version_id=version.id, attempt_id=attempt.id,
                                      completed_on=on, score_percent=100, certificate_code=f"TEST-{attempt.id:04d}")
        db.session.add(completion)
        db.session.flush()
        on_course_completed(completion)
        db.session.commit()
        return completion

    return do
