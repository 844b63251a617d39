"""Sessions: the programme, one session, publishing, booking, waiting lists, the register, calendar feeds."""
import uuid
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from lms.accounts.access import get_person_for, role_required
from lms.accounts.models import Role, User
from lms.accounts.queries import user_by_email
from lms.clock import LONDON, today
from lms.compliance.models import Requirement
from lms.compliance.queries import requirements as all_requirements
from lms.compliance.services import statuses
from lms.db import utcnow
from lms.events import queries, rules, services
from lms.events.calendar import calendar, feed_token, session_component, verified_feed_token
from lms.events.forms import HOLD_FIELDS, CancelEventForm, ConfirmForm, EventForm
from lms.events.models import Booking, BookingStatus, CalendarFeed, Event
from lms.extensions import db
from lms.paging import page_number

bp = Blueprint("events", __name__)

PER_PAGE = 25


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _manages_sessions() -> bool:
    return current_user.has_role(Role.COORDINATOR, Role.ADMIN)


def _takes_register(event: Event) -> bool:
    return _manages_sessions() or any(trainer.id == current_user.id for trainer in event.trainers)


def _books_others() -> bool:
    return current_user.has_role(Role.MANAGER, Role.COORDINATOR, Role.ADMIN)


def _requirement_by_slug(slug: str | None) -> Requirement | None:
    return db.session.scalar(select(Requirement).where(Requirement.slug == slug)) if slug else None


@bp.get("/sessions/")
@login_required
def index():
    """Upcoming sessions with places left; filtered by what they count towards."""
    requirement = _requirement_by_slug(request.args.get("requirement"))
    past = request.args.get("when") == "past"
    page = queries.programme(utcnow(), requirement=requirement, past=past, include_cancelled=_manages_sessions(),
                             page=page_number(request.args.get("page")), per_page=PER_PAGE)
    for_person = None
    if request.args.get("person", type=int) and _books_others():
        for_person = get_person_for(current_user, request.args.get("person", type=int))
    return render_template("events/index.html", page=page,
                           requirement=requirement, requirements=all_requirements(), past=past,
                           manages=_manages_sessions(), for_person=for_person)


@bp.get("/sessions/<int:event_id>")
@login_required
def show(event_id: int):
    """One session: details, the agency mix, your booking, and the people you may see on it."""
    event = _event_or_404(event_id)
    now = utcnow()
    own = services.booking_for(event, current_user)
    problem = services.booking_problem(event, now)
    bookings = queries.bookings_seen_by(current_user, event) if _books_others() or _takes_register(event) else []
    for_person = None
    if request.args.get("person", type=int) and _books_others():
        for_person = get_person_for(current_user, request.args.get("person", type=int))
    return render_template(
        "events/show.html", event=event, listing=queries.listing_of(event), mix=queries.mix_bars(event, now),
        holds=queries.active_holds(event, now),
        own=own, problem=problem, bookings=[b for b in bookings if b.user_id != current_user.id],
        manages=_manages_sessions(), books_others=_books_others(), takes_register=_takes_register(event),
        for_person=for_person, confirm=ConfirmForm(), now=now,
    )


# --- publishing ---

def _form_choices(form: EventForm) -> None:
    form.requirements.choices = [SelectChoice(str(r.id), r.title) for r in all_requirements()]


def _form_data(event: Event) -> dict:
    local = lambda moment: moment.astimezone(LONDON) if moment else None  # noqa: E731
    starts, ends = local(event.starts_at), local(event.ends_at)
    deadline, cutoff = local(event.booking_deadline), local(event.cancellation_cutoff)
    holds = {HOLD_FIELDS[h.sector]: h.places for h in event.holds}
    release = min((local(h.until) for h in event.holds), default=None)
    return {
        "title": event.title, "code": event.code, "description": event.description,
        "requirements": [str(r.id) for r in event.requirements], "danos_units": " ".join(event.danos_units or []),
        "starts_on": starts.date(), "start_time": f"{starts:%H:%M}", "end_time": f"{ends:%H:%M}",
        "venue": event.venue, "online_link": event.online_link, "capacity": event.capacity,
        "booking_deadline_on": deadline.date() if deadline else None,
        "booking_deadline_time": f"{deadline:%H:%M}" if deadline else "",
        "cutoff_on": cutoff.date() if cutoff else None, "cutoff_time": f"{cutoff:%H:%M}" if cutoff else "",
        "trainers": ", ".join(t.email for t in event.trainers), "self_booking": "yes" if event.self_booking else "no",
        "max_sector_percent": event.max_sector_percent, "max_organisation_percent": event.max_organisation_percent,
        "min_sectors": event.min_sectors, "held_until_on": release.date() if release else None, **holds,
    }


def _save(form: EventForm, event: Event | None):
    """Check what only the database can tell, then save; returns the session or None with errors on the form."""
    code = (form.code.data or "").strip() or f"S{form.starts_on.data:%Y%m%d}-{uuid.uuid4().hex[:4].upper()}"
    other = queries.event_by_code(code)
    if other is not None and (event is None or other.id != event.id):
        form.code.errors.append(f"Another session already has the code {code}")
    trainers = []
    for email in form.trainer_emails():
        person = user_by_email(email)
        if person is None:
            form.trainers.errors.append(f"Nobody with an account has the email address {email}")
        else:
            trainers.append(person)
    if form.errors:
        return None
    now = utcnow()
    fresh = event is None
    if fresh:
        event = services.new_event(code)
    else:
        event = services.lock_event(event.id)
    values = {
        "code": code, "title": form.title.data.strip(), "description": (form.description.data or "").strip(),
        "starts_at": form.starts_at(), "ends_at": form.ends_at(), "venue": (form.venue.data or "").strip(),
        "online_link": (form.online_link.data or "").strip(), "capacity": form.capacity.data,
        "booking_deadline": form.booking_deadline(), "cancellation_cutoff": form.cancellation_cutoff(),
        "self_booking": form.self_booking.data == "yes", "max_sector_percent": form.max_sector_percent.data,
        "max_organisation_percent": form.max_organisation_percent.data, "min_sectors": form.min_sectors.data,
        "danos_units": form.unit_codes(),
    }
    requirements = [db.session.get(Requirement, int(i)) for i in form.requirements.data]
    try:
        change = services.save_event(event, values, now, requirements=requirements, trainers=trainers,
                                     holds=form.held_places())
    except services.CapacityTooLow as error:
        db.session.rollback()
        form.capacity.errors.append(str(error))
        return None
    db.session.commit()
    if fresh:
        flash(f"{event.title} is published.")
    else:
        told = f" Everyone booked has been sent the updated invitation ({', '.join(change.changed)} changed)." if change.changed else ""
        moved = f" {len(change.promoted)} moved up from the waiting list." if change.promoted else ""
        flash(f"{event.title} is saved.{told}{moved}")
    return event


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def new():
    """A coordinator publishes a session."""
    form = EventForm()
    _form_choices(form)
    if form.validate_on_submit() and (event := _save(form, None)) is not None:
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, holds=HOLD_FIELDS)


@bp.route("/sessions/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def edit(event_id: int):
    """Change a session; a new time, place or details goes to everyone booked as an update."""
    event = _event_or_404(event_id)
    if event.cancelled:
        flash("A cancelled session cannot be changed.")
        return redirect(url_for("events.show", event_id=event.id))
    form = EventForm(data=_form_data(event)) if request.method == "GET" else EventForm()
    _form_choices(form)
    if form.validate_on_submit() and _save(form, event) is not None:
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, holds=HOLD_FIELDS)


@bp.route("/sessions/<int:event_id>/cancel", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def cancel(event_id: int):
    """Cancel a session: every booking ends and everyone booked or waiting is told."""
    event = _event_or_404(event_id)
    if event.cancelled:
        flash("This session is already cancelled.")
        return redirect(url_for("events.show", event_id=event.id))
    form = CancelEventForm()
    if form.validate_on_submit():
        event = services.lock_event(event.id)
        told = services.cancel_event(event, current_user, form.reason.data.strip(), utcnow())
        db.session.commit()
        flash(f"{event.title} is cancelled. {told} {'person has' if told == 1 else 'people have'} been told.")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/cancel.html", form=form, event=event, listing=queries.listing_of(event))


# --- booking ---

@bp.route("/sessions/<int:event_id>/book", methods=["GET", "POST"])
@login_required
def book_people(event_id: int):
    """A manager books their people (several at once); a coordinator anyone."""
    if not _books_others():
        abort(403)
    event = _event_or_404(event_id)
    now = utcnow()
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        ids = [int(i) for i in request.form.getlist("person") if i.isdigit()]
        if not ids:
            flash("Choose at least one person to book.")
            return redirect(url_for("events.book_people", event_id=event.id, q=request.form.get("q") or None))
        people = [get_person_for(current_user, i) for i in ids]
        if not current_user.has_role(Role.ADMIN, Role.COORDINATOR) and any(p.id == current_user.id for p in people):
            abort(403)  # a manager's own place is booked like anyone else's, by their manager or themselves
        event = services.lock_event(event.id)
        try:
            outcomes = [services.book(event, person, current_user, now) for person in people]
        except services.BookingRefused as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("events.show", event_id=event.id))
        db.session.commit()
        for booking in outcomes:
            if booking.status == BookingStatus.WAITLISTED:
                flash(f"{booking.user.name} is on the waiting list: {booking.reason}.")
            else:
                flash(f"{booking.user.name}: {booking.status.label.lower()}.")
        return redirect(url_for("events.show", event_id=event.id))
    search = request.args.get("q", "").strip()
    page = queries.bookable_people(current_user, event, search=search, page=page_number(request.args.get("page")))
    preselected = request.args.get("person", type=int)
    # Each person's status for what the session counts towards, so the manager books those who need it.
    needed = {r.id for r in event.requirements}
    training = {pid: [i for i in items if i.requirement.id in needed]
                for pid, items in statuses([person for person, _ in page.items], today()).items()}
    return render_template("events/book.html", event=event, listing=queries.listing_of(event), page=page,
                           training=training, search=search, preselected=preselected, form=ConfirmForm(),
                           problem=services.booking_problem(event, now))


@bp.post("/sessions/<int:event_id>/book-me")
@login_required
def book_me(event_id: int):
    """A learner books themselves onto a session that allows it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event = services.lock_event(_event_or_404(event_id).id)
    if not event.self_booking and not _manages_sessions():
        abort(403)
    try:
        booking = services.book(event, current_user._get_current_object(), current_user, utcnow())
    except services.BookingRefused as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("events.show", event_id=event.id))
    db.session.commit()
    if booking.status == BookingStatus.WAITLISTED:
        flash(f"You are on the waiting list: {booking.reason}. We will email you if a place comes up.")
    else:
        flash("You have a place. We have emailed you a calendar invitation.")
    return redirect(url_for("events.show", event_id=event.id))


def _own_or_managed_booking(booking_id: int) -> Booking:
    """A booking the viewer may change: their own, one of their people's, or any for a coordinator."""
    booking = db.get_or_404(Booking, booking_id)
    if booking.user_id != current_user.id:
        get_person_for(current_user, booking.user_id)  # 404 outside the viewer's scope
        if not _books_others():
            abort(404)
    return booking


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(booking_id: int):
    """Give up a place, or leave a waiting list. A freed place goes to the next person who fits."""
    booking = _own_or_managed_booking(booking_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        event = services.lock_event(booking.event_id)
        booking = db.session.get(Booking, booking.id, populate_existing=True)
        try:
            promoted = services.cancel_booking(booking, current_user, utcnow())
        except services.BookingRefused as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("events.show", event_id=event.id))
        db.session.commit()
        who = "Your" if booking.user_id == current_user.id else f"{booking.user.name}'s"
        late = " This was after the cut-off, so it is recorded as a late cancellation." if booking.late_cancellation else ""
        moved = " The place has gone to the next person on the waiting list." if promoted else ""
        flash(f"{who} booking is cancelled.{late}{moved}")
        return redirect(url_for("events.show", event_id=event.id))
    late = rules.is_late_cancellation(booking.event.cancellation_cutoff, utcnow()) and booking.status == BookingStatus.BOOKED
    return render_template("events/cancel_booking.html", booking=booking, event=booking.event, form=form, late=late)


# --- attendance ---

@bp.route("/sessions/<int:event_id>/register", methods=["GET", "POST"])
@login_required
def register(event_id: int):
    """The register: who came and who did not. Attending counts as training done on the day."""
    event = _event_or_404(event_id)
    if not _takes_register(event):
        abort(403)
    now = utcnow()
    form = ConfirmForm()
    errors = []
    if form.validate_on_submit():
        if event.starts_at > now:
            abort(400)
        event = services.lock_event(event.id)
        marked = 0
        for booking in services.bookings_of(event, *BookingStatus):
            choice = request.form.get(f"attended-{booking.user_id}")
            if choice in {"yes", "no"}:
                services.mark_attendance(event, booking.user, choice == "yes", current_user, now)
                marked += 1
        walk_in = request.form.get("walk_in", "").strip()
        if walk_in:
            person = user_by_email(walk_in) or db.session.scalar(select(User).where(User.employee_id == walk_in))
            if person is None:
                errors.append({"text": f"Nobody has the email address or employee number {walk_in}", "href": "#walk_in"})
            else:
                services.mark_attendance(event, person, True, current_user, now)
                marked += 1
        if errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"The register is saved ({marked} marked). Attendance has been added to each person's training record.")
            return redirect(url_for("events.register", event_id=event.id))
    bookings = services.bookings_of(event, *BookingStatus)
    return render_template("events/register.html", event=event, bookings=bookings, form=form, errors=errors,
                           started=event.starts_at <= now)


@bp.get("/sessions/<int:event_id>/sign-in-sheet")
@login_required
def sign_in_sheet(event_id: int):
    """A printable sheet for people to sign on the day."""
    event = _event_or_404(event_id)
    if not _takes_register(event):
        abort(403)
    return render_template("events/sign_in_sheet.html", event=event,
                           bookings=services.bookings_of(event, BookingStatus.BOOKED, BookingStatus.ATTENDED,
                                                         BookingStatus.NO_SHOW))


@bp.get("/sessions/attendance")
@role_required(Role.COORDINATOR, Role.ADMIN)
def attendance():
    """No-shows and late cancellations per organisation, over the last year by default."""
    months = request.args.get("months", 12, type=int)
    months = months if months in (3, 6, 12, 24) else 12
    until = utcnow()
    rows = queries.attendance_rates(until - timedelta(days=round(months * 30.44)), until)
    return render_template("events/attendance.html", rows=rows, months=months)


# --- a person's sessions and calendar feed ---

@bp.get("/sessions/mine")
@login_required
def mine():
    """Your bookings, and the private address of your calendar feed."""
    feed = services.feed_of(current_user)
    db.session.commit()
    token = feed_token(current_app.config["SECRET_KEY"], current_user.id, feed.version)
    return render_template("events/mine.html", bookings=queries.bookings_of_person(current_user),
                           feed_url=url_for("events.feed", token=token, _external=True), form=ConfirmForm(),
                           now=utcnow())


@bp.post("/sessions/mine/feed")
@login_required
def reset_feed():
    """A new feed address; calendars subscribed to the old one stop updating."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.reset_feed(current_user)
    db.session.commit()
    flash("Your calendar feed has a new address. Subscribe to it again in your calendar; the old address no longer works.")
    return redirect(url_for("events.mine"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """A person's booked sessions (METHOD:PUBLISH), for a calendar program to subscribe to."""
    verified = verified_feed_token(current_app.config["SECRET_KEY"], token)
    if verified is None:
        abort(404)
    user_id, version = verified
    current = db.session.get(CalendarFeed, user_id)
    person = db.session.get(User, user_id)
    if current is None or current.version != version or person is None or not person.is_active:
        abort(404)
    now = utcnow()
    components = [
        session_component(b.event, sequence=max(b.event.sequence, b.sent_sequence or 0), cancelled=False,
                          organizer=services.organizer(), description=services.ical_description(b.event), stamp=now)
        for b in queries.feed_bookings(person)
    ]
    return calendar("PUBLISH", components), 200, {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'inline; filename="sessions.ics"',
    }
