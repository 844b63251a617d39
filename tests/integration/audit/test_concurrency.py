"""Writers racing to append never fork the chain: each waits for the head (PostgreSQL in CI, SQLite by default)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry, ChainHead
from lms.audit.verify import verify
from lms.compliance import services
from lms.compliance.models import Requirement
from lms.extensions import db
from tests.integration.events.test_concurrency import roomy_app, run_together  # noqa: F401 - a fixture and a helper


@pytest.mark.parametrize("started", [True, False], ids=["chain-under-way", "chain-not-yet-started"])
def test_thirty_simultaneous_completions_make_one_unbroken_chain(roomy_app, make_person, started):  # noqa: F811
    requirement = Requirement(slug="hidden-harm-awareness", title="Hidden Harm awareness", courses=[])
    db.session.add(requirement)
    db.session.commit()
    people = [make_person().id for _ in range(30)]
    if started:
        services.record_completion(people[0], requirement, date(2026, 3, 1), "import")
        db.session.commit()
    assert (db.session.get(ChainHead, 1) is not None) == started
    requirement_id = requirement.id

    def record(index):
        with roomy_app.app_context():
            services.record_completion(people[index], db.session.get(Requirement, requirement_id), date(2026, 3, 2), "import")
            db.session.commit()

    run_together(30, record)
    db.session.expire_all()
    total = 30 + started
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == total
    assert len(set(db.session.scalars(select(AuditEntry.prev_hash)))) == total  # no two follow the same entry: no fork
    head = db.session.get(ChainHead, 1)
    result = verify()
    assert result.ok, [str(f) for f in result.findings]
    assert (head.entries, head.last_hash) == (total, result.head_hash)
