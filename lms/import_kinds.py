"""Registers every import kind with lms.importing (each area's module adds its own)."""
from lms.accounts import imports  # noqa: F401
