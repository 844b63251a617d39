"""People: a manager's team, a coordinator's or admin's directory, one person's record."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.accounts import services
from lms.accounts.access import get_person_for, role_required
from lms.accounts.forms import RolesForm
from lms.accounts.models import Organisation, Role
from lms.accounts.queries import direct_reports, people_page
from lms.extensions import db

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@role_required(Role.MANAGER, Role.COORDINATOR, Role.ADMIN)
def index():
    """Everyone the viewer may see, searchable."""
    search = request.args.get("q", "").strip()
    organisation_id = request.args.get("organisation", type=int)
    page = people_page(current_user, search=search, organisation_id=organisation_id, page=request.args.get("page", 1, type=int))
    organisations = []
    if current_user.has_role(Role.ADMIN, Role.COORDINATOR):
        organisations = db.session.scalars(db.select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "people/index.html", page=page, search=search, organisations=organisations, organisation_id=organisation_id
    )


@bp.get("/<int:person_id>")
@login_required
def show(person_id: int):
    """One person's record, within the viewer's scope."""
    person = get_person_for(current_user, person_id)
    form = RolesForm(roles=[r.value for r in person.roles]) if current_user.has_role(Role.ADMIN) else None
    return render_template("people/show.html", person=person, reports=direct_reports(person), roles_form=form)


@bp.post("/<int:person_id>/roles")
@role_required(Role.ADMIN)
def update_roles(person_id: int):
    """Admins grant and remove account roles."""
    person = get_person_for(current_user, person_id)
    form = RolesForm()
    if not form.validate_on_submit():
        abort(400)
    roles = {Role(value) for value in form.roles.data}
    if person.id == current_user.id and Role.ADMIN not in roles:
        flash("You cannot remove your own admin role. Ask another admin.")
        return redirect(url_for("people.show", person_id=person.id))
    services.grant_roles(person, roles)
    db.session.commit()
    flash(f"Roles saved for {person.name}.")
    return redirect(url_for("people.show", person_id=person.id))
