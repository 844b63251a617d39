"""Admin forms for the record: external certificates, corrections, exemptions, requirements."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.clock import today
from lms.forms import DayField



def _not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError(f"{field.label.text} must be today or in the past")


class ExternalCompletionForm(FlaskForm):
    requirement = SelectField("Requirement", widget=GovSelect(), validators=[DataRequired("Choose the requirement")])
    completed_on = DayField("Date of the training", validators=[InputRequired("Enter the date of the training as day, month and year"), _not_in_future])
    note = TextAreaField("Evidence", widget=GovTextArea(), description="The course, provider and certificate you have seen",
                         validators=[DataRequired("Describe the evidence you have seen"), Length(max=2000)])
    submit = SubmitField("Record the certificate", widget=GovSubmitInput())


class SupersedeForm(FlaskForm):
    reason = TextAreaField("Why is this record wrong?", widget=GovTextArea(),
                           validators=[DataRequired("Say why the record is wrong"), Length(max=2000)])
    corrected_on = DayField("Correct date, if the training did happen", description="Leave blank to withdraw the record", validators=[Optional(), _not_in_future])
    submit = SubmitField("Correct the record", widget=GovSubmitInput())


class ExemptionForm(FlaskForm):
    requirement = SelectField("Requirement", widget=GovSelect(), validators=[DataRequired("Choose the requirement")])
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[DataRequired("Give the reason for the exemption"), Length(max=2000)])
    ends_on = DayField("Exempt until", validators=[InputRequired("Enter the date the exemption ends as day, month and year")])
    submit = SubmitField("Record the exemption", widget=GovSubmitInput())

    def validate_ends_on(self, field):
        if field.data and field.data < today():
            raise ValidationError("Exempt until must be today or in the future")


class RequirementForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[DataRequired("Enter the title"), Length(max=200)])
    validity_months = IntegerField("Valid for (months)", widget=GovTextInput(),
                                   validators=[InputRequired("Enter how many months it is valid for"), NumberRange(1, 240, "Valid for must be between 1 and 240 months")])
    due_soon_days = IntegerField("Due soon from (days before expiry)", widget=GovTextInput(),
                                 validators=[InputRequired("Enter the due-soon window in days"), NumberRange(0, 365, "Due soon must be between 0 and 365 days")])
    induction_days = IntegerField("Induction period for new starters (days)", widget=GovTextInput(),
                                  validators=[InputRequired("Enter the induction period in days"), NumberRange(0, 730, "Induction must be between 0 and 730 days")])
    courses = SelectMultipleField("Courses that satisfy it", widget=GovCheckboxesInput())
    job_roles = SelectMultipleField("Job roles that must hold it", widget=GovCheckboxesInput())
    submit = SubmitField("Save requirement", widget=GovSubmitInput())
