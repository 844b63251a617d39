import re

from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import Attempt, CoursePage, CourseVersion, LocalContacts, Progress
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
    client.post(f"/courses/{version.course.slug}/pages/1", data=CONTACTS)
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
    assert "Jo Smith, ext 2233" in client.get(f"/people/{learner.id}/training").get_data(as_text=True)
    client.post("/logout")
    login_as(make_person(roles=["manager"], org=make_org("Elsewhere")))
    assert client.get(f"/people/{learner.id}/training").status_code == 404


def test_assessment_needs_every_page_read(client, login_as, make_person, courses):
    login_as(make_person())
    response = client.post("/courses/caf-early-help/assessment")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/caf-early-help/assessment")
    page = client.get("/courses/caf-early-help/assessment").get_data(as_text=True)
    pages = len(published_version("caf-early-help").pages)
    assert "Read the course to the end" in page and f"You have read 0 of {pages} pages" in page
    assert "Start the assessment" not in page
    assert db.session.scalar(select(Attempt)) is None


def test_unknown_course_and_page_are_404(client, login_as, make_person, courses):
    login_as(make_person())
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/caf-early-help/pages/99").status_code == 404


def progress_of(person, slug):
    version = published_version(slug)
    return db.session.scalar(select(Progress).where(Progress.user_id == person.id, Progress.course_version_id == version.id))


def test_continue_on_the_last_page_does_not_mark_the_course_read(client, login_as, make_person, courses):
    person = make_person()
    login_as(person)
    response = client.post("/courses/hidden-harm-awareness/pages/9")
    assert response.headers["Location"].endswith("/courses/hidden-harm-awareness/pages/1")
    assert progress_of(person, "hidden-harm-awareness") is None or progress_of(person, "hidden-harm-awareness").furthest_position == 0
    client.post("/courses/hidden-harm-awareness/assessment")
    assert db.session.scalar(select(Attempt)) is None


def test_a_page_counts_only_when_it_is_the_next_unread_one(client, login_as, make_person, courses):
    person = make_person()
    login_as(person)
    for position in [1, 2, 5, 9, 3, 2]:
        client.post(f"/courses/hidden-harm-awareness/pages/{position}")
    assert progress_of(person, "hidden-harm-awareness").furthest_position == 3


def test_opening_a_page_ahead_goes_to_the_next_unread_page_with_a_message(client, login_as, make_person, courses):
    person = make_person()
    login_as(person)
    client.post("/courses/hidden-harm-awareness/pages/1")
    client.post("/courses/hidden-harm-awareness/pages/2")
    response = client.get("/courses/hidden-harm-awareness/pages/7")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/hidden-harm-awareness/pages/3")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The course opens one page at a time, in order. This is the next page for you to read." in page
    assert "Important" in page and "Page 3 of 9" in page
    assert client.get("/courses/hidden-harm-awareness/pages/1").status_code == 200  # read pages stay open
    assert progress_of(person, "hidden-harm-awareness").furthest_position == 2
    overview = client.get("/courses/hidden-harm-awareness").get_data(as_text=True)
    assert 'href="/courses/hidden-harm-awareness/pages/3"' in overview
    assert 'href="/courses/hidden-harm-awareness/pages/4"' not in overview


def test_required_local_contacts_come_before_the_assessment(client, login_as, make_person, courses):
    person = make_person()
    login_as(person)
    # However the pages came to be read, the contacts must be saved first.
    version = published_version("recognise-and-refer")
    db.session.add(Progress(user_id=person.id, course_version_id=version.id, last_position=len(version.pages),
                            furthest_position=len(version.pages), pages_to_reread=[]))
    db.session.commit()
    assert client.post("/courses/recognise-and-refer/assessment").headers["Location"].endswith("/courses/recognise-and-refer/assessment")
    assert db.session.scalar(select(Attempt)) is None
    page = client.get("/courses/recognise-and-refer/assessment").get_data(as_text=True)
    assert "Save your local contacts" in page and "Start the assessment" not in page
    assert 'href="/courses/recognise-and-refer/pages/1"' in page and 'href="/account/local-contacts"' in page

    assert client.post("/account/local-contacts", data=CONTACTS).status_code == 302
    assert db.session.get(LocalContacts, person.id) is not None
    assert "Start the assessment" in client.get("/courses/recognise-and-refer/assessment").get_data(as_text=True)
    assert "/attempts/" in client.post("/courses/recognise-and-refer/assessment").headers["Location"]


def test_status_words_are_true_from_the_first_page(client, login_as, make_person, courses):
    login_as(make_person())
    client.get("/courses/hidden-harm-awareness/pages/1")
    for url in ["/courses/hidden-harm-awareness", "/courses/"]:  # home lists what is due, not every course
        page = client.get(url).get_data(as_text=True)
        assert "Started" in page and "page 1 of 9" in page and "read 0 of" not in page, url
    client.post("/courses/hidden-harm-awareness/pages/1")
    client.post("/courses/hidden-harm-awareness/pages/2")
    for url in ["/courses/hidden-harm-awareness", "/courses/"]:
        page = client.get(url).get_data(as_text=True)
        assert "In progress" in page and "read 2 of 9 pages" in page, url
