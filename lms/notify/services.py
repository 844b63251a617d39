"""Queue email in the outbox and deliver it from a worker that any number of hosts may run."""
import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update

from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Stands in a stored body for a link made only as the message is sent (OutboxMessage.private_link).
PRIVATE_LINK = "[private link: only in the email itself]"

LinkMaker = Callable[[int], str | None]
_link_makers: dict[str, LinkMaker] = {}


def private_link_maker(kind: str):
    """Register how to make a kind of private link as its email is sent, e.g. @private_link_maker("password-reset").

    The function gets the id the email was queued with and returns the link, or None when the link is
    no longer wanted (the email is then cancelled). It may flush; the worker commits before sending.
    """

    def register(function: LinkMaker) -> LinkMaker:
        _link_makers[kind] = function
        return function

    return register


def queue_email(to: str, subject: str, body: str, *, attachments=None, dedupe_key=None,
                private_link: tuple[str, int] | None = None) -> OutboxMessage:
    """Add an email to the outbox in the caller's transaction; it goes when that commits.

    With private_link=(kind, id), the body holds PRIVATE_LINK where the link goes, and the link is
    made only as the email leaves: the stored body never holds it.
    """
    message = OutboxMessage(
        to_address=to, subject=subject, body_text=body, attachments=attachments, dedupe_key=dedupe_key,
        private_link=f"{private_link[0]}:{private_link[1]}" if private_link else None,
    )
    db.session.add(message)
    db.session.flush()
    return message


def backoff(tries: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** (tries - 1), 360))


def _lease_expired_before():
    """A lease older than this belongs to a worker that died; its messages may be taken again."""
    return utcnow() - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def claim_batch(limit: int = BATCH_SIZE) -> tuple[str, list[OutboxMessage]]:
    """Lease due messages to this worker in one UPDATE, so two workers never take the same row."""
    token = uuid.uuid4().hex
    now = utcnow()
    expired = _lease_expired_before()
    due = (
        select(OutboxMessage.id)
        .where(
            ((OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now))
            | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < expired))
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
            | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < expired))
        )
        .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()
    return token, list(rows)


def _renew(message: OutboxMessage, token: str) -> bool:
    """Renew our lease on a message about to be sent. False when our lease ran out while earlier
    messages were sent and another worker has taken this one."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token,
               OutboxMessage.status == OutboxStatus.SENDING)
        .values(claimed_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def deliver_pending() -> DeliveryReport:
    """Send everything due, batch by batch. Each message's lease is renewed (and committed) just before
    it goes, so a slow server never makes an in-flight message look abandoned; each outcome is
    committed on its own, before the next message."""
    report = DeliveryReport()
    while True:
        token, batch = claim_batch()
        if not batch:
            return report
        for message in batch:
            if _renew(message, token):
                _deliver(message, report)
            db.session.commit()


def _deliver(message: OutboxMessage, report: DeliveryReport) -> None:
    """Send one leased message and record what happened; the caller commits."""
    try:
        body = _body(message)
        if body is None:
            message.status = OutboxStatus.CANCELLED
            message.claim_token = None
            message.last_error = "not sent: its link had been used, replaced by a newer one, or had expired"
            report.cancelled += 1
            return
        db.session.commit()  # the renewed lease, and a private link's hash, are stored before the message goes
        with _Connection(current_app.extensions["mail"]) as connection:
            connection.send(_as_mail(message, body))
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        db.session.rollback()
        message.tries += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        message.claim_token = None
        if message.tries >= current_app.config["OUTBOX_MAX_TRIES"]:
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


def _body(message: OutboxMessage) -> str | None:
    """The text to send: a private link is made now, into this text only; None if it is no longer wanted."""
    if not message.private_link:
        return message.body_text
    kind, _, ref = message.private_link.partition(":")
    link = _link_makers[kind](int(ref))
    return None if link is None else message.body_text.replace(PRIVATE_LINK, link)


class _Connection(Connection):
    """Flask-Mail's connection with a timeout on every step (it sets none): a server that stops
    answering fails the delivery, to be retried, instead of holding the worker past its lease."""

    def configure_host(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=current_app.config["MAIL_TIMEOUT_SECONDS"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if exc_type is None:
            super().__exit__(exc_type, exc_value, traceback)
        elif self.host is not None:
            self.host.close()  # no QUIT after a failure: it would fail too, hiding the error worth keeping


def _as_mail(message: OutboxMessage, body: str) -> Message:
    mail_message = Message(subject=message.subject, recipients=[message.to_address], body=body)
    for attachment in message.attachments or []:
        # Attachments are stored as text (a JSON column); the bytes sent are its UTF-8 encoding.
        mail_message.attach(attachment["filename"], attachment["content_type"], attachment["data"].encode("utf-8"))
    return mail_message


def recent_messages(limit: int = 100) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))
