"""Competence pages: a person's profile and records, managers' notes, sign-off queue and team grid,
and the counts per organisation that commissioners ask for."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.accounts.access import get_person_for, role_required
from lms.accounts.models import Role, User
from lms.clock import today
from lms.competencies import queries, services
from lms.competencies.forms import NoteForm, SignOffForm, WithdrawForm
from lms.competencies.models import CompetencyRecord
from lms.competencies.rules import EvidenceSource
from lms.extensions import db
from lms.paging import page_number
from lms.spreadsheet import csv_lines

bp = Blueprint("competencies", __name__)

def _profile(person: User):
    return render_template(
        "competencies/person.html", person=person, own=person.id == current_user.id, records=queries.records_of(person),
        courses=queries.courses_by_unit(), offered=queries.courses_with_units(),
        manages=queries.is_manager_of(current_user, person.id),
        waiting=queries.sign_off_queue(current_user, today(), per_page=1).total if current_user.has_role(Role.MANAGER) else 0,
    )


@bp.get("/competencies/")
@login_required
def mine():
    """My competencies: units held, the evidence, and what each still needs."""
    return _profile(current_user)


@bp.get("/people/<int:person_id>/competencies")
@login_required
def person(person_id: int):
    """One person's competencies, for them, their managers, coordinators and admins."""
    return _profile(get_person_for(current_user, person_id))


@bp.get("/competencies/units")
@login_required
def units():
    """The framework: every current unit, what it asks and what evidence it needs."""
    return render_template("competencies/units.html", units=queries.current_units(), frameworks=queries.frameworks(),
                           courses=queries.courses_by_unit())


def _record_or_404(record_id: int) -> CompetencyRecord:
    record = queries.record_by_id(record_id)
    if record is None:
        abort(404)
    get_person_for(current_user, record.user_id)  # 404 outside the viewer's scope
    return record


def _record_page(record: CompetencyRecord, form=None):
    manages = queries.is_manager_of(current_user, record.user_id)
    return render_template(
        "competencies/record.html", record=record, person=record.user, manages=manages,
        assessment=record.assessment, courses=queries.courses_by_unit(),
        sign_off_form=form if isinstance(form, SignOffForm) else SignOffForm(formdata=None),
        withdraw_form=form if isinstance(form, WithdrawForm) else WithdrawForm(formdata=None), form=form,
    )


@bp.get("/competencies/records/<int:record_id>")
@login_required
def record(record_id: int):
    """One record: its evidence, every sign-off and withdrawal (who, when, why), and the manager's actions."""
    return _record_page(_record_or_404(record_id))


def _decide(record_id: int, form, words, act, done: str):
    """Validate the manager's words, let the service apply the rules, commit once, or show why not."""
    record = _record_or_404(record_id)
    if form.validate_on_submit():
        try:
            act(record, current_user, words.data.strip())
        except services.CompetencyRefused as refused:
            db.session.rollback()
            words.errors.append(str(refused))
        else:
            db.session.commit()
            flash(done.format(name=record.user.name, unit=record.unit.reference))
            return redirect(url_for("competencies.record", record_id=record.id))
    return _record_page(queries.record_by_id(record_id), form)


@bp.post("/competencies/records/<int:record_id>/sign-off")
@role_required(Role.MANAGER)
def sign_off(record_id: int):
    """The manager signs the record off, saying why."""
    form = SignOffForm()
    return _decide(record_id, form, form.note, services.sign_off, "{unit} is signed off for {name}.")


@bp.post("/competencies/records/<int:record_id>/withdraw")
@role_required(Role.MANAGER)
def withdraw(record_id: int):
    """The manager withdraws a sign-off, saying why."""
    form = WithdrawForm()
    return _decide(record_id, form, form.reason, services.withdraw, "The sign-off of {unit} for {name} is withdrawn.")


@bp.route("/people/<int:person_id>/competencies/notes/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new_note(person_id: int):
    """A manager records an observation of practice or a supervision note as evidence."""
    person = get_person_for(current_user, person_id)
    if not queries.is_manager_of(current_user, person.id):
        abort(403)
    units = {unit.reference: unit for unit in queries.current_units()}
    form = NoteForm(unit=request.args.get("unit")) if request.method == "GET" else NoteForm()
    form.unit.choices = [SelectChoice("", "Choose a unit")] + [SelectChoice(ref, f"{ref}: {u.title}") for ref, u in units.items()]
    if form.validate_on_submit():
        unit = units.get(form.unit.data)
        try:
            services.add_note(person, unit, EvidenceSource(form.source.data), form.occurred_on.data,
                              form.note.data.strip(), current_user)
        except services.CompetencyRefused as refused:
            db.session.rollback()
            form.note.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Your note is saved as evidence towards {unit.reference} for {person.name}.")
            return redirect(url_for("competencies.person", person_id=person.id))
    return render_template("competencies/note_form.html", form=form, person=person)


@bp.get("/competencies/sign-off")
@role_required(Role.MANAGER)
def queue():
    """The manager's people whose evidence is complete and waits for a decision."""
    page = queries.sign_off_queue(current_user, today(), page=page_number(request.args.get("page")))
    return render_template("competencies/queue.html", page=page)


@bp.get("/competencies/team")
@role_required(Role.MANAGER)
def team():
    """The manager's people against every unit, a page of people at a time."""
    page = queries.team_page(current_user, today(), page=page_number(request.args.get("page")))
    return render_template("competencies/team.html", page=page, units=queries.current_units(),
                           records=queries.records_for([p.id for p in page.items]))


@bp.get("/competencies/organisations")
@role_required(Role.COORDINATOR, Role.COMMISSIONER, Role.ADMIN)
def organisations():
    """Counts per unit and organisation: how many staff are working towards, ready, achieved or withdrawn."""
    commissioned = request.args.get("commissioned") == "yes"
    day = today()
    rows = queries.counts_by_organisation(day, commissioned)
    by_unit: dict[str, list] = {}
    for row in rows:
        by_unit.setdefault(row.unit.reference, []).append(row)
    return render_template("competencies/organisations.html", by_unit=by_unit, day=day, commissioned=commissioned)


@bp.get("/competencies/organisations.csv")
@role_required(Role.COORDINATOR, Role.COMMISSIONER, Role.ADMIN)
def organisations_csv():
    """The same counts as a spreadsheet, every cell made safe from formulas."""
    day = today()
    rows = queries.counts_by_organisation(day, request.args.get("commissioned") == "yes")
    body = "".join(csv_lines(queries.COUNT_COLUMNS, (row.as_record() for row in rows)))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="competencies-by-organisation-{day.isoformat()}.csv"'})
