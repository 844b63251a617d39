"""The report's counts (from valid periods) and the benchmark's floor (from the records) both equal what the
rules say, person by person: on the edges of DESIGN §2.6 and on random records, for one day and for many."""
import random
from datetime import date, timedelta

import pytest

from lms.accounts.models import User
from lms.bench.floor import floor_counts
from lms.compliance import rules
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.queries import counts_on, counts_over
from lms.compliance.services import record_completion, record_exemption, statuses, supersede
from lms.extensions import db


def expected(people: list[User], day: date) -> dict[tuple[int, int], tuple[int, int]]:
    """The counts the rules give: each person in post, each requirement their role needs and they are not exempt from."""
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for person in people:
        if not (person.start_date <= day and (person.leaving_date is None or day <= person.leaving_date)):
            continue
        for item in statuses([person], day)[person.id]:
            if item.status.status == rules.Status.EXEMPT:
                continue
            key = (person.organisation_id, item.requirement.id)
            in_scope, compliant = counts.get(key, (0, 0))
            counts[key] = (in_scope + 1, compliant + (item.status.status in (rules.Status.COMPLIANT, rules.Status.DUE_SOON)))
    return counts


def assert_counts_on(people, days):
    for day in days:
        rules_say = expected(people, day)
        assert counts_on(day) == rules_say, day
        assert floor_counts(db.session, day) == rules_say, day


@pytest.fixture
def matrix(make_org, make_job_role):
    """Two requirements (24 and 12 months); workers need both, admin staff only the first, volunteers neither."""
    worker, admin, volunteer = (make_job_role(name) for name in ("Drug and alcohol worker", "Administrator", "Volunteer"))
    awareness = Requirement(slug="awareness", title="Awareness", validity_months=24)
    refresher = Requirement(slug="refresher", title="Refresher", validity_months=12)
    db.session.add_all([awareness, refresher])
    db.session.flush()
    db.session.add_all([RoleRequirement(job_role_id=worker.id, requirement_id=awareness.id),
                        RoleRequirement(job_role_id=worker.id, requirement_id=refresher.id),
                        RoleRequirement(job_role_id=admin.id, requirement_id=awareness.id)])
    db.session.commit()
    return {"worker": worker, "admin": admin, "volunteer": volunteer, "awareness": awareness, "refresher": refresher,
            "orgs": [make_org("Recovery Service"), make_org("Children's Services")]}


def test_counts_follow_the_rules_on_every_edge(make_person, matrix):
    org, other = matrix["orgs"]
    awareness, refresher, worker = matrix["awareness"], matrix["refresher"], matrix["worker"]
    admin = make_person(email="admin@example.test", roles=["admin"], org=other, job_role=matrix["volunteer"])
    people = []

    def person(**values):
        values.setdefault("job_role", worker)
        values.setdefault("org", org)
        people.append(make_person(**values))
        return people[-1]

    starter = person(start_date=date(2024, 3, 1))
    record_completion(starter.id, awareness, date(2024, 3, 1), "import")  # valid from its own day
    leaver = person(start_date=date(2020, 1, 1), leaving_date=date(2024, 6, 30))  # in post on the leaving day itself
    record_completion(leaver.id, awareness, date(2023, 1, 1), "import")
    expiring = person(start_date=date(2020, 1, 1))
    record_completion(expiring.id, awareness, date(2022, 6, 30), "import")  # expires 2024-06-30: not valid on it
    leap = person(start_date=date(2020, 1, 1))
    record_completion(leap.id, awareness, date(2022, 2, 28), "import")
    record_completion(leap.id, awareness, date(2024, 2, 29), "import")  # + 24 months = 2026-02-28
    touching = person(start_date=date(2020, 1, 1))
    record_completion(touching.id, refresher, date(2023, 6, 1), "import")
    record_completion(touching.id, refresher, date(2024, 6, 1), "import")  # done on the expiry day: no gap
    gap = person(start_date=date(2020, 1, 1))
    record_completion(gap.id, refresher, date(2023, 6, 1), "import")
    record_completion(gap.id, refresher, date(2024, 6, 2), "import")  # a day late: not valid on 2024-06-01
    early = person(start_date=date(2020, 1, 1))
    record_completion(early.id, refresher, date(2023, 3, 1), "import")
    record_completion(early.id, refresher, date(2023, 9, 1), "import")  # renewed while valid: expiry moves on
    corrected = person(start_date=date(2020, 1, 1))
    wrong = record_completion(corrected.id, awareness, date(2023, 1, 10), "import")
    supersede(wrong, "wrong date", admin, corrected_on=date(2023, 11, 10))
    withdrawn = person(start_date=date(2020, 1, 1))
    supersede(record_completion(withdrawn.id, awareness, date(2023, 5, 5), "import"), "never attended", admin)
    before_start = person(start_date=date(2024, 1, 15), org=other, job_role=matrix["admin"])
    record_completion(before_start.id, awareness, date(2023, 12, 1), "import")  # counts once in post
    exempt = person(start_date=date(2020, 1, 1))
    record_completion(exempt.id, awareness, date(2024, 1, 1), "import")
    record_exemption(exempt.id, awareness, "long-term sick", date(2024, 3, 1), date(2024, 4, 30), admin)
    record_exemption(exempt.id, awareness, "phased return", date(2024, 4, 1), date(2024, 5, 15), admin)  # overlaps
    record_exemption(exempt.id, refresher, "long-term sick", date(2024, 3, 1), date(2024, 3, 1), admin)  # one day
    person(start_date=date(2020, 1, 1), job_role=matrix["volunteer"])  # needs nothing
    record_completion(person(start_date=date(2020, 1, 1), job_role=matrix["volunteer"]).id, awareness,
                      date(2024, 1, 1), "import")  # holds what the role does not need
    nobody = make_person(start_date=date(2020, 1, 1), org=org, job_role=worker)
    nobody.job_role = None
    people.append(nobody)
    db.session.commit()

    edges = {date(2024, 3, 1), date(2024, 6, 30), date(2024, 6, 1), date(2024, 1, 15), date(2024, 4, 30),
             date(2024, 5, 15), date(2023, 11, 10), date(2023, 1, 10), date(2026, 2, 28), date(2025, 9, 1)}
    assert_counts_on(people, sorted(edges | {d + timedelta(days=1) for d in edges} | {d - timedelta(days=1) for d in edges}))


def test_counts_agree_with_the_rules_on_random_records(make_person, matrix):
    rng = random.Random(2012)
    admin = make_person(email="admin@example.test", roles=["admin"], job_role=matrix["volunteer"])
    roles = [matrix["worker"], matrix["worker"], matrix["admin"], matrix["volunteer"]]
    requirements = [matrix["awareness"], matrix["refresher"]]
    people = []
    for _ in range(60):
        start = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2000))
        leaving = start + timedelta(days=rng.randint(0, 1500)) if rng.random() < 0.3 else None
        person = make_person(org=rng.choice(matrix["orgs"]), job_role=rng.choice(roles), start_date=start,
                             leaving_date=leaving)
        for _ in range(rng.randint(0, 5)):
            completion = record_completion(person.id, rng.choice(requirements),
                                           start + timedelta(days=rng.randint(-200, 1800)), "import")
            if rng.random() < 0.15:
                supersede(completion, "typed in error", admin,
                          corrected_on=completion.completed_on + timedelta(days=rng.randint(-30, 30))
                          if rng.random() < 0.5 else None)
        if rng.random() < 0.2:
            begins = start + timedelta(days=rng.randint(0, 1500))
            record_exemption(person.id, rng.choice(requirements), "absent", begins,
                             begins + timedelta(days=rng.randint(0, 200)), admin)
        people.append(person)
    db.session.commit()
    days = [date(2018, 1, 1) + timedelta(days=rng.randint(0, 3300)) for _ in range(25)]
    assert_counts_on(people, days)

    for requirement in requirements:
        for orgs in (None, [matrix["orgs"][0].id]):
            over = counts_over(days, requirement.id, orgs)
            assert over == {(day, org): counts for day in days for (org, req), counts in counts_on(day).items()
                            if req == requirement.id and (orgs is None or org in orgs)}


def test_the_report_counts_writes_not_yet_committed(make_person, matrix):
    person = make_person(job_role=matrix["admin"], start_date=date(2020, 1, 1))
    day = date(2024, 6, 1)
    assert counts_on(day) == {(person.organisation_id, matrix["awareness"].id): (1, 0)}
    record_completion(person.id, matrix["awareness"], date(2024, 5, 1), "import")
    assert counts_on(day) == {(person.organisation_id, matrix["awareness"].id): (1, 1)}
    db.session.rollback()
    assert counts_on(day) == {(person.organisation_id, matrix["awareness"].id): (1, 0)}
    assert db.session.scalar(db.select(db.func.count()).select_from(Completion)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Exemption)) == 0
