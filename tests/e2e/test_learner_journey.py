import re

from playwright.sync_api import expect

from lms.demo import build_demo
from lms.extensions import db
from lms.learning.models import Attempt
from tests.e2e.conftest import axe_violations
from tests.e2e.test_sign_in import sign_in


def current_attempt(page) -> Attempt:
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    db.session.expire_all()
    return db.session.get(Attempt, int(page.url.rsplit("/", 1)[1]))


def answer(page, attempt: Attempt, right: int) -> None:
    for number, question in enumerate(attempt.questions, start=1):
        keys = question["correct"] if number <= right else [
            next(o["key"] for o in question["options"] if o["key"] not in question["correct"])]
        for key in keys:
            page.locator(f'input[name="q{number}"][value="{key}"]').check()
    page.get_by_role("button", name="Submit answers").click()


def test_learner_reads_a_module_fails_then_passes_and_downloads_a_verifiable_certificate(app, live_server, page, tmp_path):
    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    sign_in(page, live_server, "learner@demo.test")

    page.get_by_role("link", name="Courses").first.click()
    page.get_by_role("link", name="Hidden Harm awareness").click()
    expect(page.get_by_role("heading", name="Hidden Harm awareness")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start course").click()
    expect(page.get_by_text("Page 1 of 9")).to_be_visible()
    assert axe_violations(page) == []

    # Skipping ahead by address lands on the next page to read, with a word why.
    page.goto(f"{live_server}/courses/hidden-harm-awareness/pages/6")
    expect(page.get_by_text("The course opens one page at a time, in order.")).to_be_visible()
    expect(page.get_by_text("Page 1 of 9")).to_be_visible()
    page.get_by_role("link", name="Course overview").click()
    expect(page.get_by_text("page 1 of 9")).to_be_visible()
    page.get_by_role("button", name="Continue where you left off").click()

    for number in range(2, 10):
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text(f"Page {number} of 9")).to_be_visible()
    page.get_by_role("button", name="Go to the assessment").click()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("Question 1 of 10")).to_be_visible()
    assert axe_violations(page) == []

    answer(page, current_attempt(page), right=5)
    expect(page.get_by_role("heading", name="You did not pass this time")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions to look at again")).to_be_visible()
    expect(page.get_by_text("(right answer)")).to_have_count(0)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Try again").click()
    answer(page, current_attempt(page), right=10)
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Download your certificate for Hidden Harm awareness (PDF)").click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    code = page.locator("strong", has_text="-").first.inner_text()
    page.get_by_role("link", name="Back to My training").click()
    expect(page.get_by_role("heading", name="My training")).to_be_visible()
    page.goto(f"{live_server}/certificates/{code}")
    expect(page.get_by_role("heading", name="This certificate is genuine")).to_be_visible()
