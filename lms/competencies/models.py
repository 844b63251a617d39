"""Frameworks of competence (DANOS), their units, and each person's record, evidence and decisions per unit."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.audit.registry import chained
from lms.db import Base, str_enum, utcnow
from lms.competencies.rules import (
    Assessment, DecisionAction, DecisionFact, DisplayState, EvidenceFact, EvidenceKind, EvidenceSource, RecordStatus, assess,
    display_state, kinds_text, reference,
)
from lms.learning.models import CourseCompletion


class Framework(Base):
    """A framework loaded from its file under frameworks/, e.g. DANOS."""

    __tablename__ = "competency_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitGroup(Base):
    """Our grouping of units, kept in the framework file so it can be edited."""

    __tablename__ = "competency_groups"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("competency_frameworks.id"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]


class Unit(Base):
    """One version of one unit. Records keep the exact version they were evidenced against."""

    __tablename__ = "competency_units"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("competency_frameworks.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("competency_groups.id"))
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(16))  # "original", or the year of the review, e.g. "2014"
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    title_source: Mapped[str] = mapped_column(Text)
    evidence_needed: Mapped[list] = mapped_column(JSON)  # EvidenceKind values
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("competency_units.id"))
    equivalent_to: Mapped[list] = mapped_column(JSON, default=list)  # the same unit in other suites, as text
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]
    # True once the unit has gone from its file: no longer offered, records kept.
    retired: Mapped[bool] = mapped_column(default=False)

    group: Mapped[UnitGroup | None] = relationship()
    supersedes: Mapped["Unit | None"] = relationship(remote_side=[id])

    @property
    def reference(self) -> str:
        return reference(self.code, self.version)

    @property
    def needed(self) -> tuple[EvidenceKind, ...]:
        return tuple(EvidenceKind(kind) for kind in self.evidence_needed)

    @property
    def needs_text(self) -> str:
        """E.g. "Knowledge and observed practice"."""
        return kinds_text(self.needed).capitalize()


class CompetencyRecord(Base):
    """A person's standing on one unit. `status` and `ready` are worked out by rules.assess from the
    evidence and decisions whenever either changes; `lms audit verify` checks they still agree."""

    __tablename__ = "competency_records"
    __table_args__ = (
        UniqueConstraint("user_id", "unit_id"),
        Index("ix_competency_records_unit_status", "unit_id", "status", "ready"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("competency_units.id"))
    status: Mapped[RecordStatus] = mapped_column(str_enum(RecordStatus, "record_status"))
    ready: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="record", order_by="Evidence.id")
    decisions: Mapped[list["Decision"]] = relationship(back_populates="record", order_by="Decision.id")

    @property
    def assessment(self) -> Assessment:
        """What its live evidence and its decisions make it (rules.assess), from the loaded collections."""
        live = [EvidenceFact(item.kind, item.added_at) for item in self.evidence if item.set_aside_at is None]
        return assess(self.unit.needed, live, [DecisionFact(d.action, d.at) for d in self.decisions])

    @property
    def display_state(self) -> DisplayState:
        """What its tag says, from the stored status and readiness (rules.display_state)."""
        return display_state(self.status, self.ready)


class Evidence(Base):
    """One piece of evidence towards a unit. Never edited: a register corrected later sets it aside."""

    __tablename__ = "competency_evidence"
    __table_args__ = (Index("ix_competency_evidence_record_id", "record_id"),
                      Index("ix_competency_evidence_booking_id", "booking_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("competency_records.id"))
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    source: Mapped[EvidenceSource] = mapped_column(str_enum(EvidenceSource, "evidence_source"))
    occurred_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)  # what it is, e.g. "Passed … (version 2)"
    note: Mapped[str] = mapped_column(Text, default="")  # the manager's own words, for observations
    course_completion_id: Mapped[int | None] = mapped_column(ForeignKey("course_completions.id"))
    # The session booking it came from. No foreign key: bookings belong to events, which sits above this area.
    booking_id: Mapped[int | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None when added automatically
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    set_aside_at: Mapped[datetime | None]
    set_aside_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_aside_reason: Mapped[str | None] = mapped_column(Text)

    record: Mapped[CompetencyRecord] = relationship(back_populates="evidence")
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    course_completion: Mapped[CourseCompletion | None] = relationship()


class Decision(Base):
    """A sign-off or a withdrawal: who, when, what and why. Append-only."""

    __tablename__ = "competency_decisions"
    __table_args__ = (Index("ix_competency_decisions_record_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("competency_records.id"))
    action: Mapped[DecisionAction] = mapped_column(str_enum(DecisionAction, "decision_action"))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text)

    record: Mapped[CompetencyRecord] = relationship(back_populates="decisions")
    by: Mapped[User] = relationship()


chained(Evidence, label="Competency evidence", person=lambda row: row.record.user_id, actions={
    "evidence.added": "Competency evidence added",
    "evidence.set_aside": "Competency evidence set aside",
})
chained(Decision, label="Competency sign-offs and withdrawals", person=lambda row: row.record.user_id, actions={
    "competency.signed_off": "Competency signed off",
    "competency.withdrawn": "Competency withdrawn",
})
