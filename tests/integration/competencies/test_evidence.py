"""Evidence arrives by itself from passed courses and attended sessions, and leaves when a register is corrected."""
from datetime import date, timedelta

from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.competencies import services
from lms.competencies.models import Evidence
from lms.competencies.rules import EvidenceKind, EvidenceSource, RecordStatus
from lms.compliance.models import Completion, Requirement
from lms.db import utcnow
from lms.events import services as events
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of
from tests.integration.events.conftest import book


def test_passing_recognise_and_refer_is_knowledge_towards_aa1_not_the_unit(team):
    pass_course(team.learner, "recognise-and-refer", date(2026, 3, 2))
    record = record_of(team.learner, "AA1")
    assert (record.status, record.ready) == (RecordStatus.WORKING_TOWARDS, False)
    [evidence] = record.evidence
    assert (evidence.kind, evidence.source, evidence.occurred_on) == (EvidenceKind.KNOWLEDGE, EvidenceSource.COURSE, date(2026, 3, 2))
    assert evidence.description.startswith("Passed Recognising and referring parental substance misuse (version ")
    assert record.assessment.missing == (EvidenceKind.OBSERVATION,)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.table_name == "competency_evidence"))
    assert (entry.action, entry.row_id, entry.person_id) == ("evidence.added", evidence.id, team.learner.id)


def test_each_shipped_course_evidences_exactly_the_units_it_claims(team):
    pass_course(team.learner, "safeguarding-children-substance-misuse")
    pass_course(team.learner, "hidden-harm-awareness")
    pass_course(team.learner, "caf-early-help")
    assert record_of(team.learner, "AA1") is None  # awareness is not evidence towards AA1
    assert len(record_of(team.learner, "AB5.2014").evidence) == 1
    assert len(record_of(team.learner, "AB7.2014").evidence) == 2  # safeguarding and CAF both teach it


def test_attendance_is_knowledge_evidence_and_a_corrected_register_sets_it_aside(team, make_event, coordinator_of):
    event = make_event(danos_units=["AA1"], title="Recognising and referring: practice workshop")
    booking = book(event, team.learner)
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=8), utcnow() - timedelta(hours=2)
    db.session.commit()
    coordinator = coordinator_of(team)

    events.mark_attendance(events.lock_event(event.id), team.learner, True, coordinator, utcnow())
    db.session.commit()
    record = record_of(team.learner, "AA1")
    [evidence] = record.evidence
    assert (evidence.source, evidence.booking_id, evidence.added_by_id) == (EvidenceSource.SESSION, booking.id, coordinator.id)
    assert evidence.description == f"Attended Recognising and referring: practice workshop ({event.code})"

    events.mark_attendance(events.lock_event(event.id), team.learner, False, coordinator, utcnow())
    db.session.commit()
    record = record_of(team.learner, "AA1")
    [evidence] = record.evidence
    assert evidence.set_aside_at is not None and evidence.set_aside_reason == "register corrected: did not attend"
    assert record.assessment.missing == (EvidenceKind.KNOWLEDGE, EvidenceKind.OBSERVATION)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.table_name == "competency_evidence")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["evidence.added", "evidence.set_aside"]


def test_new_evidence_after_a_withdrawal_makes_it_working_towards_again(team):
    pass_course(team.learner, "recognise-and-refer")
    unit = record_of(team.learner, "AA1").unit
    services.add_note(team.learner, unit, EvidenceSource.OBSERVATION, date(2026, 3, 3), "Saw a good referral.", team.manager)
    services.sign_off(record_of(team.learner, "AA1"), team.manager, "Meets the standard.")
    services.withdraw(record_of(team.learner, "AA1"), team.manager, "The referral was not followed up.")
    db.session.commit()
    assert record_of(team.learner, "AA1").status == RecordStatus.WITHDRAWN

    services.add_note(team.learner, unit, EvidenceSource.SUPERVISION, date(2026, 3, 20), "Followed up well.", team.manager)
    db.session.commit()
    record = record_of(team.learner, "AA1")
    assert (record.status, record.ready) == (RecordStatus.WORKING_TOWARDS, True)
    assert [d.action.value for d in record.decisions] == ["signed_off", "withdrawn"]
    assert db.session.scalar(select(Evidence).where(Evidence.source == EvidenceSource.SUPERVISION)).added_by_id == team.manager.id


def test_a_register_imported_from_paper_and_then_corrected_withdraws_both_the_completion_and_the_evidence(
        runner, tmp_path, team, make_event):
    requirement = Requirement(slug="recognise-and-refer", title="Recognising and referring", courses=[])
    db.session.add(requirement)
    db.session.commit()
    event = make_event(danos_units=["AA1"], requirements=[requirement])
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=8), utcnow() - timedelta(hours=2)
    db.session.commit()
    register = tmp_path / "attendance.csv"
    for attended in ("yes", "no"):
        register.write_text(f"event,employee_id,attended\n{event.code},{team.learner.employee_id},{attended}\n")
        result = runner.invoke(args=["import", "attendance", str(register)])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    [completion] = db.session.scalars(select(Completion)).all()
    assert completion.superseded_at is not None and completion.superseded_by_user_id is None
    [evidence] = record_of(team.learner, "AA1").evidence
    assert evidence.set_aside_at is not None
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
