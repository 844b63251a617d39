"""`lms import plans`: action plans with their training targets, other actions and quarterly measures (YAML)."""
from datetime import date
from fractions import Fraction

from sqlalchemy import select

from lms.accounts.models import Organisation
from lms.compliance.models import Requirement
from lms.compliance.rules import Milestone
from lms.extensions import db
from lms.importing import (
    ImportFileError, ImportReport, Mapping, importer, limit_of, load_yaml, yaml_date, yaml_mappings, yaml_text,
    yaml_texts, yaml_whole,
)
from lms.reports.models import ActionPlan, ActionStatus, ActionUpdate, MeasureValue, PlanAction, PlanMeasure, PlanTarget
from lms.reports.rules import encode_milestones, milestones_after_start, quarter_ends

SLUG = limit_of(Requirement.slug)
STATUSES = ", ".join(s.value for s in ActionStatus)


@importer("plans", "Action plans with dated targets, actions and quarterly measures (YAML)")
def import_plans(text: str) -> ImportReport:
    """Plans upserted by slug. A plan in the file replaces its targets (kept by requirement, so the actions
    they measure stay linked); `actions:` and `measures:`, when given, replace the plan's actions and measures."""
    report = ImportReport("plans")
    data = load_yaml(text)
    if not isinstance(data, Mapping):
        raise ImportFileError("must be a plan, or plans: with a list of them")
    plans = yaml_mappings(report, data, "plans") if "plans" in data else [data]
    orgs = {o.name.lower(): o for o in db.session.scalars(select(Organisation))}
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    built, slugs = [], {}
    for plan in plans:
        values = dict(
            slug=yaml_text(report, plan, "slug", limit_of(ActionPlan.slug)),
            title=yaml_text(report, plan, "title", limit_of(ActionPlan.title)),
            owner=yaml_text(report, plan, "owner", limit_of(ActionPlan.owner)),
            starts_on=yaml_date(report, plan, "starts_on"),
        )
        if values["slug"] in slugs:
            report.problem(plan.line_of("slug"), "slug", f"{values['slug']!r} is also on line {slugs[values['slug']]}")
        slugs.setdefault(values["slug"], plan.line_of("slug"))
        targets = [_target(report, target, values["starts_on"], orgs, requirements)
                   for target in yaml_mappings(report, plan, "targets")]
        seen = {}
        for (requirement, *_), target in zip(targets, yaml_mappings(report, plan, "targets")):
            if requirement is not None and requirement.slug in seen:
                report.problem(target.line_of("requirement"), "requirement",
                               f"{requirement.slug!r} already has a target on line {seen[requirement.slug]}")
            if requirement is not None:
                seen.setdefault(requirement.slug, target.line_of("requirement"))
        actions = [_action(report, item, set(seen)) for item in yaml_mappings(report, plan, "actions")] \
            if "actions" in plan else None
        measures = [_measure(report, item) for item in yaml_mappings(report, plan, "measures")] \
            if "measures" in plan else None
        built.append((values, targets, actions, measures))
    if not report.ok:
        return report
    for values, targets, actions, measures in built:
        row = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == values["slug"]))
        if row is None:
            row = ActionPlan(slug=values["slug"])
            db.session.add(row)
            report.count("plans created")
        else:
            report.count("plans replaced")
        row.title, row.owner, row.starts_on = values["title"], values["owner"], values["starts_on"]
        by_requirement = _replace_targets(row, targets)
        if actions is not None:
            _replace_actions(row, actions, by_requirement)
            report.count("actions", len(actions))
        if measures is not None:
            _replace_measures(row, measures)
            report.count("measures", len(measures))
    db.session.flush()
    return report


def _target(report: ImportReport, target: Mapping, starts_on: date | None, orgs: dict, requirements: dict):
    """One target of a plan: (requirement, all organisations?, organisation ids, milestones in date order)."""
    slug = yaml_text(report, target, "requirement", SLUG)
    requirement = requirements.get(slug)
    if slug and requirement is None:
        report.problem(target.line_of("requirement"), "requirement", f"no requirement {slug!r}")
    org_ids, all_orgs = [], target.get("organisations") == "all"
    if not all_orgs:
        names = yaml_texts(report, target, "organisations", limit_of(Organisation.name))
        for name in names:
            org = orgs.get(name.lower())
            if org is None:
                report.problem(target.line_of("organisations"), "organisations", f"no organisation called {name!r}")
            else:
                org_ids.append(org.id)
        if not names:
            report.problem(target.line_of("organisations"), "organisations", "list the organisations, or write all")
    milestones = []
    for milestone in yaml_mappings(report, target, "milestones"):
        on = yaml_date(report, milestone, "date")
        pct = milestone.get("percent")
        if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
            report.problem(milestone.line_of("percent"), "percent", "must be a number from 0 to 100")
        elif on is not None:
            milestones.append(Milestone(on, Fraction(str(pct))))  # via str: 33.3 is 333/10, not the float's binary value
    line = target.line_of("milestones")
    if not milestones:
        report.problem(line, "milestones", "give at least one {date, percent}")
    if starts_on and not milestones_after_start(starts_on, [m.on for m in milestones]):
        report.problem(line, "milestones", "every milestone must be after the plan starts")
    return requirement, all_orgs, org_ids, encode_milestones(milestones)


def _action(report: ImportReport, item: Mapping, target_slugs: set[str]) -> dict:
    """recommendation, action, owner, budget, timescale, status, the target that measures it, dated updates."""
    status = yaml_text(report, item, "status", 20, required=False) or ActionStatus.NOT_STARTED.value
    if status not in {s.value for s in ActionStatus}:
        report.problem(item.line_of("status"), "status", f"{status!r} is not one of {STATUSES}")
    measured_by = yaml_text(report, item, "measured_by", SLUG, required=False)
    if measured_by and measured_by not in target_slugs:
        report.problem(item.line_of("measured_by"), "measured_by", f"the plan has no target for {measured_by!r}")
    updates = [(yaml_date(report, u, "date"), yaml_text(report, u, "note", limit_of(ActionUpdate.note)))
               for u in yaml_mappings(report, item, "updates")]
    return dict(
        recommendation=yaml_text(report, item, "recommendation", limit_of(PlanAction.recommendation)),
        action=yaml_text(report, item, "action", limit_of(PlanAction.action)),
        owner=yaml_text(report, item, "owner", limit_of(PlanAction.owner)),
        budget=yaml_text(report, item, "budget", limit_of(PlanAction.budget), required=False) or "",
        timescale=yaml_text(report, item, "timescale", limit_of(PlanAction.timescale), required=False) or "",
        status=status, measured_by=measured_by, updates=updates,
    )


def _measure(report: ImportReport, item: Mapping) -> dict:
    values = []
    for value in yaml_mappings(report, item, "values"):
        quarter = yaml_date(report, value, "quarter_end")
        if quarter is not None and quarter not in quarter_ends(quarter.replace(month=1, day=1), quarter):
            report.problem(value.line_of("quarter_end"), "quarter_end", "must be 31 March, 30 June, 30 September or 31 December")
        if value.get("value") is None:
            report.problem(value.line_of("value"), "value", "is required")
        values.append((quarter, yaml_whole(report, value, "value", 0, 10_000_000, 0)))
    return dict(title=yaml_text(report, item, "title", limit_of(PlanMeasure.title)),
                description=yaml_text(report, item, "description", limit_of(PlanMeasure.description), required=False) or "",
                values=values)


def _replace_targets(plan: ActionPlan, targets: list) -> dict[str, PlanTarget]:
    """Targets are matched by requirement, so actions measured by one keep it; the others go."""
    existing = {t.requirement_id: t for t in plan.targets}
    kept = []
    for requirement, all_orgs, org_ids, milestones in targets:
        target = existing.pop(requirement.id, None) or PlanTarget(requirement_id=requirement.id, requirement=requirement)
        target.all_organisations, target.organisation_ids, target.milestones = all_orgs, org_ids, milestones
        kept.append(target)
    for gone in existing.values():
        for action in db.session.scalars(select(PlanAction).where(PlanAction.target_id == gone.id)):
            action.target_id = None
    db.session.flush()
    plan.targets = kept
    db.session.flush()
    return {t.requirement.slug: t for t in kept}


def _replace_actions(plan: ActionPlan, actions: list[dict], targets: dict[str, PlanTarget]) -> None:
    for old in db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)):
        db.session.delete(old)
    db.session.flush()
    for position, spec in enumerate(actions, start=1):
        action = PlanAction(plan_id=plan.id, position=position, recommendation=spec["recommendation"],
                            action=spec["action"], owner=spec["owner"], budget=spec["budget"],
                            timescale=spec["timescale"], status=ActionStatus(spec["status"]),
                            target_id=targets[spec["measured_by"]].id if spec["measured_by"] else None)
        action.updates = [ActionUpdate(on=on, note=note) for on, note in spec["updates"]]
        db.session.add(action)


def _replace_measures(plan: ActionPlan, measures: list[dict]) -> None:
    for old in db.session.scalars(select(PlanMeasure).where(PlanMeasure.plan_id == plan.id)):
        db.session.delete(old)
    db.session.flush()
    for position, spec in enumerate(measures, start=1):
        measure = PlanMeasure(plan_id=plan.id, position=position, title=spec["title"], description=spec["description"])
        measure.values = [MeasureValue(quarter_end=q, value=v) for q, v in spec["values"]]
        db.session.add(measure)
