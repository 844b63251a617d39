"""One training record per person: every source, certificates, local contacts; the person page around it."""
from datetime import date, timedelta

from lms.clock import today
from lms.compliance.services import record_completion
from lms.extensions import db
from lms.learning.models import LocalContacts
from tests.integration.learning.test_sync import manifest_version
from tests.integration.pages.conftest import text_of


def test_the_record_shows_imported_external_and_course_completions_with_certificates(
        client, login_as, make_person, matrix, pass_course):
    person = make_person()
    record_completion(person.id, matrix["safeguarding-children-l2"], date(2024, 3, 1), "import", note="from the old system")
    admin = make_person(roles=["admin"])
    record_completion(person.id, matrix["safeguarding-children-l2"], today() - timedelta(days=40), "external",
                      note="county council certificate, seen", recorded_by_id=admin.id)
    course = pass_course(person, "hidden-harm-awareness", today() - timedelta(days=5))
    other = pass_course(person, "caf-early-help", today() - timedelta(days=2))  # counts towards no requirement here
    login_as(person)
    page = client.get(f"/people/{person.id}/training").get_data(as_text=True)
    words = text_of(page)
    assert "No courses completed yet" not in words and "No training recorded" not in words
    assert "Imported: from the old system" in words
    assert f"External certificate: county council certificate, seen recorded by {admin.name}" in words
    assert f"E-learning: Hidden Harm awareness (version {manifest_version('hidden-harm-awareness')})" in words
    assert f'href="/completions/{course.id}/certificate.pdf"' in page
    assert "counts towards no requirement" in words and f'href="/completions/{other.id}/certificate.pdf"' in page
    # The account page and My training lead here; the separate course list is no longer linked.
    assert f'href="/people/{person.id}/training"' in client.get("/account").get_data(as_text=True)
    assert f'href="/people/{person.id}/training"' in client.get("/training").get_data(as_text=True)


def test_the_record_shows_local_contacts_to_the_persons_manager(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    person = make_person(manager=manager, org=manager.organisation)
    db.session.add(LocalContacts(user_id=person.id, childrens_social_care="Front door 0100 000 0000",
                                 out_of_hours="Emergency duty team 0100 000 0001", safeguarding_lead="Jo Smith, ext 2233",
                                 drug_alcohol_contact="Recovery hub 0100 000 0002", early_help="Early help hub"))
    db.session.commit()
    login_as(manager)
    assert "Jo Smith, ext 2233" in client.get(f"/people/{person.id}/training").get_data(as_text=True)
    person_page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'href="/people/{person.id}/training"' in person_page and f"/people/{person.id}/learning" not in person_page


def test_the_persons_heading_holds_only_their_name_and_empty_dates_are_not_shown(client, login_as, make_person):
    admin = make_person(roles=["admin"])
    staying = make_person(given_name="Stay", family_name="Here")
    leaving = make_person(given_name="Going", family_name="Soon", leaving_date=today() + timedelta(days=10))
    login_as(admin)
    page = client.get(f"/people/{staying.id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Stay Here</h1>' in page
    words = text_of(page)
    assert "Leaving date" not in words and "None" not in words and "Status Active" in words
    assert f"Leaving date {(today() + timedelta(days=10)).day}" in text_of(client.get(f"/people/{leaving.id}").get_data(as_text=True))
