"""Pages every person sees: home, the service's statements, and the health check."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from lms.accounts.models import Role
from lms.accounts.queries import count_reports, direct_reports, organisations_with_counts
from lms.extensions import db
from lms.learning.queries import catalogue

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
def home():
    """A home page built from what the person's roles allow."""
    context = {"person": current_user, "courses": catalogue(current_user)}
    if current_user.has_role(Role.MANAGER):
        context["direct_reports"] = direct_reports(current_user)
        context["report_count"] = count_reports(current_user)
    if current_user.has_role(Role.COMMISSIONER, Role.ADMIN):
        context["organisations"] = organisations_with_counts()
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
