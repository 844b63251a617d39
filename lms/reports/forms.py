"""Forms for plans: the plan, its training targets, its other actions and their updates, its quarterly measures."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import (
    DecimalField, IntegerField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.forms import DayField
from lms.reports.models import ActionStatus

MILESTONES = 4


class PlanForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[DataRequired("Enter the plan's title"), Length(max=300)])
    owner = StringField("Owner", widget=GovTextInput(), description="The person or group accountable, for example the commissioning manager",
                        validators=[DataRequired("Enter who owns the plan"), Length(max=200)])
    starts_on = DayField("Start date", description="Targets rise in a straight line from 0% on this date",
                         validators=[InputRequired("Enter the plan's start date as day, month and year")])
    submit = SubmitField("Save plan", widget=GovSubmitInput())


class TargetForm(FlaskForm):
    requirement = SelectField("Training", widget=GovSelect(), validators=[DataRequired("Choose the training the target is for")])
    scope = RadioField("Which organisations?", widget=GovRadioInput(),
                       choices=[SelectChoice("all", "Every organisation"), SelectChoice("some", "Only those ticked below")],
                       validators=[InputRequired("Say which organisations the target covers")])
    organisations = SelectMultipleField("Organisations", widget=GovCheckboxesInput())
    submit = SubmitField("Save target", widget=GovSubmitInput())

    def validate_organisations(self, field):
        if self.scope.data == "some" and not field.data:
            raise ValidationError("Tick at least one organisation, or choose every organisation")

    def milestones(self) -> list:
        return [(getattr(self, f"milestone_{n}_on").data, getattr(self, f"milestone_{n}_percent").data)
                for n in range(1, MILESTONES + 1) if getattr(self, f"milestone_{n}_on").data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        pairs = [(getattr(self, f"milestone_{n}_on"), getattr(self, f"milestone_{n}_percent")) for n in range(1, MILESTONES + 1)]
        for on, percent in pairs:
            if on.data and percent.data is None:
                percent.errors.append("Enter the percent to reach by that date")
                ok = False
            if percent.data is not None and not on.data:
                on.errors.append("Enter the date for that percent")
                ok = False
        if not any(on.data for on, _ in pairs):
            pairs[0][0].errors.append("Enter at least one milestone: a date and the percent trained by then")
            ok = False
        return ok


for _n in range(1, MILESTONES + 1):
    setattr(TargetForm, f"milestone_{_n}_on", DayField(f"Milestone {_n} date", validators=[Optional()]))
    setattr(TargetForm, f"milestone_{_n}_percent", DecimalField(
        f"Milestone {_n}: percent trained by then", widget=GovTextInput(), places=1,
        validators=[Optional(), NumberRange(0, 100, "The percent must be between 0 and 100")]))


class ActionForm(FlaskForm):
    recommendation = TextAreaField("Recommendation", widget=GovTextArea(), validators=[DataRequired("Enter the recommendation"), Length(max=4000)])
    action = TextAreaField("Proposed action", widget=GovTextArea(), validators=[DataRequired("Enter the action"), Length(max=4000)])
    owner = StringField("By whom", widget=GovTextInput(), validators=[DataRequired("Enter who is responsible"), Length(max=300)])
    budget = StringField("Budget", widget=GovTextInput(), validators=[Optional(), Length(max=100)], description="For example, £3,000 or none")
    timescale = StringField("Timescale", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    target = SelectField("Measured by", widget=GovSelect(), validators=[Optional()],
                         description="A training line measures itself against one of the plan's targets")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class UpdateForm(FlaskForm):
    on = DayField("Date of the update", validators=[InputRequired("Enter the date of the update as day, month and year")])
    status = RadioField("Status", widget=GovRadioInput(), choices=[SelectChoice(s.value, s.label) for s in ActionStatus],
                        validators=[InputRequired("Choose the action's status")])
    note = TextAreaField("Update", widget=GovTextArea(), validators=[DataRequired("Enter the update"), Length(max=4000)])
    submit = SubmitField("Add update", widget=GovSubmitInput())


class MeasureForm(FlaskForm):
    title = StringField("Measure", widget=GovTextInput(), validators=[DataRequired("Enter what is measured"), Length(max=300)],
                        description="For example, children living with an adult in treatment")
    description = TextAreaField("How it is counted", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Add measure", widget=GovSubmitInput())


class MeasureValueForm(FlaskForm):
    quarter_end = SelectField("Quarter", widget=GovSelect(), validators=[DataRequired("Choose the quarter")])
    value = IntegerField("Figure", widget=GovTextInput(), validators=[InputRequired("Enter the figure for the quarter"),
                                                                     NumberRange(0, 10_000_000, "Enter a whole number from 0")])
    note = StringField("Note", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save figure", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    note = TextAreaField("Note for readers", widget=GovTextArea(), validators=[Optional(), Length(max=2000)],
                         description="For example, the board meeting it goes to")
    submit = SubmitField("Publish", widget=GovSubmitInput())
