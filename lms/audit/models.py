"""The audit trail: one append-only log whose entries are chained by hash, and the head of that chain."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import Base


class AuditEntry(Base):
    """One change to a chained row: who, when, what, and the row's whole content after it.

    `hash` covers the previous entry's hash and everything here, so no entry can be changed,
    removed or slipped in without breaking the chain (see lms.audit.rules.entry_hash)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_row", "table_name", "row_id", "id"),
        Index("ix_audit_entries_actor_id", "actor_id"),
        Index("ix_audit_entries_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(64))  # e.g. completion.recorded, competency.signed_off
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a command or the system
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # whom the row is about
    at: Mapped[datetime]
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of the row after the change
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])


class ChainHead(Base):
    """The chain's one row. Every append updates it first, so appends queue behind one lock and never fork;
    its count and last hash also show when entries were cut from the end."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    entries: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
