"""Writes about accounts. Functions flush; the view or command that called them commits."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import LoginAttempt, PasswordResetToken, Role, RoleGrant, User
from lms.accounts.queries import user_by_email
from lms.accounts.rules import normalise_email
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import queue_email

# Compared against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass
class LoginOutcome:
    user: User | None = None
    throttled: bool = False


def _recent_failures(column, value) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at > utcnow() - window)
    )


def authenticate(email: str, password: str, address: str) -> LoginOutcome:
    """Check a login, recording the attempt; too many recent failures refuse without checking."""
    email = normalise_email(email)
    config = current_app.config
    if (
        _recent_failures(LoginAttempt.email, email) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.address, address) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        return LoginOutcome(throttled=True)
    user = user_by_email(email)
    ok = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    db.session.add(LoginAttempt(email=email, address=address, succeeded=ok))
    if ok:
        prune_login_attempts()  # the privacy notice promises a day at most; the table stays small
    db.session.flush()
    return LoginOutcome(user=user if ok else None)


def prune_login_attempts() -> int:
    """Attempts older than a day say nothing about throttling any more."""
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=1)))
    return result.rowcount


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


def request_password_reset(email: str) -> None:
    """Email a single-use link if the address belongs to an active person; say nothing either way."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(hours=hours))
    )
    link = f"{current_app.config['BASE_URL']}/password/reset/{token}"
    queue_email(
        user.email,
        f"Reset your {current_app.config['SERVICE_NAME']} password",
        render_template("email/password_reset.txt", user=user, link=link, hours=hours),
    )


def user_for_reset_token(token: str) -> User | None:
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row.user


def reset_password(token: str, password: str) -> User | None:
    """Use a reset token once: set the password and spend every outstanding token of the person."""
    user = user_for_reset_token(token)
    if user is None:
        return None
    now = utcnow()
    for row in db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
    ):
        row.used_at = now
    set_password(user, password)
    return user
