"""The lms application factory: it only wires config, extensions, blueprints and commands."""
import os
from datetime import date

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import http, logs, navigation, templating
from lms.clock import format_date, format_datetime, format_moment, format_session_time, london_date
from lms.compliance.rules import format_percent
from lms.compliance.rules import percent as percent_of
from lms.config import ROOT, Config
from lms import cli, extensions


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.from_object(Config())
    app.config.update(config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    logs.configure(app.config.get("LOG_LEVEL", "INFO"))

    proxies = int(os.environ.get("TRUSTED_PROXIES", "0"))
    if proxies:
        # Behind a reverse proxy the client's address (for login throttling) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["date_of"] = lambda moment: format_date(london_date(moment))
    app.jinja_env.filters["isodate"] = lambda text: format_date(date.fromisoformat(text))
    app.jinja_env.globals["session_time"] = format_session_time
    # Every percent on a page is rounded the same way as the reports and their exports.
    app.jinja_env.globals["percent"] = format_percent
    app.jinja_env.globals["percent_of"] = lambda part, whole: format_percent(percent_of(part, whole))
    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)

    # Bound through the module: a bare `db` here would shadow the lms.db module.
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.mail.init_app(app)
    login = extensions.login_manager
    login.init_app(app)
    login.login_view = "accounts.login"
    login.login_message = "Sign in to see this page."
    login.session_protection = "basic"
    http.init_app(app)
    navigation.init_app(app)
    templating.init_app(app)

    from lms import models  # noqa: F401 - every table known to SQLAlchemy and Alembic
    from lms import import_kinds, pages  # noqa: F401 - import kinds register themselves
    from lms.accounts import admin_views, people_views, views
    from lms.audit import views as audit_views
    from lms.competencies import views as competencies_views
    from lms.compliance import views as compliance_views
    from lms.events import views as events_views
    from lms.learning import views as learning_views
    from lms.reports import views as reports_views

    for blueprint in (pages.bp, views.bp, people_views.bp, admin_views.bp, learning_views.bp, compliance_views.bp,
                      events_views.bp, reports_views.bp, competencies_views.bp, audit_views.bp):
        app.register_blueprint(blueprint)
    from lms.competencies.services import on_course_completed as add_course_evidence
    from lms.compliance.queries import titles_satisfied_by
    from lms.compliance.services import on_course_completed
    from lms.learning.signals import counts_towards, course_completed

    course_completed.connect(on_course_completed, weak=False)  # connecting twice is a no-op
    course_completed.connect(add_course_evidence, weak=False)
    counts_towards.connect(titles_satisfied_by, weak=False)
    from lms.compliance.periods import keep_in_step

    keep_in_step(extensions.db.session)  # valid periods follow every change to completions and people
    cli.init_app(app)
    return app
