from playwright.sync_api import expect

from lms.demo import DEMO_PASSWORD, build_demo
from lms.extensions import db
from tests.e2e.conftest import axe_violations


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()


def test_manager_signs_in_and_sees_their_team_with_no_accessibility_violations(app, live_server, page):
    app.config["WTF_CSRF_ENABLED"] = True  # the real thing, as a person would meet it
    build_demo()
    db.session.commit()
    page.goto(f"{live_server}/login")
    assert axe_violations(page) == []
    sign_in(page, live_server, "manager@demo.test")
    expect(page.get_by_role("heading", name="Welcome, Mark")).to_be_visible()
    expect(page.get_by_role("heading", name="Your team")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Team training").first.click()
    expect(page.get_by_role("heading", level=1, name="Team training")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="My team").first.click()
    expect(page.get_by_role("heading", level=1, name="My team")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="My training").first.click()
    expect(page.get_by_role("heading", level=1, name="My training")).to_be_visible()
    assert axe_violations(page) == []


def test_admin_pages_have_no_accessibility_violations(app, live_server, page):
    build_demo()
    db.session.commit()
    sign_in(page, live_server, "admin@demo.test")
    for path, heading in [("/admin/organisations", "Organisations"), ("/admin/imports", "Import a file"),
                          ("/admin/requirements", "Requirements"), ("/people/", "People"),
                          ("/account", "Your account"), ("/training", "My training")]:
        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert axe_violations(page) == [], path


def test_admin_records_an_external_certificate_in_the_browser(app, live_server, page):
    from datetime import timedelta

    from lms.clock import today

    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    sign_in(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/people/?q=learner@demo.test")
    page.get_by_role("link", name="Lee Patel").click()
    page.get_by_role("link", name="Training record").click()
    expect(page.get_by_role("heading", level=1, name="Training record")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record an external certificate").click()
    expect(page.get_by_role("heading", level=1, name="Record an external certificate")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Requirement").select_option(label="Safeguarding children (level 2)")
    day = today() - timedelta(days=3)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Evidence").fill("Level 2 certificate from the county council, seen and copied to file")
    page.get_by_role("button", name="Record the certificate").click()
    expect(page.get_by_text("Safeguarding children (level 2) recorded for Lee Patel.")).to_be_visible()
    card = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Safeguarding children (level 2)"))
    expect(card).to_contain_text("Up to date")
    expect(page.get_by_role("row", name="Safeguarding children (level 2)")).to_contain_text("External certificate")
