"""People: a manager's team, a coordinator's or admin's directory, one person's details."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.accounts import queries, services
from lms.accounts.access import get_person_for, role_required
from lms.accounts.forms import RolesForm
from lms.accounts.models import Role
from lms.accounts.queries import (PEOPLE_SORTS, Employment, PeopleFilter, direct_reports, employment_of, people_page,
                                  teams_for)
from lms.clock import today
from lms.extensions import db
from lms.paging import page_number

bp = Blueprint("people", __name__, url_prefix="/people")


def _people_filter(args) -> PeopleFilter:
    status = args.get("status")
    return PeopleFilter(
        search=args.get("q", "").strip()[:100],
        organisation_id=args.get("organisation", type=int),
        team_id=args.get("team", type=int),
        employment=None if status == "all" else Employment(status) if status in set(Employment) else Employment.ACTIVE,
        sort=args.get("sort", "name") if args.get("sort") in PEOPLE_SORTS else "name",
        page=page_number(args.get("page")),
    )


@bp.get("/")
@role_required(Role.MANAGER, Role.COORDINATOR, Role.ADMIN)
def index():
    """Everyone the viewer may list (a manager: their team), filtered, sorted and paged in SQL."""
    day = today()
    wanted = _people_filter(request.args)
    page, counts = people_page(current_user, day, wanted)
    everyone = current_user.has_role(Role.ADMIN, Role.COORDINATOR)
    args = {key: value for key, value in (
        ("q", wanted.search), ("organisation", wanted.organisation_id), ("team", wanted.team_id),
        ("status", wanted.employment.value if wanted.employment else "all"), ("sort", wanted.sort),
    ) if value and value not in ("name", Employment.ACTIVE.value)}
    status_options = [(e.value, f"{e.label} ({counts.get(e, 0)})") for e in Employment]
    return render_template(
        "people/index.html", page=page, wanted=wanted, args=args, everyone=everyone,
        status_options=status_options + [("all", f"Everyone ({sum(counts.values())})")],
        organisation_options=queries.organisation_names() if everyone else [],
        team_options=[(t.id, t.name) for t in teams_for(current_user, wanted.organisation_id)],
        sort_options=list(PEOPLE_SORTS.items()),
    )


@bp.get("/<int:person_id>")
@login_required
def show(person_id: int):
    """One person's record, within the viewer's scope."""
    person = get_person_for(current_user, person_id)
    day = today()
    form = RolesForm(roles=[r.value for r in person.roles]) if current_user.has_role(Role.ADMIN) else None
    return render_template("people/show.html", person=person, employment=employment_of(person, day),
                           reports=direct_reports(person, day), roles_form=form)


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
