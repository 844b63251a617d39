"""Account forms, rendered with govuk-frontend-wtf widgets."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, SelectChoice, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from lms.accounts.models import Role, Sector
from lms.accounts.rules import email_problem, password_problem


class LoginForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(), validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[DataRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address")],
    )

    def validate_email(self, field):
        problem = email_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class _NewPassword:
    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class ResetPasswordForm(FlaskForm, _NewPassword):
    password = PasswordField("New password", widget=GovPasswordInput(), validators=[DataRequired("Enter a new password")])
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Confirm your new password"), EqualTo("password", "The passwords do not match")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField("Current password", widget=GovPasswordInput(), validators=[DataRequired("Enter your current password")])


class OrganisationForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[DataRequired("Enter the organisation's name"), Length(max=200)])
    sector = SelectField(
        "Sector",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a sector")] + [SelectChoice(s.value, s.label) for s in Sector],
        validators=[DataRequired("Choose the organisation's sector")],
    )
    commissioned = RadioField(
        "Is it a service commissioned by the partnership?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired("Say whether the organisation is commissioned")],
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField("Team name", widget=GovTextInput(), validators=[DataRequired("Enter the team's name"), Length(max=200)])
    submit = SubmitField("Add team", widget=GovSubmitInput())


class JobRoleForm(FlaskForm):
    name = StringField("Job role", widget=GovTextInput(), validators=[DataRequired("Enter the job role"), Length(max=200)])
    submit = SubmitField("Add job role", widget=GovSubmitInput())


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        "Account roles",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role],
        description="Everyone is a learner. Managers see their reports; coordinators run sessions; commissioners see reports; admins manage everything.",
    )
    submit = SubmitField("Save roles", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    kind = SelectField("What are you importing?", widget=GovSelect(), validators=[DataRequired("Choose what you are importing")])
    file = FileField("File", widget=GovFileInput(), validators=[FileRequired("Choose a file to import")])
    submit = SubmitField("Check file", widget=GovSubmitInput())
