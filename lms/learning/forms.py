"""Learning forms. The assessment form is built from the attempt's questions in the view."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

CONTACT_FIELDS = {
    "childrens_social_care": ("Children's social care front door", "The number (and email, if there is one) to refer a child you are worried about"),
    "out_of_hours": ("Out-of-hours children's social care", "Who to call in the evening, at night and at weekends"),
    "safeguarding_lead": ("Your service's designated safeguarding lead", "Name, and how to reach them; who covers when they are away"),
    "drug_alcohol_contact": ("Drug and alcohol single point of contact", "Where to refer a parent for assessment or treatment, and whether they can refer themselves"),
    "early_help": ("Early help (CAF) coordinator", "Who to contact to start or join an early help assessment"),
}


def _contact_field(key: str) -> TextAreaField:
    label, hint = CONTACT_FIELDS[key]
    noun = label[0].lower() + label[1:]
    # "Enter your service's lead", never "Enter the your service's lead".
    message = f"Enter {noun}" if noun.startswith("your ") else f"Enter the {noun}"
    return TextAreaField(label, description=hint, widget=GovTextArea(),
                         validators=[DataRequired(message), Length(max=1000)])


class LocalContactsForm(FlaskForm):
    childrens_social_care = _contact_field("childrens_social_care")
    out_of_hours = _contact_field("out_of_hours")
    safeguarding_lead = _contact_field("safeguarding_lead")
    drug_alcohol_contact = _contact_field("drug_alcohol_contact")
    early_help = _contact_field("early_help")
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def values(self) -> dict[str, str]:
        return {key: getattr(self, key).data.strip() for key in CONTACT_FIELDS}
