"""Reads for learning pages, the home page and certificates."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Attempt, Course, CourseCompletion, CourseVersion, LocalContacts, Progress, QuestionBank
from lms.learning.rules import Readiness, progress_words


@dataclass
class CourseStatus:
    version: CourseVersion
    pages: int
    progress: Progress | None
    completion: CourseCompletion | None  # the latest, on any version

    @property
    def label(self) -> str:
        if self.completion:
            return "Completed"
        if self.progress:
            return progress_words(self.progress.furthest_position, self.progress.last_position, self.pages)[0]
        return "Not started"

    @property
    def progress_detail(self) -> str:
        """Where the learner has got to, e.g. "page 1 of 9" or "read 4 of 9 pages"; empty before they start."""
        if not self.progress:
            return ""
        return progress_words(self.progress.furthest_position, self.progress.last_position, self.pages)[1]


def _current_versions():
    """The highest version of each published course."""
    latest = select(CourseVersion.course_id, func.max(CourseVersion.version).label("version")).group_by(CourseVersion.course_id).subquery()
    return (
        select(CourseVersion)
        .join(latest, (latest.c.course_id == CourseVersion.course_id) & (latest.c.version == CourseVersion.version))
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Course.published)
    )


def published_version(slug: str) -> CourseVersion | None:
    return db.session.scalar(
        _current_versions()
        .where(Course.slug == slug)
        .options(selectinload(CourseVersion.pages), joinedload(CourseVersion.course))
    )


def catalogue(user: User) -> list[CourseStatus]:
    """Every published course with the learner's progress and latest completion, in three queries."""
    versions = db.session.scalars(
        _current_versions()
        .options(selectinload(CourseVersion.pages), joinedload(CourseVersion.course))
        .order_by(CourseVersion.title)
    ).all()
    progress = {p.course_version_id: p for p in db.session.scalars(select(Progress).where(Progress.user_id == user.id))}
    latest = {}
    for completion in completions_of(user):
        latest.setdefault(completion.course_version.course_id, completion)
    return [CourseStatus(v, len(v.pages), progress.get(v.id), latest.get(v.course_id)) for v in versions]


def course_status(user: User, version: CourseVersion) -> CourseStatus:
    return CourseStatus(version, len(version.pages), progress_of(user, version), latest_completion(user, version.course_id))


def progress_of(user: User, version: CourseVersion) -> Progress | None:
    return db.session.scalar(select(Progress).where(Progress.user_id == user.id, Progress.course_version_id == version.id))


def readiness(user: User, version: CourseVersion) -> Readiness:
    """Whether the learner may start the assessment, and if not, what to do first."""
    progress = progress_of(user, version)
    return Readiness(
        pages_read=progress.furthest_position if progress else 0,
        total=len(version.pages),
        to_reread=tuple(progress.pages_to_reread) if progress else (),
        contacts_missing=version.local_contacts_required and local_contacts_of(user) is None,
    )


def completions_of(user: User) -> list[CourseCompletion]:
    """Newest first."""
    return list(db.session.scalars(
        select(CourseCompletion)
        .where(CourseCompletion.user_id == user.id)
        .options(joinedload(CourseCompletion.course_version).joinedload(CourseVersion.course))
        .order_by(CourseCompletion.completed_on.desc(), CourseCompletion.id.desc())
    ))


def latest_completion(user: User, course_id: int) -> CourseCompletion | None:
    return db.session.scalar(
        select(CourseCompletion)
        .join(CourseVersion, CourseVersion.id == CourseCompletion.course_version_id)
        .where(CourseCompletion.user_id == user.id, CourseVersion.course_id == course_id)
        .order_by(CourseCompletion.completed_on.desc(), CourseCompletion.id.desc())
        .limit(1)
    )


def attempts_on(user: User, version: CourseVersion) -> list[Attempt]:
    return list(db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.course_version_id == version.id,
                              Attempt.submitted_at.is_not(None)).order_by(Attempt.id.desc())
    ))


def open_attempt(user: User, version: CourseVersion) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.course_version_id == version.id,
                              Attempt.submitted_at.is_(None)).order_by(Attempt.id.desc()).limit(1)
    )


def completion_by_code(code: str) -> CourseCompletion | None:
    return db.session.scalar(
        select(CourseCompletion)
        .where(func.upper(CourseCompletion.certificate_code) == code.strip().upper())
        .options(joinedload(CourseCompletion.user), joinedload(CourseCompletion.course_version))
    )


def local_contacts_of(user: User) -> LocalContacts | None:
    return db.session.get(LocalContacts, user.id)


def bank_for(version: CourseVersion) -> QuestionBank | None:
    return db.session.scalar(select(QuestionBank).where(QuestionBank.slug == version.quiz_slug))


def published_titles() -> dict[str, str]:
    """The current title of each published course, by slug: what pages need to name a course."""
    return dict(db.session.execute(_PUBLISHED_TITLES).all())


def published_courses() -> list[CourseVersion]:
    """The current version of every published course, by title."""
    return list(db.session.scalars(_current_versions().options(joinedload(CourseVersion.course)).order_by(CourseVersion.title)))


# Built once: pages ask for course titles on every request.
_PUBLISHED_TITLES = _current_versions().with_only_columns(Course.slug, CourseVersion.title)
