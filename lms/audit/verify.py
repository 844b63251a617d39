"""`lms audit verify`: does the chain hold, and do the chained tables still say what it recorded?

Four checks, each reading in id order with bounded memory:
(a) every entry's hash matches its content and links to the entry before it, and the head agrees;
(b) each row equals the content of its latest entry (edited behind the application's back);
(c) each row that has entries still exists (deleted);
(d) each row has an entry (inserted).
Then each area's own checks (registry.check), e.g. that stored states still follow from audited rows.
"""
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.audit import rules
from lms.audit.models import AuditEntry, ChainHead
from lms.audit.registry import CHAINED, CHECKS, Chained
from lms.extensions import db

BATCH = 2000


@dataclass(frozen=True)
class Finding:
    table: str
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.message}"


@dataclass
class Verification:
    findings: list[Finding] = field(default_factory=list)
    entries: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    head_hash: str = rules.GENESIS

    @property
    def ok(self) -> bool:
        return not self.findings


def verify() -> Verification:
    result = Verification()
    result.findings.extend(_chain(result))
    for spec in CHAINED.values():
        result.findings.extend(_rows(spec, result))
    for find in CHECKS:
        result.findings.extend(find())
    return result


def _chain(result: Verification) -> Iterator[Finding]:
    prev_hash, last = rules.GENESIS, None
    columns = (AuditEntry.id, AuditEntry.table_name, AuditEntry.row_id, AuditEntry.action, AuditEntry.actor_id,
               AuditEntry.person_id, AuditEntry.at, AuditEntry.content, AuditEntry.prev_hash, AuditEntry.hash)
    for entry in db.session.execute(select(*columns).order_by(AuditEntry.id).execution_options(yield_per=BATCH)):
        result.entries += 1
        about = f"({entry.action} of {entry.table_name} row {entry.row_id})"
        if entry.prev_hash != prev_hash:
            yield Finding("audit_entries", entry.id, f"does not follow entry {last or 'none'} {about}: an entry "
                          "before it was removed or inserted, or the link was changed")
        expected = rules.entry_hash(entry.prev_hash, entry.table_name, entry.row_id, entry.action, entry.actor_id,
                                    entry.person_id, entry.at, entry.content)
        if entry.hash != expected:
            yield Finding("audit_entries", entry.id, f"its content no longer matches its hash {about}: the entry "
                          "was changed")
        prev_hash, last = entry.hash, entry.id
    result.head_hash = prev_hash
    head = db.session.get(ChainHead, 1)
    if head is None:
        if result.entries:
            yield Finding("audit_chain_head", None, "is missing, but there are entries")
    elif (head.entries, head.last_hash) != (result.entries, prev_hash):
        yield Finding("audit_chain_head", None, f"says {head.entries} entries ending {head.last_hash[:12]}, but the "
                      f"log has {result.entries} ending {prev_hash[:12]}: entries were removed from or added to the end")


def _latest_entries(spec: Chained):
    latest = (select(func.max(AuditEntry.id).label("id")).where(AuditEntry.table_name == spec.table)
              .group_by(AuditEntry.row_id).subquery())
    return db.session.execute(
        select(AuditEntry.id, AuditEntry.row_id, AuditEntry.action, AuditEntry.content)
        .join(latest, latest.c.id == AuditEntry.id).order_by(AuditEntry.row_id).execution_options(yield_per=BATCH)
    )


def _current_rows(spec: Chained):
    table = spec.model.__table__
    key = next(column for column in table.columns if column.primary_key)
    columns = [key.label("_id"), *(table.c[name] for name in spec.fields)]
    return db.session.execute(select(*columns).order_by(key).execution_options(yield_per=BATCH))


def _rows(spec: Chained, result: Verification) -> Iterator[Finding]:
    """Walk the rows and their latest entries side by side, both in id order."""
    entries, rows = iter(_latest_entries(spec)), iter(_current_rows(spec))
    entry, row = next(entries, None), next(rows, None)
    count = 0
    while entry is not None or row is not None:
        if row is not None and (entry is None or row._id < entry.row_id):
            count += 1
            yield Finding(spec.table, row._id, "has no audit entry: it was inserted behind the application's back")
            row = next(rows, None)
        elif row is None or entry.row_id < row._id:
            yield Finding(spec.table, entry.row_id, f"is missing: it was deleted behind the application's back "
                          f"(its last audit entry is {entry.id}, {entry.action})")
            entry = next(entries, None)
        else:
            count += 1
            recorded = json.loads(entry.content)
            current = {name: rules.canonical(row._mapping[name]) for name in spec.fields}
            changed = rules.differences(recorded, current)
            if changed:
                detail = "; ".join(f"{name} is {now!r} but the audit trail says {was!r}" for name, was, now in changed)
                yield Finding(spec.table, row._id, f"was changed behind the application's back: {detail} "
                              f"(audit entry {entry.id}, {entry.action})")
            entry, row = next(entries, None), next(rows, None)
    result.rows[spec.table] = count
