"""A commissioner's quarter-end in a real browser: the plan against its trajectory, a red organisation drilled
into, the CSV and XLSX downloaded for the quarter end, and the figures published."""
import csv
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from lms.demo import DEMO_PASSWORD, build_demo
from lms.extensions import db
from lms.reports.rules import quarter_end_on_or_before
from lms.clock import format_date, today
from tests.e2e.conftest import axe_violations


def test_commissioner_reads_drills_downloads_and_publishes(app, live_server, page):
    app.config["WTF_CSRF_ENABLED"] = True
    build_demo()
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill("commissioner@demo.test")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Action plans")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Hidden Harm workforce training - action plan 2026/27").click()
    expect(page.get_by_role("img", name="Percent trained in Hidden Harm awareness by organisation")).to_be_visible()
    table = page.get_by_role("region", name="Every organisation against the plan")
    expect(table).to_contain_text("Red")
    assert axe_violations(page) == []

    red_row = table.get_by_role("row").filter(has_text="Red").first
    organisation = red_row.get_by_role("rowheader").inner_text()
    red_row.get_by_role("link", name=organisation).click()
    expect(page.get_by_role("heading", name=organisation)).to_be_visible()
    expect(page.get_by_role("img", name="at each month end")).to_be_visible()
    expect(page.get_by_role("heading", name="Not trained on")).to_be_visible()
    expect(page.get_by_text("booked on sessions that count")).to_be_visible()
    assert axe_violations(page) == []

    quarter_end = quarter_end_on_or_before(today()).isoformat()
    page.go_back()
    page.get_by_label("As at").fill(quarter_end)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("button", name="Publish the figures as at")).to_contain_text(format_date(quarter_end_on_or_before(today())))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert rows and {"organisation", "percent", "rag", "staff_needed"} <= set(rows[0])
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the spreadsheet (XLSX)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert [sheet.title for sheet in book.worksheets] == ["Report", "Chart data"]

    page.get_by_label("Note for readers").fill("For the partnership board")
    page.get_by_role("button", name="Publish the figures").click()
    expect(page.get_by_role("heading", name="Published report as at")).to_be_visible()
    expect(page.get_by_text("These figures are stored as they were published")).to_be_visible()
    expect(page.get_by_text("gives the same people and the same figures")).to_be_visible()
    assert axe_violations(page) == []
