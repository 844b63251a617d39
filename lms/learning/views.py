"""The learner's player: catalogue, course pages in order, assessments and results, certificate checks."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.clock import today
from lms.extensions import db
from lms.learning import queries, services
from lms.learning.forms import LocalContactsForm
from lms.learning.markdown import render
from lms.learning.models import Attempt, CourseCompletion
from lms.learning.rules import answer_problems, mark, may_open
from lms.learning.signals import counts_towards

bp = Blueprint("learning", __name__)


def _version_or_404(slug: str):
    version = queries.published_version(slug)
    if version is None:
        abort(404)
    return version


@bp.get("/courses/")
@login_required
def catalogue():
    """Every course, with where the learner has got to."""
    return render_template("learning/catalogue.html", courses=queries.catalogue(current_user))


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    """A course's overview: what it is, how long, what it counts towards, and the learner's status."""
    version = _version_or_404(slug)
    status = queries.course_status(current_user, version)
    return render_template(
        "learning/course.html", version=version, status=status,
        counts_towards=[title for _, titles in counts_towards.send(slug) for title in titles], progress=status.progress,
        completion=status.completion, readiness=queries.readiness(current_user, version),
        attempts=queries.attempts_on(current_user, version), contacts=queries.local_contacts_of(current_user),
    )


def _page_url(version):
    positions = {page.name: page.position for page in version.pages}
    return lambda name: url_for("learning.page", slug=version.slug, position=positions[name]) if name in positions else None


@bp.route("/courses/<slug>/pages/<int:position>", methods=["GET", "POST"])
@login_required
def page(slug: str, position: int):
    """One page, in order; "Continue" records it as read (a local-contacts page saves its form first)."""
    version = _version_or_404(slug)
    if not 1 <= position <= len(version.pages):
        abort(404)
    progress = queries.progress_of(current_user, version)
    pages_read = progress.furthest_position if progress else 0
    if not may_open(position, pages_read):
        flash("The course opens one page at a time, in order. This is the next page for you to read.", "important")
        return redirect(url_for("learning.page", slug=slug, position=pages_read + 1))
    current = version.pages[position - 1]
    form = None
    if current.kind == "local-contacts":
        contacts = queries.local_contacts_of(current_user)
        form = LocalContactsForm(obj=contacts if request.method == "GET" else None)
    if request.method == "POST":
        if form is not None:
            if not form.validate_on_submit():
                return _render_page(version, current, form)
            services.save_local_contacts(current_user, form.values())
        services.record_page_read(current_user, version, position)
        db.session.commit()
        if position < len(version.pages):
            return redirect(url_for("learning.page", slug=slug, position=position + 1))
        return redirect(url_for("learning.assessment", slug=slug))
    rereading = progress is not None and position in progress.pages_to_reread
    services.record_page_opened(current_user, version, position)
    db.session.commit()
    return _render_page(version, current, form, rereading=rereading)


def _render_page(version, current, form, rereading=False):
    readiness = queries.readiness(current_user, version)
    return render_template(
        "learning/page.html", version=version, page=current, form=form,
        html=render(current.markdown, _page_url(version)), total=len(version.pages),
        percent=round(100 * current.position / len(version.pages)),
        rereading=rereading, readiness=readiness,
    )


@bp.route("/courses/<slug>/assessment", methods=["GET", "POST"])
@login_required
def assessment(slug: str):
    """Before the assessment: how it works and anything to do first. Starting it draws a fresh set of questions."""
    version = _version_or_404(slug)
    readiness = queries.readiness(current_user, version)
    if request.method == "POST":
        if not readiness.ready:
            return redirect(url_for("learning.assessment", slug=slug))  # the page says what to do first
        attempt = queries.open_attempt(current_user, version) or services.start_attempt(current_user, version)
        db.session.commit()
        return redirect(url_for("learning.attempt", attempt_id=attempt.id))
    return render_template("learning/assessment.html", version=version, bank=queries.bank_for(version),
                           readiness=readiness, attempts=queries.attempts_on(current_user, version))


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _answers_from(form, questions) -> dict[str, list[str]]:
    answers = {}
    for number, question in enumerate(questions, start=1):
        chosen = [value for value in form.getlist(f"q{number}") if value]
        if chosen:
            answers[question["id"]] = chosen
    for name in form:
        if name.startswith("q") and name[1:].isdigit() and not 1 <= int(name[1:]) <= len(questions):
            answers[f"unknown-{name}"] = form.getlist(name)  # flagged as tampering below
    return answers


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    """The questions. The page holds prompts and options only; marking happens here on submit."""
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        if request.method == "POST":
            return render_template("learning/already_submitted.html", attempt=attempt), 409
        return redirect(url_for("learning.result", attempt_id=attempt.id))
    if not queries.readiness(current_user, attempt.course_version).ready:
        # An attempt opened before a second fail (say, in another tab) waits for the re-reading too.
        return redirect(url_for("learning.assessment", slug=attempt.course_version.slug))
    errors, chosen = [], {}
    if request.method == "POST":
        answers = _answers_from(request.form, attempt.questions)
        unanswered, tampered = answer_problems(attempt.questions, answers)
        if tampered:
            abort(400)
        if unanswered:
            errors = [{"text": f"Answer question {n}", "href": f"#q{n}-fieldset"} for n in unanswered]
            chosen = answers
        else:
            try:
                services.submit_attempt(attempt.id, answers, today())
            except services.AlreadySubmitted:
                db.session.rollback()
                return render_template("learning/already_submitted.html", attempt=attempt), 409
            db.session.commit()
            return redirect(url_for("learning.result", attempt_id=attempt.id))
    return render_template("learning/attempt.html", attempt=attempt, version=attempt.course_version,
                           errors=errors, chosen=chosen, unanswered={e["href"] for e in errors}), (400 if errors else 200)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """Score, pass or fail, and the next step. A failed attempt's feedback never gives the right answers away."""
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("learning.attempt", attempt_id=attempt.id))
    version = attempt.course_version
    marked = mark(attempt.questions, attempt.answers, attempt.pass_mark)
    completion = db.session.scalar(db.select(CourseCompletion).where(CourseCompletion.attempt_id == attempt.id))
    pages = {page.name: page for page in version.pages}
    to_look_at = [
        {"number": number, "question": question, "page": pages.get(question.get("page")),
         "chosen": [o["text"] for o in question["options"] if o["key"] in attempt.answers.get(question["id"], [])]}
        for number, (question, right) in enumerate(zip(attempt.questions, marked.per_question), start=1) if not right
    ]
    return render_template("learning/result.html", attempt=attempt, version=version, marked=marked,
                           completion=completion, to_look_at=to_look_at,
                           readiness=queries.readiness(current_user, version))


@bp.get("/certificates/<code>")
def verify(code: str):
    """Public: confirms a certificate is genuine, showing only what the certificate itself shows."""
    completion = queries.completion_by_code(code)
    return render_template("learning/verify.html", completion=completion, code=code,
                           partnership=current_app.config["PARTNERSHIP_NAME"]), (200 if completion else 404)


@bp.route("/account/local-contacts", methods=["GET", "POST"])
@login_required
def local_contacts():
    """Your local contacts, kept up to date outside any course."""
    form = LocalContactsForm(obj=queries.local_contacts_of(current_user) if request.method == "GET" else None)
    if form.validate_on_submit():
        services.save_local_contacts(current_user, form.values())
        db.session.commit()
        flash("Your local contacts have been saved.")
        return redirect(url_for("accounts.account"))
    return render_template("learning/local_contacts.html", form=form)
