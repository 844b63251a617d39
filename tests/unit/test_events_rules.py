"""The session rules as tables: places and the agency mix, waiting-list order, calendar sequences, London times."""
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.clock import LocalTimeError, format_session_time, format_time, london_datetime
from lms.events.rules import Hold, Mix, Taken, Waiting, booking_problem, place, sequence_for, waitlist_order

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def taken(**by_sector) -> Taken:
    t = Taken()
    for sector, n in by_sector.items():
        for i in range(n):
            t.add(sector.replace("_", "-"), hash((sector, i % 2)) % 3)
    return t


def test_a_place_while_there_is_room():
    assert place(Mix(capacity=2), Taken(), "health", 1, NOW) is None


def test_full_session_waits_with_the_reason():
    assert place(Mix(capacity=2), taken(health=2), "children", 1, NOW) == "All 2 places are taken"


@pytest.mark.parametrize(("booked", "fits"), [(4, True), (5, False)])
def test_sector_cap_is_a_share_of_capacity(booked, fits):
    reason = place(Mix(capacity=10, max_sector_percent=50), taken(drug_alcohol=booked), "drug-alcohol", 1, NOW,
                   sector_label=lambda s: "Drug and alcohol treatment")
    assert (reason is None) == fits
    if not fits:
        assert reason.startswith("Drug and alcohol treatment already holds 50% of places (5 of 10)")


def test_organisation_cap_names_the_organisation():
    t = Taken(Counter({"health": 3}), Counter({7: 3}))
    reason = place(Mix(capacity=10, max_organisation_percent=30), t, "health", 7, NOW, organisation_name="Riverside Community Health")
    assert reason.startswith("Riverside Community Health already holds 30% of places (3 of 10)")
    assert place(Mix(capacity=10, max_organisation_percent=30), t, "health", 8, NOW) is None


def test_held_places_are_kept_for_their_sector_until_released():
    mix = Mix(capacity=4, holds=(Hold("children", 2, NOW + timedelta(days=7)),))
    two_booked = taken(health=2)
    assert place(mix, two_booked, "health", 1, NOW, sector_label=str.title).startswith(
        "The remaining 2 place(s) are held for Children until")
    assert place(mix, two_booked, "children", 1, NOW) is None  # the sector the places are held for
    assert place(mix, two_booked, "health", 1, NOW + timedelta(days=7)) is None  # released


def test_minimum_sectors_keeps_the_last_places_for_new_sectors():
    mix = Mix(capacity=4, min_sectors=3)
    assert place(mix, taken(health=2), "health", 1, NOW).startswith("The last 2 place(s) are kept for other sectors")
    assert place(mix, taken(health=2), "children", 1, NOW) is None
    assert place(mix, taken(health=1), "health", 1, NOW) is None  # two places left for two more sectors


def test_waiting_list_puts_never_held_then_soonest_expiry_then_first_come():
    t0 = NOW
    order = waitlist_order([
        Waiting(1, date(2026, 6, 1), t0),
        Waiting(2, None, t0 + timedelta(hours=2)),
        Waiting(3, date(2026, 3, 1), t0 + timedelta(hours=1)),
        Waiting(4, date(2026, 3, 1), t0),
        Waiting(5, None, t0 + timedelta(hours=1)),
    ])
    assert [w.booking_id for w in order] == [5, 2, 4, 3, 1]


@pytest.mark.parametrize(("event_sequence", "held", "expected"), [(0, None, 0), (3, 1, 3), (3, 3, 4), (3, 5, 6)])
def test_a_person_always_gets_a_sequence_above_the_one_they_hold(event_sequence, held, expected):
    assert sequence_for(event_sequence, held) == expected


def test_booking_problems():
    later = NOW + timedelta(days=3)
    assert booking_problem(cancelled=True, starts_at=later, booking_deadline=None, now=NOW) == "This session has been cancelled"
    assert booking_problem(cancelled=False, starts_at=NOW, booking_deadline=None, now=NOW) == "This session has already taken place"
    assert booking_problem(cancelled=False, starts_at=later, booking_deadline=NOW - timedelta(minutes=1), now=NOW).startswith("Booking closed on")
    assert booking_problem(cancelled=False, starts_at=later, booking_deadline=later, now=NOW) is None


def test_london_times_across_the_clock_changes():
    assert london_datetime(date(2026, 3, 29), 10, 0).astimezone(UTC) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert london_datetime(date(2026, 10, 25), 10, 0).astimezone(UTC) == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    with pytest.raises(LocalTimeError, match="does not exist"):
        london_datetime(date(2026, 3, 29), 1, 30)
    with pytest.raises(LocalTimeError, match="happens twice"):
        london_datetime(date(2026, 10, 25), 1, 30)


def test_times_read_the_gov_uk_way():
    day = date(2026, 3, 3)
    assert [format_time(london_datetime(day, h, m)) for h, m in [(9, 0), (9, 30), (12, 0), (16, 15), (0, 0)]] == [
        "9am", "9:30am", "midday", "4:15pm", "midnight"]
    assert format_session_time(london_datetime(day, 9, 30), london_datetime(day, 16, 0)) == "Tuesday 3 March 2026, 9:30am to 4pm"
