"""Admin → Audit log: who did what to which record and when, filtered by kind of record and by person."""
from datetime import date

from lms.accounts.models import Role
from lms.competencies import services as competencies
from lms.competencies.rules import EvidenceSource
from lms.compliance import services as compliance
from lms.compliance.models import Requirement
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of, team  # noqa: F401 - the team fixture


def test_admins_read_who_did_what_and_when_and_filter_it(client, login_as, make_person, team):
    requirement = Requirement(slug="caf-early-help", title="CAF and early help", courses=[])
    db.session.add(requirement)
    db.session.flush()
    admin = make_person(roles=[Role.ADMIN], given_name="Alex", family_name="Morgan")
    compliance.record_exemption(team.manager.id, requirement, "secondment", date(2026, 1, 1), date(2026, 6, 30), admin)
    pass_course(team.learner, "recognise-and-refer")
    competencies.add_note(team.learner, record_of(team.learner, "AA1").unit, EvidenceSource.OBSERVATION,
                          date(2026, 3, 5), "Seen at work.", team.manager)
    competencies.sign_off(record_of(team.learner, "AA1"), team.manager, "Meets AA1.")
    db.session.commit()

    login_as(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "4 entries" in page
    assert "Competency signed off" in page and "Mark Hughes" in page and "about Lee Patel" in page
    assert "Exemption recorded" in page and "Alex Morgan" in page
    assert "The system or a command" in page  # the course passed outside a request
    assert "Meets AA1." in page  # the entry's content

    signed = client.get("/admin/audit?table=competency_decisions").get_data(as_text=True)
    assert "1 entry" in signed and "Exemption recorded" not in signed
    about_manager = client.get(f"/admin/audit?person={team.manager.email}").get_data(as_text=True)
    assert "3 entries by or about Mark Hughes" in about_manager  # the exemption, the note and the sign-off
    unknown = client.get("/admin/audit?person=nobody@example.test").get_data(as_text=True)
    assert "Nobody has the email address nobody@example.test" in unknown

    client.post("/logout")
    for person in (team.manager, make_person(roles=[Role.COORDINATOR]), make_person(roles=[Role.COMMISSIONER])):
        login_as(person)
        assert client.get("/admin/audit").status_code == 403
        client.post("/logout")
