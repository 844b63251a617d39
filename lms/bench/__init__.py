"""`lms bench`: the performance bars of DESIGN §6, measured.

Builds the synthetic partnership (lms.bench.data) into a throwaway SQLite database, or into the database at
--database-url, then checks that the full compliance report and the floor (lms.bench.floor: the fastest
hand-written SQL over the records) agree, and times both (medians, run in turn) for today and two past dates,
and a learner's My training page. The last line is DESIGN §5's contract, for the slowest of those dates.
"""
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from lms.bench.data import PASSWORD, Size, build
from lms.bench.floor import floor_counts
from lms.clock import today
from lms.compliance import periods
from lms.extensions import db

DATES = (("today", 0), ("a year ago", 365), ("five years ago", 5 * 365))
MARK = "lms bench"  # how a database the bench built is recognised (PostgreSQL: its comment; SQLite: application_id)
SQLITE_APPLICATION_ID = 0x6C6D7362


class BenchError(Exception):
    """The bench cannot go on: a database it must not touch, or a report that disagrees with the floor."""


@dataclass(frozen=True)
class Timing:
    label: str
    day: date
    report_seconds: float
    floor_seconds: float

    @property
    def ratio(self) -> float:
        return self.report_seconds / self.floor_seconds


def run(database_url: str | None = None, size: Size = Size(), repeats: int = 5, echo=print) -> list[Timing]:
    if database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            return _run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", size, repeats, echo)
    return _run(database_url, size, repeats, echo)


def _run(url: str, size: Size, repeats: int, echo) -> list[Timing]:
    from lms import create_app
    from lms.reports.queries import compliance_report

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        try:
            _prepare(url, size, echo)
            timings = []
            for label, days_ago in DATES:
                day = today() - timedelta(days=days_ago)
                report = {(r.organisation.id, r.requirement.id): (r.in_scope, r.compliant)
                          for r in compliance_report(day) if r.in_scope}
                if report != floor_counts(db.session, day):
                    raise BenchError(f"the report and the floor disagree on {day}")
                db.session.rollback()
                report_seconds, floor_seconds = _medians(repeats, lambda: compliance_report(day),
                                                         lambda: floor_counts(db.session, day))
                timings.append(Timing(label, day, report_seconds, floor_seconds))
                in_scope, compliant = (sum(counts) for counts in zip(*report.values()))
                echo(f"{label}, {day}: {compliant} of {in_scope} in scope trained; report median "
                     f"{report_seconds * 1000:.0f} ms, floor {floor_seconds * 1000:.0f} ms, ratio {report_seconds / floor_seconds:.2f}")
            client = app.test_client()
            client.post("/login", data={"email": "person1@bench.test", "password": PASSWORD})
            page_seconds, = _medians(max(repeats, 20), lambda: client.get("/training"))
            echo(f"a learner's My training page: median {page_seconds * 1000:.1f} ms")
        finally:
            db.session.remove()
            db.engine.dispose()
    slowest = max(timings, key=lambda t: t.report_seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    echo(f"report_seconds={slowest.report_seconds:.3f} floor_seconds={slowest.floor_seconds:.3f} "
         f"ratio={slowest.ratio:.2f} peak_mb={peak_mb:.0f}")
    return timings


def _medians(repeats: int, *actions) -> list[float]:
    """Median seconds of each action's runs, each run its own transaction as a request is. An action's runs
    follow one another, so one does not meet the caches another (the floor reads 20 million rows) has just emptied."""
    medians = []
    for action in actions:
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            action()
            runs.append(time.perf_counter() - started)
            db.session.rollback()
        medians.append(statistics.median(runs))
    return medians


def _prepare(url: str, size: Size, echo) -> None:
    """Build the data, reuse what the bench built here before at this size, or refuse someone else's database."""
    where = make_url(url).render_as_string(hide_password=True)
    label = f"{MARK}: {size}"
    mark = _mark()
    tables = inspect(db.engine).get_table_names()
    if tables and not (mark or "").startswith(MARK):
        raise BenchError(f"{where} already holds tables the bench did not create; give it an empty database")
    if tables and mark.startswith(label):
        echo(f"reusing the data the bench built in {where} ({mark.removeprefix(MARK + ': ')})")
        return
    started = time.perf_counter()
    _set_mark(f"{MARK}: building")
    if tables:
        echo(f"dropping the tables the bench built in {where} before")
        db.drop_all()
    echo(f"building {size} into {where}")
    db.create_all()
    build(db.session, size, today())
    db.session.commit()
    count = periods.rebuild()
    db.session.commit()
    # Statistics for the planner, and (PostgreSQL) the visibility map that lets index-only scans skip the table.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
    _set_mark(f"{label}, built {today()}")
    echo(f"built {size} and {count} valid periods in {time.perf_counter() - started:.0f} s")


def _mark() -> str | None:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                      "WHERE datname = current_database()"))
    return MARK if db.session.scalar(text("PRAGMA application_id")) == SQLITE_APPLICATION_ID else None


def _set_mark(mark: str) -> None:
    if db.engine.dialect.name == "postgresql":
        name = db.engine.dialect.identifier_preparer.quote(db.session.scalar(text("SELECT current_database()")))
        literal = "'" + mark.replace("'", "''") + "'"  # COMMENT takes no parameters
        db.session.execute(text(f"COMMENT ON DATABASE {name} IS {literal}"))
    else:
        db.session.execute(text(f"PRAGMA application_id = {SQLITE_APPLICATION_ID}"))
    db.session.commit()
