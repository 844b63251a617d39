"""Registers every import kind with lms.importing (each area's module adds its own)."""
from lms.accounts import imports  # noqa: F401
from lms.compliance import imports as compliance_imports  # noqa: F401
from lms.competencies import imports as competencies_imports  # noqa: F401
from lms.events import imports as events_imports  # noqa: F401
from lms.reports import imports as reports_imports  # noqa: F401
from lms.importing import run_import  # noqa: F401 - with every kind registered
