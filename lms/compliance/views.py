"""My training (everyone) and My team (managers): statuses with the reason for each."""
from collections import Counter

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from lms.accounts.access import get_person_for, role_required
from lms.accounts.models import JobRole, Role, User
from lms.accounts.queries import reports_of
from lms.clock import format_date, today
from lms.compliance import queries, services
from lms.compliance.forms import ExemptionForm, ExternalCompletionForm, RequirementForm, SupersedeForm
from lms.compliance.models import Completion, Requirement
from lms.compliance.rules import Status, valid_until
from lms.compliance.services import statuses
from lms.extensions import db
from lms.learning.certificate import CertifiedRequirement, certificate_pdf
from lms.learning.models import CourseCompletion
from lms.learning.queries import published_courses

bp = Blueprint("compliance", __name__)

TAG_CLASSES = {
    Status.COMPLIANT: "govuk-tag--green", Status.DUE_SOON: "govuk-tag--yellow", Status.EXPIRED: "govuk-tag--red",
    Status.MISSING: "govuk-tag--red", Status.INDUCTION: "govuk-tag--blue", Status.EXEMPT: "govuk-tag--grey",
}


@bp.get("/training")
@login_required
def my_training():
    """Every requirement of the person's role, its status, when it is due, why, and how to do it."""
    day = today()
    items = statuses([current_user], day)[current_user.id]
    return render_template("compliance/my_training.html", items=items, day=day, tags=TAG_CLASSES)


@bp.get("/team")
@role_required(Role.MANAGER)
def my_team():
    """The manager's people (direct and indirect) against their requirements."""
    day = today()
    people = list(db.session.scalars(
        db.select(User).where(User.id.in_(reports_of(current_user.id)), User.active)
        .options(joinedload(User.job_role), joinedload(User.team)).order_by(User.family_name, User.given_name)
    ))
    by_person = statuses(people, day)
    shown = request.args.get("show", "all")
    counts = Counter(item.status.status for items in by_person.values() for item in items)
    if shown == "overdue":
        people = [p for p in people if any(i.status.status.overdue for i in by_person[p.id])]
    elif shown == "due_soon":
        people = [p for p in people if any(i.status.status == Status.DUE_SOON for i in by_person[p.id])]
    requirement_titles = sorted({i.requirement.title for items in by_person.values() for i in items})
    return render_template(
        "compliance/my_team.html", people=people, by_person=by_person, requirements=requirement_titles,
        overdue=counts[Status.EXPIRED] + counts[Status.MISSING], due_soon=counts[Status.DUE_SOON],
        shown=shown, day=day, tags=TAG_CLASSES,
    )


def _requirement_choices(requirements) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a requirement")] + [SelectChoice(str(r.id), r.title) for r in requirements]


@bp.get("/people/<int:person_id>/training")
@login_required
def person_training(person_id: int):
    """One person's requirements and statuses, with every record behind them and its corrections."""
    person = get_person_for(current_user, person_id)
    day = today()
    completions, exemptions = queries.record_of(person)
    return render_template("compliance/person.html", person=person, items=statuses([person], day)[person.id],
                           completions=completions, exemptions=exemptions, day=day, tags=TAG_CLASSES)


@bp.get("/completions/<int:completion_id>/certificate.pdf")
@login_required
def certificate(completion_id: int):
    """A course certificate naming the requirements it met and until when, for the person or anyone who may see their record."""
    completion = db.get_or_404(CourseCompletion, completion_id)
    get_person_for(current_user, completion.user_id)
    met = [CertifiedRequirement(c.requirement.title, valid_until(c.expires_on))
           for c in queries.completions_from_course(completion.id)]
    verify_url = current_app.config["BASE_URL"] + url_for("learning.verify", code=completion.certificate_code)
    pdf = certificate_pdf(completion, verify_url, current_app.config["PARTNERSHIP_NAME"], met)
    filename = f"certificate-{completion.course_version.slug}-{completion.completed_on.isoformat()}.pdf"
    return pdf, 200, {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{filename}"'}


@bp.route("/people/<int:person_id>/training/certificate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def record_certificate(person_id: int):
    """An admin records training done elsewhere, with the evidence seen."""
    person = get_person_for(current_user, person_id)
    requirements = queries.requirements()
    form = ExternalCompletionForm()
    form.requirement.choices = _requirement_choices(requirements)
    if form.validate_on_submit():
        requirement = db.get_or_404(Requirement, int(form.requirement.data))
        services.record_completion(person.id, requirement, form.completed_on.data, "external",
                                   note=form.note.data.strip(), recorded_by_id=current_user.id)
        db.session.commit()
        flash(f"{requirement.title} recorded for {person.name}.")
        return redirect(url_for("compliance.person_training", person_id=person.id))
    return render_template("compliance/record_form.html", form=form, person=person,
                           heading="Record an external certificate", fields=["requirement", "completed_on", "note"])


@bp.route("/completions/<int:completion_id>/correct", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def correct_completion(completion_id: int):
    """Set a wrong record aside with the reason; optionally replace it with the right date."""
    completion = db.get_or_404(Completion, completion_id)
    person = get_person_for(current_user, completion.user_id)
    if completion.superseded_at is not None:
        flash("That record has already been corrected.")
        return redirect(url_for("compliance.person_training", person_id=person.id))
    form = SupersedeForm()
    if form.validate_on_submit():
        services.supersede(completion, form.reason.data.strip(), current_user, form.corrected_on.data)
        db.session.commit()
        flash("The record has been corrected. The original is kept, marked as corrected.")
        return redirect(url_for("compliance.person_training", person_id=person.id))
    return render_template("compliance/record_form.html", form=form, person=person, completion=completion,
                           heading="Correct a training record", fields=["reason", "corrected_on"])


@bp.route("/people/<int:person_id>/training/exemption", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def record_exemption(person_id: int):
    """An admin exempts a person from a requirement until a date, with the reason."""
    person = get_person_for(current_user, person_id)
    form = ExemptionForm()
    form.requirement.choices = _requirement_choices(queries.requirements())
    if form.validate_on_submit():
        requirement = db.get_or_404(Requirement, int(form.requirement.data))
        services.record_exemption(person.id, requirement, form.reason.data.strip(), today(), form.ends_on.data, current_user)
        db.session.commit()
        flash(f"{person.name} is exempt from {requirement.title} until {format_date(form.ends_on.data)}.")
        return redirect(url_for("compliance.person_training", person_id=person.id))
    return render_template("compliance/record_form.html", form=form, person=person,
                           heading="Record an exemption", fields=["requirement", "reason", "ends_on"])


@bp.get("/admin/requirements")
@role_required(Role.ADMIN)
def requirements():
    """The requirements matrix: each requirement, its cycle, what satisfies it and who must hold it."""
    return render_template("compliance/requirements.html", rows=queries.requirements_with_roles())


@bp.route("/admin/requirements/<int:requirement_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_requirement(requirement_id: int):
    requirement = db.get_or_404(Requirement, requirement_id)
    if request.method == "GET":
        form = RequirementForm(obj=requirement, job_roles=[str(i) for i in queries.role_ids_of(requirement)])
    else:
        form = RequirementForm()
    form.courses.choices = [SelectChoice(v.course.slug, v.title) for v in published_courses()]
    form.job_roles.choices = [SelectChoice(str(r.id), r.name) for r in db.session.scalars(db.select(JobRole).order_by(JobRole.name))]
    if form.validate_on_submit():
        services.update_requirement(
            requirement,
            {"title": form.title.data.strip(), "validity_months": form.validity_months.data,
             "due_soon_days": form.due_soon_days.data, "induction_days": form.induction_days.data,
             "courses": list(form.courses.data)},
            {int(i) for i in form.job_roles.data},
        )
        db.session.commit()
        flash(f"{requirement.title} saved.")
        return redirect(url_for("compliance.requirements"))
    return render_template("compliance/requirement_form.html", form=form, requirement=requirement)
