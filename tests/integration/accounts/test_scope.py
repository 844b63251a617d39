"""Every view checks scope on the server: other organisations' ids reveal nothing."""
import pytest

from lms.accounts.models import Sector


@pytest.fixture
def two_organisations(make_org, make_person):
    ours, theirs = make_org("Our service"), make_org("Their service", sector=Sector.HEALTH)
    manager = make_person(org=ours, roles=["manager"])
    team_lead = make_person(org=ours, manager=manager, roles=["manager"])
    worker = make_person(org=ours, manager=team_lead)
    stranger = make_person(org=theirs)
    colleague_elsewhere = make_person(org=ours)  # same organisation, not in the manager's line
    return manager, team_lead, worker, stranger, colleague_elsewhere


def test_manager_cannot_view_person_in_another_organisation(client, login_as, two_organisations):
    manager, *_, stranger, _ = two_organisations
    login_as(manager)
    assert client.get(f"/people/{stranger.id}").status_code == 404


def test_manager_sees_direct_and_indirect_reports_only(client, login_as, two_organisations):
    manager, team_lead, worker, stranger, colleague_elsewhere = two_organisations
    login_as(manager)
    assert client.get(f"/people/{team_lead.id}").status_code == 200
    assert client.get(f"/people/{worker.id}").status_code == 200
    assert client.get(f"/people/{colleague_elsewhere.id}").status_code == 404
    listing = client.get("/people/").get_data(as_text=True)
    assert worker.email in listing and stranger.email not in listing and colleague_elsewhere.email not in listing


def test_learner_sees_only_themselves(client, login_as, two_organisations):
    *_, worker, stranger, _ = two_organisations
    login_as(worker)
    assert client.get(f"/people/{worker.id}").status_code == 200
    assert client.get(f"/people/{stranger.id}").status_code == 404
    assert client.get("/people/").status_code == 403


@pytest.mark.parametrize("path", ["/admin/organisations", "/admin/job-roles", "/admin/imports", "/admin/outbox", "/admin/organisations/new"])
def test_learner_cannot_open_admin_pages(client, login_as, make_person, path):
    login_as(make_person())
    assert client.get(path).status_code == 403


def test_commissioner_cannot_open_person_records(client, login_as, make_person, two_organisations):
    *_, worker, _, _ = two_organisations
    login_as(make_person(roles=["commissioner"]))
    assert client.get(f"/people/{worker.id}").status_code == 404


def test_only_admins_change_roles(client, login_as, two_organisations):
    manager, team_lead, *_ = two_organisations
    login_as(manager)
    assert client.post(f"/people/{team_lead.id}/roles", data={"roles": ["admin"]}).status_code == 403
    assert "admin" not in {r.value for r in team_lead.roles}


def test_admin_grants_a_role(client, login_as, make_person):
    admin, person = make_person(roles=["admin"]), make_person()
    login_as(admin)
    assert client.post(f"/people/{person.id}/roles", data={"roles": ["coordinator"]}).status_code == 302
    assert {r.value for r in person.roles} == {"coordinator"}
