import pytest

from lms.extensions import db
from lms.learning.content import read_content
from lms.learning.services import sync_content


@pytest.fixture
def courses(app):
    """The shipped courses and question banks, loaded."""
    sync_content(read_content(app.config["CONTENT_ROOT"]))
    db.session.commit()
