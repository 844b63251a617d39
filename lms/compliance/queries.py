"""Reads: the set-based report query and the completions behind each person's statuses."""
from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Select, and_, bindparam, case, exists, func, literal, or_, select, text, union_all
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, User
from lms.compliance import periods
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement, ValidPeriod
from lms.compliance.rules import Rule
from lms.extensions import db
from lms.learning.models import CourseCompletion


# The §2.6 predicates, in one place. `day` is a date, or a date column when counting several days at once.

def active_on(day, person=User):
    """In post on the day: started, and not yet left (the leaving date itself still counts).

    `person` is User, or ValidPeriod, which carries a copy of each person's dates."""
    return and_(person.start_date <= day, or_(person.leaving_date.is_(None), person.leaving_date >= day))


def covers(day, valid_from, expires_on):
    """A completion is valid from the day it was done until the day before it expires (§2.3); so is a run of them."""
    return and_(valid_from <= day, expires_on > day)


def exemption_covers(day):
    """An exemption covers both its first and its last day."""
    return and_(Exemption.starts_on <= day, Exemption.ends_on >= day)


def exempt_on(day, user_id, requirement_id):
    return exists().where(Exemption.user_id == user_id, Exemption.requirement_id == requirement_id, exemption_covers(day))


def valid_on(day, user_id, requirement_id):
    """A completion valid on the day, not set aside by a correction."""
    return exists().where(Completion.user_id == user_id, Completion.requirement_id == requirement_id,
                          Completion.superseded_at.is_(None), covers(day, Completion.completed_on, Completion.expires_on))


def held_on(day, user_id, requirement_id):
    """valid_on, read from the merged periods (one index probe)."""
    return exists().where(ValidPeriod.user_id == user_id, ValidPeriod.requirement_id == requirement_id,
                          covers(day, ValidPeriod.valid_from, ValidPeriod.valid_until))


def in_scope_on(day):
    """(user, organisation, team, requirement) for staff active on `day` whose role requires it and who are not exempt."""
    return (
        select(User.id.label("user_id"), User.organisation_id, User.team_id, RoleRequirement.requirement_id)
        .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
        .where(active_on(day), ~exempt_on(day, User.id, RoleRequirement.requirement_id))
    )


def counts_on(day: date) -> dict[tuple[int, int], tuple[int, int]]:
    """{(organisation_id, requirement_id): (in_scope, compliant)} on `day`, in one query."""
    return {(org, req): counts for (_, org, req), counts in _counts([day]).items()}


def counts_over(days: list[date], requirement_id: int, organisation_ids: list[int] | None = None
                ) -> dict[tuple[date, int], tuple[int, int]]:
    """{(day, organisation_id): (in_scope, compliant)} for one requirement on many days, in one query
    (the days are a small table joined to staff, so a chart's series costs one round trip)."""
    return {(day, org): counts for (day, org, _), counts in _counts(days, requirement_id, organisation_ids).items()}


def _counts(days: list[date], requirement_id: int | None = None, organisation_ids: list[int] | None = None
            ) -> dict[tuple[date, int, int], tuple[int, int]]:
    """{(day, organisation, requirement): (in scope, compliant)} wherever anyone is in scope, as the sum of three parts:
    everyone in post times the matrix; the periods running on the day, for roles that require them; less, in both,
    the exempt. Each part is grouped before it meets the matrix, so people and periods are read once and
    completions are never probed person by person."""
    if not days:
        return {}
    periods.bring_up_to_date()
    _tune_for_reporting()
    if len(days) == 1:
        day, keys = literal(days[0], Date), []  # a constant, so the planner can use index ranges
    else:
        day = union_all(*(select(literal(d, Date).label("day")) for d in days)).cte("days").c.day
        keys = [day]
    requirement_ids = None if requirement_id is None else [requirement_id]

    staff = (select(*keys, User.organisation_id, User.job_role_id, func.count().label("n"))
             .where(active_on(day), *_only(User.organisation_id, organisation_ids))
             .group_by(*keys, User.organisation_id, User.job_role_id).subquery())
    running = (select(*keys, ValidPeriod.organisation_id, ValidPeriod.job_role_id, ValidPeriod.requirement_id,
                      func.count().label("n"))
               .where(covers(day, ValidPeriod.valid_from, ValidPeriod.valid_until), active_on(day, ValidPeriod),
                      *_only(ValidPeriod.organisation_id, organisation_ids),
                      *_only(ValidPeriod.requirement_id, requirement_ids))
               .group_by(*keys, ValidPeriod.organisation_id, ValidPeriod.job_role_id, ValidPeriod.requirement_id)
               .subquery())
    exempt = (select(*keys, Exemption.user_id, Exemption.requirement_id).distinct()
              .where(exemption_covers(day), *_only(Exemption.requirement_id, requirement_ids)).subquery())
    exempt_day = exempt.c.day if keys else day

    def key(part):
        return [part.c.day] if keys else []

    parts = union_all(
        select(*key(staff), staff.c.organisation_id, RoleRequirement.requirement_id, staff.c.n.label("in_scope"),
               literal(0).label("compliant"))
        .join(RoleRequirement, RoleRequirement.job_role_id == staff.c.job_role_id)
        .where(*_only(RoleRequirement.requirement_id, requirement_ids)),
        select(*key(running), running.c.organisation_id, running.c.requirement_id, literal(0), running.c.n)
        .join(RoleRequirement, and_(RoleRequirement.job_role_id == running.c.job_role_id,
                                    RoleRequirement.requirement_id == running.c.requirement_id)),
        select(*key(exempt), User.organisation_id, exempt.c.requirement_id, literal(-1),
               -case((held_on(exempt_day, exempt.c.user_id, exempt.c.requirement_id), 1), else_=0))
        .join(User, and_(User.id == exempt.c.user_id, active_on(exempt_day),
                         *_only(User.organisation_id, organisation_ids)))
        .join(RoleRequirement, and_(RoleRequirement.job_role_id == User.job_role_id,
                                    RoleRequirement.requirement_id == exempt.c.requirement_id)),
    ).subquery()
    totals = (select(*key(parts), parts.c.organisation_id, parts.c.requirement_id, func.sum(parts.c.in_scope),
                     func.sum(parts.c.compliant))
              .group_by(*key(parts), parts.c.organisation_id, parts.c.requirement_id))
    rows = db.session.execute(totals)
    if not keys:
        rows = ((days[0], *row) for row in rows)
    return {(_as_date(d), org, req): (int(n), int(ok)) for d, org, req, n, ok in rows if n}


def _only(column, values: list[int] | None) -> list:
    """No condition for None (everything), else the column's value is one of them."""
    return [] if values is None else [column.in_(values)]


def _tune_for_reporting() -> None:
    """On PostgreSQL, for this transaction: plan each run for its own day (psycopg prepares a statement after
    a few runs, and a generic plan for "any day" was five times slower), and no JIT, whose compiling cost more
    than the query it would speed up."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                                "set_config('jit', 'off', true)"))


def _as_date(value) -> date:
    # SQLite hands a VALUES date back as text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def requirements() -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).order_by(Requirement.title)))


# Keeps IN lists within every database's limit on bound parameters.
CHUNK = 1000


def requirements_of(people: list[User], day: date) -> dict[int, list[tuple[Requirement, date | None, date | None]]]:
    """Each person's required requirements with the latest completion on or before `day` and the end of any
    exemption covering it: the inputs of rules.status_on, in one query a thousand people."""
    found: dict[int, list] = {p.id: [] for p in people}
    ids = list(found)
    for start in range(0, len(ids), CHUNK):
        for user_id, requirement, completed_on, exempt_ends in db.session.execute(
                _REQUIRED, {"ids": ids[start:start + CHUNK], "day": day}):
            found[user_id].append((requirement, completed_on, exempt_ends))
    return found


def _required() -> Select:
    day = bindparam("day", type_=Date())
    latest = (select(func.max(Completion.completed_on))
              .where(Completion.user_id == User.id, Completion.requirement_id == Requirement.id,
                     Completion.superseded_at.is_(None), Completion.completed_on <= day)
              .scalar_subquery())
    exempt_until = (select(func.max(Exemption.ends_on))
                    .where(Exemption.user_id == User.id, Exemption.requirement_id == Requirement.id,
                           exemption_covers(day))
                    .scalar_subquery())
    return (
        select(User.id, Requirement, latest, exempt_until)
        .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
        .join(Requirement, Requirement.id == RoleRequirement.requirement_id)
        .where(User.id.in_(bindparam("ids", expanding=True))).order_by(Requirement.title)
    )


# Built once: every page that shows a status runs it.
_REQUIRED = _required()


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


def completions_from_course(course_completion_id: int) -> list[Completion]:
    """The requirements a passed course satisfied, as recorded then and not since corrected."""
    return list(db.session.scalars(
        select(Completion).where(Completion.course_completion_id == course_completion_id, Completion.superseded_at.is_(None))
        .options(joinedload(Completion.requirement)).join(Completion.requirement).order_by(Requirement.title)
    ))


def courses_beyond_requirements(person: User) -> list[CourseCompletion]:
    """Courses the person passed that count towards no requirement (the others are in record_of), newest first."""
    counted = select(Completion.course_completion_id).where(
        Completion.user_id == person.id, Completion.course_completion_id.is_not(None))
    return list(db.session.scalars(
        select(CourseCompletion).where(CourseCompletion.user_id == person.id, CourseCompletion.id.not_in(counted))
        .options(joinedload(CourseCompletion.course_version))
        .order_by(CourseCompletion.completed_on.desc(), CourseCompletion.id.desc())
    ))


def titles_satisfied_by(course_slug: str, **_) -> list[str]:
    """The titles of the requirements that passing the course satisfies (as on_course_completed records them)."""
    return [r.title for r in requirements() if course_slug in (r.courses or [])]


def requirements_with_roles() -> list[tuple[Requirement, list[str]]]:
    names: dict[int, list[str]] = defaultdict(list)
    for requirement_id, role_name in db.session.execute(
        select(RoleRequirement.requirement_id, JobRole.name).join(JobRole).order_by(JobRole.name)
    ):
        names[requirement_id].append(role_name)
    return [(r, names[r.id]) for r in requirements()]


def role_ids_of(requirement: Requirement) -> list[int]:
    return list(db.session.scalars(select(RoleRequirement.job_role_id).where(RoleRequirement.requirement_id == requirement.id)))


def latest_expiries(user_ids: list[int], requirement_ids: list[int]) -> dict[tuple[int, int], date]:
    """{(person, requirement): the expiry of their latest completion}, for the pairs that have one."""
    if not user_ids or not requirement_ids:
        return {}
    rows = db.session.execute(
        select(Completion.user_id, Completion.requirement_id, func.max(Completion.expires_on))
        .where(Completion.user_id.in_(user_ids), Completion.requirement_id.in_(requirement_ids),
               Completion.superseded_at.is_(None))
        .group_by(Completion.user_id, Completion.requirement_id)
    )
    return {(user_id, requirement_id): expiry for user_id, requirement_id, expiry in rows}
