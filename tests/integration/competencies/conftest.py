"""A team to sign off: a manager, their report, and a manager elsewhere; courses passed through the services."""
import random
from dataclasses import dataclass
from datetime import date

import pytest

from lms.accounts.models import Role, Sector, User
from lms.competencies.models import CompetencyRecord
from lms.competencies.queries import records_of, unit_by_reference
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.queries import published_version
from tests.integration.events.conftest import make_event  # noqa: F401 - the sessions factory, shared


@dataclass
class Team:
    manager: User
    learner: User
    outsider: User  # a manager in another organisation


@pytest.fixture
def team(make_org, make_person, courses) -> Team:
    recovery = make_org("Riverside Recovery Service", sector=Sector.DRUG_ALCOHOL, commissioned=True)
    manager = make_person(org=recovery, roles=[Role.MANAGER], given_name="Mark", family_name="Hughes")
    learner = make_person(org=recovery, manager=manager, given_name="Lee", family_name="Patel")
    outsider = make_person(org=make_org("Riverside Children's Services", sector=Sector.CHILDREN), roles=[Role.MANAGER])
    return Team(manager, learner, outsider)


def pass_course(person: User, slug: str, day: date = date(2026, 3, 2)):
    """A real attempt answered correctly, as the learner would (the web journey is in the learning tests)."""
    version = published_version(slug)
    attempt = learning.start_attempt(person, version, random.Random(1))
    learning.submit_attempt(attempt.id, {q["id"]: q["correct"] for q in attempt.questions}, day)
    db.session.commit()


def record_of(person: User, reference: str) -> CompetencyRecord | None:
    unit = unit_by_reference(reference)
    db.session.expire_all()
    return next((r for r in records_of(person) if r.unit_id == unit.id), None)


@pytest.fixture
def coordinator_of(make_person):
    def make(team: Team) -> User:
        return make_person(org=team.manager.organisation, roles=[Role.COORDINATOR], given_name="Carys")

    return make
