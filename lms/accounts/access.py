"""Load-and-authorise helpers, so no view can forget a scope check."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from lms.accounts.models import Role, User
from lms.accounts.queries import visible_people
from lms.extensions import db


def role_required(*roles: Role):
    """Only people holding one of the roles; everyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_person_for(viewer: User, person_id: int) -> User:
    """The person, if the viewer may see them; 404 otherwise, so ids outside scope reveal nothing."""
    person = db.session.scalar(visible_people(viewer).where(User.id == person_id))
    if person is None:
        abort(404)
    return person
