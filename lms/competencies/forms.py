"""Managers' forms: an observation or supervision note, a sign-off, a withdrawal. Each needs its words."""
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from lms.clock import today
from lms.competencies.rules import EvidenceSource
from lms.forms import DayField


class NoteForm(FlaskForm):
    unit = SelectField("DANOS unit", widget=GovSelect(), validators=[DataRequired("Choose the unit the note is evidence of")])
    source = RadioField("What kind of note is it?", widget=GovRadioInput(), choices=[
        SelectChoice(EvidenceSource.OBSERVATION.value, "An observation: I saw them do this at work"),
        SelectChoice(EvidenceSource.SUPERVISION.value, "A supervision note: we went through a case they handled"),
    ], validators=[InputRequired("Say whether it is an observation or a supervision note")])
    occurred_on = DayField("When was it?", description="For example, 27 3 2026",
                           validators=[InputRequired("Enter the date as day, month and year")])
    note = TextAreaField("What did you see or discuss?", widget=GovTextArea(),
                         description="What they did that meets the standard, so that someone else could follow it",
                         validators=[DataRequired("Describe what you saw or discussed"), Length(max=4000)])
    submit = SubmitField("Save the note", widget=GovSubmitInput())

    def validate_occurred_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date must be today or in the past")
        if field.data and field.data < date(1990, 1, 1):
            raise ValidationError("The date must be after 1990")


class SignOffForm(FlaskForm):
    note = TextAreaField("Why are you signing this off?", widget=GovTextArea(),
                         description="What you have seen of their practice that meets the standard. It is kept on their record",
                         validators=[DataRequired("Say why you are signing this off"), Length(max=4000)])
    submit = SubmitField("Sign off", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing the sign-off?", widget=GovTextArea(),
                           description="The sign-off stays on their record, with your reason beside it",
                           validators=[DataRequired("Say why you are withdrawing the sign-off"), Length(max=4000)])
    submit = SubmitField("Withdraw the sign-off", widget=GovSubmitInput())
