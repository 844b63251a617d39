"""The dates and arithmetic of DESIGN §2.3 and §2.6, worked by hand, plus properties."""
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.compliance.rules import (
    Milestone, Rule, Status, StatusOn, add_months, format_percent, next_milestone, percent, rag, reminder_stage,
    staff_needed, status_on, target_on, urgency,
)

RULE = Rule(validity_months=24, due_soon_days=60, induction_days=90)
START = date(2020, 1, 1)


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2023, 12, 15), 1, date(2024, 1, 15)),
    (date(2023, 3, 31), -1, date(2023, 2, 28)),
])
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("completions, day, status, due", [
    ([date(2024, 2, 29)], date(2026, 2, 27), Status.DUE_SOON, date(2026, 2, 28)),   # the day before expiry
    ([date(2024, 2, 29)], date(2026, 2, 28), Status.EXPIRED, date(2026, 2, 28)),    # on expiry: no longer valid
    ([date(2024, 2, 29)], date(2025, 12, 30), Status.DUE_SOON, date(2026, 2, 28)),  # exactly 60 days left
    ([date(2024, 2, 29)], date(2025, 12, 29), Status.COMPLIANT, date(2026, 2, 28)), # 61 days left
    ([date(2022, 1, 10), date(2023, 6, 1)], date(2024, 3, 1), Status.COMPLIANT, date(2025, 6, 1)),  # renewal
    ([date(2025, 1, 1)], date(2024, 12, 31), Status.MISSING, date(2020, 3, 31)),    # completion after the day
    ([], date(2020, 3, 30), Status.INDUCTION, date(2020, 3, 31)),
    ([], date(2020, 3, 31), Status.MISSING, date(2020, 3, 31)),
])
def test_status_on(completions, day, status, due):
    result = status_on(completions, RULE, START, day)
    assert (result.status, result.due) == (status, due)


def test_explanation_shows_the_sum():
    result = status_on([date(2024, 2, 29)], RULE, START, date(2026, 1, 10))
    assert result.explanation == "due 28 February 2026: completed 29 February 2024 + 24 months"


def test_exemption_wins():
    assert status_on([], RULE, START, date(2024, 1, 1), exemption_ends=date(2024, 6, 30)).status == Status.EXEMPT


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=120))
def test_add_months_properties(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or (result + timedelta(days=1)).month != result.month


@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2080, 1, 1)))
def test_status_boundaries_around_expiry(completed):
    expiry = add_months(completed, 24)
    assert status_on([completed], RULE, START, expiry - timedelta(days=1)).status == Status.DUE_SOON
    assert status_on([completed], RULE, START, expiry).status == Status.EXPIRED
    assert status_on([completed], RULE, START, expiry + timedelta(days=1)).status == Status.EXPIRED
    assert status_on([completed], RULE, START, completed).status == Status.COMPLIANT


@pytest.mark.parametrize("compliant, in_scope, shown", [
    (1, 16, "6.3"), (0, 0, "n/a"), (0, 7, "0.0"), (7, 7, "100.0"), (2, 3, "66.7"), (1, 8, "12.5"),
])
def test_percent_is_rounded_half_up_to_one_place(compliant, in_scope, shown):
    assert format_percent(percent(compliant, in_scope)) == shown


PLAN_START = date(2012, 7, 17)
MILESTONES = [Milestone(date(2013, 6, 30), Fraction(100)), Milestone(date(2012, 12, 31), Fraction(50))]


@pytest.mark.parametrize("day, expected", [
    (date(2012, 7, 17), Fraction(0)),
    (date(2012, 12, 31), Fraction(50)),            # a milestone on the day
    (date(2013, 6, 30), Fraction(100)),
    (date(2014, 1, 1), Fraction(100)),             # after the last: flat
    (date(2012, 10, 8), Fraction(50 * 83, 167)),   # 83 of 167 days along the first leg
    (date(2013, 3, 31), 50 + Fraction(50 * 90, 181)),
])
def test_target_line(day, expected):
    assert target_on(PLAN_START, MILESTONES, day) == expected


@pytest.mark.parametrize("value, target, expected", [
    (Fraction(50), Fraction(50), "green"),   # exactly met
    (Fraction(40), Fraction(50), "amber"),   # 10 points below
    (Fraction(3999, 100), Fraction(50), "red"),
    (None, Fraction(50), "n/a"),
])
def test_rag(value, target, expected):
    assert rag(value, target) == expected


def test_next_milestone_and_staff_needed():
    assert next_milestone(MILESTONES, date(2012, 12, 31)).on == date(2012, 12, 31)
    assert next_milestone(MILESTONES, date(2013, 1, 1)).on == date(2013, 6, 30)
    assert next_milestone(MILESTONES, date(2014, 1, 1)).on == date(2013, 6, 30)
    assert staff_needed(Fraction(50), 7, 2) == 2   # ceil(3.5) - 2
    assert staff_needed(Fraction(50), 7, 5) == 0


@pytest.mark.parametrize("due_in, stage", [(61, None), (60, "before-60"), (31, "before-60"), (30, "before-30"),
                                            (7, "before-7"), (1, "before-7"), (0, "overdue-0"), (-13, "overdue-0"),
                                            (-14, "overdue-14"), (-30, "overdue-28")])
def test_reminder_stage_is_the_latest_reached(due_in, stage):
    day = date(2025, 6, 1)
    completed = add_months(day + timedelta(days=due_in), -24)
    assert reminder_stage(status_on([completed], RULE, START, day), day) == stage


def test_things_to_do_come_overdue_first_then_due_soon_then_a_new_starters_first_time():
    def on(status, day):
        return StatusOn(status, day, "")

    items = [on(Status.INDUCTION, date(2026, 1, 5)), on(Status.DUE_SOON, date(2026, 1, 20)),
             on(Status.COMPLIANT, date(2027, 1, 1)), on(Status.MISSING, date(2026, 2, 1)),
             on(Status.EXPIRED, date(2025, 12, 1)), on(Status.EXEMPT, date(2026, 6, 1))]
    ordered = sorted((item for item in items if urgency(item)), key=urgency)
    assert [item.status for item in ordered] == [Status.EXPIRED, Status.MISSING, Status.DUE_SOON, Status.INDUCTION]
