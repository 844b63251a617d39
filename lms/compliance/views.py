"""My training (everyone), Team training (managers), a person's training record, certificates, and the admin's
record keeping."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.accounts.access import get_person_for, role_required
from lms.accounts.models import JobRole, Role
from lms.clock import format_date, today
from lms.compliance import queries, services, teams
from lms.compliance.forms import ExemptionForm, ExternalCompletionForm, RequirementForm, SupersedeForm
from lms.compliance.models import Completion, Requirement
from lms.compliance.rules import valid_until
from lms.compliance.services import statuses
from lms.extensions import db
from lms.learning.certificate import CertifiedRequirement, certificate_pdf
from lms.learning.forms import CONTACT_FIELDS
from lms.learning.models import CourseCompletion
from lms.learning.queries import local_contacts_of, published_courses, published_titles
from lms.paging import page_number

bp = Blueprint("compliance", __name__)


@bp.get("/training")
@login_required
def my_training():
    """Every requirement of the person's role, its status, when it is due, why, and what to do next."""
    day = today()
    items = statuses([current_user], day)[current_user.id]
    return render_template("compliance/my_training.html", items=items, day=day, courses=published_titles())


def _team_filter(args) -> teams.TeamFilter:
    return teams.TeamFilter(
        search=args.get("q", "").strip()[:100],
        team_id=args.get("team", type=int),
        requirement_id=args.get("requirement", type=int),
        training=args.get("training", "") if args.get("training") in teams.TRAINING_FILTERS else "",
        sort=args.get("sort", "name") if args.get("sort") in teams.TEAM_SORTS else "name",
        page=page_number(args.get("page")),
    )


@bp.get("/team")
@role_required(Role.MANAGER)
def team_training():
    """The manager's team (direct and indirect reports) against their requirements, a page at a time."""
    day = today()
    wanted = _team_filter(request.args)
    counts = teams.team_counts(current_user.id, day)
    page = teams.team_page(current_user.id, day, wanted, counts.people)
    requirements = teams.team_requirements(current_user.id, day)
    columns = [r for r in requirements if r.id == wanted.requirement_id] or requirements
    by_person = statuses(page.items, day)
    cells = {person.id: {item.requirement.id: item.status for item in by_person[person.id]} for person in page.items}
    args = {key: value for key, value in (("q", wanted.search), ("team", wanted.team_id), ("requirement", wanted.requirement_id),
                                           ("training", wanted.training), ("sort", wanted.sort)) if value and value != "name"}
    return render_template(
        "compliance/team.html", day=day, page=page, cells=cells, columns=columns, counts=counts,
        wanted=wanted, args=args, sort_options=list(teams.TEAM_SORTS.items()),
        training_options=[(key, label) for key, (label, _) in teams.TRAINING_FILTERS.items()],
        requirement_options=[(r.id, r.title) for r in requirements],
        team_options=[(t.id, t.name) for t in teams.team_teams(current_user.id, day)],
    )


def _requirement_choices(requirements) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a requirement")] + [SelectChoice(str(r.id), r.title) for r in requirements]


@bp.get("/people/<int:person_id>/training")
@login_required
def person_training(person_id: int):
    """A person's training record: each requirement's status, and every record behind it, whatever its source."""
    person = get_person_for(current_user, person_id)
    day = today()
    completions, exemptions = queries.record_of(person)
    return render_template(
        "compliance/person.html", person=person, day=day, items=statuses([person], day)[person.id],
        completions=completions, exemptions=exemptions, other_courses=queries.courses_beyond_requirements(person),
        contacts=local_contacts_of(person), contact_fields=CONTACT_FIELDS,
    )


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
    return render_template("compliance/requirements.html", rows=queries.requirements_with_roles(),
                           courses=published_titles())


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
