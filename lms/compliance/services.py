"""Compliance writes and the computed views built on the rules. Flush only; callers commit."""
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, RoleGrant, User
from lms.accounts.queries import team_of
from lms.audit import services as audit
from lms.compliance import rules
from lms.compliance.models import Completion, Exemption, Requirement, RoleRequirement
from lms.compliance.queries import requirements_of, rule_of
from lms.db import utcnow
from lms.extensions import db
from lms.learning.models import CourseCompletion
from lms.notify.models import OutboxMessage
from lms.notify.services import queue_email


@dataclass(frozen=True)
class RequirementStatus:
    person: User
    requirement: Requirement
    status: rules.StatusOn


def statuses(people: list[User], day: date) -> dict[int, list[RequirementStatus]]:
    """Every requirement of each person's role with its status on `day` (one query a thousand people).

    Any object with the person's id and start_date will do, such as a row of a list of people."""
    required = requirements_of(people, day)
    return {
        person.id: [
            RequirementStatus(person, requirement, rules.status_on(
                [latest] if latest else [], rule_of(requirement), person.start_date, day, exempt_until,
            ))
            for requirement, latest, exempt_until in required[person.id]
        ]
        for person in people
    }


def record_completion(person_id: int, requirement: Requirement, completed_on: date, source: str, *,
                      note: str = "", course_completion_id: int | None = None, recorded_by_id: int | None = None) -> Completion:
    completion = Completion(
        user_id=person_id, requirement_id=requirement.id, completed_on=completed_on,
        expires_on=rules.expires_on(completed_on, requirement.validity_months), source=source, note=note,
        course_completion_id=course_completion_id, recorded_by_id=recorded_by_id,
    )
    db.session.add(completion)
    audit.record(completion, "completion.recorded", actor_id=recorded_by_id)
    return completion


def update_requirement(requirement: Requirement, values: dict, job_role_ids: set[int] | None = None) -> None:
    """Change a requirement; a new validity re-derives every completion's expiry. Roles listed replace its roles."""
    validity_changed = "validity_months" in values and values["validity_months"] != requirement.validity_months
    for key, value in values.items():
        setattr(requirement, key, value)
    if validity_changed:
        for completion in db.session.scalars(select(Completion).where(Completion.requirement_id == requirement.id)):
            expires_on = rules.expires_on(completion.completed_on, requirement.validity_months)
            if expires_on != completion.expires_on:
                completion.expires_on = expires_on
                audit.record(completion, "completion.expiry_rederived")
    if job_role_ids is not None:
        db.session.execute(delete(RoleRequirement).where(RoleRequirement.requirement_id == requirement.id))
        db.session.add_all(RoleRequirement(job_role_id=role_id, requirement_id=requirement.id) for role_id in job_role_ids)
    db.session.flush()


def supersede(completion: Completion, reason: str, by: User | None, corrected_on: date | None = None) -> Completion | None:
    """Corrections never edit a record: it is set aside with who and why, and a corrected one may replace it.
    `by` is None for a command, such as a register imported from paper."""
    by_id = by.id if by else None
    replacement = None
    if corrected_on is not None:
        replacement = record_completion(completion.user_id, completion.requirement, corrected_on, completion.source,
                                        note=f"correction: {reason}", recorded_by_id=by_id)
    completion.superseded_at = utcnow()
    completion.superseded_by_user_id = by_id
    completion.superseded_reason = reason
    completion.replaced_by_id = replacement.id if replacement else None
    audit.record(completion, "completion.superseded", actor_id=by_id)
    return replacement


def record_exemption(person_id: int, requirement: Requirement, reason: str, starts_on: date, ends_on: date,
                     by: User) -> Exemption:
    exemption = Exemption(user_id=person_id, requirement_id=requirement.id, reason=reason, starts_on=starts_on,
                          ends_on=ends_on, recorded_by_id=by.id)
    db.session.add(exemption)
    audit.record(exemption, "exemption.recorded", actor_id=by.id)
    return exemption


def on_course_completed(course_completion: CourseCompletion, **_) -> None:
    """A passed course satisfies every requirement that names the course."""
    slug = course_completion.course_version.course.slug
    for requirement in db.session.scalars(select(Requirement)):
        if slug in (requirement.courses or []):
            record_completion(course_completion.user_id, requirement, course_completion.completed_on, "course",
                              note=f"{course_completion.course_version.title} (version {course_completion.course_version.version})",
                              course_completion_id=course_completion.id)


# --- reminders ---

def send_reminders(day: date) -> int:
    """Queue the latest due reminder stage for every overdue or soon-due item; each stage only once.

    The outbox's unique dedupe key makes a second run, or a run on another host at the same time,
    queue nothing twice: the insert of a key that exists is skipped.
    """
    people = list(db.session.scalars(
        select(User).where(User.active, User.start_date <= day)
        .where((User.leaving_date.is_(None)) | (User.leaving_date >= day))
    ))
    queued = 0
    for person_statuses in statuses(people, day).values():
        for item in person_statuses:
            stage = rules.reminder_stage(item.status, day)
            if stage is None:
                continue
            key = f"reminder:{item.person.id}:{item.requirement.id}:{item.status.due.isoformat()}:{stage}"
            if _queue_once(key, item.person.email, _reminder_subject(item), _reminder_body(item, stage)):
                queued += 1
    return queued


def _queue_once(key: str, to: str, subject: str, body: str) -> bool:
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return False
    savepoint = db.session.begin_nested()
    try:
        queue_email(to, subject, body, dedupe_key=key)
    except IntegrityError:  # another run, perhaps on another host, queued the same key first
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


DIGEST_WEEKDAY = 0  # Monday


def send_manager_digests(day: date) -> int:
    """On Mondays, each manager gets one email listing their people's overdue and soon-due items."""
    if day.weekday() != DIGEST_WEEKDAY:
        return 0
    base = current_app.config["BASE_URL"]
    week = day.isocalendar()
    queued = 0
    for manager in db.session.scalars(select(User).join(User.role_grants).where(RoleGrant.role == Role.MANAGER, User.active)):
        people = list(db.session.scalars(select(User).where(User.id.in_(team_of(manager.id, day)))))
        items = [i for items in statuses(people, day).values() for i in items
                 if i.status.status.overdue or i.status.status == rules.Status.DUE_SOON]
        if not items:
            continue
        body = render_template("email/digest.txt", manager=manager, items=items, day=day, team_url=f"{base}/team")
        key = f"digest:{manager.id}:{week.year}-W{week.week:02d}"
        overdue = sum(i.status.status.overdue for i in items)
        if _queue_once(key, manager.email, f"Your team's training: {overdue} overdue, {len(items) - overdue} due soon", body):
            queued += 1
    return queued


def _reminder_subject(item: RequirementStatus) -> str:
    if item.status.status.overdue:
        return f"Overdue: {item.requirement.title}"
    return f"Due {item.status.due:%d %B %Y}: {item.requirement.title}"


def _reminder_body(item: RequirementStatus, stage: str) -> str:
    base = current_app.config["BASE_URL"]
    courses = [f"{base}/courses/{slug}" for slug in item.requirement.courses or []]
    return render_template("email/reminder.txt", item=item, stage=stage, links=courses,
                           training_url=f"{base}/training")
