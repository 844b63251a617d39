"""Reads for Team training: the SQL twin of the status rule, and a manager's team counted, filtered and paged.

The statements are built once, with the manager and the day as bound parameters: building a statement of
this size costs more than running it for a small team.
"""
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, Date, FunctionElement, Select, and_, bindparam, case, func, literal, select
from sqlalchemy.ext.compiler import compiles

from lms.accounts.models import Team, User
from lms.accounts.queries import listed, listing, name_matches, team_of, teams_of_people
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.queries import exemption_covers
from lms.compliance.rules import Status
from lms.extensions import db
from lms.paging import Page, page_of


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


def status_rows(people: Select, day: date | ColumnElement) -> Select:
    """(user_id, requirement_id, status) for each of the people and each requirement of their job role on `day`.

    The SQL twin of rules.status_on, for filtering and counting many people at once; tests hold it to the rule.
    Completion expiries are stored derived from the requirement's validity, so the latest one held decides.
    `day` is a date or a bound parameter.
    """
    on = day if isinstance(day, ColumnElement) else literal(day, Date())
    held = (select(Completion.user_id, Completion.requirement_id, func.max(Completion.expires_on).label("expiry"))
            .where(Completion.user_id.in_(people), Completion.superseded_at.is_(None), Completion.completed_on <= on)
            .group_by(Completion.user_id, Completion.requirement_id)
            .subquery("held"))
    exempt = (select(Exemption.user_id, Exemption.requirement_id)
              .where(Exemption.user_id.in_(people), exemption_covers(on))
              .distinct()
              .subquery("exempt"))
    status = case(
        (exempt.c.user_id.is_not(None), Status.EXEMPT.value),
        (held.c.expiry <= on, Status.EXPIRED.value),
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
        .outerjoin(exempt, and_(exempt.c.user_id == User.id, exempt.c.requirement_id == Requirement.id))
        .where(User.id.in_(people))
    )


# A manager's team and its statuses, with the manager and the day bound when run.
_DAY = bindparam("day", type_=Date())
# Materialised, like the statuses below: worked out once, not again for each place a query reads them.
_TEAM_IDS = team_of(bindparam("manager_id"), _DAY).cte("team").prefix_with("MATERIALIZED")
_TEAM = select(_TEAM_IDS.c.id)
_ROWS = status_rows(_TEAM, _DAY).cte("team_rows").prefix_with("MATERIALIZED")
_PER_PERSON = (
    select(_ROWS.c.user_id,
           func.sum(case((_ROWS.c.status.in_(OVERDUE), 1), else_=0)).label("overdue"),
           func.sum(case((_ROWS.c.status == Status.DUE_SOON.value, 1), else_=0)).label("due_soon"))
    .group_by(_ROWS.c.user_id)
    .subquery("per_person")
)
_COUNTS = (
    select(func.count(User.id),
           func.coalesce(func.sum(case((_PER_PERSON.c.overdue > 0, 1), else_=0)), 0),
           func.coalesce(func.sum(_PER_PERSON.c.overdue), 0),
           func.coalesce(func.sum(case((_PER_PERSON.c.due_soon > 0, 1), else_=0)), 0),
           func.coalesce(func.sum(_PER_PERSON.c.due_soon), 0))
    .outerjoin(_PER_PERSON, _PER_PERSON.c.user_id == User.id)
    .where(User.id.in_(_TEAM))
)
_REQUIREMENTS = (
    select(Requirement)
    .where(Requirement.id.in_(select(RoleRequirement.requirement_id).where(
        RoleRequirement.job_role_id.in_(select(User.job_role_id).where(User.id.in_(_TEAM))))))
    .order_by(Requirement.title)
)
_TEAMS = teams_of_people(_TEAM)
_MEMBERS = select(User).where(User.id.in_(_TEAM))
_NAME_ORDER = (User.family_name, User.given_name, User.id)


def _params(manager_id: int, day: date) -> dict:
    return {"manager_id": manager_id, "day": day}


@dataclass(frozen=True)
class TeamCounts:
    people: int
    overdue_people: int
    overdue_items: int
    due_soon_people: int
    due_soon_items: int


def team_counts(manager_id: int, day: date) -> TeamCounts:
    """How many people are in the team, and how many of them (and their items) are overdue or due soon: one query."""
    return TeamCounts(*(int(n) for n in db.session.execute(_COUNTS, _params(manager_id, day)).one()))


# What the Team training filter offers: value -> (label, the statuses that match).
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

    @property
    def narrowed(self) -> bool:
        return bool(self.search or self.team_id or self.requirement_id or self.training)


def team_page(manager_id: int, day: date, wanted: TeamFilter, team_size: int) -> Page:
    """One page of the team, filtered by name, team, requirement and training status and sorted, all in SQL."""
    query = _MEMBERS
    if wanted.search:
        query = query.where(name_matches(wanted.search))
    if wanted.team_id:
        query = query.where(User.team_id == wanted.team_id)
    matching = select(_ROWS.c.user_id)
    if wanted.requirement_id:
        matching = matching.where(_ROWS.c.requirement_id == wanted.requirement_id)
    if wanted.training in TRAINING_FILTERS:
        statuses = TRAINING_FILTERS[wanted.training][1]
        if wanted.training == "up_to_date" and not wanted.requirement_id:
            # Up to date on everything: nothing outstanding at all.
            query = query.where(User.id.not_in(select(_ROWS.c.user_id).where(_ROWS.c.status.not_in(statuses))))
        else:
            query = query.where(User.id.in_(matching.where(_ROWS.c.status.in_(statuses))))
    elif wanted.requirement_id:
        query = query.where(User.id.in_(matching))
    params = _params(manager_id, day)
    total = db.session.scalar(query.with_only_columns(func.count(User.id)), params) if wanted.narrowed else team_size
    if wanted.sort == "team":
        query = query.order_by(Team.name.is_(None), Team.name, *_NAME_ORDER)  # listing() joins the team
    elif wanted.sort == "overdue":
        query = query.outerjoin(_PER_PERSON, _PER_PERSON.c.user_id == User.id).order_by(
            func.coalesce(_PER_PERSON.c.overdue, 0).desc(), func.coalesce(_PER_PERSON.c.due_soon, 0).desc(), *_NAME_ORDER)
    else:
        query = query.order_by(*_NAME_ORDER)
    page = page_of(listing(query, _DAY), wanted.page, total, params)
    return replace(page, items=listed(page.items))


def team_requirements(manager_id: int, day: date) -> list[Requirement]:
    """The requirements anyone in the team needs, by title: the columns of the grid."""
    return list(db.session.scalars(_REQUIREMENTS, _params(manager_id, day)))


def team_teams(manager_id: int, day: date) -> list[Team]:
    """The teams the team's people belong to, by name."""
    return list(db.session.scalars(_TEAMS, _params(manager_id, day)))
