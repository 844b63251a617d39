"""Reads: the set-based report query and the completions behind each person's statuses."""
from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Select, and_, bindparam, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, User
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.rules import Rule
from lms.extensions import db
from lms.learning.models import CourseCompletion


# The §2.6 predicates, in one place. `day` is a date, or a date column when counting several days at once.

def active_on(day):
    """In post on the day: started, and not yet left (the leaving date itself still counts)."""
    return and_(User.start_date <= day, or_(User.leaving_date.is_(None), User.leaving_date >= day))


def exempt_on(day, user_id, requirement_id):
    return exists().where(Exemption.user_id == user_id, Exemption.requirement_id == requirement_id,
                          Exemption.starts_on <= day, Exemption.ends_on >= day)


def valid_on(day, user_id, requirement_id):
    """A completion valid on the day: completed on or before it, expiring after it, not set aside."""
    return exists().where(Completion.user_id == user_id, Completion.requirement_id == requirement_id,
                          Completion.superseded_at.is_(None), Completion.completed_on <= day, Completion.expires_on > day)


def in_scope_on(day):
    """(user, organisation, team, requirement) for staff active on `day` whose role requires it and who are not exempt."""
    return (
        select(User.id.label("user_id"), User.organisation_id, User.team_id, RoleRequirement.requirement_id)
        .join(RoleRequirement, RoleRequirement.job_role_id == User.job_role_id)
        .where(active_on(day), ~exempt_on(day, User.id, RoleRequirement.requirement_id))
    )


def counts_on(day: date) -> dict[tuple[int, int], tuple[int, int]]:
    """{(organisation_id, requirement_id): (in_scope, compliant)} on `day`, in one query."""
    scope = in_scope_on(day).subquery()
    valid = valid_on(day, scope.c.user_id, scope.c.requirement_id)
    rows = db.session.execute(
        select(scope.c.organisation_id, scope.c.requirement_id, func.count(),
               func.sum(case((valid, 1), else_=0)))
        .group_by(scope.c.organisation_id, scope.c.requirement_id)
    )
    return {(org, req): (n, int(ok or 0)) for org, req, n, ok in rows}


def counts_over(days: list[date], requirement_id: int, organisation_ids: list[int] | None = None
                ) -> dict[tuple[date, int], tuple[int, int]]:
    """{(day, organisation_id): (in_scope, compliant)} for one requirement on many days, in one query
    (the days are a small table joined to staff, so a chart's series costs one round trip)."""
    if not days:
        return {}
    day_list = union_all(*(select(literal(d, Date).label("day")) for d in days)).cte("days")
    query = (
        select(day_list.c.day, User.organisation_id, func.count(),
               func.sum(case((valid_on(day_list.c.day, User.id, RoleRequirement.requirement_id), 1), else_=0)))
        .select_from(day_list)
        .join(User, active_on(day_list.c.day))
        .join(RoleRequirement, and_(RoleRequirement.job_role_id == User.job_role_id,
                                    RoleRequirement.requirement_id == requirement_id))
        .where(~exempt_on(day_list.c.day, User.id, RoleRequirement.requirement_id))
        .group_by(day_list.c.day, User.organisation_id)
    )
    if organisation_ids is not None:
        query = query.where(User.organisation_id.in_(organisation_ids))
    return {(_as_date(day), org): (n, int(ok or 0)) for day, org, n, ok in db.session.execute(query)}


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
                           Exemption.starts_on <= day, Exemption.ends_on >= day)
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
