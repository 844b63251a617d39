"""Admin → Audit log: who did what, to which record, and when."""
import json

from flask import Blueprint, render_template, request

from lms.accounts.access import role_required
from lms.accounts.models import Role
from lms.accounts.queries import user_by_email
from lms.audit.queries import entries_page
from lms.audit.registry import CHAINED, action_label
from lms.paging import page_number

bp = Blueprint("audit", __name__, url_prefix="/admin")


@bp.get("/audit")
@role_required(Role.ADMIN)
def log():
    """The audit trail, newest first, filtered by kind of record and by person."""
    table = request.args.get("table", "")
    table = table if table in CHAINED else ""
    email = request.args.get("person", "").strip()
    person = user_by_email(email) if email else None
    if email and person is None:
        entries, problem = None, f"Nobody has the email address {email}"
    else:
        entries, problem = entries_page(table=table or None, person_id=person.id if person else None,
                                        page=page_number(request.args.get("page"))), None
    return render_template(
        "audit/log.html", entries=entries, table=table, email=email, person=person, problem=problem,
        tables=sorted((spec.table, spec.label) for spec in CHAINED.values()),
        labels={name: spec.label for name, spec in CHAINED.items()}, action_label=action_label,
        details=lambda entry: json.loads(entry.content),
    )
