"""Courses and their versions, question banks, progress, attempts and completions."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import Base, utcnow


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # False once its folder has gone from courses/: hidden from the catalogue, records kept.
    published: Mapped[bool] = mapped_column(default=True)


class CourseVersion(Base):
    """One version of a course. Learners get the highest; completions keep the one they earned."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int]
    audience: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(100))
    requirements: Mapped[list] = mapped_column(JSON)
    danos_units: Mapped[list] = mapped_column(JSON)
    quiz_slug: Mapped[str] = mapped_column(String(100))
    local_contacts_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    pages: Mapped[list["CoursePage"]] = relationship(order_by="CoursePage.position", back_populates="course_version")

    @property
    def slug(self) -> str:
        return self.course.slug


class CoursePage(Base):
    __tablename__ = "course_pages"
    __table_args__ = (UniqueConstraint("course_version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    position: Mapped[int]  # 1, 2, 3 … in file-name order
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    markdown: Mapped[str] = mapped_column(Text)

    course_version: Mapped[CourseVersion] = relationship(back_populates="pages")


class QuestionBank(Base):
    """The current questions of a bank; each attempt keeps its own copy of what it drew."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    draw: Mapped[int]
    pass_mark: Mapped[int]
    questions: Mapped[list] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Progress(Base):
    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("user_id", "course_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    last_position: Mapped[int] = mapped_column(default=1)
    furthest_position: Mapped[int] = mapped_column(default=0)  # pages read to the end, in order
    # After two failed attempts in a row: pages behind the wrong answers, until each is opened again.
    pages_to_reread: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attempt(Base):
    """One sitting of an assessment. `questions` holds the drawn questions with their answers: server only."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_course", "user_id", "course_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    pass_mark: Mapped[int]
    questions: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class CourseCompletion(Base):
    """A passed course, on the version it was earned on, with its certificate's verification code."""

    __tablename__ = "course_completions"
    __table_args__ = (Index("ix_course_completions_user", "user_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    completed_on: Mapped[date]
    score_percent: Mapped[int]
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class LocalContacts(Base):
    """The learner's own record of who to call locally: pre-course work, kept on their record."""

    __tablename__ = "local_contacts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    childrens_social_care: Mapped[str] = mapped_column(Text)
    out_of_hours: Mapped[str] = mapped_column(Text)
    safeguarding_lead: Mapped[str] = mapped_column(Text)
    drug_alcohol_contact: Mapped[str] = mapped_column(Text)
    early_help: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
