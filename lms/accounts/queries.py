"""Reads about people and organisations, shared by pages, imports and reports."""
import enum
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, Role, Team, User
from lms.clock import today
from lms.extensions import db
from lms.paging import Page, page_of


def reports_of(manager_id: int) -> Select:
    """Ids of everyone who reports to the manager, directly or through others."""
    chain = select(User.id).where(User.manager_id == manager_id).cte("chain", recursive=True)
    chain = chain.union(select(User.id).join(chain, User.manager_id == chain.c.id))
    return select(chain.c.id)


def visible_people(viewer: User) -> Select:
    """The people whose records the viewer may open: scope is decided here and nowhere else."""
    query = select(User)
    if viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        return query
    if viewer.has_role(Role.MANAGER):
        return query.where(or_(User.id.in_(reports_of(viewer.id)), User.id == viewer.id))
    return query.where(User.id == viewer.id)


class Employment(enum.StrEnum):
    ACTIVE = "active"
    STARTING = "starting"
    LEFT = "left"

    @property
    def label(self) -> str:
        return {"active": "Active", "starting": "Not started yet", "left": "Left"}[self.value]


def active_on(day: date):
    """Staff on `day`: started on or before it, not left before it, not deactivated. Every count of staff uses this."""
    return and_(User.active, User.start_date <= day, or_(User.leaving_date.is_(None), User.leaving_date >= day))


def employment_on(day: date):
    """Each person's Employment on `day`, as SQL; "active" is exactly active_on(day)."""
    return case(
        (or_(~User.active, User.leaving_date < day), Employment.LEFT.value),
        (User.start_date > day, Employment.STARTING.value),
        else_=Employment.ACTIVE.value,
    )


def team_of(manager_id: int, day: date) -> Select:
    """Ids of the manager's team: everyone reporting to them, directly or through others, who is active on `day`."""
    # Never correlated: it is used inside other queries on users.
    return select(User.id).where(User.id.in_(reports_of(manager_id)), active_on(day)).correlate(None)


def employment_of(person: User, day: date) -> Employment:
    return Employment(db.session.scalar(select(employment_on(day)).where(User.id == person.id)))


PEOPLE_SORTS = {
    "name": "Name",
    "organisation": "Organisation",
    "newest": "Newest starters first",
}


@dataclass(frozen=True)
class PeopleFilter:
    search: str = ""
    organisation_id: int | None = None
    team_id: int | None = None
    employment: Employment | None = Employment.ACTIVE  # None: everyone
    sort: str = "name"
    page: int = 1


def listed_people(viewer: User) -> Select:
    """Who a directory lists: everyone for admins and coordinators, a manager's reports (not themselves) for managers."""
    if viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        return select(User)
    return select(User).where(User.id.in_(reports_of(viewer.id)))


def name_matches(search: str):
    like = f"%{search.strip().lower()}%"
    return or_(
        func.lower(User.given_name + " " + User.family_name).like(like),
        func.lower(User.email).like(like),
        func.lower(User.employee_id).like(like),
    )


@dataclass(frozen=True)
class Listed:
    """A person as a list shows them: plain values, read in one query without loading whole records."""

    id: int
    name: str
    email: str
    organisation: str
    team: str | None
    job_role: str | None
    start_date: date
    employment: Employment


def listing(query: Select, day: date) -> Select:
    """The query's people as Listed columns, with their employment on `day`."""
    return (query.with_only_columns(
                User.id, User.given_name, User.family_name, User.email, Organisation.name, Team.name, JobRole.name,
                User.start_date, employment_on(day))
            .join(Organisation, Organisation.id == User.organisation_id)
            .outerjoin(Team, Team.id == User.team_id).outerjoin(JobRole, JobRole.id == User.job_role_id))


def listed(rows) -> list[Listed]:
    return [Listed(id, f"{given} {family}", email, organisation, team, job_role, start, Employment(employment))
            for id, given, family, email, organisation, team, job_role, start, employment in rows]


def people_page(viewer: User, day: date, wanted: PeopleFilter) -> tuple[Page, dict[Employment, int]]:
    """One page of the people the viewer may list, filtered and sorted in SQL, and how many there are of each
    employment status under the other filters (one grouped query)."""
    query = listed_people(viewer)
    if wanted.search:
        query = query.where(name_matches(wanted.search))
    if wanted.organisation_id:
        query = query.where(User.organisation_id == wanted.organisation_id)
    if wanted.team_id:
        query = query.where(User.team_id == wanted.team_id)
    employment = employment_on(day)
    counts = {Employment(status): n for status, n in db.session.execute(
        query.with_only_columns(employment, func.count()).group_by(employment)
    )}
    if wanted.employment is not None:
        query = query.where(employment == wanted.employment.value)
        total = counts.get(wanted.employment, 0)
    else:
        total = sum(counts.values())
    order = {
        "name": (User.family_name, User.given_name, User.id),
        "organisation": (Organisation.name, User.family_name, User.given_name, User.id),
        "newest": (User.start_date.desc(), User.family_name, User.given_name, User.id),
    }[wanted.sort if wanted.sort in PEOPLE_SORTS else "name"]
    page = page_of(listing(query, day).order_by(*order), wanted.page, total)
    return replace(page, items=listed(page.items)), counts


def teams_of_people(people: Select) -> Select:
    """The teams the people (a select of ids) belong to, by name."""
    return select(Team).where(Team.id.in_(select(User.team_id).where(User.id.in_(people)))).order_by(Team.name)


def teams_for(viewer: User, organisation_id: int | None) -> list[Team]:
    """The teams a directory can be filtered by: an organisation's, or those of a manager's reports."""
    if viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        return teams_of(organisation_id) if organisation_id else []
    return list(db.session.scalars(teams_of_people(reports_of(viewer.id))))


def direct_reports(manager: User, day: date) -> list[User]:
    """The people reporting straight to the manager who are active on `day`."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.manager_id == manager.id, active_on(day))
            .options(joinedload(User.job_role))
            .order_by(User.family_name, User.given_name)
        )
    )


def organisations_with_counts(day: date | None = None) -> list[tuple[Organisation, int]]:
    """Each organisation with its staff active on `day` (today unless given)."""
    staff = (
        select(User.organisation_id, func.count(User.id).label("staff"))
        .where(active_on(day or today()))
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(staff.c.staff, 0))
        .outerjoin(staff, staff.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, count) for org, count in rows]


def organisation_names() -> list[tuple[int, str]]:
    """(id, name) of every organisation, by name: the choices of a filter."""
    return [tuple(row) for row in db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))]


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()))


def job_roles_with_counts() -> list[tuple[JobRole, int]]:
    rows = db.session.execute(
        select(JobRole, func.count(User.id))
        .outerjoin(User, (User.job_role_id == JobRole.id) & User.active)
        .group_by(JobRole.id)
        .order_by(JobRole.name)
    )
    return [(role, count) for role, count in rows]


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def users_by_email(emails) -> dict[str, User]:
    """The people with these (lower-case) email addresses, by address, in one query."""
    return {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(sorted(emails))))} if emails else {}


def teams_of(organisation_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)))
