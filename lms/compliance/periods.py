"""Valid periods (models.ValidPeriod), kept in step with the records in the same transaction.

Every flush that adds or changes a completion, or changes a person's organisation, job role, start or leaving
date, notes that person; before the transaction commits (and before the report reads the periods) their rows
are rewritten from the records. Matrix, exemption and requirement edits need nothing here: the report joins
the matrix and subtracts exemptions itself, and a new validity re-derives completions, which notes their people.

Bulk UPDATE or DELETE statements on completions or users pass the session by: follow them with `refresh` or
`rebuild`, as the benchmark does after loading millions of rows.
"""
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import case, delete, event, func, inspect, insert, select, text
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.compliance.models import Completion, ValidPeriod
from lms.extensions import db

PENDING = "lms.valid_periods.pending"  # in Session.info: the people whose periods must be rewritten
USER_FIELDS = ("organisation_id", "job_role_id", "start_date", "leaving_date", "organisation", "job_role")
CHUNK = 1000  # people per statement, within every database's limit on bound parameters
PERIODS = ValidPeriod.__table__
COLUMNS = ["user_id", "requirement_id", "valid_from", "valid_until", "organisation_id", "job_role_id", "start_date",
           "leaving_date"]


def periods_of(user_ids: list[int] | None = None):
    """The merged runs of validity of the given people (or everyone), as rows for valid_periods.

    Ordered by the day each completion was done, a completion opens a new run only if it starts after every
    earlier one has expired; a run is then valid from its first completion until its latest expiry."""
    pair = (Completion.user_id, Completion.requirement_id)
    order = (Completion.completed_on, Completion.expires_on, Completion.id)
    expired_before = func.max(Completion.expires_on).over(partition_by=pair, order_by=order, rows=(None, -1))
    held = (select(*pair, *order, case((Completion.completed_on <= expired_before, 0), else_=1).label("opens"))
            .where(Completion.superseded_at.is_(None), Completion.expires_on > Completion.completed_on))
    if user_ids is not None:
        held = held.where(Completion.user_id.in_(user_ids))
    held = held.subquery()
    run = func.sum(held.c.opens).over(partition_by=(held.c.user_id, held.c.requirement_id),
                                      order_by=(held.c.completed_on, held.c.expires_on, held.c.id), rows=(None, 0))
    numbered = select(held.c.user_id, held.c.requirement_id, held.c.completed_on, held.c.expires_on,
                      run.label("run")).subquery()
    runs = (select(numbered.c.user_id, numbered.c.requirement_id, func.min(numbered.c.completed_on).label("valid_from"),
                   func.max(numbered.c.expires_on).label("valid_until"))
            .group_by(numbered.c.user_id, numbered.c.requirement_id, numbered.c.run).subquery())
    return (select(runs.c.user_id, runs.c.requirement_id, runs.c.valid_from, runs.c.valid_until,
                   User.organisation_id, User.job_role_id, User.start_date, User.leaving_date)
            .join(User, User.id == runs.c.user_id))


def refresh(user_ids: Iterable[int], session: Session | None = None) -> None:
    """Rewrite these people's periods from their records."""
    session = session or db.session()
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        # On PostgreSQL, two transactions rewriting the same person take turns (the second then sees the
        # first's rows and completions); the NO KEY lock leaves inserts that reference the person alone.
        session.execute(select(User.id).where(User.id.in_(chunk)).order_by(User.id).with_for_update(key_share=True))
        session.execute(delete(PERIODS).where(PERIODS.c.user_id.in_(chunk)))
        session.execute(insert(PERIODS).from_select(COLUMNS, periods_of(chunk)))


def rebuild() -> int:
    """Recompute every period from the records (`lms periods rebuild`); returns how many there are.

    On PostgreSQL the table is truncated, so reports and writes wait for the rebuild to commit: deleting
    millions of rows instead would leave the table twice its size, and every report slower, until a VACUUM FULL."""
    session = db.session()
    session.flush()
    session.info.pop(PENDING, None)
    session.execute(text("TRUNCATE valid_periods") if db.engine.dialect.name == "postgresql" else delete(PERIODS))
    session.execute(insert(PERIODS).from_select(COLUMNS, periods_of()))
    return session.scalar(select(func.count()).select_from(PERIODS))


def vacuum() -> None:
    """After a rebuild on PostgreSQL: the planner's statistics, and the visibility map that lets the report read
    the index alone. Runs outside any transaction, as VACUUM must."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE valid_periods"))


def bring_up_to_date(session: Session | None = None) -> None:
    """Flush, then rewrite the periods of everyone noted so far: the report calls this before reading them."""
    session = session or db.session()
    session.flush()
    while people := session.info.pop(PENDING, None):
        refresh(people, session)


def _note_changes(session: Session, _flush_context) -> None:
    people = set()
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Completion):
            people.update(v for v in inspect(record).attrs.user_id.history.sum() if v is not None)
        elif isinstance(record, User) and record not in session.new and (
                record in session.deleted or any(inspect(record).attrs[f].history.has_changes() for f in USER_FIELDS)):
            people.add(record.id)
    if people:
        session.info.setdefault(PENDING, set()).update(people)


def _before_commit(session: Session) -> None:
    bring_up_to_date(session)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has already applied them)
        session.info.pop(PENDING, None)


def keep_in_step(sessions) -> None:
    """Register the bookkeeping on a session factory (db.session); registering twice is a no-op."""
    for name, listener in (("after_flush", _note_changes), ("before_commit", _before_commit),
                           ("after_transaction_end", _forget)):
        if not event.contains(sessions, name, listener):
            event.listen(sessions, name, listener)


def differences() -> tuple[int, int]:
    """(periods the records imply but the table lacks, rows the records no longer imply), changing nothing."""
    fresh = periods_of()
    stored = select(*(PERIODS.c[name] for name in COLUMNS))
    return tuple(db.session.scalar(select(func.count()).select_from(a.except_(b).subquery()))
                 for a, b in ((fresh, stored), (stored, fresh)))
