"""Imports of the requirements matrix, historical completions and action plans (DESIGN §5)."""
from datetime import date
from fractions import Fraction

from sqlalchemy import delete, select

from lms.accounts.models import JobRole, Organisation, User
from lms.clock import today
from lms.compliance.models import ActionPlan, PlanTarget, Requirement, RoleRequirement
from lms.compliance.services import record_completion, update_requirement
from lms.extensions import db
from lms.importing import (
    ImportFileError, ImportReport, Problem, check_required, csv_rows, importer, parse_date, yaml_with_lines,
)


def _whole(report, line, field, value, low, high, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        report.problems.append(Problem(line, field, f"must be a whole number from {low} to {high}"))
        return default
    return value


@importer("requirements", "Requirements and the job roles that need them (YAML)")
def import_requirements(text: str) -> ImportReport:
    """Requirements upserted by slug; each listed role's requirements replaced by the file's list."""
    report = ImportReport("requirements")
    data = yaml_with_lines(text)
    if not isinstance(data, dict):
        raise ImportFileError("the file must have `requirements:` and `job_roles:` sections")
    specs, slugs = [], {}
    for item in data.get("requirements") or []:
        line = item.get("__line__", 1) if isinstance(item, dict) else 1
        if not isinstance(item, dict):
            report.problems.append(Problem(line, "requirements", "each requirement must be a mapping"))
            continue
        slug, title = str(item.get("slug") or "").strip(), str(item.get("title") or "").strip()
        if not slug:
            report.problems.append(Problem(line, "slug", "is required"))
        elif slug in slugs:
            report.problems.append(Problem(line, "slug", f"{slug!r} is also on line {slugs[slug]}"))
        slugs[slug] = line
        if not title:
            report.problems.append(Problem(line, "title", "is required"))
        satisfied = item.get("satisfied_by") or {}
        if not isinstance(satisfied, dict):
            report.problems.append(Problem(line, "satisfied_by", "must have courses: and/or event_kinds:"))
            satisfied = {}
        specs.append(dict(
            slug=slug, title=title,
            validity_months=_whole(report, line, "validity_months", item.get("validity_months"), 1, 240, 24),
            due_soon_days=_whole(report, line, "due_soon_days", item.get("due_soon_days"), 0, 365, 60),
            induction_days=_whole(report, line, "induction_days", item.get("induction_days"), 0, 730, 90),
            courses=[str(c) for c in satisfied.get("courses") or []],
            event_kinds=[str(k) for k in satisfied.get("event_kinds") or []],
        ))
    existing = {r.slug: r for r in db.session.scalars(select(Requirement))}
    roles = {r.name.lower(): r for r in db.session.scalars(select(JobRole))}
    matrix = []
    for item in data.get("job_roles") or []:
        line = item.get("__line__", 1) if isinstance(item, dict) else 1
        role = roles.get(str(item.get("name") or "").strip().lower()) if isinstance(item, dict) else None
        if role is None:
            report.problems.append(Problem(line, "name", f"no job role called {item.get('name')!r}" if isinstance(item, dict) else "must be a mapping"))
            continue
        wanted = item.get("requirements") or []
        for slug in wanted:
            if slug not in slugs and slug not in existing:
                report.problems.append(Problem(line, "requirements", f"no requirement {slug!r}"))
        matrix.append((role, wanted))
    if not report.ok:
        return report

    for spec in specs:
        requirement = existing.get(spec["slug"])
        if requirement is None:
            requirement = Requirement(**spec)
            db.session.add(requirement)
            existing[spec["slug"]] = requirement
            report.count("requirements created")
        elif any(getattr(requirement, k) != v for k, v in spec.items()):
            update_requirement(requirement, spec)
            report.count("requirements updated")
    db.session.flush()
    for role, wanted in matrix:
        # A role that stops requiring something stops being chased for it at once: the row goes.
        db.session.execute(delete(RoleRequirement).where(RoleRequirement.job_role_id == role.id))
        for slug in dict.fromkeys(wanted):
            db.session.add(RoleRequirement(job_role_id=role.id, requirement_id=existing[slug].id))
        report.count("job roles mapped")
    db.session.flush()
    return report


@importer("completions", "Historical completions (CSV: employee_id, requirement, completed_on, note)")
def import_completions(text: str) -> ImportReport:
    report = ImportReport("completions")
    people = {u.employee_id: u for u in db.session.scalars(select(User).where(User.employee_id.is_not(None)))}
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    day = today()
    planned = []
    for line, row in csv_rows(text, ["employee_id", "requirement", "completed_on", "note"]):
        check_required(report, line, row, {"employee_id", "requirement", "completed_on"})
        person = people.get(row["employee_id"])
        if row["employee_id"] and person is None:
            report.problems.append(Problem(line, "employee_id", f"no person with employee number {row['employee_id']!r}"))
        requirement = requirements.get(row["requirement"])
        if row["requirement"] and requirement is None:
            report.problems.append(Problem(line, "requirement", f"no requirement {row['requirement']!r}"))
        completed = parse_date(report, line, "completed_on", row["completed_on"]) if row["completed_on"] else None
        if completed and completed > day:
            report.problems.append(Problem(line, "completed_on", "is in the future"))
        if completed and completed < date(1990, 1, 1):
            report.problems.append(Problem(line, "completed_on", "is before 1990"))
        planned.append((person, requirement, completed, row["note"]))
    if not report.ok:
        return report
    for person, requirement, completed, note in planned:
        record_completion(person.id, requirement, completed, "import", note=note or "imported from a previous system")
        report.count("completions recorded")
    return report


@importer("plans", "Action plans with dated targets (YAML)")
def import_plans(text: str) -> ImportReport:
    report = ImportReport("plans")
    data = yaml_with_lines(text)
    plans = data.get("plans") if isinstance(data, dict) and "plans" in data else [data]
    orgs = {o.name.lower(): o for o in db.session.scalars(select(Organisation))}
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    built = []
    for plan in plans:
        if not isinstance(plan, dict):
            raise ImportFileError("a plan must be a mapping with slug, title, owner, starts_on and targets")
        line = plan.get("__line__", 1)
        for field in ("slug", "title", "owner", "starts_on"):
            if not plan.get(field):
                report.problems.append(Problem(line, field, "is required"))
        starts_on = plan.get("starts_on")
        if starts_on and not isinstance(starts_on, date):
            report.problems.append(Problem(line, "starts_on", "must be a date like 2012-07-17"))
        targets = []
        for target in plan.get("targets") or []:
            tline = target.get("__line__", line)
            requirement = requirements.get(target.get("requirement"))
            if requirement is None:
                report.problems.append(Problem(tline, "requirement", f"no requirement {target.get('requirement')!r}"))
            names = target.get("organisations")
            org_ids, all_orgs = [], names == "all"
            if not all_orgs:
                for name in names or []:
                    org = orgs.get(str(name).lower())
                    if org is None:
                        report.problems.append(Problem(tline, "organisations", f"no organisation called {name!r}"))
                    else:
                        org_ids.append(org.id)
                if not names:
                    report.problems.append(Problem(tline, "organisations", "list the organisations, or write all"))
            milestones = []
            for milestone in target.get("milestones") or []:
                mline = milestone.get("__line__", tline) if isinstance(milestone, dict) else tline
                on, pct = (milestone.get("date"), milestone.get("percent")) if isinstance(milestone, dict) else (None, None)
                if not isinstance(on, date):
                    report.problems.append(Problem(mline, "date", "must be a date like 2012-12-31"))
                if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
                    report.problems.append(Problem(mline, "percent", "must be a number from 0 to 100"))
                elif isinstance(on, date):
                    milestones.append({"date": on.isoformat(), "percent": str(Fraction(str(pct)))})
            if not milestones:
                report.problems.append(Problem(tline, "milestones", "give at least one {date, percent}"))
            if isinstance(starts_on, date) and any(m["date"] <= starts_on.isoformat() for m in milestones):
                report.problems.append(Problem(tline, "milestones", "every milestone must be after the plan starts"))
            targets.append((requirement, all_orgs, org_ids, sorted(milestones, key=lambda m: m["date"])))
        built.append((plan, targets))
    if not report.ok:
        return report
    for plan, targets in built:
        row = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == plan["slug"]))
        if row is None:
            row = ActionPlan(slug=plan["slug"])
            db.session.add(row)
            report.count("plans created")
        else:
            report.count("plans replaced")
        row.title, row.owner, row.starts_on = plan["title"], plan["owner"], plan["starts_on"]
        row.targets = [PlanTarget(requirement_id=r.id, all_organisations=a, organisation_ids=o, milestones=m)
                       for r, a, o, m in targets]
    db.session.flush()
    return report
