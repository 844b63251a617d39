from sqlalchemy import select

from lms.accounts.models import Organisation
from lms.extensions import db


def test_admin_adds_an_organisation_and_a_team(client, login_as, make_person):
    login_as(make_person(roles=["admin"]))
    response = client.post("/admin/organisations/new", data={"name": "Hope Project", "sector": "voluntary", "commissioned": "yes"})
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Hope Project"))
    assert org.commissioned
    client.post(f"/admin/organisations/{org.id}", data={"name": "Young carers"})
    assert "Young carers" in client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)


def test_organisation_form_shows_errors_in_a_summary(client, login_as, make_person):
    login_as(make_person(roles=["admin"]))
    page = client.post("/admin/organisations/new", data={"name": ""}).get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert "Enter the organisation&#39;s name" in page and "Choose the organisation&#39;s sector" in page
    assert "<title>Error: " in page


def test_duplicate_job_role_is_refused(client, login_as, make_person, make_job_role):
    make_job_role("Volunteer")
    login_as(make_person(roles=["admin"]))
    page = client.post("/admin/job-roles", data={"name": "Volunteer"}).get_data(as_text=True)
    assert "There is already a job role with this name" in page


def test_admin_pages_render(client, login_as, make_person):
    login_as(make_person(roles=["admin"]))
    for path in ["/admin/organisations", "/admin/job-roles", "/admin/imports", "/admin/outbox", "/people/"]:
        assert client.get(path).status_code == 200, path
