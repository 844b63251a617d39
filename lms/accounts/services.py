"""Writes about accounts. Functions flush; the view or command that called them commits."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import (
    LoginAttempt, PasswordResetRequest, PasswordResetToken, PendingImport, Role, RoleGrant, User,
)
from lms.accounts.queries import user_by_email
from lms.accounts.rules import normalise_email
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import PRIVATE_LINK, private_link_maker, queue_email

# Compared against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass
class LoginOutcome:
    user: User | None = None
    throttled: bool = False


def _recent(column, value, seconds: int, *where) -> int:
    """Rows of the column's throttling table with this value in the last `seconds`."""
    model = column.class_
    since = utcnow() - timedelta(seconds=seconds)
    return db.session.scalar(select(func.count()).select_from(model).where(column == value, model.at > since, *where))


def authenticate(email: str, password: str, address: str) -> LoginOutcome:
    """Check a login, recording the attempt; too many recent failures refuse without checking."""
    email = normalise_email(email)
    config = current_app.config
    window, failed = config["LOGIN_WINDOW_SECONDS"], LoginAttempt.succeeded.is_(False)
    if (
        _recent(LoginAttempt.email, email, window, failed) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent(LoginAttempt.address, address, window, failed) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        return LoginOutcome(throttled=True)
    user = user_by_email(email)
    ok = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    db.session.add(LoginAttempt(email=email, address=address, succeeded=ok))
    if ok:
        prune_throttle_records()  # the privacy notice promises a day at most; the tables stay small
    db.session.flush()
    return LoginOutcome(user=user if ok else None)


def prune_throttle_records() -> None:
    """Sign-in attempts and reset requests older than a day say nothing about throttling any more."""
    day_ago = utcnow() - timedelta(days=1)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < day_ago))
    db.session.execute(delete(PasswordResetRequest).where(PasswordResetRequest.at < day_ago))


def set_password(user: User, password: str) -> None:
    """Store a new password hash (scrypt) and end every existing session of the person."""
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    user.session_version += 1
    db.session.flush()


def grant_roles(user: User, roles: set[Role]) -> None:
    for role in roles - user.roles:
        user.role_grants.append(RoleGrant(role=role))
    for grant in [g for g in user.role_grants if g.role not in roles]:
        user.role_grants.remove(grant)
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _reset_throttled(email: str, address: str) -> bool:
    config = current_app.config
    window = config["PASSWORD_RESET_WINDOW_SECONDS"]
    return (
        _recent(PasswordResetRequest.email, email, window) >= config["PASSWORD_RESET_MAX_PER_ACCOUNT"]
        or _recent(PasswordResetRequest.address, address, window) >= config["PASSWORD_RESET_MAX_PER_ADDRESS"]
    )


def request_password_reset(email: str, address: str) -> None:
    """Queue a single-use link if the email belongs to an active person, unless that email or the
    client's network address has asked too often; say nothing either way. A new link retires older ones."""
    email = normalise_email(email)
    if _reset_throttled(email, address):
        return  # not recorded: a flood cannot grow the table, and counts only what was answered
    db.session.add(PasswordResetRequest(email=email, address=address))
    prune_throttle_records()
    user = user_by_email(email)
    if user is None or not user.is_active:
        db.session.flush()
        return
    now = utcnow()
    for row in _unspent_tokens(user):
        row.used_at = now
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    reset = PasswordResetToken(user_id=user.id, expires_at=now + timedelta(hours=hours))
    db.session.add(reset)
    db.session.flush()
    queue_email(
        user.email,
        f"Reset your {current_app.config['SERVICE_NAME']} password",
        render_template("email/password_reset.txt", user=user, link=PRIVATE_LINK, hours=hours),
        private_link=("password-reset", reset.id),
    )


@private_link_maker("password-reset")
def make_reset_link(reset_id: int) -> str | None:
    """Make the reset token as its email is sent, keeping only its hash; None once the request is spent,
    retired by a newer one or expired, or the person has left."""
    reset = db.session.get(PasswordResetToken, reset_id)
    if not _usable(reset):
        return None
    token = secrets.token_urlsafe(32)
    reset.token_hash = _token_hash(token)  # a retry makes a new token, and the one before stops working
    db.session.flush()
    return f"{current_app.config['BASE_URL']}/password/reset/{token}"


def _unspent_tokens(user: User) -> list[PasswordResetToken]:
    return list(db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
    ))


def _usable(reset: PasswordResetToken | None) -> bool:
    """Not spent, retired or expired, and its person has not left."""
    return reset is not None and reset.used_at is None and reset.expires_at > utcnow() and reset.user.is_active


def user_for_reset_token(token: str) -> User | None:
    reset = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    return reset.user if _usable(reset) else None


def reset_password(token: str, password: str) -> User | None:
    """Use a reset token once: set the password and spend every outstanding token of the person."""
    user = user_for_reset_token(token)
    if user is None:
        return None
    now = utcnow()
    for row in _unspent_tokens(user):
        row.used_at = now
    set_password(user, password)
    return user


# Files an admin has checked stay on the server until applied, an hour at most.
PENDING_IMPORT_LIFETIME = timedelta(hours=1)


def keep_pending_import(user: User, kind: str, filename: str, data: bytes) -> str:
    """Keep a checked file for the admin who uploaded it; returns the token the preview form posts back."""
    _prune_pending_imports()
    token = secrets.token_urlsafe(32)
    db.session.add(PendingImport(token_hash=_token_hash(token), user_id=user.id, kind=kind, filename=filename[:255], data=data))
    db.session.flush()
    return token


def take_pending_import(token: str, user: User) -> PendingImport | None:
    """The file behind a token, only for the admin who uploaded it and within the hour. Taking it deletes
    it in the caller's transaction: of two applies at once, the second finds nothing to take."""
    _prune_pending_imports()
    pending = db.session.scalar(select(PendingImport).where(
        PendingImport.token_hash == _token_hash(token), PendingImport.user_id == user.id))
    if pending is None:
        return None
    taken = db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id),
                               execution_options={"synchronize_session": False})
    return pending if taken.rowcount == 1 else None


def _prune_pending_imports() -> None:
    db.session.execute(delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_IMPORT_LIFETIME))
