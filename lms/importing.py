"""One rule for every import: check the whole file, change nothing on any problem.

Each kind registers a function that takes the file's text and returns an ImportReport.
It must only flush; the caller commits the report's changes or rolls them back.

Every value is checked here before it reaches the database, the same way on SQLite (which
would store 5,000 characters in a 100-character column) and PostgreSQL (which would fail).
"""
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import yaml
from flask import current_app
from sqlalchemy import text

from lms.extensions import db

# Free text (notes) and any CSV column the importer gives no length of its own.
TEXT_LIMIT = 2_000
# Our YAML files nest eight levels at most; refusing deeper ones keeps the parser's recursion small.
MAX_YAML_DEPTH = 10
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(line, column, message))


class ImportFileError(Exception):
    """The file cannot be checked row by row (encoding, header, syntax, values that cannot be stored)."""

    def __init__(self, message: str, line: int = 1, problems: list[Problem] | None = None):
        super().__init__(message)
        self.line = line
        self.problems = problems or [Problem(line, "file", message)]


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
        return ImportReport(kind=kind, problems=error.problems)


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


# --- values ---

def limit_of(column) -> int:
    """The most characters a model's column holds: String(n) gives n, unbounded Text gives TEXT_LIMIT."""
    return getattr(column.type, "length", None) or TEXT_LIMIT


def text_problem(value: str, limit: int) -> str | None:
    """Why a value cannot be stored as text of at most `limit` characters, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,}"
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate, which YAML's "\ud800" escape can make
        return "contains characters that are not text"
    return None


def check_required(report: ImportReport, line: int, row: dict[str, str], required: set[str]) -> None:
    for name in sorted(required):
        if not row.get(name):
            report.problem(line, name, "is required")


def parse_date(report: ImportReport, line: int, column: str, value: str) -> date | None:
    try:
        # fromisoformat alone would also take 20260105 and week dates such as 2026-W02-1.
        if ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    report.problem(line, column, f"{value!r} is not a date in the form YYYY-MM-DD" if len(value) <= 40
                   else "is not a date in the form YYYY-MM-DD")
    return None


def parse_yes_no(report: ImportReport, line: int, column: str, value: str) -> bool | None:
    answer = {"yes": True, "no": False}.get(value.lower())
    if answer is None:
        report.problem(line, column, f"{value!r} must be yes or no")
    return answer


# --- CSV ---

def csv_rows(text: str, columns: list[str] | dict[str, int],
             optional: list[str] | dict[str, int] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, values) with surrounding spaces removed; the header must name every column.

    `columns` maps each column to its longest value (see limit_of), or lists them for TEXT_LIMIT.
    `optional` columns may be left out of the header; their values are then empty.
    Values that cannot be stored are all reported at once, before any other check.
    """
    required = columns if isinstance(columns, dict) else dict.fromkeys(columns, TEXT_LIMIT)
    limits = required | (optional if isinstance(optional, dict) else dict.fromkeys(optional, TEXT_LIMIT))
    reader = csv.DictReader(io.StringIO(text, newline=""))  # as the csv module asks: any line ending
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        if not header:
            raise ImportFileError("the file is empty; the first line must be the header row")
        missing = [name for name in required if name not in header]
        if missing:
            raise ImportFileError(f"the header row is missing {', '.join(missing)} (expected {','.join(required)})")
        reader.fieldnames = header
        rows, problems = [], []
        for values in reader:
            line = reader.line_num
            cleaned = {name: (values.get(name) or "").strip() for name in limits}
            if not any(cleaned.values()):
                continue
            for name, value in cleaned.items():
                if problem := text_problem(value, limits[name]):
                    problems.append(Problem(line, name, problem))
            rows.append((line, cleaned))
    except csv.Error as error:
        raise ImportFileError(f"not valid CSV ({error})", reader.line_num + 1) from error  # the line it could not read
    if problems:
        raise ImportFileError(f"{len(problems)} values cannot be stored", problems=problems)
    return rows


# --- YAML ---

class Mapping(dict):
    """A YAML mapping that knows the line it starts on and the line of each of its keys."""

    def __init__(self, items: dict, line: int, lines: dict[str, int]):
        super().__init__(items)
        self.line = line
        self.lines = lines

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _ImportLoader(yaml.SafeLoader):
    """Safe YAML for imports: no anchors or aliases (a few hundred bytes of them can expand to
    gigabytes), bounded nesting, dates kept as text for parse_date, mappings that know their lines."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ImportFileError("anchors and aliases (& and *) are not allowed", line)
        if self.depth >= MAX_YAML_DEPTH:
            raise ImportFileError(f"nested more than {MAX_YAML_DEPTH} levels deep", line)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mapping(loader: _ImportLoader, node: yaml.MappingNode) -> Mapping:
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    return Mapping(loader.construct_mapping(node, deep=True), node.start_mark.line + 1, lines)


def _whole_number(loader: _ImportLoader, node: yaml.ScalarNode):
    try:
        return loader.construct_yaml_int(node)
    except ValueError:  # more digits than Python reads: left as text for the field check to refuse
        return loader.construct_scalar(node)


_ImportLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_ImportLoader.add_constructor("tag:yaml.org,2002:int", _whole_number)
# 2026-02-30 looks like a date to YAML and fails inside the parser; as text it gets a proper message.
_ImportLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load_yaml(text: str):
    """Parse an import's YAML safely; a syntax error becomes a line-numbered problem."""
    try:
        loader = _ImportLoader(text)  # reads the whole text, refusing characters YAML does not allow
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise ImportFileError(f"not valid YAML (character #x{error.character:04x} is not allowed)", line) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise ImportFileError(f"not valid YAML ({problem})", mark.line + 1 if mark else 1) from error


def yaml_text(report: ImportReport, mapping: Mapping, key: str, limit: int, *, required: bool = True) -> str:
    """A text field (a number is read as text), checked like a CSV value; "" when missing or refused."""
    value, line = mapping.get(key), mapping.line_of(key)
    if value is None or value == "":
        if required:
            report.problem(line, key, "is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        report.problem(line, key, "must be text")
        return ""
    value = str(value).strip()
    if problem := text_problem(value, limit):
        report.problem(line, key, problem)
        return ""
    return value


def yaml_list(report: ImportReport, mapping: Mapping, key: str) -> list:
    """A list field; [] when missing or not a list."""
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        report.problem(mapping.line_of(key), key, "must be a list")
        return []
    return value


def yaml_mappings(report: ImportReport, mapping: Mapping, key: str) -> list[Mapping]:
    """A list of mappings, such as the requirements in a requirements file."""
    items = yaml_list(report, mapping, key)
    if not all(isinstance(item, Mapping) for item in items):
        report.problem(mapping.line_of(key), key, "each item must be a mapping")
    return [item for item in items if isinstance(item, Mapping)]


def yaml_texts(report: ImportReport, mapping: Mapping, key: str, limit: int) -> list[str]:
    """A list of short texts, such as slugs."""
    items = yaml_list(report, mapping, key)
    if any(isinstance(item, bool) or not isinstance(item, str | int) for item in items):
        report.problem(mapping.line_of(key), key, "must be a list of text")
        return []
    texts = [str(item).strip() for item in items]
    for item in texts:
        if problem := text_problem(item, limit):
            report.problem(mapping.line_of(key), key, f"an item {problem}")
            return []
    return texts


def yaml_whole(report: ImportReport, mapping: Mapping, key: str, low: int, high: int, default: int) -> int:
    value = mapping.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        report.problem(mapping.line_of(key), key, f"must be a whole number from {low} to {high}")
        return default
    return value


def yaml_date(report: ImportReport, mapping: Mapping, key: str) -> date | None:
    value, line = mapping.get(key), mapping.line_of(key)
    if value is None or value == "":
        report.problem(line, key, "is required")
        return None
    if not isinstance(value, str):
        report.problem(line, key, "must be a date in the form YYYY-MM-DD")
        return None
    return parse_date(report, line, key, value)


def yaml_with_lines(text: str):
    """Safe YAML as load_yaml reads it, as plain dicts with each mapping's line under "__line__",
    for readers that walk plain data (the competency framework file)."""
    def plain(value):
        if isinstance(value, Mapping):
            return {**{key: plain(item) for key, item in value.items()}, "__line__": value.line}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return plain(load_yaml(text))
