"""`lms audit verify` holds on an untouched history and names every row changed behind the application's back."""
from datetime import date

import pytest
from sqlalchemy import func, select, text

from lms.accounts.models import Role
from lms.audit.models import AuditEntry, ChainHead
from lms.competencies import services as competencies
from lms.competencies.rules import EvidenceSource
from lms.compliance import services as compliance
from lms.compliance.models import Completion, Exemption, Requirement
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of, team  # noqa: F401 - the team fixture


@pytest.fixture
def history(make_person, team):
    """Every kind of chained write: completions, a correction, an expiry re-derived, an exemption, evidence, a sign-off."""
    admin = make_person(roles=[Role.ADMIN])
    requirement = Requirement(slug="safeguarding-children-l2", title="Safeguarding children (level 2)", courses=[])
    db.session.add(requirement)
    db.session.flush()
    first = compliance.record_completion(team.learner.id, requirement, date(2025, 2, 28), "import", note="old system")
    compliance.record_completion(team.manager.id, requirement, date(2025, 6, 1), "external", note="certificate", recorded_by_id=admin.id)
    compliance.supersede(first, "wrong date", admin, corrected_on=date(2025, 3, 1))
    compliance.update_requirement(requirement, {"validity_months": 36})
    compliance.record_exemption(team.manager.id, requirement, "long-term leave", date(2026, 1, 1), date(2026, 12, 31), admin)
    db.session.commit()
    pass_course(team.learner, "recognise-and-refer")
    competencies.add_note(team.learner, record_of(team.learner, "AA1").unit, EvidenceSource.OBSERVATION,
                          date(2026, 3, 5), "Seen at work.", team.manager)
    competencies.sign_off(record_of(team.learner, "AA1"), team.manager, "Meets AA1.")
    db.session.commit()
    return first


def behind_the_back(sql: str, **params) -> None:
    """A change made straight in the database, as someone with a SQL prompt would."""
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)
    db.session.expire_all()


def verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_untouched_history_holds(runner, history):
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["completion.recorded", "completion.recorded", "completion.recorded", "completion.superseded",
                       *["completion.expiry_rederived"] * 3, "exemption.recorded",
                       "evidence.added", "evidence.added", "competency.signed_off"]
    code, output = verify(runner)
    assert code == 0, output
    assert "The audit trail holds: 11 entries (competency_decisions 1, competency_evidence 2, completions 3, exemptions 1)" in output


def test_an_edited_row_is_named_with_the_field_that_changed(runner, history):
    first = history.id
    behind_the_back("UPDATE completions SET completed_on = '2024-01-01', note = 'made up' WHERE id = :id", id=first)
    code, output = verify(runner)
    assert code == 1
    assert (f"completions row {first}: was changed behind the application's back: completed_on is '2024-01-01' but "
            f"the audit trail says '2025-02-28'; note is 'made up' but the audit trail says 'old system'") in output


def test_a_deleted_row_is_named(runner, history):
    exemption = db.session.scalar(select(Exemption.id))
    behind_the_back("DELETE FROM exemptions WHERE id = :id", id=exemption)
    code, output = verify(runner)
    assert code == 1 and f"exemptions row {exemption}: is missing: it was deleted behind the application's back" in output


def test_an_inserted_row_is_named(runner, history):
    behind_the_back("INSERT INTO completions (id, user_id, requirement_id, completed_on, expires_on, source, note, created_at) "
                    "SELECT 999, user_id, requirement_id, '2026-01-01', '2029-01-01', 'import', 'forged', created_at "
                    "FROM completions WHERE id = :id", id=history.id)
    code, output = verify(runner)
    assert code == 1 and "completions row 999: has no audit entry: it was inserted behind the application's back" in output


def test_a_sign_off_given_behind_the_back_is_caught_twice(runner, history, team):
    pass_course(team.manager, "recognise-and-refer")
    record = record_of(team.manager, "AA1")
    behind_the_back("UPDATE competency_records SET status = 'achieved' WHERE id = :id", id=record.id)
    code, output = verify(runner)
    assert code == 1 and f"competency_records row {record.id}: says achieved, but its evidence and decisions make it working towards" in output
    behind_the_back("INSERT INTO competency_decisions (record_id, action, by_id, at, note) "
                    "VALUES (:record, 'signed_off', :by, '2026-03-10 09:00:00+00:00', 'forged')", record=record.id, by=team.learner.id)
    code, output = verify(runner)
    assert code == 1 and "competency_decisions row" in output and "has no audit entry" in output


def test_an_edited_or_removed_audit_entry_breaks_the_chain(runner, history):
    entries = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    behind_the_back("UPDATE audit_entries SET actor_id = NULL WHERE id = :id", id=entries[1])
    code, output = verify(runner)
    assert code == 1 and f"audit_entries row {entries[1]}: its content no longer matches its hash" in output

    behind_the_back("DELETE FROM audit_entries WHERE id = :id", id=entries[4])
    code, output = verify(runner)
    assert f"audit_entries row {entries[5]}: does not follow entry {entries[3]}" in output

    behind_the_back("DELETE FROM audit_entries WHERE id = :id", id=entries[-1])
    code, output = verify(runner)
    assert "audit_chain_head: says 11 entries" in output and "but the log has 9" in output


def test_the_entry_is_part_of_the_change_so_a_rollback_leaves_no_trace(app, history, team):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry)), db.session.get(ChainHead, 1).last_hash
    compliance.record_completion(team.learner.id, db.session.scalar(select(Requirement)), date(2026, 1, 5), "import")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before[0] + 1
    db.session.rollback()
    assert (db.session.scalar(select(func.count()).select_from(AuditEntry)), db.session.get(ChainHead, 1).last_hash) == before
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 3
