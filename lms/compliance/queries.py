"""Reads: the set-based report query and the completions behind each person's statuses."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, FunctionElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, Team, User
from lms.accounts.queries import name_matches
from lms.compliance.models import ActionPlan, Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.rules import Rule, Status
from lms.extensions import db
from lms.learning.models import CourseCompletion
from lms.learning.queries import published_courses
from lms.paging import Page, page_of


def in_scope_on(day: date):
    """(user, organisation, requirement) for staff active on `day` whose role requires it and who are not exempt."""
    return (
        select(User.id.label("user_id"), User.organisation_id, RoleRequirement.requirement_id)
        .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
        .where(User.start_date <= day, or_(User.leaving_date.is_(None), User.leaving_date >= day))
        .where(~exists().where(
            Exemption.user_id == User.id, Exemption.requirement_id == RoleRequirement.requirement_id,
            Exemption.starts_on <= day, Exemption.ends_on >= day,
        ))
    )


def counts_on(day: date) -> dict[tuple[int, int], tuple[int, int]]:
    """{(organisation_id, requirement_id): (in_scope, compliant)} on `day`, in one query."""
    scope = in_scope_on(day).subquery()
    valid = exists().where(
        Completion.user_id == scope.c.user_id, Completion.requirement_id == scope.c.requirement_id,
        Completion.superseded_at.is_(None), Completion.completed_on <= day, Completion.expires_on > day,
    )
    rows = db.session.execute(
        select(scope.c.organisation_id, scope.c.requirement_id, func.count(),
               func.sum(case((valid, 1), else_=0)))
        .group_by(scope.c.organisation_id, scope.c.requirement_id)
    )
    return {(org, req): (n, int(ok or 0)) for org, req, n, ok in rows}


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def requirements() -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).order_by(Requirement.title)))


def plan_by_slug(slug: str) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.slug == slug))


# Keeps IN lists within every database's limit on bound parameters.
CHUNK = 1000


def requirements_of(people: list[User], day: date) -> dict[int, list[tuple[Requirement, date | None, date | None]]]:
    """Each person's required requirements with the latest completion on or before `day` and the end of any
    exemption covering it: the inputs of rules.status_on, in one query a thousand people."""
    latest = (select(func.max(Completion.completed_on))
              .where(Completion.user_id == User.id, Completion.requirement_id == Requirement.id,
                     Completion.superseded_at.is_(None), Completion.completed_on <= day)
              .scalar_subquery())
    exempt_until = (select(func.max(Exemption.ends_on))
                    .where(Exemption.user_id == User.id, Exemption.requirement_id == Requirement.id,
                           Exemption.starts_on <= day, Exemption.ends_on >= day)
                    .scalar_subquery())
    found: dict[int, list] = {p.id: [] for p in people}
    ids = list(found)
    for start in range(0, len(ids), CHUNK):
        for user_id, requirement, completed_on, exempt_ends in db.session.execute(
            select(User.id, Requirement, latest, exempt_until)
            .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
            .join(Requirement, Requirement.id == RoleRequirement.requirement_id)
            .where(User.id.in_(ids[start:start + CHUNK])).order_by(Requirement.title)
        ):
            found[user_id].append((requirement, completed_on, exempt_ends))
    return found


class days_after(FunctionElement):
    """`day` plus a whole number of days (negative for before), as a date both SQLite and PostgreSQL compare."""

    type = Date()
    inherit_cache = True


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    day, days = element.clauses
    return f"date({compiler.process(day, **kw)}, ({compiler.process(days, **kw)}) || ' days')"


@compiles(days_after)
def _days_after_postgresql(element, compiler, **kw):
    day, days = element.clauses
    return f"(CAST({compiler.process(day, **kw)} AS DATE) + ({compiler.process(days, **kw)}))"


OVERDUE = (Status.EXPIRED.value, Status.MISSING.value)


def status_rows(people: Select, day: date) -> Select:
    """(user_id, requirement_id, status) for each of the people and each requirement of their job role on `day`.

    The SQL twin of rules.status_on, for filtering and counting many people at once; tests hold it to the rule.
    Completion expiries are stored derived from the requirement's validity, so the latest one held decides.
    """
    on = literal(day, Date())
    held = (select(Completion.user_id, Completion.requirement_id, func.max(Completion.expires_on).label("expiry"))
            .where(Completion.user_id.in_(people), Completion.superseded_at.is_(None), Completion.completed_on <= day)
            .group_by(Completion.user_id, Completion.requirement_id)
            .subquery())
    exempt = exists().where(Exemption.user_id == User.id, Exemption.requirement_id == Requirement.id,
                            Exemption.starts_on <= day, Exemption.ends_on >= day)
    status = case(
        (exempt, Status.EXEMPT.value),
        (held.c.expiry <= day, Status.EXPIRED.value),
        (held.c.expiry <= days_after(on, Requirement.due_soon_days), Status.DUE_SOON.value),
        (held.c.expiry.is_not(None), Status.COMPLIANT.value),
        (User.start_date > days_after(on, -Requirement.induction_days), Status.INDUCTION.value),
        else_=Status.MISSING.value,
    )
    return (
        select(User.id.label("user_id"), Requirement.id.label("requirement_id"), status.label("status"))
        .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
        .join(Requirement, Requirement.id == RoleRequirement.requirement_id)
        .outerjoin(held, and_(held.c.user_id == User.id, held.c.requirement_id == Requirement.id))
        .where(User.id.in_(people))
    )


@dataclass(frozen=True)
class TeamCounts:
    people: int
    overdue_people: int
    overdue_items: int
    due_soon_people: int
    due_soon_items: int


def _per_person(people: Select, day: date):
    """Overdue and due-soon items per person, from status_rows."""
    rows = status_rows(people, day).subquery()
    return (
        select(rows.c.user_id,
               func.sum(case((rows.c.status.in_(OVERDUE), 1), else_=0)).label("overdue"),
               func.sum(case((rows.c.status == Status.DUE_SOON.value, 1), else_=0)).label("due_soon"))
        .group_by(rows.c.user_id)
        .subquery()
    )


def team_counts(people: Select, day: date) -> TeamCounts:
    """How many people, and how many of them (and their items) are overdue or due soon: one query."""
    per = _per_person(people, day)
    row = db.session.execute(
        select(func.count(User.id),
               func.coalesce(func.sum(case((per.c.overdue > 0, 1), else_=0)), 0),
               func.coalesce(func.sum(per.c.overdue), 0),
               func.coalesce(func.sum(case((per.c.due_soon > 0, 1), else_=0)), 0),
               func.coalesce(func.sum(per.c.due_soon), 0))
        .outerjoin(per, per.c.user_id == User.id)
        .where(User.id.in_(people))
    ).one()
    return TeamCounts(*(int(n) for n in row))


# What the Team training filter offers: (value, label, the statuses that match).
TRAINING_FILTERS = {
    "overdue": ("Overdue", OVERDUE),
    "due_soon": ("Due soon", (Status.DUE_SOON.value,)),
    "induction": ("New starters", (Status.INDUCTION.value,)),
    "up_to_date": ("Up to date", (Status.COMPLIANT.value, Status.EXEMPT.value)),
}
TEAM_SORTS = {"name": "Name", "team": "Team", "overdue": "Most overdue first"}


@dataclass(frozen=True)
class TeamFilter:
    search: str = ""
    team_id: int | None = None
    requirement_id: int | None = None
    training: str = ""  # a key of TRAINING_FILTERS, or "" for everyone
    sort: str = "name"
    page: int = 1


def team_page(team: Select, day: date, wanted: TeamFilter) -> Page:
    """One page of a team, filtered by name, team, requirement and training status and sorted, all in SQL."""
    query = select(User).where(User.id.in_(team))
    if wanted.search:
        query = query.where(name_matches(wanted.search))
    if wanted.team_id:
        query = query.where(User.team_id == wanted.team_id)
    rows = status_rows(team, day).subquery()
    matching = select(rows.c.user_id)
    if wanted.requirement_id:
        matching = matching.where(rows.c.requirement_id == wanted.requirement_id)
    if wanted.training in TRAINING_FILTERS:
        statuses = TRAINING_FILTERS[wanted.training][1]
        if wanted.training == "up_to_date" and not wanted.requirement_id:
            # Up to date on everything: nothing outstanding at all.
            query = query.where(User.id.not_in(select(rows.c.user_id).where(rows.c.status.not_in(statuses))))
        else:
            query = query.where(User.id.in_(matching.where(rows.c.status.in_(statuses))))
    elif wanted.requirement_id:
        query = query.where(User.id.in_(matching))
    total = db.session.scalar(query.with_only_columns(func.count(User.id)))
    name = (User.family_name, User.given_name, User.id)
    if wanted.sort == "team":
        query = query.outerjoin(User.team).order_by(Team.name.is_(None), Team.name, *name)
    elif wanted.sort == "overdue":
        per = _per_person(team, day)
        query = query.outerjoin(per, per.c.user_id == User.id).order_by(
            func.coalesce(per.c.overdue, 0).desc(), func.coalesce(per.c.due_soon, 0).desc(), *name)
    else:
        query = query.order_by(*name)
    return page_of(query.options(joinedload(User.job_role), joinedload(User.team)), wanted.page, total)


def requirements_for(people: Select) -> list[Requirement]:
    """The requirements any of the people's job roles need, by title: the columns of a team's grid."""
    return list(db.session.scalars(
        select(Requirement).where(Requirement.id.in_(
            select(RoleRequirement.requirement_id).where(
                RoleRequirement.job_role_id.in_(select(User.job_role_id).where(User.id.in_(people))))))
        .order_by(Requirement.title)
    ))


def rule_of(requirement: Requirement) -> Rule:
    return Rule(requirement.validity_months, requirement.due_soon_days, requirement.induction_days)


def record_of(person: User) -> tuple[list[Completion], list[Exemption]]:
    """A person's whole history, corrections included, newest first."""
    completions = db.session.scalars(
        select(Completion).where(Completion.user_id == person.id)
        .options(joinedload(Completion.requirement), joinedload(Completion.recorded_by), joinedload(Completion.superseded_by_user))
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    ).all()
    exemptions = db.session.scalars(
        select(Exemption).where(Exemption.user_id == person.id)
        .options(joinedload(Exemption.requirement), joinedload(Exemption.recorded_by))
        .order_by(Exemption.ends_on.desc())
    ).all()
    return list(completions), list(exemptions)


def courses_beyond_requirements(person: User) -> list[CourseCompletion]:
    """Courses the person passed that count towards no requirement (the others are in record_of), newest first."""
    counted = select(Completion.course_completion_id).where(
        Completion.user_id == person.id, Completion.course_completion_id.is_not(None))
    return list(db.session.scalars(
        select(CourseCompletion).where(CourseCompletion.user_id == person.id, CourseCompletion.id.not_in(counted))
        .options(joinedload(CourseCompletion.course_version))
        .order_by(CourseCompletion.completed_on.desc(), CourseCompletion.id.desc())
    ))


def course_titles() -> dict[str, str]:
    """The title of each published course, by slug."""
    return {version.course.slug: version.title for version in published_courses()}


def requirements_with_roles() -> list[tuple[Requirement, list[str]]]:
    names: dict[int, list[str]] = defaultdict(list)
    for requirement_id, role_name in db.session.execute(
        select(RoleRequirement.requirement_id, JobRole.name).join(JobRole).order_by(JobRole.name)
    ):
        names[requirement_id].append(role_name)
    return [(r, names[r.id]) for r in requirements()]


def role_ids_of(requirement: Requirement) -> list[int]:
    return list(db.session.scalars(select(RoleRequirement.job_role_id).where(RoleRequirement.requirement_id == requirement.id)))
