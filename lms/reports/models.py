"""Action plans: their training targets, other actions and quarterly measures, and reports published for a date."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.compliance.models import Requirement
from lms.db import Base, utcnow


class ActionPlan(Base):
    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]

    targets: Mapped[list["PlanTarget"]] = relationship(back_populates="plan", cascade="all, delete-orphan")


class PlanTarget(Base):
    __tablename__ = "plan_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    all_organisations: Mapped[bool] = mapped_column(default=False)
    organisation_ids: Mapped[list] = mapped_column(JSON, default=list)
    milestones: Mapped[list] = mapped_column(JSON)  # [{"date": "2012-12-31", "percent": "50"}]

    plan: Mapped[ActionPlan] = relationship(back_populates="targets")
    requirement: Mapped[Requirement] = relationship()

    def covers(self, organisation_id: int) -> bool:
        """Whether the organisation is held to this target (services._counted_on says the same in SQL)."""
        return self.all_organisations or organisation_id in self.organisation_ids


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    AT_RISK = "at_risk"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "at_risk": "At risk", "done": "Done"}[self.value]


class PlanAction(Base):
    """One line of a plan as in a scrutiny panel's table (seed 002): recommendation, action, owner, budget, timescale.
    A training line names the target that measures it, so its progress is computed, not typed."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)
    position: Mapped[int]
    recommendation: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(300))
    budget: Mapped[str] = mapped_column(String(100), default="")
    timescale: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=ActionStatus.NOT_STARTED)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("plan_targets.id"))

    plan: Mapped[ActionPlan] = relationship()
    target: Mapped[PlanTarget | None] = relationship()
    updates: Mapped[list["ActionUpdate"]] = relationship(back_populates="action", order_by="ActionUpdate.on.desc()",
                                                         cascade="all, delete-orphan")


class ActionUpdate(Base):
    """A dated progress note on an action, kept in order; notes are added, never edited."""

    __tablename__ = "plan_action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[PlanAction] = relationship(back_populates="updates")
    by: Mapped[User | None] = relationship()


class PlanMeasure(Base):
    """A figure the plan reports each quarter, e.g. children living with an adult in treatment (seed 002)."""

    __tablename__ = "plan_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")

    values: Mapped[list["MeasureValue"]] = relationship(back_populates="measure", order_by="MeasureValue.quarter_end",
                                                        cascade="all, delete-orphan")


class MeasureValue(Base):
    __tablename__ = "plan_measure_values"
    __table_args__ = (UniqueConstraint("measure_id", "quarter_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("plan_measures.id"))
    quarter_end: Mapped[date]
    value: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    measure: Mapped[PlanMeasure] = relationship(back_populates="values")
    entered_by: Mapped[User | None] = relationship()


class PublishedReport(Base):
    """The figures of a plan for a date as published: stored once and never changed, so a board paper can
    always be traced; with who was counted, so a later recalculation can say which records changed."""

    __tablename__ = "published_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)
    as_of: Mapped[date]
    rows: Mapped[list] = mapped_column(JSON)  # the CSV records of DESIGN §2.6, as published
    note: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[ActionPlan] = relationship()
    published_by: Mapped[User] = relationship()


class PublishedPerson(Base):
    """One person counted in a published report: in scope for a requirement, and whether compliant."""

    __tablename__ = "published_report_people"
    __table_args__ = (Index("ix_published_report_people_report", "report_id", "requirement_id", "organisation_id"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("published_reports.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    compliant: Mapped[bool]
