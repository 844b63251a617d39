import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.models import Attempt, CourseCompletion
from tests.integration.learning.test_player import CONTACTS, read_every_page
from tests.integration.learning.test_sync import manifest_version


def start(client, slug="hidden-harm-awareness") -> Attempt:
    read_every_page(client, slug, CONTACTS)
    response = client.post(f"/courses/{slug}/assessment")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Attempt, attempt_id)


def form_for(attempt: Attempt, right: int) -> dict:
    """Answer the first `right` questions correctly and the rest wrongly."""
    data = {}
    for number, question in enumerate(attempt.questions, start=1):
        if number <= right:
            data[f"q{number}"] = question["correct"]
        else:
            data[f"q{number}"] = [next(o["key"] for o in question["options"] if o["key"] not in question["correct"])]
    return data


@pytest.fixture
def learner(make_person, login_as, courses):
    person = make_person(given_name="Lee")
    login_as(person)
    return person


def test_page_has_questions_but_never_the_answers(client, learner):
    attempt = start(client)
    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert len(attempt.questions) == 10
    for question in attempt.questions:
        assert question["prompt"].split("\n")[0][:40] in html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
        assert question["feedback"]["correct"][:30] not in html
    assert "correct" not in re.sub(r"<script.*?</script>", "", html, flags=re.S).lower().replace("incorrect", "")
    # The option keys are random per attempt and say nothing about which is right.
    keys = re.findall(r'value="([0-9a-f]{8})"', html)
    assert len(keys) >= 20


def test_passing_records_a_completion_with_version_date_and_score(client, learner):
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=8))
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "You passed" in page and "You scored 8 out of 10 (80%)" in page
    completion = db.session.scalars(select(CourseCompletion)).one()
    assert completion.score_percent == 80 and completion.course_version.version == manifest_version("hidden-harm-awareness")
    assert completion.certificate_code in page


def test_failing_shows_feedback_and_allows_a_fresh_attempt(client, learner):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=7))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "You did not pass this time" in page and "7 out of 10 (70%)" in page
    assert attempt.questions[9]["feedback"]["incorrect"].split("\n")[0][:30].replace("'", "&#39;").replace('"', "&#34;") in page
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 0
    again = client.post("/courses/hidden-harm-awareness/assessment")
    new_id = int(again.headers["Location"].rsplit("/", 1)[1])
    assert new_id != attempt.id


def test_a_submitted_attempt_cannot_be_resubmitted(client, learner):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=2))
    second = client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    assert second.status_code == 409
    db.session.refresh(attempt)
    assert attempt.score == 2 and not attempt.passed
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 0


def test_tampered_answers_are_refused_not_scored(client, learner):
    attempt = start(client)
    data = form_for(attempt, right=10)
    data["q1"] = ["deadbeef"]
    assert client.post(f"/attempts/{attempt.id}", data=data).status_code == 400
    data = form_for(attempt, right=10) | {"q11": [attempt.questions[0]["correct"][0]]}
    assert client.post(f"/attempts/{attempt.id}", data=data).status_code == 400
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.score is None


def test_unanswered_questions_are_named_and_nothing_is_scored(client, learner):
    attempt = start(client)
    data = form_for(attempt, right=10)
    del data["q4"]
    response = client.post(f"/attempts/{attempt.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Answer question 4" in page and 'href="#q4-fieldset"' in page
    db.session.refresh(attempt)
    assert attempt.submitted_at is None


def test_another_persons_attempt_is_not_found(client, learner, make_person, app):
    attempt = start(client)
    client.post("/logout")
    other = app.test_client()
    other.post("/login", data={"email": make_person().email, "password": "correct horse battery"})
    assert other.get(f"/attempts/{attempt.id}").status_code == 404
    assert other.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10)).status_code == 404
    assert other.get(f"/attempts/{attempt.id}/result").status_code == 404


def test_certificate_downloads_and_its_code_verifies_publicly(client, learner, app):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    completion = db.session.scalars(select(CourseCompletion)).one()
    pdf = client.get(f"/completions/{completion.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    import io

    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Lee" in text and "Hidden Harm awareness" in text and completion.certificate_code in text

    public = app.test_client()
    page = public.get(f"/certificates/{completion.certificate_code.lower()}").get_data(as_text=True)
    assert "This certificate is genuine" in page and "Hidden Harm awareness" in page and "Lee" in page
    assert learner.email not in page
    assert public.get("/certificates/AAAA-BBBB-CC").status_code == 404


def test_certificate_of_someone_outside_scope_is_not_found(client, learner, make_person, make_org, app):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    completion = db.session.scalars(select(CourseCompletion)).one()
    client.post("/logout")
    stranger = app.test_client()
    stranger.post("/login", data={"email": make_person(roles=["manager"], org=make_org("Other")).email, "password": "correct horse battery"})
    assert stranger.get(f"/completions/{completion.id}/certificate.pdf").status_code == 404


def test_completion_keeps_the_version_it_was_earned_on(client, learner, runner, tmp_path):
    import shutil
    from pathlib import Path

    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=10))
    root = Path(__file__).resolve().parents[3]
    shutil.copytree(root / "courses", tmp_path / "courses")
    shutil.copytree(root / "quizzes", tmp_path / "quizzes")
    page = tmp_path / "courses" / "hidden-harm-awareness" / "09-summary.md"
    page.write_text(page.read_text() + "\nUpdated guidance.\n")
    assert runner.invoke(args=["courses", "sync", "--root", str(tmp_path)]).exit_code == 0
    completion = db.session.scalars(select(CourseCompletion)).one()
    earned = manifest_version("hidden-harm-awareness")
    assert completion.course_version.version == earned
    overview = client.get("/courses/hidden-harm-awareness").get_data(as_text=True)
    assert f"(version {earned})" in overview  # the completion, shown on the overview of the next version
