import re

from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import CoursePage, CourseVersion, Progress
from lms.learning.queries import published_version

CONTACTS = {
    "childrens_social_care": "Front door 01234 567890",
    "out_of_hours": "Emergency duty team 01234 000000",
    "safeguarding_lead": "Jo Smith, ext 2233",
    "drug_alcohol_contact": "Recovery hub, self-referral welcome",
    "early_help": "Early help hub, 01234 111111",
}


def read_every_page(client, slug, contacts=None):
    version = published_version(slug)
    for page in version.pages:
        data = contacts if page.kind == "local-contacts" else {}
        response = client.post(f"/courses/{slug}/pages/{page.position}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return version


def test_catalogue_lists_the_four_modules(client, login_as, make_person, courses):
    login_as(make_person())
    page = client.get("/courses/").get_data(as_text=True)
    for title in ["Hidden Harm awareness", "The Common Assessment Framework and early help",
                  "Safeguarding children in drug and alcohol services", "Recognising and referring parental substance misuse"]:
        assert title in page


def test_pages_show_progress_and_learner_resumes_where_they_left_off(client, login_as, make_person, courses):
    login_as(make_person())
    page = client.get("/courses/hidden-harm-awareness/pages/1").get_data(as_text=True)
    assert "Page 1 of 9" in page and 'aria-valuenow="1"' in page
    assert client.post("/courses/hidden-harm-awareness/pages/1").headers["Location"].endswith("/pages/2")
    client.post("/courses/hidden-harm-awareness/pages/2")
    overview = client.get("/courses/hidden-harm-awareness").get_data(as_text=True)
    assert "Continue where you left off" in overview and "/courses/hidden-harm-awareness/pages/3" in overview
    assert "read 2 of 9 pages" in overview


def test_links_between_pages_point_at_page_addresses(client, login_as, make_person, courses):
    login_as(make_person())
    version = published_version("safeguarding-children-substance-misuse")
    html = "".join(client.get(f"/courses/{version.slug}/pages/{p.position}").get_data(as_text=True) for p in version.pages)
    assert ".md\"" not in html
    assert re.search(r'href="/courses/safeguarding-children-substance-misuse/pages/\d+"', html)


def test_markdown_content_is_sanitised(client, login_as, make_person, courses):
    page = db.session.scalar(select(CoursePage).where(CoursePage.position == 2).limit(1))
    page.markdown = "Hello <script>alert('x')</script> [click](javascript:alert(1)) <b onclick=\"x()\">bold</b>\n"
    db.session.commit()
    login_as(make_person())
    version = db.session.get(CourseVersion, page.course_version_id)
    html = client.get(f"/courses/{version.course.slug}/pages/2").get_data(as_text=True)
    body = html.split('<div class="lms-content">')[1].split("</div>")[0]
    assert "<script>" not in body and "javascript:" not in body and "onclick" not in body


def test_local_contacts_page_must_be_completed_before_moving_on(client, login_as, make_person, courses):
    login_as(make_person())
    page = client.post("/courses/recognise-and-refer/pages/1", data={"childrens_social_care": "01234"}).get_data(as_text=True)
    assert "govuk-error-summary" in page and "Enter the out-of-hours children" in page
    assert db.session.scalar(select(Progress)) is None or db.session.scalar(select(Progress)).furthest_position == 0
    assert client.post("/courses/recognise-and-refer/pages/1", data=CONTACTS).status_code == 302


def test_manager_sees_local_contacts_but_another_organisation_does_not(client, app, login_as, make_person, make_org, courses):
    manager = make_person(roles=["manager"])
    learner = make_person(manager=manager, org=manager.organisation)
    login_as(learner)
    client.post("/courses/recognise-and-refer/pages/1", data=CONTACTS)
    client.post("/logout")
    login_as(manager)
    assert "Jo Smith, ext 2233" in client.get(f"/people/{learner.id}/learning").get_data(as_text=True)
    client.post("/logout")
    login_as(make_person(roles=["manager"], org=make_org("Elsewhere")))
    assert client.get(f"/people/{learner.id}/learning").status_code == 404


def test_assessment_needs_every_page_read(client, login_as, make_person, courses):
    login_as(make_person())
    response = client.post("/courses/caf-early-help/assessment")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/caf-early-help")


def test_unknown_course_and_page_are_404(client, login_as, make_person, courses):
    login_as(make_person())
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/caf-early-help/pages/99").status_code == 404
