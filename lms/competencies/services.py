"""Writes: loading a framework, evidence from courses, sessions and managers, sign-off and withdrawal.

Flush only; the caller commits. Evidence and decisions go into the audit trail in the same
transaction; every change to them re-works the record's state with rules.assess.
"""
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.audit import services as audit
from lms.competencies import rules
from lms.competencies.framework import FrameworkSpec
from lms.competencies.models import CompetencyRecord, Decision, Evidence, Framework, Unit, UnitGroup
from lms.competencies.queries import is_manager_of, unit_by_reference
from lms.competencies.rules import DecisionAction, EvidenceSource, RecordStatus
from lms.db import insert_unless_exists, lock_row, utcnow
from lms.extensions import db
from lms.learning.models import CourseCompletion


class CompetencyRefused(Exception):
    """The decision or note is not allowed; the message says why, for the person who tried."""


# --- the framework ---

def load_framework(spec: FrameworkSpec) -> list[str]:
    """Load a checked framework: groups and units upserted, units gone from the file retired (records kept).
    A unit whose evidence needed changed has its records worked out again."""
    framework = db.session.scalar(select(Framework).where(Framework.slug == spec.slug))
    if framework is not None and framework.content_hash == spec.content_hash:
        return []
    if framework is None:
        framework = Framework(slug=spec.slug)
        db.session.add(framework)
    framework.title, framework.publisher, framework.source = spec.title, spec.publisher, spec.source
    framework.content_hash, framework.loaded_at = spec.content_hash, utcnow()
    db.session.flush()
    groups = _load_groups(framework, spec)
    existing = {u.reference: u for u in db.session.scalars(select(Unit).where(Unit.framework_id == framework.id))}
    added, renamed, needs_changed = 0, 0, []
    for position, unit in enumerate(spec.units, start=1):
        row = existing.get(unit.reference)
        if row is None:
            row = existing[unit.reference] = Unit(framework_id=framework.id, code=unit.code, version=unit.version,
                                                  evidence_needed=list(unit.evidence))
            db.session.add(row)
            added += 1
        else:
            if row.title != unit.title or row.retired:
                renamed += 1
            if row.evidence_needed != list(unit.evidence):
                needs_changed.append(row)
        row.title, row.summary, row.title_source, row.note = unit.title, unit.summary, unit.title_source, unit.note
        row.group, row.evidence_needed, row.equivalent_to = groups[unit.group], list(unit.evidence), list(unit.equivalent_to)
        row.position, row.retired = position, False
    db.session.flush()
    loaded = {u.reference: u for u in db.session.scalars(select(Unit))}
    for unit in spec.units:
        existing[unit.reference].supersedes = loaded[unit.supersedes] if unit.supersedes else None
    lines = [f"{spec.slug}: {len(spec.units)} units ({added} new, {renamed} retitled or restored)"]
    wanted = {unit.reference for unit in spec.units}
    for ref, row in existing.items():
        if ref not in wanted and not row.retired:
            row.retired = True
            lines.append(f"{spec.slug}: {ref} is no longer in the file: retired, records kept")
    for row in needs_changed:
        records = list(db.session.scalars(select(CompetencyRecord).where(CompetencyRecord.unit_id == row.id)))
        for record in records:
            _reassess(lock_record(record.id))
        lines.append(f"{spec.slug}: {row.reference} now needs {row.needs_text.lower()}; {len(records)} records worked out again")
    _drop_unused_groups(groups, spec, existing.values())
    db.session.flush()
    return lines


def _load_groups(framework: Framework, spec: FrameworkSpec) -> dict[str, UnitGroup]:
    groups = {g.code: g for g in db.session.scalars(select(UnitGroup).where(UnitGroup.framework_id == framework.id))}
    for position, group in enumerate(spec.groups, start=1):
        row = groups.get(group.code) or UnitGroup(framework_id=framework.id, code=group.code)
        row.title, row.position = group.title, position
        groups[group.code] = row
        db.session.add(row)
    return groups


def _drop_unused_groups(groups: dict[str, UnitGroup], spec: FrameworkSpec, units) -> None:
    """Groups gone from the file go, unless a retired unit still sits in one."""
    wanted, in_use = {g.code for g in spec.groups}, {unit.group_id for unit in units}
    for code, group in groups.items():
        if code not in wanted and group.id not in in_use:
            db.session.delete(group)


# --- records ---

def lock_record(record_id: int) -> CompetencyRecord:
    """The record, locked until the transaction ends and read fresh, so two decisions never cross."""
    return lock_row(db.session, CompetencyRecord, record_id)


def record_for(person_id: int, unit: Unit) -> CompetencyRecord:
    """The person's record of the unit, made if new, and locked."""
    now = utcnow()
    insert_unless_exists(db.session, CompetencyRecord.__table__, user_id=person_id, unit_id=unit.id,
                         status=RecordStatus.WORKING_TOWARDS, ready=False, created_at=now, updated_at=now)
    record_id = db.session.scalar(select(CompetencyRecord.id).where(CompetencyRecord.user_id == person_id,
                                                                    CompetencyRecord.unit_id == unit.id))
    return lock_record(record_id)


def assessment_of(record: CompetencyRecord) -> rules.Assessment:
    """What the record's evidence and decisions make it, both read afresh from the database."""
    db.session.flush()
    db.session.refresh(record, ["evidence", "decisions"])
    return record.assessment


def _reassess(record: CompetencyRecord) -> rules.Assessment:
    assessment = assessment_of(record)
    if (record.status, record.ready) != (assessment.status, assessment.ready):
        record.status, record.ready, record.updated_at = assessment.status, assessment.ready, utcnow()
    db.session.flush()
    return assessment


def add_evidence(person_id: int, unit: Unit, source: EvidenceSource, occurred_on: date, description: str, *,
                 note: str = "", course_completion_id: int | None = None, booking_id: int | None = None,
                 by_id: int | None = None) -> Evidence:
    """One piece of evidence towards the unit; the record is made if this is the first."""
    record = record_for(person_id, unit)
    evidence = Evidence(record=record, kind=source.kind, source=source, occurred_on=occurred_on,
                        description=description, note=note, course_completion_id=course_completion_id,
                        booking_id=booking_id, added_by_id=by_id)
    db.session.add(evidence)
    audit.record(evidence, "evidence.added", actor_id=by_id)
    _reassess(record)
    return evidence


def add_note(person: User, unit: Unit, source: EvidenceSource, occurred_on: date, note: str, by: User) -> Evidence:
    """A manager's observation or supervision note: evidence of the person's practice."""
    problem = rules.note_problem(is_self=person.id == by.id, is_their_manager=is_manager_of(by, person.id))
    if problem:
        raise CompetencyRefused(problem)
    what = "Observed at work by" if source == EvidenceSource.OBSERVATION else "Discussed in supervision with"
    return add_evidence(person.id, unit, source, occurred_on, f"{what} {by.name}", note=note, by_id=by.id)


def _decide(record: CompetencyRecord, by: User, action: DecisionAction, note: str, check) -> Decision:
    record = lock_record(record.id)
    problem = check(assessment_of(record), is_self=record.user_id == by.id,
                    is_their_manager=is_manager_of(by, record.user_id))
    if problem:
        raise CompetencyRefused(problem)
    decision = Decision(record=record, action=action, by_id=by.id, at=utcnow(), note=note)
    db.session.add(decision)
    audit.record(decision, f"competency.{action.value}", actor_id=by.id)
    _reassess(record)
    return decision


def sign_off(record: CompetencyRecord, by: User, note: str) -> Decision:
    """The manager confirms the person is competent in the unit, saying why."""
    return _decide(record, by, DecisionAction.SIGNED_OFF, note, rules.sign_off_problem)


def withdraw(record: CompetencyRecord, by: User, reason: str) -> Decision:
    """The manager withdraws an earlier sign-off, saying why. The sign-off stays on the record."""
    return _decide(record, by, DecisionAction.WITHDRAWN, reason, rules.withdraw_problem)


# --- evidence that arrives by itself ---

def on_course_completed(course_completion: CourseCompletion, **_) -> None:
    """A passed course is knowledge evidence towards each unit its version claims."""
    version = course_completion.course_version
    for ref in version.danos_units or []:
        unit = unit_by_reference(ref)
        if unit is None:  # `lms courses sync` refuses unknown units, so only a database without its framework
            continue
        add_evidence(course_completion.user_id, unit, EvidenceSource.COURSE, course_completion.completed_on,
                     f"Passed {version.title} (version {version.version}) with {course_completion.score_percent}%",
                     course_completion_id=course_completion.id)


def add_session_evidence(person_id: int, references: list[str], day: date, description: str, booking_id: int,
                         by_id: int | None) -> list[Evidence]:
    """Attending a session is knowledge evidence towards each unit it names."""
    units = [unit for unit in map(unit_by_reference, references or []) if unit is not None]
    return [add_evidence(person_id, unit, EvidenceSource.SESSION, day, description, booking_id=booking_id, by_id=by_id)
            for unit in units]


def set_aside_session_evidence(booking_id: int, reason: str, by_id: int | None) -> int:
    """A corrected register: the evidence the attendance gave is set aside, never deleted."""
    items = list(db.session.scalars(select(Evidence).where(Evidence.booking_id == booking_id,
                                                           Evidence.set_aside_at.is_(None))))
    for evidence in items:
        record = lock_record(evidence.record_id)
        evidence.set_aside_at, evidence.set_aside_by_id, evidence.set_aside_reason = utcnow(), by_id, reason
        audit.record(evidence, "evidence.set_aside", actor_id=by_id)
        _reassess(record)
    return len(items)
