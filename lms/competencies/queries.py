"""Reads: units by reference, a person's records, a manager's queue and grid, counts per organisation."""
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Organisation, Role, User
from lms.accounts.queries import active_on, organisations_with_counts, reports_of, team_of
from lms.audit.registry import check
from lms.audit.verify import Finding
from lms.competencies import rules
from lms.competencies.framework import claim_problems
from lms.competencies.models import CompetencyRecord, Decision, Evidence, Framework, Unit, UnitGroup
from lms.competencies.rules import DisplayState, RecordStatus, reference, split_reference
from lms.extensions import db
from lms.paging import PER_PAGE, Page, paged
from lms.learning.models import CourseVersion
from lms.learning.queries import published_courses


def unit_by_reference(text: str) -> Unit | None:
    code, version = split_reference(text)
    return db.session.scalar(select(Unit).where(Unit.code == code, Unit.version == version))


def loaded_references() -> dict[str, str]:
    """{unit reference: framework slug} of every unit in the database, retired ones included."""
    rows = db.session.execute(select(Unit.code, Unit.version, Framework.slug).join(Framework, Framework.id == Unit.framework_id))
    return {reference(code, version): slug for code, version, slug in rows}


def current_references() -> set[str]:
    return {reference(code, version) for code, version in db.session.execute(select(Unit.code, Unit.version).where(~Unit.retired))}


def unknown_units(references: list[str], known: set[str] | None = None) -> list[str]:
    """A sentence for each reference that names no current unit, e.g. for a session's units."""
    return claim_problems({"": references}, current_references() if known is None else known).get("", [])


def current_units() -> list[Unit]:
    """Units still in their framework's file, in the file's order within its groups."""
    return list(db.session.scalars(
        select(Unit).outerjoin(UnitGroup, UnitGroup.id == Unit.group_id).where(~Unit.retired)
        .options(joinedload(Unit.group), joinedload(Unit.supersedes))
        .order_by(Unit.framework_id, UnitGroup.position, Unit.position)
    ))


def frameworks() -> list[Framework]:
    return list(db.session.scalars(select(Framework).order_by(Framework.title)))


def courses_with_units() -> list[CourseVersion]:
    """Published courses that give knowledge towards at least one unit, by title."""
    return [version for version in published_courses() if version.danos_units]


def courses_by_unit() -> dict[str, list[CourseVersion]]:
    """{unit reference: the published courses that give knowledge evidence towards it}."""
    found = defaultdict(list)
    for version in courses_with_units():
        for ref in version.danos_units:
            found[ref].append(version)
    return found


def records_of(person: User) -> list[CompetencyRecord]:
    """Every record of the person with its unit, evidence and decisions (four queries)."""
    return list(db.session.scalars(
        select(CompetencyRecord).join(Unit, Unit.id == CompetencyRecord.unit_id)
        .where(CompetencyRecord.user_id == person.id)
        .options(joinedload(CompetencyRecord.unit).joinedload(Unit.group),
                 selectinload(CompetencyRecord.evidence).joinedload(Evidence.added_by),
                 selectinload(CompetencyRecord.decisions).joinedload(Decision.by))
        .order_by(Unit.code, Unit.version)
    ))


def record_by_id(record_id: int) -> CompetencyRecord | None:
    return db.session.scalar(
        select(CompetencyRecord).where(CompetencyRecord.id == record_id)
        .options(joinedload(CompetencyRecord.unit), joinedload(CompetencyRecord.user),
                 selectinload(CompetencyRecord.evidence).joinedload(Evidence.added_by),
                 selectinload(CompetencyRecord.decisions).joinedload(Decision.by))
    )


def is_manager_of(manager: User, person_id: int) -> bool:
    """A manager by role who is above the person in the line, directly or through others."""
    if not manager.has_role(Role.MANAGER):
        return False
    chain = reports_of(manager.id).subquery()
    return db.session.scalar(select(chain.c.id).where(chain.c.id == person_id)) is not None


def sign_off_queue(manager: User, day: date, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The records of the manager's team on `day` that have every kind of evidence and wait for a decision."""
    query = (
        select(CompetencyRecord).join(User, User.id == CompetencyRecord.user_id)
        .where(User.id.in_(team_of(manager.id, day)), CompetencyRecord.status == RecordStatus.WORKING_TOWARDS,
               CompetencyRecord.ready)
        .options(joinedload(CompetencyRecord.user), joinedload(CompetencyRecord.unit))
        .order_by(CompetencyRecord.updated_at, CompetencyRecord.id)
    )
    return paged(query, page, per_page)


def team_page(manager: User, day: date, page: int = 1) -> Page:
    """The manager's team on `day`, a page at a time, by name."""
    query = (select(User).where(User.id.in_(team_of(manager.id, day))).options(joinedload(User.job_role))
             .order_by(User.family_name, User.given_name, User.id))
    return paged(query, page)


def records_for(people_ids: list[int]) -> dict[tuple[int, int], CompetencyRecord]:
    """{(person, unit): record} for one page of people."""
    if not people_ids:
        return {}
    return {(r.user_id, r.unit_id): r for r in db.session.scalars(
        select(CompetencyRecord).where(CompetencyRecord.user_id.in_(people_ids)))}


COUNT_COLUMNS = ["organisation", "commissioned", "unit", "unit_title", "staff", "working_towards",
                 "ready_for_sign_off", "achieved", "withdrawn"]


@dataclass(frozen=True)
class UnitCount:
    organisation: Organisation
    unit: Unit
    staff: int
    working_towards: int  # not yet ready
    ready: int
    achieved: int
    withdrawn: int

    def as_record(self) -> dict:
        return {"organisation": self.organisation.name, "commissioned": "yes" if self.organisation.commissioned else "no",
                "unit": self.unit.reference, "unit_title": self.unit.title, "staff": self.staff,
                "working_towards": self.working_towards, "ready_for_sign_off": self.ready,
                "achieved": self.achieved, "withdrawn": self.withdrawn}


def counts_by_organisation(day: date, commissioned_only: bool = False) -> list[UnitCount]:
    """Per organisation and current unit: active staff, and their records by state. Names never leave here."""
    staff = [(org, count) for org, count in organisations_with_counts(day) if org.commissioned or not commissioned_only]
    tally: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(int))
    for org_id, unit_id, status, ready, count in db.session.execute(
        select(User.organisation_id, CompetencyRecord.unit_id, CompetencyRecord.status, CompetencyRecord.ready, func.count())
        .join(User, User.id == CompetencyRecord.user_id).where(active_on(day))
        .group_by(User.organisation_id, CompetencyRecord.unit_id, CompetencyRecord.status, CompetencyRecord.ready)
    ):
        tally[(org_id, unit_id)][rules.display_state(status, ready)] += count
    return [
        UnitCount(org, unit, count, counts[DisplayState.WORKING_TOWARDS], counts[DisplayState.READY],
                  counts[DisplayState.ACHIEVED], counts[DisplayState.WITHDRAWN])
        for unit in current_units() for org, count in staff
        for counts in [tally[(org.id, unit.id)]]
    ]


def stale_records(batch: int = 1000) -> Iterator[Finding]:
    """Records whose stored state is not what their audited evidence and decisions make it (for `lms audit verify`)."""
    last_id = 0
    while True:
        records = db.session.execute(
            select(CompetencyRecord.id, CompetencyRecord.status, CompetencyRecord.ready, Unit.evidence_needed)
            .join(Unit, Unit.id == CompetencyRecord.unit_id).where(CompetencyRecord.id > last_id)
            .order_by(CompetencyRecord.id).limit(batch)).all()
        if not records:
            return
        ids = [record.id for record in records]
        evidence, decisions = defaultdict(list), defaultdict(list)
        for record_id, kind, at in db.session.execute(
                select(Evidence.record_id, Evidence.kind, Evidence.added_at)
                .where(Evidence.record_id.in_(ids), Evidence.set_aside_at.is_(None))):
            evidence[record_id].append(rules.EvidenceFact(kind, at))
        for record_id, action, at in db.session.execute(
                select(Decision.record_id, Decision.action, Decision.at).where(Decision.record_id.in_(ids))
                .order_by(Decision.id)):
            decisions[record_id].append(rules.DecisionFact(action, at))
        for record in records:
            needed = [rules.EvidenceKind(kind) for kind in record.evidence_needed]
            should = rules.assess(needed, evidence[record.id], decisions[record.id])
            if (record.status, record.ready) != (should.status, should.ready):
                yield Finding("competency_records", record.id,
                              f"says {record.status.label.lower()}{' and ready' if record.ready else ''}, but its "
                              f"evidence and decisions make it {should.status.label.lower()}"
                              f"{' and ready' if should.ready else ''}: it was changed behind the application's back")
        last_id = ids[-1]


# Registered beside the check; the competencies views import this module, so every app runs it.
check(stale_records)
