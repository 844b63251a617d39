"""People (admins, coordinators) and My team (managers): filtered, sorted and paged in SQL."""
from datetime import date, timedelta

from sqlalchemy import insert

from lms.accounts.models import Team, User
from lms.clock import today
from lms.extensions import db
from tests.integration.pages.conftest import text_of


def test_a_managers_directory_is_called_my_team_and_lists_their_team(client, login_as, make_person):
    manager = make_person(roles=["manager"])
    here = make_person(manager=manager, org=manager.organisation, given_name="Here")
    gone = make_person(manager=manager, org=manager.organisation, given_name="Gone", active=False,
                       leaving_date=today() - timedelta(days=3))
    soon = make_person(manager=manager, org=manager.organisation, given_name="Soon", start_date=today() + timedelta(days=7))
    login_as(manager)
    page = client.get("/people/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">My team</h1>' in page
    listed = page.split('id="results"', 1)[1]
    assert here.name in listed and gone.name not in listed and soon.name not in listed and manager.name not in listed
    assert "Active (1)" in page and "Not started yet (1)" in page and "Left (1)" in page and "Everyone (3)" in page
    assert gone.name in client.get("/people/?status=left").get_data(as_text=True).split('id="results"', 1)[1]
    everyone = client.get("/people/?status=all").get_data(as_text=True).split('id="results"', 1)[1]
    assert all(p.name in everyone for p in (here, gone, soon))
    assert ">Left</strong>" in everyone and ">Not started yet</strong>" in everyone


def test_people_shows_fifty_a_page_and_filters_by_organisation_team_and_name(client, login_as, make_person, make_org,
                                                                            make_job_role):
    admin = make_person(roles=["admin"], family_name="Zed")
    ours, theirs = make_org("Ours"), make_org("Theirs")
    north = Team(organisation=ours, name="North")
    db.session.add(north)
    db.session.commit()
    role = make_job_role()
    db.session.execute(insert(User), [
        {"email": f"p{n}@people.test", "given_name": "Pat", "family_name": f"Number {n:03d}",
         "organisation_id": (ours if n % 2 else theirs).id, "team_id": north.id if n % 4 == 1 else None,
         "job_role_id": role.id, "start_date": date(2020, 1, 1) + timedelta(days=n), "active": True, "session_version": 1}
        for n in range(130)])
    db.session.commit()
    login_as(admin)
    first = client.get("/people/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">People</h1>' in first
    assert "Showing 1 to 50 of 131 people" in text_of(first) and first.count('data-label="Name"') == 50
    assert 'href="/people/?page=3"' in first
    last = client.get("/people/?page=3").get_data(as_text=True)
    assert last.count('data-label="Name"') == 31 and "Zed" in last
    of_ours = text_of(client.get(f"/people/?organisation={ours.id}").get_data(as_text=True))
    assert "Showing 1 to 50 of 65 people" in of_ours
    north_page = client.get(f"/people/?organisation={ours.id}&team={north.id}").get_data(as_text=True)
    assert "Showing 1 to 33 of 33 people" in text_of(north_page) and '<option value="' + str(north.id) + '" selected>' in north_page
    assert "Showing 1 to 1 of 1 person" in text_of(client.get("/people/?q=number 007").get_data(as_text=True))
    newest = client.get("/people/?sort=newest").get_data(as_text=True)
    assert newest.index("Number 129") < newest.index("Number 128")
    assert 'href="/people/?page=2&amp;sort=newest"' in newest


def test_people_directory_is_for_managers_coordinators_and_admins(client, login_as, make_person):
    login_as(make_person(roles=["commissioner"]))
    assert client.get("/people/").status_code == 403
