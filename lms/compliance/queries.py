"""Reads: the set-based report query and the completions behind each person's statuses."""
from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Select, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, User
from lms.compliance.models import ActionPlan, Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.rules import Rule
from lms.extensions import db
from lms.learning.models import CourseCompletion


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
