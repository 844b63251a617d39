from datetime import date, timedelta

from sqlalchemy import select

from lms.clock import today
from lms.compliance.models import Completion, Requirement
from lms.compliance.rules import add_months
from lms.compliance.services import record_completion
from lms.extensions import db
from tests.integration.compliance.test_report import REQUIREMENTS, load
from tests.integration.learning.test_assessment import form_for, start


def setup_matrix(make_job_role):
    make_job_role("Drug and alcohol worker")
    load("requirements", REQUIREMENTS)
    return db.session.scalar(select(Requirement))


def test_my_training_explains_why_it_is_due_and_how_to_do_it(client, login_as, make_person, make_job_role, courses):
    requirement = setup_matrix(make_job_role)
    person = make_person()
    completed = add_months(today(), -24) + timedelta(days=10)
    record_completion(person.id, requirement, completed, "import")
    db.session.commit()
    login_as(person)
    page = client.get("/training").get_data(as_text=True)
    assert "Due soon" in page and "+ 24 months" in page
    assert 'href="/courses/hidden-harm-awareness"' in page


def test_manager_sees_overdue_staff_only_in_their_line(client, login_as, make_person, make_org, make_job_role):
    setup_matrix(make_job_role)
    manager = make_person(roles=["manager"])
    overdue = make_person(manager=manager, org=manager.organisation, given_name="Olive", start_date=date(2019, 1, 1))
    other = make_person(org=make_org("Elsewhere"), given_name="Xavier", start_date=date(2019, 1, 1))
    login_as(manager)
    page = client.get("/team?training=overdue").get_data(as_text=True)
    assert overdue.name in page and other.name not in page and "Not done" in page


def test_learner_cannot_open_my_team(client, login_as, make_person):
    login_as(make_person())
    assert client.get("/team").status_code == 403


def test_passing_a_course_satisfies_the_requirement(client, login_as, make_person, make_job_role, courses):
    requirement = setup_matrix(make_job_role)
    login_as(make_person())
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    completion = db.session.scalars(select(Completion)).one()
    assert completion.requirement_id == requirement.id and completion.source == "course"
    assert completion.expires_on == add_months(today(), 24)
    assert "Up to date" in client.get("/training").get_data(as_text=True)
