"""Real simultaneous requests, each with its own app context and so its own database connection."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from lms.compliance.models import Completion, Requirement
from lms.extensions import db
from lms.learning.models import Attempt, CourseCompletion
from tests.conftest import login
from tests.integration.learning.test_assessment import form_for, start

SUBMITTERS = 8


@pytest.fixture
def learner(make_person, login_as, courses):
    db.session.add(Requirement(slug="hidden-harm-awareness", title="Hidden Harm awareness", courses=["hidden-harm-awareness"]))
    db.session.commit()
    person = make_person(given_name="Lee")
    login_as(person)
    return person


def submit_together(app, person, attempt: Attempt, forms: list[dict]) -> list[int]:
    """POST every form to the attempt at the same moment, each from its own signed-in client; the status codes."""
    clients = [app.test_client() for _ in forms]
    for each in clients:
        assert login(each, person).status_code == 302
    ready = threading.Barrier(len(forms))

    def submit(n: int) -> int:
        with app.app_context():
            ready.wait()
            return clients[n].post(f"/attempts/{attempt.id}", data=forms[n]).status_code

    with ThreadPoolExecutor(len(forms)) as pool:
        statuses = list(pool.map(submit, range(len(forms))))
    db.session.expire_all()
    return statuses


def test_simultaneous_submissions_of_one_attempt_are_scored_once(app, client, learner):
    attempt = start(client)
    # Every submission passes, each with a different score, so a second scoring would show.
    statuses = submit_together(app, learner, attempt, [form_for(attempt, right=8 + n % 3) for n in range(SUBMITTERS)])
    assert sorted(statuses) == [302] + [409] * (SUBMITTERS - 1)
    [completion] = db.session.scalars(select(CourseCompletion)).all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.passed and completion.score_percent == stored.score * 10
    assert len(db.session.scalars(select(Completion)).all()) == 1  # the requirement, recorded once


def test_simultaneous_passing_and_failing_submissions_leave_one_consistent_result(app, client, learner):
    attempt = start(client)
    statuses = submit_together(app, learner, attempt, [form_for(attempt, right=10 if n % 2 else 0) for n in range(SUBMITTERS)])
    assert sorted(statuses) == [302] + [409] * (SUBMITTERS - 1)
    stored = db.session.get(Attempt, attempt.id)
    completions = db.session.scalars(select(CourseCompletion)).all()
    if stored.passed:
        assert stored.score == 10 and [c.score_percent for c in completions] == [100]
    else:
        assert stored.score == 0 and completions == []
