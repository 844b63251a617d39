"""A target's milestones: the rule on their dates, and how they are stored."""
from datetime import date
from fractions import Fraction

import pytest

from lms.compliance.rules import Milestone
from lms.reports.rules import decode_milestones, encode_milestones, milestones_after_start


@pytest.mark.parametrize(("days", "ok"), [
    ([date(2026, 1, 6)], True),
    ([date(2026, 1, 5)], False),  # on the start date the line is still at 0%
    ([date(2026, 6, 30), date(2025, 12, 31)], False),
    ([], True),
])
def test_every_milestone_must_be_after_the_plan_starts(days, ok):
    assert milestones_after_start(date(2026, 1, 5), days) is ok


def test_milestones_are_stored_in_date_order_as_exact_fractions_and_read_back():
    milestones = [Milestone(date(2027, 3, 31), Fraction(100)), Milestone(date(2026, 9, 30), Fraction("50.5"))]
    stored = encode_milestones(milestones)
    assert stored == [{"date": "2026-09-30", "percent": "101/2"}, {"date": "2027-03-31", "percent": "100"}]
    assert decode_milestones(stored) == sorted(milestones, key=lambda m: m.on)


def test_a_decimal_percent_stored_earlier_reads_exactly():
    assert decode_milestones([{"date": "2026-09-30", "percent": "33.3"}]) == [Milestone(date(2026, 9, 30), Fraction(333, 10))]
