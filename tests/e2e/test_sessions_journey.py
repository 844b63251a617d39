"""Sessions in a real browser: a coordinator publishes one, a manager books two people, the agency cap sends
one to the waiting list with the reason, and a cancellation promotes them."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.clock import today
from lms.demo import DEMO_PASSWORD, build_demo
from lms.events.models import Event
from lms.extensions import db
from tests.e2e.conftest import axe_violations


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_coordinator_publishes_and_manager_books_with_the_waiting_list_at_work(app, live_server, browser):
    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    manager_id = db.session.scalar(select(User.id).where(User.email == "manager@demo.test"))
    team = list(db.session.scalars(select(User).where(User.manager_id == manager_id, User.active)
                                   .order_by(User.family_name, User.given_name)))
    first, second = team[0], team[1]

    coordinator = browser.new_context(bypass_csp=True).new_page()
    sign_in(coordinator, live_server, "coordinator@demo.test")
    coordinator.get_by_role("link", name="Sessions").first.click()
    coordinator.get_by_role("link", name="Publish a session").click()
    expect(coordinator.get_by_role("heading", name="Publish a session")).to_be_visible()
    assert axe_violations(coordinator) == []
    day = today() + timedelta(days=45)
    coordinator.get_by_label("Title").fill("Parental substance use and safeguarding: a day together")
    coordinator.get_by_label("Safeguarding children (level 2)").check()
    date_group = coordinator.get_by_role("group", name="Date")
    date_group.get_by_label("Day").fill(str(day.day))
    date_group.get_by_label("Month").fill(str(day.month))
    date_group.get_by_label("Year").fill(str(day.year))
    coordinator.get_by_label("Start time").fill("9:30am")
    coordinator.get_by_label("End time").fill("4pm")
    coordinator.get_by_label("Venue address").fill("Riverside Civic Centre, Room 3")
    coordinator.get_by_label("Places", exact=True).fill("2")
    coordinator.get_by_label("No, their manager or a coordinator books them").check()
    coordinator.get_by_label("Most places one sector may take (%)").fill("50")
    coordinator.get_by_role("button", name="Save session").click()
    expect(coordinator.get_by_text("is published")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Parental substance use and safeguarding: a day together")).to_be_visible()
    assert axe_violations(coordinator) == []
    event_url = coordinator.url

    manager = browser.new_context(bypass_csp=True).new_page()
    sign_in(manager, live_server, "manager@demo.test")
    manager.goto(event_url)
    manager.get_by_role("button", name="Book people").click()
    expect(manager.get_by_role("heading", name="Book people")).to_be_visible()
    assert axe_violations(manager) == []
    manager.get_by_label(first.name).check()
    manager.get_by_label(second.name).check()
    manager.get_by_role("button", name="Book the people ticked").click()
    expect(manager.get_by_text(f"{second.name} is on the waiting list: Drug and alcohol treatment already holds 50% of places")).to_be_visible()
    expect(manager.get_by_role("row", name=first.name)).to_contain_text("Booked")
    expect(manager.get_by_role("row", name=second.name)).to_contain_text("On the waiting list")
    expect(manager.get_by_role("table", name="Places taken by sector")).to_contain_text("Drug and alcohol treatment")
    assert axe_violations(manager) == []

    manager.get_by_role("row", name=first.name).get_by_role("link", name="Cancel").click()
    expect(manager.get_by_role("heading", name=f"Cancel {first.name}'s place?")).to_be_visible()
    manager.get_by_role("button", name="Yes, cancel the booking").click()
    expect(manager.get_by_text("The place has gone to the next person on the waiting list")).to_be_visible()
    expect(manager.get_by_role("row", name=second.name)).to_contain_text("Booked")
    expect(manager.get_by_role("row", name=first.name)).to_contain_text("Cancelled")

    event = db.session.scalar(select(Event).where(Event.title.like("Parental substance use%")))
    assert event.sequence >= 1  # the cancellation went out above the invitation's sequence
