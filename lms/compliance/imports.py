"""Imports of the requirements matrix and historical completions (DESIGN §5)."""
from datetime import date

from sqlalchemy import delete, select

from lms.accounts.models import JobRole, User
from lms.clock import today
from lms.compliance.models import Completion, Requirement, RoleRequirement
from lms.compliance.queries import CHUNK
from lms.compliance.services import record_completion, update_requirement
from lms.extensions import db
from lms.importing import (
    ImportFileError, ImportReport, Mapping, check_required, csv_rows, importer, limit_of, load_yaml, parse_date,
    yaml_mappings, yaml_text, yaml_texts, yaml_whole,
)

SLUG = limit_of(Requirement.slug)


@importer("requirements", "Requirements and the job roles that need them (YAML)")
def import_requirements(text: str) -> ImportReport:
    """Requirements upserted by slug; each listed role's requirements replaced by the file's list."""
    report = ImportReport("requirements")
    data = load_yaml(text)
    if not isinstance(data, Mapping):
        raise ImportFileError("must be a mapping with requirements: and job_roles:")
    specs, slugs = [], {}
    for item in yaml_mappings(report, data, "requirements"):
        slug = yaml_text(report, item, "slug", SLUG)
        if slug in slugs:
            report.problem(item.line_of("slug"), "slug", f"{slug!r} is also on line {slugs[slug]}")
        slugs.setdefault(slug, item.line_of("slug"))
        satisfied = item.get("satisfied_by") or Mapping({}, item.line, {})
        if not isinstance(satisfied, Mapping):
            report.problem(item.line_of("satisfied_by"), "satisfied_by", "must have courses:")
            satisfied = Mapping({}, item.line, {})
        if "event_kinds" in satisfied:
            report.problem(satisfied.line_of("event_kinds"), "event_kinds",
                           "is no longer used: each session names the requirements it counts towards "
                           "(lms import events, column requirements)")
        specs.append(dict(
            slug=slug, title=yaml_text(report, item, "title", limit_of(Requirement.title)),
            validity_months=yaml_whole(report, item, "validity_months", 1, 240, 24),
            due_soon_days=yaml_whole(report, item, "due_soon_days", 0, 365, 60),
            induction_days=yaml_whole(report, item, "induction_days", 0, 730, 90),
            courses=yaml_texts(report, satisfied, "courses", SLUG),
        ))
    existing = {r.slug: r for r in db.session.scalars(select(Requirement))}
    roles = {r.name.lower(): r for r in db.session.scalars(select(JobRole))}
    matrix, named = [], {}
    for item in yaml_mappings(report, data, "job_roles"):
        name = yaml_text(report, item, "name", limit_of(JobRole.name))
        line = item.line_of("name")
        wanted = yaml_texts(report, item, "requirements", SLUG)
        if not name:
            continue
        if name.lower() in named:
            report.problem(line, "name", f"{name!r} is also on line {named[name.lower()]}")
        named.setdefault(name.lower(), line)
        role = roles.get(name.lower())
        if role is None:
            report.problem(line, "name", f"no job role called {name!r}")
        for slug in wanted:
            if slug not in slugs and slug not in existing:
                report.problem(item.line_of("requirements"), "requirements", f"no requirement {slug!r}")
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


COMPLETION_COLUMNS = {
    "employee_id": limit_of(User.employee_id), "requirement": SLUG, "completed_on": 10, "note": limit_of(Completion.note),
}


@importer("completions", "Historical completions (CSV: employee_id, requirement, completed_on, note)")
def import_completions(text: str) -> ImportReport:
    """Record each row's completion unless the same one (person, requirement, date) is already on record."""
    report = ImportReport("completions")
    people = {u.employee_id: u for u in db.session.scalars(select(User).where(User.employee_id.is_not(None)))}
    requirements = {r.slug: r for r in db.session.scalars(select(Requirement))}
    day = today()
    planned, seen = [], {}
    for line, row in csv_rows(text, COMPLETION_COLUMNS):
        check_required(report, line, row, {"employee_id", "requirement", "completed_on"})
        person = people.get(row["employee_id"])
        if row["employee_id"] and person is None:
            report.problem(line, "employee_id", f"no person with employee number {row['employee_id']!r}")
        requirement = requirements.get(row["requirement"])
        if row["requirement"] and requirement is None:
            report.problem(line, "requirement", f"no requirement {row['requirement']!r}")
        completed = parse_date(report, line, "completed_on", row["completed_on"]) if row["completed_on"] else None
        if completed and completed > day:
            report.problem(line, "completed_on", "is in the future")
        if completed and completed < date(1990, 1, 1):
            report.problem(line, "completed_on", "is before 1990")
        if person and requirement and completed:
            key = (person.id, requirement.id, completed)
            if key in seen:
                report.problem(line, "completed_on", f"the same completion is on line {seen[key]}")
            seen.setdefault(key, line)
            planned.append((key, requirement, row["note"]))
    if not report.ok:
        return report
    recorded = _on_record({key for key, _, _ in planned})
    for (person_id, _, completed), requirement, note in planned:
        if (person_id, requirement.id, completed) in recorded:
            report.count("unchanged")
            continue
        record_completion(person_id, requirement, completed, "import", note=note or "imported from a previous system")
        report.count("completions recorded")
    return report


def _on_record(keys: set[tuple[int, int, date]]) -> set[tuple[int, int, date]]:
    """Those (person, requirement, date) completions already recorded and not set aside by a correction."""
    person_ids = sorted({person_id for person_id, _, _ in keys})
    found = set()
    for start in range(0, len(person_ids), CHUNK):
        found.update(tuple(row) for row in db.session.execute(
            select(Completion.user_id, Completion.requirement_id, Completion.completed_on)
            .where(Completion.user_id.in_(person_ids[start:start + CHUNK]), Completion.superseded_at.is_(None))
        ))
    return found & keys
