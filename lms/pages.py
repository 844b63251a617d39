"""Pages every person sees: home, the service's statements, and the health check."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from lms.accounts.models import Role
from lms.clock import today
from lms.compliance.queries import counts_on
from lms.compliance.rules import urgency
from lms.compliance.teams import team_counts
from lms.compliance.services import statuses
from lms.db import utcnow
from lms.events.queries import programme, upcoming_for
from lms.extensions import db
from lms.learning.queries import published_titles
from lms.reports.queries import compliance_report, plans
from lms.reports.rules import rag_counts

bp = Blueprint("pages", __name__)

@bp.get("/")
@login_required
def home():
    """What matters to each of the person's roles: their own training first, then their team, then the partnership."""
    day = today()
    items = statuses([current_user], day)[current_user.id]
    to_do = sorted((i for i in items if urgency(i.status)), key=lambda i: urgency(i.status))
    context = {"day": day, "to_do": to_do, "required": len(items), "courses": published_titles()}
    now = utcnow()
    context["sessions"] = upcoming_for(current_user, now)
    if current_user.has_role(Role.MANAGER):
        context["team"] = team_counts(current_user.id, day)
    if current_user.has_role(Role.COORDINATOR, Role.ADMIN):
        context["programme"] = programme(now, per_page=5)
    if current_user.has_role(Role.COMMISSIONER, Role.ADMIN):
        reported = plans()
        counts = counts_on(day) if reported else {}  # one query for every plan
        context["plans"] = [(plan, rag_counts(compliance_report(day, plan, counts))) for plan in reported]
    return render_template("pages/home.html", **context)


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/healthz")
def healthz():
    """200 "ok" when the database answers; load balancers poll this."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return "database unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}
