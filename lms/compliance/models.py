"""Requirements and the matrix, completions (append-only) and exemptions."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import JobRole, User
from lms.audit.registry import chained
from lms.db import Base, utcnow


class Requirement(Base):
    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    validity_months: Mapped[int] = mapped_column(default=24)
    due_soon_days: Mapped[int] = mapped_column(default=60)
    induction_days: Mapped[int] = mapped_column(default=90)
    # Course slugs that satisfy it. Sessions say for themselves which requirements they count towards.
    courses: Mapped[list] = mapped_column(JSON, default=list)


class RoleRequirement(Base):
    """The requirements matrix: a job role must hold a requirement."""

    __tablename__ = "role_requirements"

    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_roles.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"), primary_key=True, index=True)

    job_role: Mapped[JobRole] = relationship()
    requirement: Mapped[Requirement] = relationship()


class Completion(Base):
    """A person satisfied a requirement on a date. Never edited: a correction supersedes it."""

    __tablename__ = "completions"
    __table_args__ = (
        # Covers the report's "valid on the day" test, so it never reads the table itself.
        Index("ix_completions_valid", "user_id", "requirement_id", "expires_on", "completed_on", "superseded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    completed_on: Mapped[date]
    # Derived by rules.expires_on when written, so reports can compare dates in SQL.
    expires_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(20))  # course | event | import | external
    note: Mapped[str] = mapped_column(Text, default="")
    course_completion_id: Mapped[int | None] = mapped_column(ForeignKey("course_completions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A correction: who set this record aside, when and why, and the record that replaced it (if any).
    superseded_at: Mapped[datetime | None]
    superseded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_reason: Mapped[str | None] = mapped_column(Text)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"))

    requirement: Mapped[Requirement] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    superseded_by_user: Mapped[User | None] = relationship(foreign_keys=[superseded_by_user_id])


class ValidPeriod(Base):
    """An unbroken run of days on which a person held a requirement: their completions' [completed_on, expires_on)
    merged where they overlap or touch. Derived, never edited by hand: lms.compliance.periods rewrites a person's
    rows in the transaction that changes their completions or their organisation, job role or dates, and
    `lms periods rebuild` recomputes them all.

    The person's organisation, job role and dates are copied here so the report counts millions of rows without
    joining users; there are no foreign keys, so a rebuild stays one set-based statement."""

    __tablename__ = "valid_periods"
    __table_args__ = (
        # Covers the report: a range on valid_until finds the periods still running on a day, read from the index alone.
        Index("ix_valid_periods_report", "valid_until", "valid_from", "requirement_id", "organisation_id",
              "job_role_id", "start_date", "leaving_date"),
    )

    user_id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(primary_key=True)
    valid_until: Mapped[date]  # the first day no longer held, like Completion.expires_on
    organisation_id: Mapped[int]
    job_role_id: Mapped[int | None]
    start_date: Mapped[date]
    leaving_date: Mapped[date | None]


class Exemption(Base):
    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_user_requirement", "user_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    reason: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # exempt on every day from starts_on to ends_on inclusive
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requirement: Mapped[Requirement] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


# Every write to these goes into the audit trail (lms.audit), in the same transaction.
chained(Completion, label="Training records", person=lambda row: row.user_id, actions={
    "completion.recorded": "Training recorded",
    "completion.superseded": "Training record corrected",
    "completion.expiry_rederived": "Expiry worked out again after the requirement changed",
    "completion.existing": "Training record already held when the audit trail began",
})
chained(Exemption, label="Exemptions", person=lambda row: row.user_id, actions={
    "exemption.recorded": "Exemption recorded",
    "exemption.existing": "Exemption already held when the audit trail began",
})
