"""Reads about people and organisations, shared by pages, imports and reports."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import JobRole, Organisation, Role, Team, User
from lms.extensions import db


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


def people_page(viewer: User, *, search: str = "", organisation_id: int | None = None, page: int = 1, per_page: int = 50):
    query = visible_people(viewer).options(
        joinedload(User.organisation), joinedload(User.team), joinedload(User.job_role)
    )
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.given_name + " " + User.family_name).like(like),
                func.lower(User.email).like(like),
                func.lower(User.employee_id).like(like),
            )
        )
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    return db.paginate(query.order_by(User.family_name, User.given_name, User.id), page=page, per_page=per_page, error_out=False)


def direct_reports(manager: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.manager_id == manager.id)
            .options(joinedload(User.job_role), joinedload(User.team))
            .order_by(User.family_name, User.given_name)
        )
    )


def count_reports(manager: User) -> int:
    return db.session.scalar(select(func.count()).select_from(reports_of(manager.id).subquery()))


def organisations_with_counts() -> list[tuple[Organisation, int]]:
    staff = (
        select(User.organisation_id, func.count(User.id).label("staff"))
        .where(User.active)
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(staff.c.staff, 0))
        .outerjoin(staff, staff.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, count) for org, count in rows]


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


def teams_of(organisation_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)))
