"""One rule for every import: check the whole file, change nothing on any problem.

Each kind registers a function that takes the file's text and returns an ImportReport.
It must only flush; the caller commits the report's changes or rolls them back.
"""
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import yaml
from flask import current_app
from sqlalchemy import text

from lms.extensions import db


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # what happened to each row, where a kind reports it

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    @property
    def changed(self) -> int:
        return sum(n for what, n in self.counts.items() if what != "unchanged")

    def summary(self) -> str:
        parts = [f"{n} {what}" for what, n in self.counts.items() if n]
        return ", ".join(parts) if parts else "nothing to change"


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header, syntax)."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


Importer = Callable[[str], ImportReport]
KINDS: dict[str, tuple[str, Importer]] = {}


def importer(kind: str, description: str):
    """Register an import kind, e.g. @importer("staff", "Staff from HR (CSV)")."""

    def register(function: Importer) -> Importer:
        KINDS[kind] = (description, function)
        return function

    return register


def run_import(kind: str, text: str) -> ImportReport:
    """Check and apply one file; on any problem the report lists them and the caller rolls back."""
    if kind not in KINDS:
        raise ImportFileError(f"unknown import kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}")
    try:
        return KINDS[kind][1](text)
    except ImportFileError as error:
        return ImportReport(kind=kind, problems=[Problem(error.line, "file", str(error))])


def refresh_statistics(report: ImportReport) -> None:
    """After a large import has been committed, ANALYZE on PostgreSQL: until autovacuum notices the new rows the
    planner still believes the tables are as small as before, and the report can pick a plan many times slower."""
    if report.changed >= current_app.config["ANALYZE_AFTER_IMPORT_ROWS"] and db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from error


def csv_rows(text: str, columns: list[str], optional: list[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, values) with surrounding spaces removed; the header must name every column.

    Optional columns may be left out of the header; their values are then empty."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ImportFileError("the file is empty; the first line must be the header row")
    missing = [name for name in columns if name not in header]
    if missing:
        raise ImportFileError(f"the header row is missing {', '.join(missing)} (expected {','.join(columns)})")
    reader.fieldnames = header
    rows = []
    for values in reader:
        line = reader.line_num
        cleaned = {name: (values.get(name) or "").strip() for name in [*columns, *optional]}
        if not any(cleaned.values()):
            continue
        rows.append((line, cleaned))
    return rows


def check_required(report: ImportReport, line: int, row: dict[str, str], required: set[str]) -> None:
    for name in sorted(required):
        if not row.get(name):
            report.problems.append(Problem(line, name, "is required"))


def parse_date(report: ImportReport, line: int, column: str, value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        report.problems.append(Problem(line, column, f"{value!r} is not a date in the form YYYY-MM-DD"))
        return None


def parse_yes_no(report: ImportReport, line: int, column: str, value: str) -> bool | None:
    answer = {"yes": True, "no": False}.get(value.lower())
    if answer is None:
        report.problems.append(Problem(line, column, f"{value!r} must be yes or no"))
    return answer


def yaml_document(text: str):
    """Parse YAML, turning a syntax error into a line-numbered problem."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ImportFileError(f"not valid YAML ({getattr(error, 'problem', error)})", line) from error
