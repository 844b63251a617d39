"""Form fields every area shares."""
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField

DATE_FORMAT = "%d %m %Y"


class DayField(DateField):
    """A GOV.UK date input that treats missing day, month and year inputs as empty, not as a server error."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("format", DATE_FORMAT)
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, **kwargs)

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = None
