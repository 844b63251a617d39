from datetime import date, timedelta

from sqlalchemy import select

from lms.clock import today
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.queries import counts_on
from lms.compliance.services import record_completion
from lms.extensions import db
from tests.integration.compliance.test_report import REQUIREMENTS, load


def setup(make_job_role, make_person):
    make_job_role("Drug and alcohol worker")
    load("requirements", REQUIREMENTS)
    return db.session.scalar(select(Requirement)), make_person(roles=["admin"]), make_person(start_date=date(2019, 1, 1))


def date_fields(name, day):
    return {name: [str(day.day), str(day.month), str(day.year)]}


def test_admin_records_an_external_certificate_with_evidence(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    login_as(admin)
    day = today() - timedelta(days=10)
    response = client.post(f"/people/{person.id}/training/certificate",
                           data={"requirement": str(requirement.id), "note": "Level 2 certificate from the NHS trust, seen"} | date_fields("completed_on", day))
    assert response.status_code == 302
    completion = db.session.scalars(select(Completion)).one()
    assert (completion.source, completion.completed_on, completion.recorded_by_id) == ("external", day, admin.id)
    assert "Up to date" in client.get(f"/people/{person.id}/training").get_data(as_text=True)


def test_certificate_form_shows_errors_and_saves_nothing(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    login_as(admin)
    future = today() + timedelta(days=3)
    page = client.post(f"/people/{person.id}/training/certificate",
                       data={"requirement": str(requirement.id), "note": ""} | date_fields("completed_on", future)).get_data(as_text=True)
    assert "govuk-error-summary" in page and "Describe the evidence you have seen" in page
    assert "must be today or in the past" in page
    assert db.session.scalars(select(Completion)).all() == []


def test_correction_keeps_the_original_and_replaces_it(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    wrong = record_completion(person.id, requirement, date(2024, 5, 1), "import", note="typed wrongly")
    db.session.commit()
    login_as(admin)
    response = client.post(f"/completions/{wrong.id}/correct",
                           data={"reason": "Year typed wrongly on the old system"} | date_fields("corrected_on", date(2025, 5, 1)))
    assert response.status_code == 302
    rows = db.session.scalars(select(Completion).order_by(Completion.id)).all()
    assert len(rows) == 2
    original, corrected = rows
    assert original.superseded_at is not None and original.superseded_by_user_id == admin.id
    assert original.replaced_by_id == corrected.id and original.completed_on == date(2024, 5, 1)
    assert corrected.completed_on == date(2025, 5, 1)
    page = client.get(f"/people/{person.id}/training").get_data(as_text=True)
    assert "Year typed wrongly on the old system" in page and "Corrected" in page
    # Only the corrected record counts.
    assert counts_on(date(2025, 1, 1))[(person.organisation_id, requirement.id)] == (1, 0)


def test_withdrawn_record_no_longer_counts(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    record = record_completion(person.id, requirement, date(2025, 5, 1), "import")
    db.session.commit()
    login_as(admin)
    client.post(f"/completions/{record.id}/correct", data={"reason": "Wrong person"})
    assert counts_on(date(2025, 6, 1))[(person.organisation_id, requirement.id)] == (1, 0)
    assert client.post(f"/completions/{record.id}/correct", data={"reason": "again"}).status_code == 302
    assert len(db.session.scalars(select(Completion)).all()) == 1


def test_exemption_takes_the_person_out_of_scope(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    login_as(admin)
    ends = today() + timedelta(days=90)
    response = client.post(f"/people/{person.id}/training/exemption",
                           data={"requirement": str(requirement.id), "reason": "Long-term sick leave"} | date_fields("ends_on", ends))
    assert response.status_code == 302
    assert db.session.scalars(select(Exemption)).one().ends_on == ends
    assert "Exempt" in client.get(f"/people/{person.id}/training").get_data(as_text=True)
    assert (person.organisation_id, requirement.id) not in counts_on(today())


def test_admin_edits_a_requirement_and_expiries_follow(client, login_as, make_job_role, make_person, courses):
    requirement, admin, person = setup(make_job_role, make_person)
    record = record_completion(person.id, requirement, date(2025, 1, 31), "import")
    db.session.commit()
    login_as(admin)
    response = client.post(f"/admin/requirements/{requirement.id}", data={
        "title": "Hidden Harm awareness", "validity_months": "13", "due_soon_days": "30", "induction_days": "60",
        "courses": ["hidden-harm-awareness", "caf-early-help"], "job_roles": [],
    })
    assert response.status_code == 302
    db.session.refresh(record)
    assert record.expires_on == date(2026, 2, 28)
    assert requirement.courses == ["hidden-harm-awareness", "caf-early-help"]
    assert db.session.scalars(select(RoleRequirement)).all() == []  # no role requires it any more


def test_only_admins_correct_records_or_edit_requirements(client, login_as, make_job_role, make_person):
    requirement, admin, person = setup(make_job_role, make_person)
    record = record_completion(person.id, requirement, date(2025, 5, 1), "import")
    manager = make_person(roles=["manager"], org=person.organisation)
    person.manager = manager
    db.session.commit()
    login_as(manager)
    assert client.get(f"/people/{person.id}/training").status_code == 200
    assert client.post(f"/completions/{record.id}/correct", data={"reason": "x"}).status_code == 403
    assert client.get(f"/admin/requirements/{requirement.id}").status_code == 403
    assert client.get(f"/people/{person.id}/training/exemption").status_code == 403


def test_person_training_is_scoped(client, login_as, make_job_role, make_person, make_org):
    requirement, admin, person = setup(make_job_role, make_person)
    login_as(make_person(roles=["manager"], org=make_org("Elsewhere")))
    assert client.get(f"/people/{person.id}/training").status_code == 404
