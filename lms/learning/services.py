"""Writes for learning: loading content, progress, attempts, completions, local contacts. Flush only."""
import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update

from lms.accounts.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.learning.content import Content
from lms.learning.models import (
    Attempt, Course, CourseCompletion, CoursePage, CourseVersion, LocalContacts, Progress, QuestionBank,
)
from lms.learning.queries import bank_for, progress_of
from lms.learning.signals import course_completed
from lms.learning.rules import certificate_code, draw_questions, failed_twice_in_a_row, mark, may_open, pages_to_reread


@dataclass
class SyncReport:
    lines: list[str] = field(default_factory=list)


def sync_content(content: Content) -> SyncReport:
    """Load checked content: a changed course gets a new version; earlier versions are kept."""
    assert not content.problems, "sync only content without problems"
    report = SyncReport()
    for bank in content.banks:
        row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank.slug))
        if row is None:
            db.session.add(QuestionBank(slug=bank.slug, title=bank.title, draw=bank.draw, pass_mark=bank.pass_mark,
                                        questions=bank.questions, content_hash=bank.content_hash))
            report.lines.append(f"quizzes/{bank.slug}.yaml: added ({len(bank.questions)} questions)")
        elif row.content_hash != bank.content_hash:
            row.title, row.draw, row.pass_mark, row.questions = bank.title, bank.draw, bank.pass_mark, bank.questions
            row.content_hash, row.updated_at = bank.content_hash, utcnow()
            report.lines.append(f"quizzes/{bank.slug}.yaml: updated ({len(bank.questions)} questions)")

    seen = set()
    for spec in content.courses:
        seen.add(spec.slug)
        course = db.session.scalar(select(Course).where(Course.slug == spec.slug))
        if course is None:
            course = Course(slug=spec.slug)
            db.session.add(course)
            db.session.flush()
        course.published = True
        latest = db.session.scalar(
            select(CourseVersion).where(CourseVersion.course_id == course.id).order_by(CourseVersion.version.desc()).limit(1)
        )
        if latest is not None and latest.content_hash == spec.content_hash:
            continue
        number = spec.version if latest is None else max(spec.version, latest.version + 1)
        version = CourseVersion(
            course_id=course.id, version=number, content_hash=spec.content_hash, title=spec.title,
            summary=spec.summary, minutes=spec.minutes, audience=spec.audience, level=spec.level,
            requirements=spec.requirements, danos_units=spec.danos_units, quiz_slug=spec.quiz,
            local_contacts_required=spec.local_contacts_required,
        )
        db.session.add(version)
        db.session.flush()
        for position, page in enumerate(spec.pages, start=1):
            db.session.add(CoursePage(course_version_id=version.id, position=position, name=page.name,
                                      title=page.title, kind=page.kind, markdown=page.markdown))
        report.lines.append(f"courses/{spec.slug}: {'added' if latest is None else 'changed'}, now version {number} ({len(spec.pages)} pages)")
    for course in db.session.scalars(select(Course).where(Course.published, Course.slug.not_in(seen))):
        course.published = False
        report.lines.append(f"courses/{course.slug}: folder gone, unpublished (records kept)")
    db.session.flush()
    return report


def progress_for(user: User, version: CourseVersion, create: bool = False) -> Progress | None:
    row = progress_of(user, version)
    if row is None and create:
        row = Progress(user_id=user.id, course_version_id=version.id, last_position=1, furthest_position=0)
        db.session.add(row)
        db.session.flush()
    return row


def record_page_opened(user: User, version: CourseVersion, position: int) -> bool:
    """The learner opened a page: remember where they are, and that a page they had to re-read has been."""
    progress = progress_for(user, version, create=True)
    if not may_open(position, progress.furthest_position):
        return False
    progress.last_position = position
    if position in progress.pages_to_reread:
        progress.pages_to_reread = [p for p in progress.pages_to_reread if p != position]
    db.session.flush()
    return True


def record_page_read(user: User, version: CourseVersion, position: int) -> bool:
    """The learner finished a page. It counts only in order: the next unread page, or one already read."""
    progress = progress_for(user, version, create=True)
    if not may_open(position, progress.furthest_position):
        return False
    progress.last_position = min(position + 1, len(version.pages))
    progress.furthest_position = max(progress.furthest_position, position)
    db.session.flush()
    return True


def save_local_contacts(user: User, values: dict[str, str]) -> LocalContacts:
    row = db.session.get(LocalContacts, user.id)
    if row is None:
        row = LocalContacts(user_id=user.id, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    return row


def start_attempt(user: User, version: CourseVersion, rng: random.Random | None = None) -> Attempt:
    bank = bank_for(version)
    questions = draw_questions(bank.questions, bank.draw, rng or random.SystemRandom())
    attempt = Attempt(user_id=user.id, course_version_id=version.id, pass_mark=bank.pass_mark, questions=questions)
    db.session.add(attempt)
    db.session.flush()
    return attempt


class AlreadySubmitted(Exception):
    pass


def submit_attempt(attempt_id: int, answers: dict[str, list[str]], today: date) -> Attempt:
    """Score once. The write is conditional on the attempt still being open, so of any simultaneous
    submissions exactly one updates the row; only that one records a completion. The others raise."""
    attempt = db.session.get(Attempt, attempt_id)
    result = mark(attempt.questions, answers, attempt.pass_mark)  # the drawn questions never change
    scored = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(answers=answers, score=result.correct, passed=result.passed, submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if scored.rowcount != 1:
        raise AlreadySubmitted
    db.session.refresh(attempt)
    if result.passed:
        completion = CourseCompletion(
            user_id=attempt.user_id, course_version_id=attempt.course_version_id, attempt_id=attempt.id,
            completed_on=today, score_percent=result.percent, certificate_code=certificate_code(),
        )
        db.session.add(completion)
        db.session.flush()
        course_completed.send(completion)
    else:
        _ask_for_rereads_after_repeated_fails(attempt, result.per_question)
    db.session.flush()
    return attempt


def _ask_for_rereads_after_repeated_fails(attempt: Attempt, per_question: list[bool]) -> None:
    """Two fails in a row on one version: the pages behind this attempt's wrong answers must be opened again."""
    history = list(db.session.scalars(
        select(Attempt.passed).where(Attempt.user_id == attempt.user_id, Attempt.course_version_id == attempt.course_version_id,
                                     Attempt.submitted_at.is_not(None)).order_by(Attempt.submitted_at, Attempt.id)
    ))
    if not failed_twice_in_a_row(history):
        return
    version = attempt.course_version
    pages = pages_to_reread(attempt.questions, per_question, {page.name: page.position for page in version.pages})
    if pages:
        progress = progress_for(attempt.user, version, create=True)
        progress.pages_to_reread = sorted(set(progress.pages_to_reread) | set(pages))
