"""The report as CSV (streamed) and XLSX: every cell through lms.spreadsheet, which neutralises formulas."""
import io
from collections.abc import Iterator
from datetime import date

from openpyxl import Workbook

from lms.compliance import rules
from lms.compliance.queries import organisations
from lms.reports.models import ActionPlan
from lms.reports.queries import REPORT_COLUMNS, compliance_report, series_for
from lms.reports.rules import decode_milestones
from lms.spreadsheet import csv_lines, safe_cell

CHART_COLUMNS = ["organisation", "requirement", "date", "in_scope", "compliant", "percent", "target_percent"]


def report_csv(day: date, plan: ActionPlan | None) -> Iterator[str]:
    """The rows of DESIGN §2.6, a line at a time: the same bytes as `lms report compliance --format csv`."""
    return csv_lines(REPORT_COLUMNS, (row.as_record() for row in compliance_report(day, plan)))


def chart_rows(day: date, plan: ActionPlan) -> Iterator[dict]:
    """Each organisation's month-end figures against the target line: one query a target."""
    orgs = organisations()
    for target in plan.targets:
        milestones = decode_milestones(target.milestones)
        covered = [org for org in orgs if target.covers(org.id)]
        for series in series_for(plan, target, covered, day):
            for month_end, in_scope, compliant in series.points:
                yield {"organisation": series.organisation.name, "requirement": series.requirement.slug,
                       "date": month_end.isoformat(), "in_scope": in_scope, "compliant": compliant,
                       "percent": rules.format_percent(rules.percent(compliant, in_scope)),
                       "target_percent": rules.format_percent(rules.target_on(plan.starts_on, milestones, month_end))}


def report_xlsx(day: date, plan: ActionPlan | None) -> bytes:
    """The same rows on the first sheet; with a plan, the chart data on the second. Written row by row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    sheet.append(REPORT_COLUMNS)
    for row in compliance_report(day, plan):
        sheet.append([safe_cell(value) for value in row.as_record().values()])
    if plan is not None:
        data = book.create_sheet("Chart data")
        data.append(CHART_COLUMNS)
        for record in chart_rows(day, plan):
            data.append([safe_cell(record[column]) for column in CHART_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
