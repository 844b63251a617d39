"""The synthetic partnership the benchmark measures, built with set-based SQL so 20 million completions take minutes.

Staff started over the last 16 years and 12% have a leaving date; completions fall over the last 6 years, each
for a requirement the person's role needs, in the order they were done; 1% were set aside by a correction and
0.5% of staff hold an exemption. The same statements run on both databases: PostgreSQL's generate_series and
random() (seeded), and on SQLite a recursive count and a seeded random function registered on the connection.
"""
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from werkzeug.security import generate_password_hash

from lms.accounts.models import User
from lms.compliance.models import Completion
from lms.compliance.rules import expires_on

PASSWORD = "benchmark-password"
SECTORS = ("children", "adult-social-care", "drug-alcohol", "health", "education", "police", "probation", "voluntary")
VALIDITY_MONTHS = (24, 36, 12, 24, 36, 24)  # cycled over the requirements
ROLES = 10


@dataclass(frozen=True)
class Size:
    organisations: int = 200
    staff: int = 50_000
    requirements: int = 6
    completions: int = 600_000

    def __str__(self) -> str:
        return (f"{self.organisations} organisations, {self.staff} staff, {self.requirements} requirements, "
                f"{self.completions} completions")


def build(session, size: Size, today: date) -> None:
    """Fill an empty schema; the caller commits. Big tables lose their indexes and foreign keys while they
    load (PostgreSQL checks a foreign key row by row, but re-adds one in a single pass)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    sql = _Dialect(postgres)
    if postgres:
        session.execute(text("SELECT setseed(0.2012)"))
    else:
        rng = random.Random(2012)
        raw = session.connection().connection.driver_connection
        raw.create_function("bench_random", 0, rng.random)
        raw.create_function("bench_pick", 1, lambda n: rng.randrange(int(n)))
        raw.create_function("add_months", 2, lambda day, months: expires_on(date.fromisoformat(day), months).isoformat())
    big = [User.__table__, Completion.__table__]
    constraints = [fk for table in big for fk in table.foreign_key_constraints] if postgres else []
    indexes = [index for table in big for index in table.indexes]
    for constraint in constraints:
        session.execute(DropConstraint(constraint))
    for index in indexes:
        session.execute(DropIndex(index))

    # SQLite stores dates as ISO text; PostgreSQL wants a date to compare with dates.
    params = {"today": today if postgres else today.isoformat(), "organisations": size.organisations,
              "requirements": size.requirements, "staff": size.staff, "completions": size.completions, "roles": ROLES}
    for statement in sql.statements(size):
        session.execute(text(statement), params)
    session.execute(text("UPDATE users SET password_hash = :hash WHERE id = 1"),
                    {"hash": generate_password_hash(PASSWORD)})

    for index in indexes:
        session.execute(CreateIndex(index))
    for constraint in constraints:
        session.execute(AddConstraint(constraint))


class _Dialect:
    """The few expressions the two databases spell differently."""

    def __init__(self, postgres: bool):
        self.postgres = postgres
        # Random draws are made once, in a table of their own: SQLite would otherwise re-run a draw each time
        # a flattened subquery mentions its column (PostgreSQL never flattens volatile functions).
        self.drawn = "drawn AS" if postgres else "drawn AS MATERIALIZED"

    def numbers(self, count: str, name: str = "g") -> str:
        if self.postgres:
            return f"generate_series(1, {count}) AS {name}(i)"
        return f"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n) AS {name}"

    def pick(self, count: str) -> str:
        """A random whole number from 0 to count - 1."""
        return f"floor(random() * {count})::int" if self.postgres else f"bench_pick({count})"

    def chance(self, probability: float) -> str:
        return f"random() < {probability}" if self.postgres else f"bench_random() < {probability}"

    def days_after(self, day: str, days: str) -> str:
        return f"(CAST({day} AS date) + {days})" if self.postgres else f"date({day}, '+' || ({days}) || ' days')"

    def days_before(self, day: str, days: str) -> str:
        return f"(CAST({day} AS date) - {days})" if self.postgres else f"date({day}, '-' || ({days}) || ' days')"

    def months_after(self, day: str, months: str) -> str:
        # PostgreSQL clamps to the month's end as rules.expires_on does (2024-02-29 + 24 months = 2026-02-28).
        return f"CAST({day} + make_interval(months => {months}) AS date)" if self.postgres else f"add_months({day}, {months})"

    def statements(self, size: Size) -> list[str]:
        validity = " ".join(f"WHEN {i + 1} THEN {VALIDITY_MONTHS[i % len(VALIDITY_MONTHS)]}"
                            for i in range(size.requirements))
        sectors = " ".join(f"WHEN {i} THEN '{sector}'" for i, sector in enumerate(SECTORS))
        return [
            f"""INSERT INTO organisations (id, name, sector, commissioned, created_at)
                SELECT i, 'Organisation ' || i, CASE i % {len(SECTORS)} {sectors} END, i % 3 = 0, CURRENT_TIMESTAMP
                FROM {self.numbers(':organisations')}""",
            f"INSERT INTO job_roles (id, name) SELECT i, 'Role ' || i FROM {self.numbers(':roles')}",
            f"""INSERT INTO requirements (id, slug, title, validity_months, due_soon_days, induction_days, courses)
                SELECT i, 'requirement-' || i, 'Requirement ' || i, CASE i {validity} END, 60, 90, '[]'
                FROM {self.numbers(':requirements')}""",
            # Two thirds of the matrix: role r needs requirement q unless r + q is a multiple of 3.
            f"""INSERT INTO role_requirements (job_role_id, requirement_id)
                SELECT r.i, q.i FROM {self.numbers(':roles', 'r')} CROSS JOIN {self.numbers(':requirements', 'q')}
                WHERE (r.i + q.i) % 3 <> 0""",
            f"""WITH {self.drawn} (
                  SELECT i, 1 + {self.pick(':organisations')} AS organisation_id, 1 + {self.pick(':roles')} AS job_role_id,
                         {self.days_before(':today', self.pick('5840'))} AS start_date, {self.chance(0.12)} AS leaves,
                         30 + {self.pick('2970')} AS stays
                  FROM {self.numbers(':staff')})
                INSERT INTO users (id, email, employee_id, given_name, family_name, organisation_id, job_role_id,
                                   start_date, leaving_date, active, session_version, created_at)
                SELECT i, 'person' || i || '@bench.test', 'B' || i, 'Staff', 'Member ' || i, organisation_id,
                       job_role_id, start_date, leaving_date, leaving_date IS NULL OR leaving_date >= :today, 1,
                       CURRENT_TIMESTAMP
                FROM (SELECT i, organisation_id, job_role_id, start_date,
                             CASE WHEN leaves THEN {self.days_after('start_date', 'stays')} END AS leaving_date
                      FROM drawn) staff""",
            # In the order they were done, each for a requirement the person's role needs.
            f"""WITH {self.drawn} (
                  SELECT 1 + {self.pick(':staff')} AS user_id, 1 + {self.pick(':requirements')} AS guess,
                         {self.days_before(':today', self.pick('2190'))} AS completed_on, {self.chance(0.01)} AS corrected
                  FROM {self.numbers(':completions')})
                INSERT INTO completions (user_id, requirement_id, completed_on, expires_on, source, note, created_at,
                                         superseded_at)
                SELECT u.id, q.id, c.completed_on, {self.months_after('c.completed_on', 'q.validity_months')}, 'import',
                       '', CURRENT_TIMESTAMP, CASE WHEN c.corrected THEN CURRENT_TIMESTAMP END
                FROM drawn c
                JOIN users u ON u.id = c.user_id
                JOIN requirements q ON q.id = CASE WHEN (u.job_role_id + c.guess) % 3 = 0
                                                   THEN c.guess % :requirements + 1 ELSE c.guess END
                ORDER BY c.completed_on""",
            f"""WITH {self.drawn} (
                  SELECT id, job_role_id, {self.days_before(':today', self.pick('1095'))} AS starts_on,
                         30 + {self.pick('335')} AS lasts
                  FROM users WHERE {self.chance(0.005)})
                INSERT INTO exemptions (user_id, requirement_id, reason, starts_on, ends_on, created_at)
                SELECT id, (SELECT min(requirement_id) FROM role_requirements rr WHERE rr.job_role_id = drawn.job_role_id),
                       'long-term absence', starts_on, {self.days_after('starts_on', 'lasts')}, CURRENT_TIMESTAMP
                FROM drawn""",
        ]
