"""Pure rules of competence: unit references, what a record's evidence and decisions make it, who may decide.

A unit lists the kinds of evidence it needs. A course or session gives knowledge; a manager's observation
or supervision note gives observed practice. A record is ready for sign-off when every kind it needs is
present; sign-off makes it achieved; a withdrawal makes it withdrawn until new evidence arrives.
"""
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

ORIGINAL = "original"  # the version of units in the first DANOS suite: referred to by the bare code


def reference(code: str, version: str) -> str:
    """How Skills for Health writes a unit: AA1 for the original suite, AB5.2014 for a reviewed unit."""
    return code if version == ORIGINAL else f"{code}.{version}"


def split_reference(text: str) -> tuple[str, str]:
    code, _, version = text.strip().upper().partition(".")
    return code, version or ORIGINAL


class EvidenceKind(enum.StrEnum):
    KNOWLEDGE = "knowledge"
    OBSERVATION = "observation"

    @property
    def label(self) -> str:
        return {"knowledge": "Knowledge", "observation": "Observed practice"}[self.value]

    @property
    def needs(self) -> str:
        """What someone still has to do to supply it."""
        return {"knowledge": "pass a course or attend a session that teaches it",
                "observation": "be observed at work, or discuss a case in supervision, and have your manager record it"}[self.value]


class EvidenceSource(enum.StrEnum):
    COURSE = "course"
    SESSION = "session"
    OBSERVATION = "observation"
    SUPERVISION = "supervision"

    @property
    def kind(self) -> EvidenceKind:
        return EvidenceKind.KNOWLEDGE if self in (EvidenceSource.COURSE, EvidenceSource.SESSION) else EvidenceKind.OBSERVATION

    @property
    def label(self) -> str:
        return {"course": "Course passed", "session": "Session attended", "observation": "Manager's observation",
                "supervision": "Supervision note"}[self.value]


class RecordStatus(enum.StrEnum):
    WORKING_TOWARDS = "working_towards"
    ACHIEVED = "achieved"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"working_towards": "Working towards", "achieved": "Achieved", "withdrawn": "Withdrawn"}[self.value]


class DisplayState(enum.StrEnum):
    """What a record shows its readers: its status, with ready for sign-off told apart from working towards."""
    READY = "ready"
    WORKING_TOWARDS = "working_towards"
    ACHIEVED = "achieved"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return "Ready for sign-off" if self == DisplayState.READY else RecordStatus(self.value).label


def display_state(status: RecordStatus, ready: bool) -> DisplayState:
    """The one place that decides "ready for sign-off": pages, tags and counts all ask here."""
    return DisplayState.READY if status == RecordStatus.WORKING_TOWARDS and ready else DisplayState(status.value)


class DecisionAction(enum.StrEnum):
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"signed_off": "Signed off", "withdrawn": "Withdrawn"}[self.value]


@dataclass(frozen=True)
class EvidenceFact:
    kind: EvidenceKind
    added_at: datetime


@dataclass(frozen=True)
class DecisionFact:
    action: DecisionAction
    at: datetime


@dataclass(frozen=True)
class Assessment:
    status: RecordStatus
    missing: tuple[EvidenceKind, ...]  # kinds the unit needs that no live evidence gives yet

    @property
    def ready(self) -> bool:
        """Working towards, with every kind of evidence the unit needs: a manager may sign it off."""
        return self.status == RecordStatus.WORKING_TOWARDS and not self.missing


def assess(needed: Iterable[EvidenceKind], evidence: Iterable[EvidenceFact], decisions: list[DecisionFact]) -> Assessment:
    """The record's state from its live evidence (set-aside items left out) and its decisions in the order made."""
    evidence = list(evidence)
    held = {item.kind for item in evidence}
    missing = tuple(kind for kind in EvidenceKind if kind in set(needed) and kind not in held)
    last = decisions[-1] if decisions else None
    if last is None:
        status = RecordStatus.WORKING_TOWARDS
    elif last.action == DecisionAction.SIGNED_OFF:
        status = RecordStatus.ACHIEVED
    elif any(item.added_at > last.at for item in evidence):
        status = RecordStatus.WORKING_TOWARDS
    else:
        status = RecordStatus.WITHDRAWN
    return Assessment(status, missing)


def kinds_text(kinds: Iterable[EvidenceKind]) -> str:
    return " and ".join(kind.label.lower() for kind in kinds)


def sign_off_problem(assessment: Assessment, *, is_self: bool, is_their_manager: bool) -> str | None:
    """Why this person may not sign this record off now, or None."""
    if is_self:
        return "You cannot sign off your own competence. Ask your manager"
    if not is_their_manager:
        return "Only their line manager, or a manager above them, can sign this off"
    if assessment.status == RecordStatus.ACHIEVED:
        return "This competence is already signed off"
    if assessment.status == RecordStatus.WITHDRAWN:
        return "This competence was withdrawn. It can be signed off again once new evidence is recorded"
    if assessment.missing:
        return f"It cannot be signed off until there is evidence of {kinds_text(assessment.missing)}"
    return None


def withdraw_problem(assessment: Assessment, *, is_self: bool, is_their_manager: bool) -> str | None:
    """Why this person may not withdraw this record now, or None."""
    if is_self:
        return "You cannot withdraw your own competence. Ask your manager"
    if not is_their_manager:
        return "Only their line manager, or a manager above them, can withdraw this"
    if assessment.status != RecordStatus.ACHIEVED:
        return "Only a competence that has been signed off can be withdrawn"
    return None


def note_problem(*, is_self: bool, is_their_manager: bool) -> str | None:
    """Why this person may not record an observation or supervision note for this person, or None."""
    if is_self:
        return "You cannot record an observation of your own practice. Ask your manager"
    if not is_their_manager:
        return "Only their line manager, or a manager above them, can record an observation"
    return None
