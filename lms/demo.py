"""The demo partnership: believable organisations, teams, people and the five demo accounts."""
import random
from datetime import date, datetime, timedelta

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import JobRole, Organisation, Role, RoleGrant, Sector, Team, User
from lms.accounts.services import set_password
from lms.clock import london_datetime, today
from lms.competencies import services as competencies
from lms.competencies.queries import records_of, unit_by_reference
from lms.competencies.rules import EvidenceSource
from lms.compliance.models import Requirement
from lms.compliance.rules import Status, add_months
from lms.compliance.services import record_completion, statuses
from lms.db import utcnow
from lms.events import services as event_services
from lms.extensions import db
from lms.import_kinds import run_import
from lms.learning import services
from lms.learning.queries import published_version
from lms.sync import load_shipped, read_shipped

DEMO_PASSWORD = "hidden-harm-demo"

ORGANISATIONS = [
    ("Riverside Children's Services", Sector.CHILDREN, False, "childrens", ["Front Door", "Early Help", "Child Protection"]),
    ("Riverside Adult Social Care", Sector.ADULT_SOCIAL_CARE, False, "adults", ["Community Team"]),
    ("Riverside Recovery Service", Sector.DRUG_ALCOHOL, True, "recovery", ["Adult Treatment", "Young People's Service"]),
    ("Riverside Community Health", Sector.HEALTH, False, "health", ["Health Visiting", "School Nursing", "Midwifery"]),
    ("Riverside Schools Partnership", Sector.EDUCATION, False, "schools", []),
    ("Riverside Police Safeguarding Unit", Sector.POLICE, False, "police", []),
    ("Riverside Probation", Sector.PROBATION, False, "probation", []),
    ("Families First Riverside", Sector.VOLUNTARY, True, "familiesfirst", []),
]

JOB_ROLES = [
    "Social worker", "Family support worker", "Drug and alcohol worker", "Recovery worker",
    "Health visitor", "School nurse", "Midwife", "Teacher", "Designated safeguarding lead",
    "Police officer", "Probation officer", "Volunteer", "Team manager", "Administrator",
    "Training coordinator", "Commissioning manager",
]

# (organisation, team, job roles of its staff, how many staff besides the manager)
STAFF_PLAN = [
    ("Riverside Children's Services", "Front Door", ["Social worker", "Administrator"], 5),
    ("Riverside Children's Services", "Early Help", ["Family support worker"], 4),
    ("Riverside Children's Services", "Child Protection", ["Social worker"], 5),
    ("Riverside Adult Social Care", "Community Team", ["Social worker", "Administrator"], 4),
    ("Riverside Recovery Service", "Young People's Service", ["Drug and alcohol worker"], 3),
    ("Riverside Community Health", "Health Visiting", ["Health visitor"], 4),
    ("Riverside Community Health", "School Nursing", ["School nurse"], 2),
    ("Riverside Community Health", "Midwifery", ["Midwife"], 3),
    ("Riverside Schools Partnership", None, ["Teacher", "Designated safeguarding lead"], 5),
    ("Riverside Police Safeguarding Unit", None, ["Police officer"], 3),
    ("Riverside Probation", None, ["Probation officer"], 3),
    ("Families First Riverside", None, ["Family support worker", "Volunteer"], 4),
]

GIVEN = ["Aisha", "Ben", "Chloe", "Daniel", "Ewa", "Farah", "George", "Hannah", "Imran", "Jade", "Kofi", "Laura",
         "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sofia", "Tom", "Uma", "Victor", "Wendy", "Yusuf", "Zoe"]
FAMILY = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
          "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walsh", "Young"]


def _reset() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())


def build_demo(reset: bool = False) -> list[tuple[str, str]]:
    """Create the demo partnership unless it is already there; return the demo accounts."""
    if reset:
        _reset()
    _sync_shipped_content()
    if db.session.scalar(select(User).where(User.email == "admin@demo.test")) is None:
        rng, day = random.Random(2012), today()
        _build(rng, day)
        _load_matrix_and_plan()
        _history(rng, day)
        _sessions(rng)
    db.session.flush()
    return [
        ("admin@demo.test", "admin"),
        ("coordinator@demo.test", "training coordinator"),
        ("manager@demo.test", "manager (Adult Treatment team, Riverside Recovery Service)"),
        ("commissioner@demo.test", "commissioner"),
        ("learner@demo.test", "learner (drug and alcohol worker)"),
    ]


DEMO_FILES = Path(__file__).resolve().parent.parent / "demo"
# How likely each organisation's staff are to hold a valid completion: some meet the plan, some miss.
TRAINED_SHARE = {
    "Riverside Recovery Service": 0.85, "Families First Riverside": 0.4, "Riverside Children's Services": 0.75,
    "Riverside Adult Social Care": 0.45, "Riverside Community Health": 0.7, "Riverside Schools Partnership": 0.55,
    "Riverside Police Safeguarding Unit": 0.3, "Riverside Probation": 0.6,
}


def _load_matrix_and_plan() -> None:
    for kind, name in (("requirements", "requirements.yaml"), ("plans", "plan.yaml")):
        report = run_import(kind, (DEMO_FILES / name).read_text())
        if not report.ok:
            raise RuntimeError(f"demo/{name}: " + "; ".join(map(str, report.problems)))


def _history(rng: random.Random, day: date) -> None:
    """Completions that make every status appear: up to date, due soon, expired, never done."""
    people = list(db.session.scalars(select(User).where(User.email != "learner@demo.test")))
    for person in people:
        for item in statuses([person], day)[person.id]:
            if item.status.status != Status.MISSING and item.status.status != Status.INDUCTION:
                continue  # already holds it (a course passed above)
            roll = rng.random()
            share = TRAINED_SHARE.get(person.organisation.name, 0.5)
            if roll < share:
                completed = day - timedelta(days=rng.randint(5, 720))
            elif roll < share + 0.15:
                completed = day - timedelta(days=rng.randint(740, 1100))
            else:
                continue
            if completed >= person.start_date:
                record_completion(person.id, item.requirement, completed, "import", note="from the previous training database")
    learner = db.session.scalar(select(User).where(User.email == "learner@demo.test"))
    # The demo learner: one item due soon, one expired, one never done.
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    record_completion(learner.id, requirements["hidden-harm-awareness"], add_months(day, -24) + timedelta(days=25), "import", note="face-to-face briefing")
    record_completion(learner.id, requirements["caf-early-help"], day - timedelta(days=800), "import", note="CAF workshop")


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    return london_datetime(today() + timedelta(days=days), hour, minute)


def _sessions(rng: random.Random) -> None:
    """A programme with a past session whose register is taken, full sessions with waiting lists, a sector cap
    doing its work, held places, a session moved after people booked, and a cancelled booking, so the outbox
    holds invitations, updates and a cancellation."""
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    people = list(db.session.scalars(select(User).where(User.active, User.email.not_like("%@demo.test"))
                                     .order_by(User.id)))
    by_sector: dict[Sector, list[User]] = {}
    for person in people:
        by_sector.setdefault(person.organisation.sector, []).append(person)
    now = utcnow()

    def publish(code, title, starts, hours, capacity, slugs, **values):
        event = event_services.new_event(code)
        event_services.save_event(event, {
            "title": title, "starts_at": starts, "ends_at": starts + timedelta(hours=hours), "capacity": capacity,
            "venue": values.pop("venue", "Riverside Civic Centre, Market Street, Riverside RV1 2AB, Room 3"), **values,
        }, now, requirements=[requirements[s] for s in slugs], trainers=[coordinator])
        return event

    def book(event, person):
        return event_services.book(event_services.lock_event(event.id), person, coordinator, now)

    # Last month's briefing, its paper register typed up: attendance became completions, no-shows told managers.
    past = publish("HH-BRIEF-PAST", "Hidden Harm: multi-agency briefing", _at(-30, 9, 30), 3, 16, ["hidden-harm-awareness"],
                   description="What Hidden Harm is, what children tell us, and how adult and children's services work together.")
    for index, person in enumerate(p for sector in by_sector.values() for p in sector[:2]):
        event_services.mark_attendance(past, person, index % 6 != 5, coordinator, now)

    # A day with a sector cap: drug and alcohol workers beyond half the places wait, with the reason.
    day = publish("SG-DAY-1", "Safeguarding children affected by parental substance use: multi-agency day",
                  _at(21, 9, 30), 6.5, 10, ["safeguarding-children-l2"], max_sector_percent=50, min_sectors=3,
                  cancellation_cutoff=_at(14, 17, 0),
                  description="A Level 2 safeguarding day for adult and children's services together: thresholds, "
                              "sharing information, conferences and core groups, and a case to work through.")
    for person in by_sector[Sector.DRUG_ALCOHOL][:7] + by_sector[Sector.CHILDREN][:2] + by_sector[Sector.HEALTH][:2]:
        book(day, person)

    # A short briefing that staff book themselves: full, with a waiting list, and places held for schools.
    briefing = publish("HH-BRIEF-2", "Hidden Harm: multi-agency briefing", _at(35, 13, 30), 3, 8, ["hidden-harm-awareness"],
                       self_booking=True, booking_deadline=_at(33, 17, 0),
                       description="The same briefing as last month, for those who missed it.")
    event_services.save_event(event_services.lock_event(briefing.id), {}, now, holds=[(Sector.EDUCATION, 2, _at(20, 0))])
    for person in (by_sector[Sector.POLICE] + by_sector[Sector.PROBATION] + by_sector[Sector.VOLUNTARY])[:9]:
        book(briefing, person)
    # One of them cannot go after all: the place goes to the first on the waiting list who fits.
    first = event_services.booking_for(briefing, (by_sector[Sector.POLICE])[0])
    event_services.cancel_booking(first, coordinator, now)

    # An online session that moved after people booked: everyone booked has the update, same entry.
    online = publish("HH-ONLINE-1", "Working with parents who use drugs or alcohol (online)", _at(49, 10, 0), 2, 30,
                     ["hidden-harm-awareness"], venue="", online_link="https://meet.example.org/riverside-hidden-harm",
                     self_booking=True)
    for person in by_sector[Sector.ADULT_SOCIAL_CARE] + by_sector[Sector.EDUCATION][:3]:
        book(online, person)
    event_services.save_event(event_services.lock_event(online.id),
                              {"starts_at": _at(50, 14, 0), "ends_at": _at(50, 16, 0)}, now)
    db.session.flush()


def _sync_shipped_content() -> None:
    shipped = read_shipped(current_app.config["CONTENT_ROOT"])
    if shipped.problems:
        raise RuntimeError("the shipped content has problems: run `lms courses sync` to see them")
    load_shipped(shipped)


def _pass_course(person: User, slug: str, day: date, rng: random.Random) -> None:
    """A real attempt, answered correctly, so the demo's records are the ones the product makes."""
    version = published_version(slug)
    for page in version.pages:
        services.record_page_read(person, version, page.position)
    attempt = services.start_attempt(person, version, rng)
    services.submit_attempt(attempt.id, {q["id"]: q["correct"] for q in attempt.questions}, day)


LOCAL_CONTACTS = {
    "childrens_social_care": "Riverside children's front door, 01632 960 100, frontdoor@riverside.example",
    "out_of_hours": "Emergency duty team, 01632 960 999",
    "safeguarding_lead": "Deborah Quinn (service lead); Mark Hughes covers when she is away",
    "drug_alcohol_contact": "Riverside Recovery Service duty worker, 01632 960 200; parents can refer themselves",
    "early_help": "Early Help hub, 01632 960 300",
}


def _competencies(manager: User, learner: User, team: list[User], day: date, rng: random.Random) -> None:
    """DANOS AA1 in every state: the demo learner and two colleagues pass recognise-and-refer (knowledge);
    the manager has observed the learner at work (ready for the manager to sign off), has observed and
    signed off one colleague, and the other still needs an observation."""
    for person in (learner, team[1], team[3]):
        services.save_local_contacts(person, LOCAL_CONTACTS)
        _pass_course(person, "recognise-and-refer", day - timedelta(days=rng.randint(30, 90)), rng)
    aa1 = unit_by_reference("AA1")
    competencies.add_note(learner, aa1, EvidenceSource.OBSERVATION, day - timedelta(days=6), (
        "Joined Lee on a home visit to a client. Lee noticed signs that her partner was drinking heavily (the "
        "smell of alcohol mid-morning, empty cans, a missed nursery collection), raised it with him calmly, "
        "weighed the risk to their two children, agreed a referral to the alcohol team with him, told the "
        "safeguarding lead about the children the same day, and recorded it clearly."), manager)
    competencies.add_note(team[1], aa1, EvidenceSource.SUPERVISION, day - timedelta(days=20), (
        "Went through a referral to children's social care about a father drinking heavily while caring for "
        "a toddler: clear account of the signs seen, the risk weighed, the DSL consulted the same day, and "
        "the reasons recorded."), manager)
    record = next(r for r in records_of(team[1]) if r.unit_id == aa1.id)
    competencies.sign_off(record, manager, "Knowledge from the course and a sound, well-recorded referral seen in "
                                           "supervision: meets AA1.")


def _build(rng: random.Random, day: date) -> None:
    orgs, teams = {}, {}
    for name, sector, commissioned, _, team_names in ORGANISATIONS:
        org = Organisation(name=name, sector=sector, commissioned=commissioned)
        db.session.add(org)
        orgs[name] = org
        for team_name in team_names:
            teams[(name, team_name)] = Team(organisation=org, name=team_name)
    roles = {name: JobRole(name=name) for name in JOB_ROLES}
    db.session.add_all([*teams.values(), *roles.values()])
    db.session.flush()
    domains = {name: domain for name, _, _, domain, _ in ORGANISATIONS}
    used_emails: set[str] = set()
    counter = iter(range(1, 10_000))

    def person(given, family, org_name, team_name, role, manager=None, email=None, started=None, roles_=()):
        if email is None:
            email = f"{given}.{family}@{domains[org_name]}.demo.test".lower()
            while email in used_emails:
                email = email.replace("@", f"{rng.randint(2, 9)}@", 1)
        used_emails.add(email)
        user = User(
            employee_id=f"RV{next(counter):05d}", email=email, given_name=given, family_name=family,
            organisation=orgs[org_name], team=teams.get((org_name, team_name)), job_role=roles[role],
            manager=manager, start_date=started or day - timedelta(days=rng.randint(200, 4000)), active=True,
        )
        user.role_grants = [RoleGrant(role=r) for r in roles_]
        db.session.add(user)
        return user

    def random_name():
        return rng.choice(GIVEN), rng.choice(FAMILY)

    admin = person("Alex", "Morgan", "Riverside Children's Services", None, "Administrator",
                   email="admin@demo.test", roles_=[Role.ADMIN])
    coordinator = person("Carys", "Evans", "Riverside Children's Services", None, "Training coordinator",
                         email="coordinator@demo.test", roles_=[Role.COORDINATOR])
    commissioner = person("Sam", "Okafor", "Riverside Adult Social Care", None, "Commissioning manager",
                          email="commissioner@demo.test", roles_=[Role.COMMISSIONER])
    service_lead = person("Deborah", "Quinn", "Riverside Recovery Service", None, "Team manager", roles_=[Role.MANAGER])
    manager = person("Mark", "Hughes", "Riverside Recovery Service", "Adult Treatment", "Team manager",
                     manager=service_lead, email="manager@demo.test", roles_=[Role.MANAGER])
    learner = person("Lee", "Patel", "Riverside Recovery Service", "Adult Treatment", "Drug and alcohol worker",
                     manager=manager, email="learner@demo.test")
    db.session.flush()
    for account in (admin, coordinator, commissioner, manager, learner):
        set_password(account, DEMO_PASSWORD)
    # The rest of the manager's team, one of whom started recently and one of whom has left.
    team = []
    for index, role in enumerate(["Drug and alcohol worker", "Recovery worker", "Recovery worker", "Drug and alcohol worker", "Volunteer"]):
        colleague = person(*random_name(), "Riverside Recovery Service", "Adult Treatment", role, manager=manager,
                           started=day - timedelta(days=30) if index == 0 else None)
        team.append(colleague)
        if index == 4:
            colleague.leaving_date = day - timedelta(days=45)
            colleague.active = False

    db.session.flush()
    for colleague in team[1:3]:
        _pass_course(colleague, "hidden-harm-awareness", day - timedelta(days=rng.randint(20, 300)), rng)
    _pass_course(team[2], "safeguarding-children-substance-misuse", day - timedelta(days=40), rng)
    _competencies(manager, learner, team, day, rng)

    for org_name, team_name, job_roles, count in STAFF_PLAN:
        team_manager = person(*random_name(), org_name, team_name, "Team manager", roles_=[Role.MANAGER])
        for index in range(count):
            person(*random_name(), org_name, team_name, job_roles[index % len(job_roles)], manager=team_manager,
                   started=day - timedelta(days=rng.randint(10, 80)) if index == count - 1 and rng.random() < 0.4 else None)
    db.session.flush()
