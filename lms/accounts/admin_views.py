"""Admin pages: organisations and their teams, job roles, imports, the outbox."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice
from sqlalchemy.exc import IntegrityError

from lms.accounts.access import role_required
from lms.accounts.forms import ImportForm, JobRoleForm, OrganisationForm, TeamForm
from lms.accounts.models import JobRole, Organisation, Role, Sector, Team
from lms.accounts.queries import job_roles_with_counts, organisation_by_name, organisations_with_counts, teams_of
from lms.accounts.services import keep_pending_import, take_pending_import
from lms.extensions import db
from lms.importing import KINDS, ImportFileError, decode, refresh_statistics, run_import
from lms.notify.services import recent_messages

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@role_required(Role.ADMIN)
def organisations():
    """The partnership's organisations with their active staff counts."""
    return render_template("admin/organisations.html", rows=organisations_with_counts())


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        if organisation_by_name(form.name.data):
            form.name.errors.append("There is already an organisation with this name")
        else:
            org = Organisation(name=form.name.data.strip(), sector=Sector(form.sector.data), commissioned=form.commissioned.data == "yes")
            db.session.add(org)
            db.session.commit()
            flash(f"{org.name} added.")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


def _organisation_or_404(organisation_id: int) -> Organisation:
    return db.get_or_404(Organisation, organisation_id)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisation(organisation_id: int):
    """One organisation: its details and teams, with a form to add a team."""
    org = _organisation_or_404(organisation_id)
    form = TeamForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if any(team.name.lower() == name.lower() for team in org.teams):
            form.name.errors.append(f"{org.name} already has a team with this name")
        else:
            db.session.add(Team(organisation_id=org.id, name=name))
            db.session.commit()
            flash(f"Team {name} added to {org.name}.")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisation.html", organisation=org, teams=teams_of(org.id), form=form)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_organisation(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    form = OrganisationForm(
        data={"name": org.name, "sector": org.sector.value, "commissioned": "yes" if org.commissioned else "no"}
        if request.method == "GET" else None
    )
    if form.validate_on_submit():
        other = organisation_by_name(form.name.data)
        if other is not None and other.id != org.id:
            form.name.errors.append("There is already an organisation with this name")
        else:
            org.name = form.name.data.strip()
            org.sector = Sector(form.sector.data)
            org.commissioned = form.commissioned.data == "yes"
            db.session.commit()
            flash(f"{org.name} saved.")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisation_form.html", form=form, organisation=org)


@bp.route("/job-roles", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def job_roles():
    """Job roles, which the requirements matrix maps to training."""
    form = JobRoleForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        db.session.add(JobRole(name=name))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append("There is already a job role with this name")
        else:
            flash(f"Job role {name} added.")
            return redirect(url_for("admin.job_roles"))
    return render_template("admin/job_roles.html", rows=job_roles_with_counts(), form=form)


def _import_form() -> ImportForm:
    form = ImportForm()
    form.kind.choices = [SelectChoice("", "Choose")] + [SelectChoice(kind, text) for kind, (text, _) in KINDS.items()]
    return form


@bp.route("/imports", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def imports():
    """Upload a file and see what it would change; nothing changes until you confirm."""
    form = _import_form()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            text = decode(data)
        except ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            kind, filename = form.kind.data, form.file.data.filename or "the file"
            report = run_import(kind, text)
            db.session.rollback()  # a preview only
            upload = None
            if report.ok:  # kept on the server: the confirm button posts back only this token
                upload = keep_pending_import(current_user, kind, filename, data)
                db.session.commit()
            return render_template("admin/import_preview.html", report=report, kind=kind, filename=filename, upload=upload)
    return render_template("admin/imports.html", form=form)


@bp.post("/imports/apply")
@role_required(Role.ADMIN)
def apply_import():
    """Apply a file checked in the last hour. It is checked again in full: any problem and nothing changes."""
    pending = take_pending_import(request.form.get("upload", ""), current_user)
    if pending is None:
        db.session.commit()  # files over an hour old are gone
        form = _import_form()
        form.file.errors = ["Upload the file again: a checked file is kept for an hour, only for the admin who "
                            "checked it, and can be imported once"]
        return render_template("admin/imports.html", form=form), 400
    kind, filename = pending.kind, pending.filename
    report = run_import(kind, decode(pending.data))
    if not report.ok:  # something changed since the preview
        db.session.rollback()
        return render_template("admin/import_preview.html", report=report, kind=kind, filename=filename, upload=None), 422
    db.session.commit()
    refresh_statistics(report)
    flash(f"Imported {kind} from {filename}: {report.summary()}.")
    return redirect(url_for("admin.imports"))


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox():
    """The most recent emails: what went, what is waiting, what failed and why."""
    return render_template("admin/outbox.html", messages=recent_messages())
