import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning import services
from lms.learning.models import Attempt, CourseCompletion, Progress, QuestionBank
from lms.learning.queries import published_version
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


@pytest.fixture
def bank_with_pages(courses):
    """Every Hidden Harm question names a page that teaches it, as the rewritten banks will."""
    version = published_version("hidden-harm-awareness")
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "hidden-harm-awareness"))
    bank.questions = [q | {"page": version.pages[n % len(version.pages)].name} for n, q in enumerate(bank.questions)]
    db.session.commit()
    return {page.name: page for page in version.pages}


def retry(client, slug="hidden-harm-awareness"):
    response = client.post(f"/courses/{slug}/assessment")
    return db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1])) if "/attempts/" in response.headers["Location"] else None


def card_of(page: str, number: int) -> str:
    return page.split(f">Question {number}</h3>")[1].split('<div class="govuk-summary-card">')[0]


def test_questions_use_govuk_captions_and_say_select_all_once(client, learner):
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "hidden-harm-awareness"))
    bank.draw = len(bank.questions)  # every question, so every kind is on the page
    db.session.commit()
    attempt = start(client)
    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    multiple = [q for q in attempt.questions if q["multiple"]]
    assert multiple and html.lower().count("select all that apply") == len(multiple)
    assert "govuk-caption-s" not in html
    assert f'<span class="govuk-caption-m">Question 1 of {len(attempt.questions)}</span>' in html
    assert 'aria-describedby="q' in html and "-hint" in html


def test_failed_result_points_to_what_to_reread_without_giving_the_answers(client, learner, bank_with_pages):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=7))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "(right answer)" not in page and "govuk-tag--green" not in page
    for number, question in enumerate(attempt.questions, start=1):
        if number <= 7:
            assert f">Question {number}</h3>" not in page
            continue
        card = card_of(page, number)
        chosen = next(o["text"] for o in question["options"] if o["key"] not in question["correct"])
        taught_on = bank_with_pages[question["page"]]
        assert escape(question["prompt"]) in card and f"Your answer: {escape(chosen)}" in card
        assert escape(question["feedback"]["incorrect"]) in card
        assert f'href="/courses/hidden-harm-awareness/pages/{taught_on.position}"' in card
        assert f"Read ‘{escape(taught_on.title)}’ again" in card
        # The right option is not printed (the feedback text may explain it in its own words).
        without_feedback = card.replace(str(escape(question["feedback"]["incorrect"])), "")
        for option in question["options"]:
            if option["key"] in question["correct"] and question["type"] != "true_false":
                assert str(escape(option["text"])) not in without_feedback
    assert "Try again" in page and 'href="/training"' in page


def test_passed_result_gives_full_feedback_and_the_next_steps(client, learner):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=9))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    completion = db.session.scalars(select(CourseCompletion)).one()
    assert page.count("(right answer)") >= len(attempt.questions)
    assert "What happens next" in page and 'href="/training"' in page and "Back to My training" in page
    assert "Download your certificate for Hidden Harm awareness (PDF)" in page
    assert f'href="/completions/{completion.id}/certificate.pdf"' in page


def test_two_fails_in_a_row_mean_rereading_the_pages_behind_the_wrong_answers(client, learner, bank_with_pages):
    first = start(client)
    client.post(f"/attempts/{first.id}", data=form_for(first, right=6))
    assert "Read these pages again" not in client.get(f"/attempts/{first.id}/result").get_data(as_text=True)

    second = retry(client)
    client.post(f"/attempts/{second.id}", data=form_for(second, right=7))
    wrong_pages = sorted({bank_with_pages[q["page"]].position for q in second.questions[7:]})
    progress = db.session.scalars(select(Progress)).one()
    assert progress.pages_to_reread == wrong_pages

    result = client.get(f"/attempts/{second.id}/result").get_data(as_text=True)
    assert "You have not passed your last two attempts" in result and "Try again" not in result
    for position in wrong_pages:
        assert f'href="/courses/hidden-harm-awareness/pages/{position}"' in result
    assert retry(client) is None
    assessment = client.get("/courses/hidden-harm-awareness/assessment").get_data(as_text=True)
    assert "Read these pages again before your next attempt" in assessment and "Start the assessment" not in assessment

    for position in wrong_pages[:-1]:
        page = client.get(f"/courses/hidden-harm-awareness/pages/{position}").get_data(as_text=True)
        assert "You are reading this page again before your next attempt" in page
        assert retry(client) is None
    last = client.get(f"/courses/hidden-harm-awareness/pages/{wrong_pages[-1]}").get_data(as_text=True)
    assert "This was the last page to read again" in last
    third = retry(client)
    assert third is not None and third.id not in {first.id, second.id}


def test_a_pass_between_fails_asks_for_no_rereading(client, learner, bank_with_pages):
    for right in [6, 10, 6]:
        attempt = retry(client) if db.session.scalar(select(Attempt)) else start(client)
        client.post(f"/attempts/{attempt.id}", data=form_for(attempt, right=right))
    assert db.session.scalars(select(Progress)).one().pages_to_reread == []
    assert retry(client) is not None


def test_an_attempt_opened_in_another_tab_waits_for_the_rereading(client, learner, bank_with_pages):
    first = start(client)
    client.post(f"/attempts/{first.id}", data=form_for(first, right=6))
    second = retry(client)
    spare = services.start_attempt(learner, second.course_version)  # as two simultaneous "Try again" would
    db.session.commit()
    client.post(f"/attempts/{second.id}", data=form_for(second, right=6))
    response = client.post(f"/attempts/{spare.id}", data=form_for(spare, right=10))
    assert response.headers["Location"].endswith("/courses/hidden-harm-awareness/assessment")
    db.session.refresh(spare)
    assert spare.submitted_at is None
