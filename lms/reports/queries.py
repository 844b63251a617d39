"""The action-plan report (DESIGN §2.6) and what commissioners drill into: each a set-based query on the
compliance engine's predicates, then the plan's arithmetic from compliance.rules."""
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Organisation, Sector, Team, User
from lms.clock import LONDON
from lms.compliance import rules
from lms.compliance.models import Completion, Requirement
from lms.compliance.queries import counts_on, counts_over, in_scope_on, organisations, requirements, valid_on
from lms.events.models import Booking, BookingStatus, Event, event_requirements
from lms.extensions import db
from lms.paging import Page, paged
from lms.reports.models import ActionPlan, PlanTarget
from lms.reports.rules import decode_milestones, month_ends

REPORT_COLUMNS = ["organisation", "requirement", "in_scope", "compliant", "percent", "target_percent", "rag",
                  "next_milestone_date", "next_milestone_percent", "staff_needed"]


@dataclass(frozen=True)
class ReportRow:
    organisation: Organisation
    requirement: Requirement
    in_scope: int
    compliant: int
    target: Fraction | None = None
    next_milestone: rules.Milestone | None = None

    @property
    def percent(self) -> Fraction | None:
        return rules.percent(self.compliant, self.in_scope)

    @property
    def rag(self) -> str:
        return rules.rag(self.percent, self.target) if self.target is not None else ""

    @property
    def staff_needed(self) -> int | None:
        if self.next_milestone is None:
            return None
        return rules.staff_needed(self.next_milestone.percent, self.in_scope, self.compliant)

    def as_record(self) -> dict[str, str]:
        """The row as DESIGN §2.6's CSV columns, formatted by the rules."""
        milestone = self.next_milestone
        return {
            "organisation": self.organisation.name, "requirement": self.requirement.slug,
            "in_scope": str(self.in_scope), "compliant": str(self.compliant),
            "percent": rules.format_percent(self.percent),
            "target_percent": rules.format_percent(self.target) if self.target is not None else "",
            "rag": self.rag,
            "next_milestone_date": milestone.on.isoformat() if milestone else "",
            "next_milestone_percent": rules.format_percent(milestone.percent) if milestone else "",
            "staff_needed": "" if self.staff_needed is None else str(self.staff_needed),
        }


def targets_of(plan: ActionPlan, organisation: Organisation) -> list[PlanTarget]:
    return [t for t in plan.targets if t.covers(organisation.id)]


def compliance_report(day: date, plan: ActionPlan | None = None,
                      counts: dict[tuple[int, int], tuple[int, int]] | None = None) -> list[ReportRow]:
    """Per organisation and requirement: the counts from one set-based query, then the plan's arithmetic.

    Without a plan, every organisation against every requirement, with no target. A caller reporting several
    plans on the same day passes `counts_on(day)` once as `counts`."""
    if counts is None:
        counts = counts_on(day)
    orgs = organisations()
    if plan is None:
        return [ReportRow(org, requirement, *counts.get((org.id, requirement.id), (0, 0)))
                for requirement in requirements() for org in orgs]
    return [target_row(plan, target, org, day, counts.get((org.id, target.requirement_id), (0, 0)))
            for target in plan.targets for org in orgs if target.covers(org.id)]


def target_row(plan: ActionPlan, target: PlanTarget, organisation: Organisation, day: date,
               counts: tuple[int, int]) -> ReportRow:
    """One organisation against one of the plan's targets, from its (in scope, compliant) on the day."""
    milestones = decode_milestones(target.milestones)
    return ReportRow(organisation, target.requirement, *counts, target=rules.target_on(plan.starts_on, milestones, day),
                     next_milestone=rules.next_milestone(milestones, day))


@dataclass(frozen=True)
class Filters:
    organisation_id: int | None = None
    sector: Sector | None = None
    requirement_id: int | None = None

    def keep(self, row: ReportRow) -> bool:
        return ((self.organisation_id is None or row.organisation.id == self.organisation_id)
                and (self.sector is None or row.organisation.sector == self.sector)
                and (self.requirement_id is None or row.requirement.id == self.requirement_id))


# --- before the next milestone: what will lapse, and who is booked ---

def _start_of(day: date) -> datetime:
    """Midnight in London, in UTC: timestamps are stored in UTC, and a bare CASE value is not converted for us."""
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Pipeline:
    lapsing: int = 0  # valid now, but expire on or before the next milestone
    booked: int = 0  # booked on (or since attended) a session that counts, after the day and by the milestone


def pipeline(day: date, rows: list[ReportRow]) -> dict[tuple[int, int], Pipeline]:
    """{(organisation_id, requirement_id): Pipeline} for each row's next milestone, in two queries."""
    horizons = {row.requirement.id: row.next_milestone.on for row in rows
                if row.next_milestone is not None and row.next_milestone.on >= day}
    if not horizons:
        return {}
    scope = in_scope_on(day).subquery()
    horizon = case(horizons, value=scope.c.requirement_id)
    latest = (select(Completion.user_id, Completion.requirement_id, func.max(Completion.expires_on).label("expires_on"))
              .where(Completion.superseded_at.is_(None), Completion.completed_on <= day)
              .group_by(Completion.user_id, Completion.requirement_id).subquery())
    lapsing = {(org, req): n for org, req, n in db.session.execute(
        select(scope.c.organisation_id, scope.c.requirement_id, func.count())
        .join(latest, and_(latest.c.user_id == scope.c.user_id, latest.c.requirement_id == scope.c.requirement_id))
        .where(scope.c.requirement_id.in_(horizons), latest.c.expires_on > day, latest.c.expires_on <= horizon)
        .group_by(scope.c.organisation_id, scope.c.requirement_id)
    )}
    session_starts = Event.starts_at
    booked = {(org, req): n for org, req, n in db.session.execute(
        select(scope.c.organisation_id, scope.c.requirement_id, func.count(func.distinct(scope.c.user_id)))
        .join(Booking, and_(Booking.user_id == scope.c.user_id,
                            Booking.status.in_((BookingStatus.BOOKED, BookingStatus.ATTENDED))))
        .join(Event, and_(Event.id == Booking.event_id, Event.cancelled_at.is_(None)))
        .join(event_requirements, and_(event_requirements.c.event_id == Event.id,
                                       event_requirements.c.requirement_id == scope.c.requirement_id))
        .where(scope.c.requirement_id.in_(horizons), session_starts >= _start_of(day + timedelta(days=1)),
               *(_before_horizon(session_starts, scope.c.requirement_id, horizons)))
        .group_by(scope.c.organisation_id, scope.c.requirement_id)
    )}
    return {key: Pipeline(lapsing.get(key, 0), booked.get(key, 0)) for key in lapsing.keys() | booked.keys()}


def _before_horizon(starts_at, requirement_id, horizons: dict[int, date]):
    """Sessions that start by the end of the milestone day of their requirement."""
    return [case({r: _start_of(d + timedelta(days=1)) for r, d in horizons.items()}, value=requirement_id) > starts_at]


# --- drill-down ---

@dataclass(frozen=True)
class TeamRow:
    team: Team | None  # None: staff with no team
    in_scope: int
    compliant: int

    @property
    def percent(self) -> Fraction | None:
        return rules.percent(self.compliant, self.in_scope)


def teams_on(day: date, organisation: Organisation, requirement: Requirement) -> list[TeamRow]:
    """The organisation's teams for one requirement on the day, in one query."""
    scope = in_scope_on(day).subquery()
    rows = db.session.execute(
        select(scope.c.team_id, func.count(),
               func.sum(case((valid_on(day, scope.c.user_id, scope.c.requirement_id), 1), else_=0)))
        .where(scope.c.organisation_id == organisation.id, scope.c.requirement_id == requirement.id)
        .group_by(scope.c.team_id)
    ).all()
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.organisation_id == organisation.id))}
    result = [TeamRow(teams.get(team_id), n, int(ok or 0)) for team_id, n, ok in rows]
    return sorted(result, key=lambda r: (r.team is None, r.team.name if r.team else ""))


@dataclass(frozen=True)
class Untrained:
    person: User
    expired_on: date | None  # when their last completion lapsed; None if they never held it
    booked_on: datetime | None  # the next session they are booked on that counts towards it


def untrained_on(day: date, organisation: Organisation, requirement: Requirement, people, *, page: int = 1) -> Page:
    """In-scope people without a valid completion on the day, among `people` (the viewer's scope: a select
    of user ids, or None for everyone), with their last expiry and next booking, paged in SQL."""
    scope = in_scope_on(day).subquery()
    last = (select(func.max(Completion.expires_on)).where(
        Completion.user_id == scope.c.user_id, Completion.requirement_id == requirement.id,
        Completion.superseded_at.is_(None), Completion.completed_on <= day).scalar_subquery())
    next_session = (select(func.min(Event.starts_at))
                    .join(Booking, and_(Booking.event_id == Event.id, Booking.user_id == scope.c.user_id,
                                        Booking.status == BookingStatus.BOOKED))
                    .join(event_requirements, and_(event_requirements.c.event_id == Event.id,
                                                   event_requirements.c.requirement_id == requirement.id))
                    .where(Event.cancelled_at.is_(None), Event.starts_at >= _start_of(day)).scalar_subquery())
    query = (
        select(User, last.label("expired_on"), next_session.label("booked_on"))
        .join(scope, scope.c.user_id == User.id).options(joinedload(User.team))
        .where(scope.c.organisation_id == organisation.id, scope.c.requirement_id == requirement.id,
               ~valid_on(day, scope.c.user_id, scope.c.requirement_id))
        .order_by(User.family_name, User.given_name, User.id)
    )
    if people is not None:
        query = query.where(User.id.in_(people))
    found = paged(query, page)
    return replace(found, items=[Untrained(person, expired_on, booked_on) for person, expired_on, booked_on in found.items])


# --- series for charts ---

@dataclass
class Series:
    """Percent trained at each day, against the plan's target line, for one organisation and requirement."""

    organisation: Organisation
    requirement: Requirement
    points: list[tuple[date, int, int]] = field(default_factory=list)  # (day, in scope, compliant)

    def percents(self) -> list[tuple[date, Fraction | None]]:
        return [(day, rules.percent(ok, n)) for day, n, ok in self.points]


def series_for(plan: ActionPlan, target: PlanTarget, organisations_: list[Organisation], day: date) -> list[Series]:
    """Each organisation's figures at each month end from the plan's start, and on the day itself, in one query."""
    days = [d for d in month_ends(plan.starts_on, day) if d < day] + [day]
    counts = counts_over(days, target.requirement_id, [o.id for o in organisations_])
    return [Series(org, target.requirement, [(d, *counts.get((d, org.id), (0, 0))) for d in days]) for org in organisations_]


def plan_by_slug(slug: str) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.slug == slug))


def plans() -> list[ActionPlan]:
    return list(db.session.scalars(select(ActionPlan).order_by(ActionPlan.starts_on.desc(), ActionPlan.title)))
