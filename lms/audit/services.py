"""Appending to the audit trail, inside the caller's transaction. Flush only; the caller commits."""
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import insert, update

from lms.audit import rules
from lms.audit.models import AuditEntry, ChainHead
from lms.audit.registry import CHAINED
from lms.db import insert_unless_exists, utcnow
from lms.extensions import db

HEAD_ID = 1
HEAD, ENTRIES = ChainHead.__table__, AuditEntry.__table__


def content_of(row) -> str:
    """The row's audited content as canonical JSON."""
    spec = CHAINED[row.__table__.name]
    return rules.dumps({field: getattr(row, field) for field in spec.fields})


def record(row, action: str, actor_id: int | None = None) -> str:
    """Chain an entry for a row just written or changed, in the same transaction as the change; its hash.

    The actor is who acted: given, or else the signed-in person of the request; None for commands."""
    spec = CHAINED[row.__table__.name]
    if action not in spec.actions:
        raise ValueError(f"{action!r} is not an action on {spec.table}")
    db.session.flush()  # the row's id and defaults are known
    prev_hash = _lock_head()
    at = utcnow()
    actor = actor_id if actor_id is not None else _signed_in()
    person = spec.person(row)
    content = content_of(row)
    digest = rules.entry_hash(prev_hash, spec.table, row.id, action, actor, person, at, content)
    # Core statements, not the unit of work: an append costs two round trips besides the lock.
    db.session.execute(insert(ENTRIES).values(table_name=spec.table, row_id=row.id, action=action, actor_id=actor,
                                              person_id=person, at=at, content=content, prev_hash=prev_hash, hash=digest))
    db.session.execute(update(HEAD).where(HEAD.c.id == HEAD_ID).values(last_hash=digest))
    return digest


def _lock_head() -> str:
    """The last hash, with the chain locked until the transaction ends.

    The UPDATE comes first: on PostgreSQL it locks the head row, and a second writer waits, then reads
    the hash the first committed; on SQLite it takes the database's one write lock."""
    bump = update(HEAD).where(HEAD.c.id == HEAD_ID).values(entries=HEAD.c.entries + 1).returning(HEAD.c.last_hash)
    prev_hash = db.session.execute(bump).scalar_one_or_none()
    if prev_hash is None:  # a new database: start the chain (another writer may be starting it too)
        insert_unless_exists(db.session, HEAD, id=HEAD_ID, entries=0, last_hash=rules.GENESIS)
        prev_hash = db.session.execute(bump).scalar_one()
    return prev_hash


def _signed_in() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None
