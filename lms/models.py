"""Imports every area's models so metadata (and Alembic) sees all tables."""
from lms.accounts.models import *  # noqa: F403
from lms.notify.models import *  # noqa: F403
from lms.audit.models import *  # noqa: F403
from lms.learning.models import *  # noqa: F403
from lms.compliance.models import *  # noqa: F403
from lms.competencies.models import *  # noqa: F403
from lms.events.models import *  # noqa: F403
from lms.reports.models import *  # noqa: F403
