"""`lms bench`: the performance bar of DESIGN §6, measured on a throwaway SQLite database.

Builds 200 organisations, 50,000 staff, 6 requirements and 600,000 completions, then times
(medians) the full compliance report, the single hand-written SQL query that counts the same
thing, and a learner's My training page.
"""
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from lms.accounts.models import JobRole, Organisation, Sector, User
from lms.compliance.models import Completion, Requirement, RoleRequirement
from lms.compliance.rules import expires_on
from lms.extensions import db

DAY = date(2026, 6, 30)
PASSWORD = "benchmark-password"

# The same count as compliance.queries.counts_on, written by hand as one statement.
RAW_COUNT = text("""
SELECT u.organisation_id, rr.requirement_id, count(*),
       sum(CASE WHEN EXISTS (SELECT 1 FROM completions c
                             WHERE c.user_id = u.id AND c.requirement_id = rr.requirement_id
                               AND c.superseded_at IS NULL AND c.completed_on <= :day AND c.expires_on > :day)
           THEN 1 ELSE 0 END)
FROM users u JOIN role_requirements rr ON rr.job_role_id = u.job_role_id
WHERE u.start_date <= :day AND (u.leaving_date IS NULL OR u.leaving_date >= :day)
  AND NOT EXISTS (SELECT 1 FROM exemptions e WHERE e.user_id = u.id AND e.requirement_id = rr.requirement_id
                  AND e.starts_on <= :day AND e.ends_on >= :day)
GROUP BY u.organisation_id, rr.requirement_id
""")


def _median_ms(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _populate(organisations: int, staff: int, requirements: int, completions: int, rng: random.Random) -> str:
    sectors = list(Sector)
    db.session.execute(insert(Organisation), [
        {"id": i + 1, "name": f"Organisation {i + 1:03d}", "sector": sectors[i % len(sectors)], "commissioned": i % 3 == 0}
        for i in range(organisations)])
    db.session.execute(insert(JobRole), [{"id": i + 1, "name": f"Role {i + 1}"} for i in range(10)])
    validity = {i + 1: 24 for i in range(requirements)}
    db.session.execute(insert(Requirement), [
        {"id": i + 1, "slug": f"requirement-{i + 1}", "title": f"Requirement {i + 1}", "validity_months": 24,
         "due_soon_days": 60, "induction_days": 90, "courses": []} for i in range(requirements)])
    db.session.execute(insert(RoleRequirement), [
        {"job_role_id": role, "requirement_id": req} for role in range(1, 11) for req in range(1, requirements + 1)
        if (role + req) % 3 != 0])
    people = []
    for i in range(staff):
        start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5800))
        leaving = start + timedelta(days=rng.randint(30, 3000)) if rng.random() < 0.12 else None
        people.append({"id": i + 1, "email": f"person{i + 1}@bench.test", "employee_id": f"B{i + 1:06d}",
                       "given_name": "Staff", "family_name": f"Member {i + 1}", "organisation_id": rng.randint(1, organisations),
                       "job_role_id": rng.randint(1, 10), "start_date": start, "leaving_date": leaving, "active": True,
                       "session_version": 1})
    people[0]["password_hash"] = generate_password_hash(PASSWORD)
    for start in range(0, staff, 5000):
        db.session.execute(insert(User), people[start:start + 5000])
    rows = []
    for i in range(completions):
        requirement = rng.randint(1, requirements)
        completed = date(2012, 1, 1) + timedelta(days=rng.randint(0, 5200))
        rows.append({"user_id": rng.randint(1, staff), "requirement_id": requirement, "completed_on": completed,
                     "expires_on": expires_on(completed, validity[requirement]), "source": "import", "note": ""})
        if len(rows) == 20_000:
            db.session.execute(insert(Completion), rows)
            rows = []
    if rows:
        db.session.execute(insert(Completion), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    return people[0]["email"]


def run(organisations: int = 200, staff: int = 50_000, requirements: int = 6, completions: int = 600_000,
        repeats: int = 5, echo=print) -> dict[str, float]:
    from lms import create_app
    from lms.reports.queries import compliance_report

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                          "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            email = _populate(organisations, staff, requirements, completions, random.Random(2012))
            echo(f"built {organisations} organisations, {staff} staff, {requirements} requirements, "
                 f"{completions} completions in {time.perf_counter() - started:.1f} s")
            rows = compliance_report(DAY)
            raw = db.session.execute(RAW_COUNT, {"day": DAY}).all()
            assert sum(r.in_scope for r in rows) == sum(r[2] for r in raw), "the report and the raw query disagree"
            figures = {
                "report_ms": _median_ms(lambda: compliance_report(DAY), repeats),
                "raw_sql_ms": _median_ms(lambda: db.session.execute(RAW_COUNT, {"day": DAY}).all(), repeats),
            }
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            figures["my_training_ms"] = _median_ms(lambda: client.get("/training"), max(repeats, 20))
            db.session.remove()
            db.engine.dispose()
    echo(f"compliance report (all organisations x requirements): median {figures['report_ms']:.0f} ms")
    echo(f"the same count as one hand-written SQL query:        median {figures['raw_sql_ms']:.0f} ms "
         f"(report / raw = {figures['report_ms'] / figures['raw_sql_ms']:.2f})")
    echo(f"a learner's My training page:                         median {figures['my_training_ms']:.1f} ms")
    return figures
