"""The SQL that filters and counts teams (teams.status_rows) agrees with rules.status_on, case by case."""
import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from lms.accounts.models import User
from lms.compliance import rules
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.teams import status_rows
from lms.db import utcnow
from lms.extensions import db

# Cycles that differ, so that the SQL must use each requirement's own numbers.
CYCLES = [(24, 60, 90), (12, 30, 14), (36, 0, 0), (1, 29, 365)]
DAYS = [date(2023, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31), date(2025, 6, 15)]


def _requirements(role) -> list[Requirement]:
    made = []
    for n, (months, soon, induction) in enumerate(CYCLES, start=1):
        requirement = Requirement(slug=f"cycle-{n}", title=f"Cycle {n}", validity_months=months, due_soon_days=soon,
                                  induction_days=induction, courses=[])
        db.session.add(requirement)
        db.session.flush()
        db.session.add(RoleRequirement(job_role_id=role.id, requirement_id=requirement.id))
        made.append(requirement)
    return made


def _edge_dates(rng: random.Random, requirement: Requirement) -> list[date]:
    """Completion dates that land on the boundaries of the days checked: expiring on the day, at the edge of due soon."""
    day = rng.choice(DAYS)
    expiring_today = rules.add_months(day, -requirement.validity_months)
    return [expiring_today, expiring_today + timedelta(days=1),
            expiring_today + timedelta(days=requirement.due_soon_days), day, day + timedelta(days=1)]


def test_status_sql_agrees_with_the_rules_over_many_generated_cases(make_person, make_job_role, make_org):
    rng = random.Random(20240229)
    role = make_job_role("Drug and alcohol worker")
    requirements = _requirements(role)
    org = make_org()
    people = []
    held: dict[tuple[int, int], list[date]] = {}
    exempt: dict[tuple[int, int], list[tuple[date, date]]] = {}
    completions, exemptions = [], []
    for _ in range(90):
        # Start dates cluster round the checked days so that induction ends on, before and after them.
        anchor = rng.choice(DAYS)
        start = anchor - timedelta(days=rng.choice([0, 1, 13, 14, 15, 89, 90, 91, 364, 365, 366, rng.randint(0, 4000)]))
        person = User(email=f"p{len(people)}@sql.test", given_name="Sam", family_name=f"Case{len(people)}", organisation=org,
                      job_role=role, start_date=start, active=True, session_version=1)
        db.session.add(person)
        db.session.flush()
        people.append(person)
        for requirement in requirements:
            key = (person.id, requirement.id)
            dates = [start + timedelta(days=rng.randint(-30, 3000)) for _ in range(rng.randint(0, 3))]
            if rng.random() < 0.4:
                dates.append(rng.choice(_edge_dates(rng, requirement)))
            for completed in dates:
                superseded = rng.random() < 0.1  # a corrected record no longer counts
                completions.append({"user_id": person.id, "requirement_id": requirement.id, "completed_on": completed,
                                    "expires_on": rules.expires_on(completed, requirement.validity_months),
                                    "source": "import", "note": "",
                                    "superseded_at": utcnow() if superseded else None})
                if not superseded:
                    held.setdefault(key, []).append(completed)
            if rng.random() < 0.15:
                starts = rng.choice(DAYS) - timedelta(days=rng.randint(0, 200))
                ends = starts + timedelta(days=rng.randint(0, 400))
                exemptions.append({"user_id": person.id, "requirement_id": requirement.id, "reason": "case",
                                   "starts_on": starts, "ends_on": ends})
                exempt.setdefault(key, []).append((starts, ends))
    db.session.execute(insert(Completion), completions)
    db.session.execute(insert(Exemption), exemptions)
    db.session.commit()

    everyone = select(User.id).where(User.organisation_id == org.id)
    checked = 0
    for day in DAYS:
        got = {(row.user_id, row.requirement_id): row.status for row in db.session.execute(status_rows(everyone, day))}
        for person in people:
            for requirement in requirements:
                key = (person.id, requirement.id)
                covering = [ends for starts, ends in exempt.get(key, []) if starts <= day <= ends]
                expected = rules.status_on(held.get(key, []), rules.Rule(*(requirement.validity_months, requirement.due_soon_days,
                                                                             requirement.induction_days)),
                                           person.start_date, day, max(covering) if covering else None)
                assert got[key] == expected.status.value, (day, person.start_date, held.get(key), requirement.slug)
                checked += 1
    assert checked == len(DAYS) * 90 * len(CYCLES)
    # Every status turns up, so none of the branches goes untested.
    assert {row.status for day in DAYS for row in db.session.execute(status_rows(everyone, day))} == set(rules.Status)
