"""The outbox: every email is a row written in the transaction of the change that caused it."""
import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # no longer worth sending, e.g. a reset link retired by a newer one


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # [{"filename", "content_type", "data"}], e.g. calendar invitations.
    attachments: Mapped[list | None] = mapped_column(JSON)
    # Set when a message must go only once (a reminder stage): a second insert fails.
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    # "kind:id" of a link made only as the message is sent (a password reset): the stored body holds
    # services.PRIVATE_LINK in its place, so the table and the Outbox page never show a usable one.
    private_link: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING,
    )
    tries: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_at: Mapped[datetime | None]  # the lease: renewed as each message goes
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
