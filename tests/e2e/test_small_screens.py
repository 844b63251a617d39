"""Every main page, as each role sees it, fits a 375-pixel phone screen and passes axe-core."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.demo import build_demo
from lms.extensions import db
from tests.e2e.conftest import axe_violations
from tests.e2e.test_sign_in import sign_in

PHONE = {"width": 375, "height": 812}

# (who, [(path, the page's h1)]); {learner} is the demo learner's id.
PAGES = [
    ("learner@demo.test", [("/", "Welcome, Lee"), ("/training", "My training"), ("/people/{learner}/training", "Training record"),
                           ("/courses/", "Courses"), ("/account", "Your account")]),
    ("manager@demo.test", [("/", "Welcome, Mark"), ("/team", "Team training"), ("/people/", "My team"),
                           ("/people/{learner}", "Lee Patel"), ("/people/{learner}/training", "Training record")]),
    ("coordinator@demo.test", [("/", "Welcome, Carys"), ("/people/", "People")]),
    ("commissioner@demo.test", [("/", "Welcome, Sam")]),
    ("admin@demo.test", [("/", "Welcome, Alex"), ("/people/", "People"), ("/people/{learner}/training", "Training record"),
                         ("/admin/organisations", "Organisations"), ("/admin/requirements", "Requirements"),
                         ("/admin/job-roles", "Job roles"), ("/admin/imports", "Import a file")]),
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("who", "pages"), PAGES, ids=[who.split("@")[0] for who, _ in PAGES])
def test_main_pages_fit_a_phone_and_pass_axe(app, live_server, phone, who, pages):
    build_demo()
    db.session.commit()
    learner = db.session.scalar(select(User.id).where(User.email == "learner@demo.test"))
    sign_in(phone, live_server, who)
    for path, heading in pages:
        phone.goto(live_server + path.format(learner=learner))
        expect(phone.get_by_role("heading", level=1, name=heading)).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        # The header and footer reach both edges of the screen.
        for landmark in ("header", "footer"):
            box = phone.locator(landmark).first.bounding_box()
            assert (box["x"], box["width"]) == (0, PHONE["width"]), (path, landmark, box)
        assert axe_violations(phone) == [], path


def test_the_team_grid_scrolls_in_a_named_region_a_keyboard_can_reach(app, live_server, phone):
    build_demo()
    db.session.commit()
    sign_in(phone, live_server, "manager@demo.test")
    phone.goto(f"{live_server}/team")
    region = phone.get_by_role("region", name="Training status of people 1 to 5")
    expect(region).to_be_visible()
    expect(phone.get_by_text("The table scrolls sideways.")).to_be_visible()
    phone.get_by_role("button", name="Apply").focus()
    phone.keyboard.press("Tab")  # Apply -> the region (Clear filters shows only when filtering)
    expect(region).to_be_focused()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("() => document.querySelector('.lms-scroll').scrollLeft > 0")
