"""Home shows what matters to each role: the learner's own due training first, then their team, then the partnership."""
from tests.integration.pages.conftest import text_of


def test_learner_sees_what_is_due_first_with_the_course_to_take(client, login_as, make_person, matrix, hold, courses):
    person = make_person()
    hold(person, "hidden-harm-awareness", "due_soon")
    login_as(person)
    page = client.get("/").get_data(as_text=True)
    words = text_of(page)
    assert "2 things need doing, the most urgent first" in words
    # Never done (overdue) comes before due soon.
    assert words.index("Safeguarding children (level 2)") < words.index("Hidden Harm awareness")
    assert 'href="/courses/safeguarding-children-substance-misuse"' in page
    # Not every course: the catalogue is one click away.
    assert "caf-early-help" not in page and "Recognising and referring" not in words
    assert 'href="/courses/"' in page


def test_learner_who_is_up_to_date_is_told_so(client, login_as, make_person, matrix, hold):
    person = make_person()
    hold(person, "hidden-harm-awareness", "compliant")
    hold(person, "safeguarding-children-l2", "compliant")
    login_as(person)
    words = text_of(client.get("/").get_data(as_text=True))
    assert "You are up to date with all your required training" in words and "Your team" not in words


def test_manager_sees_their_own_training_then_their_teams_numbers(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    make_person(manager=manager, org=manager.organisation)
    login_as(manager)
    page = client.get("/").get_data(as_text=True)
    words = text_of(page)
    assert words.index("Your training") < words.index("Your team") 
    assert "1 person reports to you" in words and "2 overdue items for 1 person" in words
    assert 'href="/team?training=overdue"' in page and 'href="/team"' in page


def test_commissioner_sees_their_plans_after_their_own_training(client, login_as, make_person, matrix):
    from lms.reports.models import ActionPlan, PlanTarget
    from lms.compliance.models import Requirement
    from lms.extensions import db
    from datetime import date

    requirement = db.session.scalar(db.select(Requirement))
    plan = ActionPlan(slug="hh", title="Hidden Harm training plan", owner="Commissioning", starts_on=date(2026, 1, 5))
    plan.targets = [PlanTarget(requirement_id=requirement.id, all_organisations=True, organisation_ids=[],
                               milestones=[{"date": "2026-09-30", "percent": "50"}])]
    db.session.add(plan)
    db.session.commit()
    login_as(make_person(roles=["commissioner"]))
    words = text_of(client.get("/").get_data(as_text=True))
    assert words.index("Your training") < words.index("Action plans") < words.index("Hidden Harm training plan")
    assert "Red" in words and "Green" in words


def test_coordinator_sees_the_programme(client, login_as, make_person, matrix):
    from datetime import timedelta
    from lms.db import utcnow
    from lms.events import services
    from lms.extensions import db

    event = services.new_event("PROG-1")
    start = utcnow() + timedelta(days=10)
    services.save_event(event, {"title": "Working together day", "starts_at": start, "ends_at": start + timedelta(hours=6),
                                "venue": "Civic Centre", "capacity": 12}, utcnow())
    db.session.commit()
    login_as(make_person(roles=["coordinator"]))
    words = text_of(client.get("/").get_data(as_text=True))
    assert "The programme" in words and "Working together day" in words and "0 of 12 taken" in words
