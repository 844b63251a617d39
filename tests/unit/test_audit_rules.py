"""The audit trail's hashing rules: the same text on every database, and every field covered."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from lms.accounts.models import Sector
from lms.audit.rules import GENESIS, canonical, differences, dumps, entry_hash


def test_canonical_content_is_the_same_whichever_database_read_it():
    london = datetime(2026, 7, 1, 10, 30, 0, 123456, tzinfo=ZoneInfo("Europe/London"))
    assert canonical(london) == "2026-07-01T09:30:00.123456+00:00"  # UTC, whatever zone it came in
    assert canonical(date(2024, 2, 29)) == "2024-02-29"
    assert canonical(Sector.DRUG_ALCOHOL) == "drug-alcohol"  # enums by value
    assert dumps({"b": 1, "a": [date(2026, 1, 2)], "c": None}) == '{"a":["2026-01-02"],"b":1,"c":null}'
    with pytest.raises(ValueError):
        canonical(datetime(2026, 1, 1))


FIELDS = dict(prev_hash=GENESIS, table="completions", row_id=7, action="completion.recorded", actor_id=3, person_id=9,
              at=datetime(2026, 3, 1, 12, tzinfo=UTC), content='{"note":"x"}')


def test_the_hash_is_stable_and_covers_every_field():
    first = entry_hash(**FIELDS)
    assert first == entry_hash(**FIELDS) and len(first) == 64
    changed = {"prev_hash": "1" * 64, "table": "exemptions", "row_id": 8, "action": "completion.superseded",
               "actor_id": None, "person_id": 10, "at": datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC), "content": '{"note":"y"}'}
    for name, value in changed.items():
        assert entry_hash(**(FIELDS | {name: value})) != first, name


def test_differences_name_each_field_that_changed():
    assert differences({"a": 1, "b": "x"}, {"a": 1, "b": "y", "new": 2}) == [("b", "x", "y")]
