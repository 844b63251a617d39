"""The issue's walk-through in a real browser: on the demo, Lee has passed recognise-and-refer and been observed;
his manager signs AA1 off with a note; his profile and the admin's audit log show who did what and when; and
`lms audit verify` holds until a row is changed behind the application's back."""
from playwright.sync_api import expect
from sqlalchemy import select, text

from lms.competencies.models import CompetencyRecord, Unit
from lms.demo import build_demo
from lms.extensions import db
from tests.e2e.conftest import axe_violations
from tests.e2e.test_sessions_journey import sign_in


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_manager_signs_off_aa1_and_the_profile_and_audit_log_show_it(app, live_server, page, runner):
    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    sign_in(page, live_server, "learner@demo.test")
    page.get_by_role("link", name="Competencies").first.click()
    expect(page.get_by_role("heading", name="My competencies")).to_be_visible()
    aa1 = page.locator(".govuk-summary-card", has_text="AA1: Recognise indications of substance misuse")
    expect(aa1.get_by_text("Ready for sign-off")).to_be_visible()
    expect(aa1.get_by_text("Passed Recognising and referring parental substance misuse")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="The DANOS units and the evidence each needs").click()
    expect(page.get_by_role("heading", name="The DANOS units")).to_be_visible()
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, live_server, "manager@demo.test")
    page.get_by_role("link", name="Competencies").first.click()
    page.get_by_role("link", name="Waiting for your sign-off (1)").click()
    expect(page.get_by_text("1 record is waiting.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="AA1: Recognise indications of substance misuse and refer individuals to specialists for Lee Patel").click()
    expect(page.get_by_role("heading", name="Managers' notes")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("alert").get_by_text("Say why you are signing this off")).to_be_visible()
    page.get_by_label("Why are you signing this off?").fill("Knowledge from the course and a referral I saw on a home visit: meets AA1.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("AA1 is signed off for Lee Patel.")).to_be_visible()
    log = page.locator("table", has_text="Signed off")
    expect(log.get_by_text("Mark Hughes")).to_be_visible()
    expect(log.get_by_text("a referral I saw on a home visit")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/competencies/team")
    expect(page.get_by_role("heading", name="Your team's competencies")).to_be_visible()
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/admin/audit")
    latest = page.locator("tbody tr").first
    expect(latest.get_by_text("Competency signed off")).to_be_visible()
    expect(latest.get_by_text("Mark Hughes")).to_be_visible()
    expect(latest.get_by_text("about Lee Patel")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/competencies/organisations")
    expect(page.get_by_role("heading", name="Competencies by organisation")).to_be_visible()
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, live_server, "learner@demo.test")
    page.goto(f"{live_server}/competencies/")
    aa1 = page.locator(".govuk-summary-card", has_text="AA1: Recognise indications")
    expect(aa1.get_by_text("Achieved")).to_be_visible()
    expect(aa1.get_by_text("Nothing: signed off by Mark Hughes on")).to_be_visible()

    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "The audit trail holds" in verified.output
    record = db.session.scalar(select(CompetencyRecord.id).join(Unit).where(CompetencyRecord.status == "achieved",
                                                                           Unit.code == "AA1").limit(1))
    with db.engine.begin() as conn:  # someone with a SQL prompt
        conn.execute(text("UPDATE competency_decisions SET note = 'Signed off without seeing anything.' WHERE record_id = :id"),
                     {"id": record})
    tampered = runner.invoke(args=["audit", "verify"])
    assert tampered.exit_code == 1
    assert "competency_decisions row" in tampered.output and "note is 'Signed off without seeing anything.'" in tampered.output
