"""My training (everyone) and My team (managers): statuses with the reason for each."""
from collections import Counter

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from lms.accounts.access import role_required
from lms.accounts.models import Role, User
from lms.accounts.queries import reports_of
from lms.clock import today
from lms.compliance.rules import Status
from lms.compliance.services import statuses
from lms.extensions import db

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
