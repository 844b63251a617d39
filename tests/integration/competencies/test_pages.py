"""Who sees which competence pages, and what each says."""
import csv
import io
from datetime import date, timedelta

from lms.accounts.models import Role, Sector
from lms.clock import today
from lms.competencies import services
from lms.competencies.rules import EvidenceSource
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of


def observe(person, manager, reference="AA1"):
    services.add_note(person, record_of(person, reference).unit, EvidenceSource.OBSERVATION, date(2026, 3, 5),
                      "Seen at work.", manager)
    db.session.commit()


def test_my_competencies_shows_evidence_and_what_is_still_needed(client, login_as, team):
    login_as(team.learner)
    empty = client.get("/competencies/").get_data(as_text=True)
    assert "You have no competency records yet" in empty and "Recognising and referring parental substance misuse" in empty
    assert 'href="/competencies/"' in client.get("/").get_data(as_text=True)  # the menu and the home page
    assert 'href="/competencies/"' in client.get("/training").get_data(as_text=True)

    pass_course(team.learner, "recognise-and-refer", date(2026, 3, 2))
    page = client.get("/competencies/").get_data(as_text=True)
    assert "AA1: Recognise indications of substance misuse and refer individuals to specialists" in page
    assert "Working towards" in page and "2 March 2026: Passed Recognising and referring parental substance misuse" in page
    assert "Observed practice" in page and "have your manager record it" in page

    observe(team.learner, team.manager)
    page = client.get("/competencies/").get_data(as_text=True)
    assert "Ready for sign-off" in page and "Nothing: ready for your manager to sign off." in page
    units = client.get("/competencies/units").get_data(as_text=True)
    assert "AF3.2014: Carry out comprehensive assessment for alcohol and other substances" in units
    assert "Replaces" in units and "GE1 in the Justice sector" in units


def test_a_persons_competencies_are_for_them_their_managers_coordinators_and_admins(client, login_as, make_person, team):
    pass_course(team.learner, "recognise-and-refer")
    record = record_of(team.learner, "AA1")
    lead = make_person(org=team.manager.organisation, roles=[Role.MANAGER])
    team.manager.manager = lead
    db.session.commit()
    allowed = [team.learner, team.manager, lead, make_person(roles=[Role.COORDINATOR]), make_person(roles=[Role.ADMIN])]
    refused = [team.outsider, make_person(roles=[Role.COMMISSIONER]), make_person(org=team.learner.organisation)]
    for viewer in allowed + refused:
        login_as(viewer)
        expected = 200 if viewer in allowed else 404
        assert client.get(f"/people/{team.learner.id}/competencies").status_code == expected, viewer.roles
        assert client.get(f"/competencies/records/{record.id}").status_code == expected, viewer.roles
        client.post("/logout")
    login_as(team.manager)
    assert "Record an observation or supervision note" in client.get(f"/people/{team.learner.id}/competencies").get_data(as_text=True)
    assert f"/people/{team.learner.id}/competencies" in client.get(f"/people/{team.learner.id}").get_data(as_text=True)


def test_the_team_grid_shows_each_person_against_each_unit_a_page_at_a_time(client, login_as, make_person, team):
    for n in range(52):
        make_person(org=team.manager.organisation, manager=team.manager, family_name=f"Zz{n:02d}")
    pass_course(team.learner, "recognise-and-refer")
    observe(team.learner, team.manager)
    login_as(team.manager)
    first = client.get("/competencies/team").get_data(as_text=True)
    assert "53 people" in first and "Lee Patel" in first and "Ready for sign-off" in first
    assert "<abbr title=\"Recognise indications of substance misuse and refer individuals to specialists\">AA1</abbr>" in first
    second = client.get("/competencies/team?page=2").get_data(as_text=True)
    assert "Zz51" in second and "Lee Patel" not in second
    client.post("/logout")
    login_as(team.learner)
    for url in ("/competencies/team", "/competencies/sign-off", "/competencies/organisations", "/competencies/organisations.csv"):
        assert client.get(url).status_code == 403, url


def test_team_grid_and_sign_off_queue_leave_out_leavers_and_people_not_started_yet(client, login_as, make_person, team):
    day = today()
    leaver = make_person(org=team.manager.organisation, manager=team.manager, given_name="Lou", family_name="Leaver",
                         leaving_date=day - timedelta(days=10))
    starter = make_person(org=team.manager.organisation, manager=team.manager, given_name="Sid", family_name="Starter",
                          start_date=day + timedelta(days=31))
    for person in (team.learner, leaver, starter):
        pass_course(person, "recognise-and-refer")
        observe(person, team.manager)
    login_as(team.manager)
    grid = client.get("/competencies/team").get_data(as_text=True)
    queue = client.get("/competencies/sign-off").get_data(as_text=True)
    assert "1 person." in grid and "Lee Patel" in grid
    assert "1 record is waiting" in queue and "Lee Patel" in queue
    for page in (grid, queue):
        assert "Lou Leaver" not in page and "Sid Starter" not in page


def test_counts_per_unit_per_organisation_never_name_anyone(client, login_as, make_org, make_person, team):
    pass_course(team.learner, "recognise-and-refer")
    observe(team.learner, team.manager)
    services.sign_off(record_of(team.learner, "AA1"), team.manager, "Meets it.")
    pass_course(team.manager, "recognise-and-refer")
    db.session.commit()
    make_org("=HYPERLINK(\"http://evil.example\")", sector=Sector.VOLUNTARY)
    login_as(make_person(org=team.outsider.organisation, roles=[Role.COMMISSIONER]))

    page = client.get("/competencies/organisations").get_data(as_text=True)
    assert "AA1: Recognise indications" in page and "Riverside Recovery Service" in page
    assert "Lee" not in page and "Mark Hughes" not in page

    response = client.get("/competencies/organisations.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    recovery = next(r for r in rows if r["organisation"] == "Riverside Recovery Service" and r["unit"] == "AA1")
    assert recovery == {"organisation": "Riverside Recovery Service", "commissioned": "yes", "unit": "AA1",
                        "unit_title": "Recognise indications of substance misuse and refer individuals to specialists",
                        "staff": "2", "working_towards": "1", "ready_for_sign_off": "0", "achieved": "1", "withdrawn": "0"}
    assert any(r["organisation"].startswith("'=HYPERLINK") for r in rows)  # never run as a formula
    commissioned = list(csv.DictReader(io.StringIO(client.get("/competencies/organisations.csv?commissioned=yes").get_data(as_text=True))))
    assert {r["organisation"] for r in commissioned} == {"Riverside Recovery Service"}
