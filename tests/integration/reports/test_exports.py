"""The exports of DESIGN §5: the web CSV is the CLI's CSV, the XLSX carries the same rows, cells never run as formulas."""
import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from lms.accounts.models import Role, Sector

GOLDEN = Path(__file__).with_name("golden-hh-2026-2026-09-30.csv")


def test_web_csv_is_byte_for_byte_the_cli_csv(client, sign_in_as, runner):
    sign_in_as(Role.COMMISSIONER)
    web = client.get("/reports/compliance.csv?plan=hh-2026&as_of=2026-09-30")
    assert web.status_code == 200 and web.mimetype == "text/csv"
    cli = runner.invoke(args=["report", "compliance", "--plan", "hh-2026", "--as-of", "2026-09-30", "--format", "csv"])
    assert web.get_data(as_text=True) == cli.output


def test_the_same_data_gives_the_same_csv_on_every_database(runner, partnership):
    """The golden file was worked out by hand; CI runs this test on SQLite and on PostgreSQL against it."""
    cli = runner.invoke(args=["report", "compliance", "--plan", "hh-2026", "--as-of", "2026-09-30"])
    assert cli.output == GOLDEN.read_text()


def test_xlsx_has_the_rows_then_the_chart_data(client, sign_in_as, runner):
    sign_in_as(Role.COORDINATOR)
    response = client.get("/reports/compliance.xlsx?plan=hh-2026&as_of=2026-09-30")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    report, chart = book.worksheets
    rows = [[str(c) if c is not None else "" for c in row] for row in report.iter_rows(values_only=True)]
    assert rows == [line.split(",") for line in GOLDEN.read_text().splitlines()]
    data = list(chart.iter_rows(values_only=True))
    assert data[0] == ("organisation", "requirement", "date", "in_scope", "compliant", "percent", "target_percent")
    sept = [r for r in data[1:] if r[0] == "Recovery Service" and r[1] == "hidden-harm-awareness" and r[2] == "2026-09-30"]
    assert sept == [("Recovery Service", "hidden-harm-awareness", "2026-09-30", 4, 3, "75.0", "50.0")]


def test_formula_names_are_neutralised_in_csv_and_xlsx(client, sign_in_as, make_org):
    make_org("=HYPERLINK(\"http://evil.test\",\"click\")", sector=Sector.HEALTH)
    sign_in_as(Role.COMMISSIONER)
    text = client.get("/reports/compliance.csv?plan=hh-2026&as_of=2026-09-30").get_data(as_text=True)
    names = [row["organisation"] for row in csv.DictReader(io.StringIO(text))]
    assert "'=HYPERLINK(\"http://evil.test\",\"click\")" in names and not any(n.startswith("=") for n in names)
    book = load_workbook(io.BytesIO(client.get("/reports/compliance.xlsx?plan=hh-2026&as_of=2026-09-30").data))
    names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.test\",\"click\")" in names
    assert all(not str(name).startswith("=") for name in names)


def test_a_bad_date_or_plan_is_refused(client, sign_in_as):
    sign_in_as(Role.COMMISSIONER)
    assert client.get("/reports/compliance.csv?plan=hh-2026&as_of=30/09/2026").status_code == 400
    assert client.get("/reports/compliance.csv?plan=nope&as_of=2026-09-30").status_code == 404
