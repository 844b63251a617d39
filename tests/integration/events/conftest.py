"""Sessions to book: a factory for events and a helper that books under the session's lock, as the views do."""
from datetime import datetime, timedelta

import pytest

from lms.accounts.models import Sector
from lms.compliance.models import Requirement
from lms.db import utcnow
from lms.events import services
from lms.extensions import db


@pytest.fixture
def requirement(app):
    requirement = Requirement(slug="safeguarding-children-l2", title="Safeguarding children (level 2)", courses=[])
    db.session.add(requirement)
    db.session.commit()
    return requirement


@pytest.fixture
def make_event(app):
    counter = iter(range(1, 1000))

    def make(*, capacity=10, starts_at: datetime | None = None, hours=6, requirements=(), **values) -> 'Event':
        n = next(counter)
        starts = starts_at or utcnow().replace(microsecond=0) + timedelta(days=30)
        event = services.new_event(f"S{n:03d}")
        services.save_event(event, {
            "title": values.pop("title", f"Multi-agency Hidden Harm day {n}"), "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours), "venue": values.pop("venue", "Riverside Civic Centre, Room 2"),
            "capacity": capacity, **values,
        }, utcnow(), requirements=list(requirements))
        db.session.commit()
        return event

    return make


def book(event, person, by=None, now=None):
    event = services.lock_event(event.id)
    booking = services.book(event, person, by, now or utcnow())
    db.session.commit()
    return booking


def cancel(booking, by=None, now=None):
    services.lock_event(booking.event_id)
    promoted = services.cancel_booking(booking, by, now or utcnow())
    db.session.commit()
    return promoted


@pytest.fixture
def orgs(make_org):
    """One organisation in each of three sectors."""
    return {
        Sector.DRUG_ALCOHOL: make_org("Riverside Recovery Service", sector=Sector.DRUG_ALCOHOL),
        Sector.CHILDREN: make_org("Riverside Children's Services", sector=Sector.CHILDREN),
        Sector.HEALTH: make_org("Riverside Community Health", sector=Sector.HEALTH),
    }
