"""Signing in and out, and looking after your own password."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lms.accounts import services
from lms.accounts.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from lms.accounts.models import User
from lms.extensions import db, login_manager

bp = Blueprint("accounts", __name__)


# Every request loads the signed-in person with their roles (and the job role pages name): one query, built once.
_SIGNED_IN = (select(User).options(joinedload(User.role_grants), joinedload(User.job_role))
              .where(User.id == bindparam("person_id")))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry "id.version"; a raised session_version ends every older session."""
    person_id, _, version = user_id.partition(".")
    if not person_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalars(_SIGNED_IN, {"person_id": int(person_id)}).unique().one_or_none()
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = services.authenticate(form.email.data, form.password.data, request.remote_addr or "unknown")
        db.session.commit()
        if outcome.throttled:
            form.email.errors.append(
                "There have been too many attempts to sign in. Wait a minute and try again, or reset your password"
            )
            return render_template("accounts/login.html", form=form), 429
        if outcome.user is None:
            form.email.errors.append("Enter a correct email address and password")
            return render_template("accounts/login.html", form=form), 200
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session: nothing from before sign-in carries over
        login_user(outcome.user)
        return redirect(next_url)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and end every other session of the person."""
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the address is known or not, throttled or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, request.remote_addr or "unknown")
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a link from the reset email."""
    if services.user_for_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
        flash("Your password has been changed. Sign in with your new password.")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password; other sessions end, this one continues."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        outcome = services.authenticate(current_user.email, form.current.data, request.remote_addr or "unknown")
        if outcome.user is None:
            db.session.commit()  # keep the failed attempt: it counts towards throttling
            form.current.errors.append("Your current password is not correct")
        else:
            services.set_password(current_user, form.password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # re-issue this session with the new version
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(url_for("pages.home"))
    return render_template("accounts/change_password.html", form=form)


@bp.get("/account")
@login_required
def account():
    """Your own details as the partnership holds them."""
    return render_template("accounts/account.html", person=current_user)
