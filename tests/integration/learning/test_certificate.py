"""The certificate: what it says, that it is a tagged PDF a screen reader can read, and who may download it."""
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.clock import format_date, today
from lms.compliance.models import Requirement
from lms.compliance.rules import add_months
from lms.extensions import db
from lms.learning.models import CourseCompletion
from tests.conftest import login
from tests.integration.learning.test_assessment import form_for, start


@pytest.fixture
def passed(app, client, make_person, make_org, login_as, courses):
    """Lee, a manager's report, has passed Hidden Harm awareness, which meets two requirements."""
    app.config["PARTNERSHIP_NAME"] = "Riverside Safeguarding Partnership"
    db.session.add_all([
        Requirement(slug="hh-awareness", title="Hidden Harm awareness", validity_months=24, courses=["hidden-harm-awareness"]),
        Requirement(slug="sg-children-1", title="Safeguarding children (level 1)", validity_months=36,
                    courses=["hidden-harm-awareness"]),
        Requirement(slug="unrelated", title="Fire safety", courses=["caf-early-help"]),
    ])
    org = make_org("Riverside Recovery Service")
    manager = make_person(roles=["manager"], org=org, given_name="Mark")
    learner = make_person(given_name="Lee", family_name="Patel", org=org, manager=manager)
    login_as(learner)
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=9))
    return {"completion": db.session.scalars(select(CourseCompletion)).one(), "manager": manager, "learner": learner}


def download(client, completion):
    response = client.get(f"/completions/{completion.id}/certificate.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def test_certificate_names_partnership_person_course_requirements_and_how_to_check_it(client, passed):
    completion = passed["completion"]
    reader = download(client, completion)
    text = " ".join(reader.pages[0].extract_text().split())
    on = completion.completed_on
    for expected in [
        "Riverside Safeguarding Partnership", "Certificate of completion", "Lee Patel", "Hidden Harm awareness",
        f"Completed on {format_date(on)} with an assessment score of 90%",
        f"Hidden Harm awareness, valid until {format_date(add_months(on, 24) - timedelta(days=1))}",
        f"Safeguarding children (level 1), valid until {format_date(add_months(on, 36) - timedelta(days=1))}",
        f"Verification code: {completion.certificate_code}",
        f"http://127.0.0.1:5000/certificates/{completion.certificate_code}",
    ]:
        assert expected in text, expected
    assert "Fire safety" not in text


def test_certificate_is_a_tagged_pdf_with_title_and_language(client, passed):
    reader = download(client, passed["completion"])
    root = reader.trailer["/Root"]
    assert reader.metadata.title == "Certificate: Hidden Harm awareness, Lee Patel"
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    document = root["/StructTreeRoot"]["/K"][0].get_object()
    elements = [kid.get_object() for kid in document["/K"]]
    # Read in order: the partnership, the heading, then the paragraphs, each tied to marked text on the page.
    assert [e["/S"] for e in elements[:3]] == ["/P", "/H1", "/P"]
    assert all(e["/S"] in {"/P", "/H1", "/Link"} for e in elements)
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert content.count("BDC") == sum(1 for e in elements if e["/S"] != "/Link")
    assert "/Artifact BMC" in content


def test_certificate_is_for_the_person_and_their_managers_only(app, client, passed, make_person, make_org):
    completion = passed["completion"]
    client.post("/logout")
    assert client.get(f"/completions/{completion.id}/certificate.pdf").status_code == 302  # to sign in

    manager = app.test_client()
    login(manager, passed["manager"])
    assert manager.get(f"/completions/{completion.id}/certificate.pdf").status_code == 200

    for outsider in [make_person(roles=["manager"], org=make_org("Other")), make_person(org=passed["learner"].organisation)]:
        stranger = app.test_client()
        login(stranger, outsider)
        assert stranger.get(f"/completions/{completion.id}/certificate.pdf").status_code == 404
        assert stranger.get(f"/completions/{completion.id + 1000}/certificate.pdf").status_code == 404


def test_certificate_code_verifies_publicly_without_personal_details(app, passed):
    completion = passed["completion"]
    public = app.test_client()
    page = public.get(f"/certificates/{completion.certificate_code.lower()}").get_data(as_text=True)
    assert "This certificate is genuine" in page and "Hidden Harm awareness" in page and "Lee Patel" in page
    assert "Issued by" in page and "Riverside Safeguarding Partnership" in page
    assert passed["learner"].email not in page
    assert public.get("/certificates/AAAA-BBBB-CC").status_code == 404


def test_course_without_a_requirement_still_gets_a_certificate(client, login_as, make_person, courses):
    login_as(make_person(given_name="Ana"))
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    completion = db.session.scalars(select(CourseCompletion)).one()
    text = download(client, completion).pages[0].extract_text()
    assert "Hidden Harm training partnership" in text and "training requirement" not in text
    assert completion.completed_on == today()
