"""The rules of competence, as tables: what evidence and decisions make a record, and who may decide."""
from datetime import UTC, datetime

import pytest

from lms.competencies.rules import (
    Assessment, DecisionAction, DecisionFact, DisplayState, EvidenceFact, EvidenceKind, EvidenceSource, RecordStatus, assess,
    display_state, reference, sign_off_problem, split_reference, withdraw_problem,
)

K, O = EvidenceKind.KNOWLEDGE, EvidenceKind.OBSERVATION
SIGNED, WITHDRAWN = DecisionAction.SIGNED_OFF, DecisionAction.WITHDRAWN
WORKING, ACHIEVED, GONE = RecordStatus.WORKING_TOWARDS, RecordStatus.ACHIEVED, RecordStatus.WITHDRAWN


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("needed, evidence, decisions, status, ready, missing", [
    # Nothing yet, or only part of what the unit needs: working towards, not ready.
    ((K, O), [], [], WORKING, False, (K, O)),
    ((K, O), [(K, 1)], [], WORKING, False, (O,)),
    ((K, O), [(O, 1)], [], WORKING, False, (K,)),
    # Every kind it needs: ready for sign-off.
    ((K, O), [(K, 1), (O, 2)], [], WORKING, True, ()),
    ((K, O), [(K, 1), (K, 2), (O, 3)], [], WORKING, True, ()),
    # A unit that needs only knowledge is ready on a course alone.
    ((K,), [(K, 1)], [], WORKING, True, ()),
    # Signed off: achieved, and later evidence does not change that.
    ((K, O), [(K, 1), (O, 2)], [(SIGNED, 3)], ACHIEVED, False, ()),
    ((K, O), [(K, 1), (O, 2), (K, 9)], [(SIGNED, 3)], ACHIEVED, False, ()),
    # Withdrawn: stays withdrawn until new evidence arrives after the withdrawal...
    ((K, O), [(K, 1), (O, 2)], [(SIGNED, 3), (WITHDRAWN, 4)], GONE, False, ()),
    # ...then it is working towards again, and ready if every kind is there.
    ((K, O), [(K, 1), (O, 2), (O, 5)], [(SIGNED, 3), (WITHDRAWN, 4)], WORKING, True, ()),
    # Signed off again after that: achieved.
    ((K, O), [(K, 1), (O, 2), (O, 5)], [(SIGNED, 3), (WITHDRAWN, 4), (SIGNED, 6)], ACHIEVED, False, ()),
])
def test_assess(needed, evidence, decisions, status, ready, missing):
    result = assess(needed, [EvidenceFact(kind, at(day)) for kind, day in evidence],
                    [DecisionFact(action, at(day)) for action, day in decisions])
    assert (result.status, result.ready, result.missing) == (status, ready, missing)


READY = Assessment(WORKING, ())
PARTIAL = Assessment(WORKING, (O,))


@pytest.mark.parametrize("status, ready, shown, label", [
    (WORKING, False, DisplayState.WORKING_TOWARDS, "Working towards"),
    (WORKING, True, DisplayState.READY, "Ready for sign-off"),
    (ACHIEVED, False, DisplayState.ACHIEVED, "Achieved"),
    (GONE, False, DisplayState.WITHDRAWN, "Withdrawn"),
])
def test_only_a_working_towards_record_with_its_evidence_shows_as_ready_for_sign_off(status, ready, shown, label):
    assert display_state(status, ready) == shown and shown.label == label


@pytest.mark.parametrize("assessment, is_self, manager, problem", [
    (READY, False, True, None),
    (READY, True, True, "You cannot sign off your own competence"),
    (READY, False, False, "Only their line manager"),
    (PARTIAL, False, True, "until there is evidence of observed practice"),
    (Assessment(ACHIEVED, ()), False, True, "already signed off"),
    (Assessment(GONE, ()), False, True, "was withdrawn"),
])
def test_who_may_sign_off_and_when(assessment, is_self, manager, problem):
    found = sign_off_problem(assessment, is_self=is_self, is_their_manager=manager)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("assessment, is_self, manager, problem", [
    (Assessment(ACHIEVED, ()), False, True, None),
    (Assessment(ACHIEVED, ()), True, True, "You cannot withdraw your own competence"),
    (Assessment(ACHIEVED, ()), False, False, "Only their line manager"),
    (READY, False, True, "Only a competence that has been signed off"),
    (Assessment(GONE, ()), False, True, "Only a competence that has been signed off"),
])
def test_who_may_withdraw_and_when(assessment, is_self, manager, problem):
    found = withdraw_problem(assessment, is_self=is_self, is_their_manager=manager)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("text, code, version, back", [
    ("AA1", "AA1", "original", "AA1"),
    ("ab5.2014", "AB5", "2014", "AB5.2014"),
    (" AF3.2014 ", "AF3", "2014", "AF3.2014"),
])
def test_references_as_skills_for_health_writes_them(text, code, version, back):
    assert split_reference(text) == (code, version)
    assert reference(code, version) == back


def test_courses_and_sessions_give_knowledge_and_managers_notes_give_observation():
    assert {s: s.kind for s in EvidenceSource} == {
        EvidenceSource.COURSE: K, EvidenceSource.SESSION: K, EvidenceSource.OBSERVATION: O, EvidenceSource.SUPERVISION: O}
