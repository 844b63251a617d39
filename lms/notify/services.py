"""Queue email in the outbox and deliver it from a worker that any number of hosts may run."""
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import select, update

from lms.db import utcnow
from lms.extensions import db, mail
from lms.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send; it may be taken again.
STALE_CLAIM = timedelta(minutes=10)
BATCH_SIZE = 50


def queue_email(to: str, subject: str, body: str, *, attachments=None, dedupe_key=None) -> OutboxMessage:
    """Add an email to the outbox in the caller's transaction; it goes when that commits."""
    message = OutboxMessage(
        to_address=to, subject=subject, body_text=body, attachments=attachments, dedupe_key=dedupe_key
    )
    db.session.add(message)
    db.session.flush()
    return message


def backoff(tries: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** (tries - 1), 360))


def claim_batch(limit: int = BATCH_SIZE) -> tuple[str, list[OutboxMessage]]:
    """Mark due messages as ours in one UPDATE, so two workers never take the same row."""
    token = uuid.uuid4().hex
    now = utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            ((OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now))
            | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM))
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    db.session.execute(
        update(OutboxMessage)
        # Re-checked by the database at update time: a row another worker claimed first is skipped.
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .where(
            (OutboxMessage.status == OutboxStatus.PENDING)
            | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM))
        )
        .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()
    return token, list(rows)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_pending() -> DeliveryReport:
    """Send everything due, batch by batch; each message's outcome is committed on its own."""
    report = DeliveryReport()
    max_tries = current_app.config["OUTBOX_MAX_TRIES"]
    while True:
        _, batch = claim_batch()
        if not batch:
            return report
        for message in batch:
            try:
                mail.send(_as_mail(message))
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                message.tries += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                message.claim_token = None
                if message.tries >= max_tries:
                    message.status = OutboxStatus.FAILED
                    report.failed += 1
                    log.error("outbox gave up", extra={"outbox_id": message.id, "error": message.last_error})
                else:
                    message.status = OutboxStatus.PENDING
                    message.next_attempt_at = utcnow() + backoff(message.tries)
                    report.retrying += 1
            else:
                message.tries += 1
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.last_error = None
                report.sent += 1
            db.session.commit()


def _as_mail(message: OutboxMessage) -> Message:
    mail_message = Message(subject=message.subject, recipients=[message.to_address], body=message.body_text)
    for attachment in message.attachments or []:
        # Attachments are stored as text (a JSON column); the bytes sent are its UTF-8 encoding.
        mail_message.attach(attachment["filename"], attachment["content_type"], attachment["data"].encode("utf-8"))
    return mail_message


def recent_messages(limit: int = 100) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))
