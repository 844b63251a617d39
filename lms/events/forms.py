"""Forms for sessions: publishing one, cancelling it, booking people, taking the register."""
import re
from datetime import date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import (
    IntegerField, RadioField, SelectChoice, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.accounts.models import Sector
from lms.clock import LocalTimeError, london_datetime
from lms.competencies.queries import unknown_units
from lms.events import rules
from lms.forms import DayField

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> time | None:
    """9:30, 09.30, 14:00, 2pm, 2:30pm, midday; None if it is not a time of day."""
    value = text.strip().lower().replace(" ", "")
    if value in {"midday", "noon"}:
        return time(12, 0)
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        return None  # "9" alone could be morning or evening
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimeField(StringField):
    """A time of day typed as text (GOV.UK has no time component)."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("description", "For example, 9:30am or 14:00")
        super().__init__(label, **kwargs)

    def parsed(self) -> time | None:
        return parse_time(self.data or "")


def _optional_time(form, field):
    if field.data and field.data.strip() and field.parsed() is None:
        raise ValidationError(f"Enter {field.label.text.lower()} as a time, like 9:30am or 14:00")


def _required_time(form, field):
    if not (field.data or "").strip():
        raise ValidationError(f"Enter {field.label.text.lower()}")
    _optional_time(form, field)


class EventForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[DataRequired("Enter the session's title"), Length(max=200)])
    code = StringField("Programme code", widget=GovTextInput(), validators=[Optional(), Length(max=64)],
                       description="The session's key in your programme spreadsheet. Leave blank to have one made for you")
    description = TextAreaField("Description", widget=GovTextArea(), validators=[Optional(), Length(max=4000)],
                                description="What the session covers and who it is for")
    requirements = SelectMultipleField("Attending counts towards", widget=GovCheckboxesInput(),
                                       description="Attendance records a completion of each requirement ticked, dated the session's day")
    danos_units = StringField("DANOS units it gives evidence towards", widget=GovTextInput(),
                              validators=[Optional(), Length(max=200)], description="Unit codes separated by spaces, for example AA1 AB7.2014")
    starts_on = DayField("Date", description="For example, 27 3 2026",
                          validators=[InputRequired("Enter the date of the session as day, month and year")])
    start_time = TimeField("Start time", validators=[_required_time])
    end_time = TimeField("End time", validators=[_required_time])
    venue = TextAreaField("Venue address", widget=GovTextArea(), validators=[Optional(), Length(max=1000)],
                          description="Leave blank for a session that is online only")
    online_link = StringField("Joining link", widget=GovTextInput(), validators=[Optional(), Length(max=500)],
                              description="For an online or hybrid session; it must start https://")
    capacity = IntegerField("Places", widget=GovTextInput(), validators=[
        InputRequired("Enter how many places there are"), NumberRange(*rules.CAPACITY, "Places must be between {} and {}".format(*rules.CAPACITY))])
    booking_deadline_on = DayField("Booking closes on", validators=[Optional()], description="Leave blank to take bookings until it starts")
    booking_deadline_time = TimeField("Booking closes at", validators=[_optional_time])
    cutoff_on = DayField("Cancellation cut-off", validators=[Optional()],
                          description="Cancelling after this counts as a late cancellation. Leave blank for none")
    cutoff_time = TimeField("Cut-off time", validators=[_optional_time])
    trainers = StringField("Trainers' email addresses", widget=GovTextInput(), validators=[Optional(), Length(max=1000)],
                           description="People with an account here, separated by commas; they can take the register")
    self_booking = RadioField("Can staff book themselves?", widget=GovRadioInput(),
                              choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, their manager or a coordinator books them")],
                              validators=[InputRequired("Say whether staff can book themselves")])
    max_sector_percent = IntegerField("Most places one sector may take (%)", widget=GovTextInput(), validators=[
        Optional(), NumberRange(*rules.MAX_SECTOR_PERCENT,
                    "The share for one sector must be between {}% and {}%".format(*rules.MAX_SECTOR_PERCENT))],
        description="For example, 50 keeps at least half the places for other sectors. Leave blank for no limit")
    max_organisation_percent = IntegerField("Most places one organisation may take (%)", widget=GovTextInput(), validators=[
        Optional(), NumberRange(*rules.MAX_ORGANISATION_PERCENT,
                    "The share for one organisation must be between {}% and {}%".format(*rules.MAX_ORGANISATION_PERCENT))])
    min_sectors = IntegerField("Fewest sectors the session needs", widget=GovTextInput(), validators=[
        Optional(), NumberRange(*rules.MIN_SECTORS, "The fewest sectors must be between {} and {}".format(*rules.MIN_SECTORS))],
        description="The last places are kept for sectors not yet booked. Leave blank for no minimum")
    held_until_on = DayField("Release held places on", validators=[Optional()],
                              description="Places held below are kept for their sector until this day; from it anyone may have them")
    submit = SubmitField("Save session", widget=GovSubmitInput())

    @property
    def holds(self) -> dict[Sector, IntegerField]:
        return {sector: getattr(self, name) for sector, name in HOLD_FIELDS.items()}

    # --- parsed values, after validate() ---

    def _moment(self, day: date | None, field: TimeField, default: time | None = None) -> datetime | None:
        moment = field.parsed() or default
        if day is None or moment is None:
            return None
        return london_datetime(day, moment.hour, moment.minute)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        try:
            starts = self.starts_at()
        except LocalTimeError as error:
            self.start_time.errors.append(str(error))
            return False
        try:
            ends = self.ends_at()
        except LocalTimeError as error:
            self.end_time.errors.append(str(error))
            return False
        if ends <= starts:
            self.end_time.errors.append("End time must be after the start time")
        if not (self.venue.data or "").strip() and not (self.online_link.data or "").strip():
            self.venue.errors.append("Enter the venue address or a joining link")
        if self.online_link.data and not self.online_link.data.strip().startswith("https://"):
            self.online_link.errors.append("Enter a joining link that starts https://")
        for on, at, label in ((self.booking_deadline_on, self.booking_deadline_time, "Booking must close"),
                              (self.cutoff_on, self.cutoff_time, "The cancellation cut-off must be")):
            if at.data and at.data.strip() and on.data is None:
                on.errors.append("Enter the date as well as the time")
                continue
            try:
                moment = self._moment(on.data, at, time(23, 59))
            except LocalTimeError as error:
                at.errors.append(str(error))
                continue
            if moment is not None and moment > starts:
                on.errors.append(f"{label} before the session starts")
        held = sum(field.data or 0 for field in self.holds.values())
        if held and self.held_until_on.data is None:
            self.held_until_on.errors.append("Enter the day the held places are released")
        if held > (self.capacity.data or 0):
            self.holds[Sector.CHILDREN].errors.append(f"{held} places are held, more than the {self.capacity.data} there are")
        if self.held_until_on.data and self.held_until_on.data > self.starts_on.data:
            self.held_until_on.errors.append("Release held places on or before the day of the session")
        return not any(field.errors for field in self._fields.values())

    def starts_at(self) -> datetime:
        return self._moment(self.starts_on.data, self.start_time)

    def ends_at(self) -> datetime:
        return self._moment(self.starts_on.data, self.end_time)

    def booking_deadline(self) -> datetime | None:
        return self._moment(self.booking_deadline_on.data, self.booking_deadline_time, time(23, 59))

    def cancellation_cutoff(self) -> datetime | None:
        return self._moment(self.cutoff_on.data, self.cutoff_time, time(23, 59))

    def unit_codes(self) -> list[str]:
        return rules.unit_codes(self.danos_units.data or "")

    def validate_danos_units(self, field):
        unknown = unknown_units(self.unit_codes())
        if unknown:
            raise ValidationError("Enter DANOS units as AA1 or AB7.2014: " + "; ".join(unknown))

    def trainer_emails(self) -> list[str]:
        return [e.strip().lower() for e in (self.trainers.data or "").split(",") if e.strip()]

    def held_places(self) -> list[tuple[Sector, int, datetime]]:
        if not self.held_until_on.data:
            return []
        until = london_datetime(self.held_until_on.data, 0, 0)
        return [(sector, field.data, until) for sector, field in self.holds.items() if field.data]


HOLD_FIELDS = {sector: f"hold_{sector.value.replace('-', '_')}" for sector in Sector}
for _sector, _name in HOLD_FIELDS.items():
    setattr(EventForm, _name, IntegerField(
        f"Places held for {_sector.label}", widget=GovTextInput(),
        validators=[Optional(), NumberRange(*rules.CAPACITY, "Enter a number of places from {} to {}".format(*rules.CAPACITY))]))


class CancelEventForm(FlaskForm):
    reason = TextAreaField("Why is the session cancelled?", widget=GovTextArea(),
                           description="Everyone booked or waiting gets this in their email",
                           validators=[DataRequired("Say why the session is cancelled"), Length(max=1000)])
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that needs nothing but the CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
