"""How an audit entry is written down and hashed. Pure, and frozen: changing any of it breaks every chain.

Content serialises the same on SQLite and PostgreSQL: dates as ISO dates, timestamps as UTC ISO,
enums by value, keys sorted, no spaces.
"""
import enum
import hashlib
import json
from datetime import UTC, date, datetime

GENESIS = "0" * 64  # the "previous hash" of the first entry


def canonical(value):
    """A value as JSON can hold it, identically whichever database it was read from."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in audited content")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    return value


def dumps(value) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, table: str, row_id: int, action: str, actor_id: int | None, person_id: int | None,
               at: datetime, content: str) -> str:
    """SHA-256 over the previous entry's hash and every field of this one."""
    payload = dumps([prev_hash, table, row_id, action, actor_id, person_id, at, content])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def differences(recorded: dict, current: dict) -> list[tuple[str, object, object]]:
    """(field, what the audit trail says, what the row holds) for each field the trail recorded that differs."""
    return [(key, recorded[key], current.get(key)) for key in sorted(recorded) if current.get(key) != recorded[key]]
