"""Organisations, teams, job roles and the people who log in."""
import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import today
from lms.db import Base, utcnow


class Sector(enum.StrEnum):
    CHILDREN = "children"
    ADULT_SOCIAL_CARE = "adult-social-care"
    DRUG_ALCOHOL = "drug-alcohol"
    HEALTH = "health"
    EDUCATION = "education"
    POLICE = "police"
    PROBATION = "probation"
    VOLUNTARY = "voluntary"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    Sector.CHILDREN: "Children's services",
    Sector.ADULT_SOCIAL_CARE: "Adult social care",
    Sector.DRUG_ALCOHOL: "Drug and alcohol treatment",
    Sector.HEALTH: "Health",
    Sector.EDUCATION: "Education",
    Sector.POLICE: "Police",
    Sector.PROBATION: "Probation",
    Sector.VOLUNTARY: "Voluntary sector",
}


class Role(enum.StrEnum):
    """Account roles beyond learner, which everyone is."""

    MANAGER = "manager"
    COORDINATOR = "coordinator"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "sector"))
    commissioned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list["Team"]] = relationship(back_populates="organisation", order_by="Team.name")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class JobRole(Base):
    __tablename__ = "job_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_organisation_active", "organisation_id", "start_date", "leaving_date"),
        # Covers the compliance report's count of people in post per organisation and job role.
        Index("ix_users_in_post", "organisation_id", "job_role_id", "start_date", "leaving_date"),
        Index("ix_users_manager_id", "manager_id"),
        Index("ix_users_job_role_id", "job_role_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_roles.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date]
    leaving_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Raised on logout and password change: every session holding an older value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship()
    job_role: Mapped[JobRole | None] = relationship()
    manager: Mapped["User | None"] = relationship(remote_side=[id])
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:
        # A leaver keeps access up to and including their leaving date.
        return self.active and (self.leaving_date is None or self.leaving_date >= today())

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


class RoleGrant(Base):
    __tablename__ = "role_grants"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")


class PasswordResetToken(Base):
    """A request for a reset link. The token is made as its email is sent, and only its hash is kept:
    no table, and so no admin or database reader, ever holds a usable one."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # None until the email goes
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # spent, or retired by a newer request

    user: Mapped[User] = relationship()


class PasswordResetRequest(Base):
    """Each request for a reset link that was answered, known address or not: the throttle counts them."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_email_at", "email", "at"),
        Index("ix_password_reset_requests_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingImport(Base):
    """A file an admin has checked and not yet applied. The preview page posts back only a token
    (whose hash is kept), so a file near the upload limit is never sent twice; gone after an hour."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the file as uploaded, NUL bytes and all
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]
