from lms.demo import build_demo
from lms.extensions import db
from lms.learning.models import Attempt
from tests.e2e.conftest import axe_violations
from tests.e2e.test_sign_in import sign_in


def test_learner_reads_a_module_passes_and_downloads_a_verifiable_certificate(app, live_server, page, tmp_path):
    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    sign_in(page, live_server, "learner@demo.test")

    page.get_by_role("link", name="Courses").first.click()
    page.get_by_role("link", name="Hidden Harm awareness").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start course").click()
    assert page.get_by_text("Page 1 of 9").is_visible()
    assert axe_violations(page) == []
    for number in range(2, 10):
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_text(f"Page {number} of 9").is_visible()
    page.get_by_role("button", name="Go to the assessment").click()
    page.get_by_role("button", name="Start the assessment").click()
    assert axe_violations(page) == []

    attempt = db.session.get(Attempt, int(page.url.rstrip("/").rsplit("/", 1)[1]))
    for number, question in enumerate(attempt.questions, start=1):
        for key in question["correct"]:
            page.locator(f'input[name="q{number}"][value="{key}"]').check()
    page.get_by_role("button", name="Submit answers").click()
    assert page.get_by_role("heading", name="You passed").is_visible()
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Download your certificate (PDF)").click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    code = page.locator("strong", has_text="-").first.inner_text()
    page.goto(f"{live_server}/certificates/{code}")
    assert page.get_by_role("heading", name="This certificate is genuine").is_visible()
