"""Writes for plans and reports: targets, actions and their updates, quarterly measures, published reports.
Flush only; the view or command commits."""
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, except_, func, insert, literal, or_, select, true

from lms.accounts.models import Organisation, User
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.queries import in_scope_on, valid_on
from lms.compliance.rules import Milestone
from lms.db import utcnow
from lms.extensions import db
from lms.reports.models import (
    ActionPlan, ActionStatus, ActionUpdate, MeasureValue, PlanAction, PlanMeasure, PlanTarget, PublishedPerson,
    PublishedReport,
)
from lms.reports.queries import compliance_report
from lms.reports.rules import encode_milestones


def _slug_for(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "plan"
    slug, n = base, 2
    while db.session.scalar(select(ActionPlan.id).where(ActionPlan.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_plan(plan: ActionPlan | None, title: str, owner: str, starts_on: date) -> ActionPlan:
    """A new plan (None), with a slug from its title, or a plan changed; the slug never changes."""
    if plan is None:
        plan = ActionPlan(slug=_slug_for(title))
        db.session.add(plan)
    plan.title, plan.owner, plan.starts_on = title, owner, starts_on
    db.session.flush()
    return plan


def _next_position(model, plan: ActionPlan) -> int:
    """After the plan's last action or measure, counted in SQL."""
    return (db.session.scalar(select(func.max(model.position)).where(model.plan_id == plan.id)) or 0) + 1


def save_action(plan: ActionPlan, action: PlanAction | None, fields: dict[str, str], target_id: int | None) -> PlanAction:
    """A new action (None) at the end of the plan, or an action changed: recommendation, action, owner, budget,
    timescale, and the target that measures it."""
    if action is None:
        action = PlanAction(plan=plan, position=_next_position(PlanAction, plan))
        db.session.add(action)
    for name, value in fields.items():
        setattr(action, name, value)
    action.target_id = target_id
    db.session.flush()
    return action


def add_measure(plan: ActionPlan, title: str, description: str) -> PlanMeasure:
    """A quarterly measure at the end of the plan's list."""
    measure = PlanMeasure(plan_id=plan.id, position=_next_position(PlanMeasure, plan), title=title,
                          description=description)
    db.session.add(measure)
    db.session.flush()
    return measure


def save_target(plan: ActionPlan, target: PlanTarget | None, requirement: Requirement,
                organisation_ids: list[int] | None, milestones: list[Milestone]) -> PlanTarget:
    """A new training target (None) or a target changed: a requirement, the organisations it covers (None: all)
    and dated milestones."""
    if target is None:
        target = PlanTarget(plan_id=plan.id)
        db.session.add(target)
    target.requirement = requirement
    target.all_organisations = organisation_ids is None
    target.organisation_ids = sorted(organisation_ids or [])
    target.milestones = encode_milestones(milestones)
    db.session.flush()
    return target


def add_update(action: PlanAction, on: date, note: str, status: ActionStatus, by: User) -> ActionUpdate:
    """A progress note is added, never edited; the action takes the status it reports."""
    update = ActionUpdate(action=action, on=on, note=note, by_id=by.id)
    action.status = status
    db.session.add(update)
    db.session.flush()
    return update


def record_measure(measure: PlanMeasure, quarter_end: date, value: int, note: str, by: User) -> MeasureValue:
    """The figure for a quarter; entering it again replaces it, with who entered it and when."""
    row = db.session.scalar(select(MeasureValue).where(MeasureValue.measure_id == measure.id,
                                                       MeasureValue.quarter_end == quarter_end))
    if row is None:
        row = MeasureValue(measure=measure, quarter_end=quarter_end, value=value)
        db.session.add(row)
    row.value, row.note, row.entered_by_id, row.entered_at = value, note, by.id, utcnow()
    db.session.flush()
    return row


def _counted_on(plan: ActionPlan, day: date):
    """(user, requirement, organisation, compliant) for everyone the plan's targets count on the day."""
    scope = in_scope_on(day).subquery()
    if not plan.targets:
        return None
    covered = [and_(scope.c.requirement_id == t.requirement_id,
                    true() if t.all_organisations else scope.c.organisation_id.in_(t.organisation_ids or [-1]))
               for t in plan.targets]
    compliant = case((valid_on(day, scope.c.user_id, scope.c.requirement_id), True), else_=False)
    return (select(scope.c.user_id, scope.c.requirement_id, scope.c.organisation_id, compliant.label("compliant"))
            .where(or_(*covered)))


def publish(plan: ActionPlan, day: date, by: User, note: str = "") -> PublishedReport:
    """Store the plan's figures for the day, and who was counted, exactly as they are now."""
    report = PublishedReport(plan=plan, as_of=day, rows=[row.as_record() for row in compliance_report(day, plan)],
                             note=note, published_by_id=by.id)
    db.session.add(report)
    db.session.flush()
    counted = _counted_on(plan, day)
    if counted is not None:
        db.session.execute(insert(PublishedPerson).from_select(
            ["report_id", "user_id", "requirement_id", "organisation_id", "compliant"],
            select(literal(report.id), *counted.subquery().c)))
    db.session.flush()
    return report


@dataclass(frozen=True)
class Difference:
    person: User
    requirement: Requirement
    then: tuple[int, bool] | None  # (organisation id, compliant) as published; None: not counted then
    now: tuple[int, bool] | None
    reasons: list[str]


def differences(report: PublishedReport, limit: int = 200) -> tuple[list[Difference], int]:
    """Who is counted differently if the same date is recalculated from today's records, and why."""
    counted = _counted_on(report.plan, report.as_of)
    if counted is None:
        return [], 0
    stored = select(PublishedPerson.user_id, PublishedPerson.requirement_id, PublishedPerson.organisation_id,
                    PublishedPerson.compliant).where(PublishedPerson.report_id == report.id)
    gone = {(u, r): (o, bool(c)) for u, r, o, c in db.session.execute(except_(stored, counted))}
    new = {(u, r): (o, bool(c)) for u, r, o, c in db.session.execute(except_(counted, stored))}
    keys = sorted(gone.keys() | new.keys())
    shown = keys[:limit]
    records = _Records.of(report, {u for u, _ in shown})
    requirements = {r.id: r for r in db.session.scalars(select(Requirement))}
    result = [Difference(records.people[u], requirements[r], gone.get((u, r)), new.get((u, r)),
                         records.reasons(records.people[u], requirements[r], gone.get((u, r)), new.get((u, r))))
              for u, r in shown]
    return result, len(keys)


@dataclass
class _Records:
    """What explains the differences of the people shown, read in one query each, not one a person."""

    as_of: date
    published_at: datetime
    people: dict[int, User]
    completions: dict[tuple[int, int], list[Completion]]
    exemptions: dict[tuple[int, int], list[Exemption]]
    role_requirements: set[tuple[int, int]]
    organisation_names: dict[int, str]

    @classmethod
    def of(cls, report: PublishedReport, ids: set[int]) -> "_Records":
        day, published = report.as_of, report.published_at
        completions, exemptions = defaultdict(list), defaultdict(list)
        for completion in db.session.scalars(select(Completion).where(
                Completion.user_id.in_(ids), Completion.completed_on <= day).order_by(Completion.id)):
            completions[completion.user_id, completion.requirement_id].append(completion)
        for exemption in db.session.scalars(select(Exemption).where(
                Exemption.user_id.in_(ids), Exemption.created_at > published).order_by(Exemption.id)):
            exemptions[exemption.user_id, exemption.requirement_id].append(exemption)
        return cls(
            day, published, {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))},
            completions, exemptions,
            {(role, requirement) for role, requirement in db.session.execute(
                select(RoleRequirement.job_role_id, RoleRequirement.requirement_id))},
            dict(db.session.execute(select(Organisation.id, Organisation.name)).all()),
        )

    def reasons(self, person: User, requirement: Requirement, then, now) -> list[str]:
        """What in the person's records today explains the difference, from the records themselves."""
        day, published, key = self.as_of, self.published_at, (person.id, requirement.id)
        reasons = []
        for completion in self.completions[key]:
            if completion.created_at > published:
                reasons.append(f"a completion dated {completion.completed_on:%d/%m/%Y} was recorded on "
                               f"{completion.created_at:%d/%m/%Y} ({completion.source})")
            if completion.superseded_at is not None and completion.superseded_at > published:
                reasons.append(f"a completion dated {completion.completed_on:%d/%m/%Y} was corrected on "
                               f"{completion.superseded_at:%d/%m/%Y}: {completion.superseded_reason}")
        for exemption in self.exemptions[key]:
            reasons.append(f"an exemption to {exemption.ends_on:%d/%m/%Y} was recorded on {exemption.created_at:%d/%m/%Y}")
        if then is not None and now is None:
            if person.leaving_date is not None and person.leaving_date < day:
                reasons.append(f"their leaving date is now {person.leaving_date:%d/%m/%Y}, before the report's date")
            elif person.start_date > day:
                reasons.append(f"their start date is now {person.start_date:%d/%m/%Y}, after the report's date")
            elif (person.job_role_id, requirement.id) not in self.role_requirements:
                reasons.append("their job role no longer requires it")
            elif person.organisation_id != then[0]:
                reasons.append(f"they are now in {self.organisation_names[person.organisation_id]}, "
                               "which the plan does not count for this training")
        if then is None and now is not None and not reasons:
            reasons.append("their start date, leaving date or job role now puts them in scope on that date")
        if then is not None and now is not None and then[0] != now[0]:
            reasons.append(f"they are now counted in {self.organisation_names[now[0]]}")
        return reasons or ["their HR record was changed after publication"]


