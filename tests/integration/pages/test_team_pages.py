"""Team training and My team: one definition of a team, counted in SQL, paged, filtered and sorted."""
from datetime import date, timedelta

from sqlalchemy import event, insert

from lms.accounts.models import Team, User
from lms.clock import today
from lms.extensions import db
from tests.integration.pages.conftest import text_of


def line_of(make_person, manager):
    """A manager's line: who is in the team today and who is not."""
    in_team = [
        make_person(manager=manager, org=manager.organisation, given_name="Ada"),
        lead := make_person(manager=manager, org=manager.organisation, given_name="Bea", roles=["manager"]),
        make_person(manager=lead, org=manager.organisation, given_name="Cal"),  # reports through Bea
        make_person(manager=manager, org=manager.organisation, given_name="Dot", leaving_date=today() + timedelta(days=1)),
        make_person(manager=manager, org=manager.organisation, given_name="Eve", start_date=today()),
    ]
    out = [
        make_person(manager=manager, org=manager.organisation, given_name="Fay", leaving_date=today() - timedelta(days=1), active=False),
        make_person(manager=manager, org=manager.organisation, given_name="Gus", start_date=today() + timedelta(days=1)),
        make_person(manager=manager, org=manager.organisation, given_name="Hal", active=False),
        make_person(manager=lead, org=manager.organisation, given_name="Ivy", leaving_date=today() - timedelta(days=30)),
    ]
    return in_team, out


def test_a_team_is_counted_the_same_on_every_page(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    in_team, _ = line_of(make_person, manager)
    login_as(manager)
    assert "5 people report to you" in text_of(client.get("/").get_data(as_text=True))
    assert "The training of the 5 people who report to you" in text_of(client.get("/team").get_data(as_text=True))
    directory = text_of(client.get("/people/").get_data(as_text=True))
    assert "Showing 1 to 5 of 5 people" in directory and "Active (5)" in directory
    assert manager.name not in directory.split("Showing", 1)[1]  # a manager is not in their own team


def test_people_outside_the_team_today_are_not_in_team_training(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    in_team, out = line_of(make_person, manager)
    login_as(manager)
    page = client.get("/team").get_data(as_text=True)
    assert all(p.name in page for p in in_team)
    assert not any(p.name in page for p in out)


def test_team_figures_count_items_and_people(client, login_as, make_person, hold):
    manager = make_person(roles=["manager"])
    never = make_person(manager=manager, org=manager.organisation)  # two items never done
    lapsed = make_person(manager=manager, org=manager.organisation)
    hold(lapsed, "hidden-harm-awareness", "expired")
    hold(lapsed, "safeguarding-children-l2", "compliant")
    renewing = make_person(manager=manager, org=manager.organisation)
    hold(renewing, "hidden-harm-awareness", "due_soon")
    hold(renewing, "safeguarding-children-l2", "compliant")
    login_as(manager)
    for path in ("/", "/team"):
        page = text_of(client.get(path).get_data(as_text=True))
        assert "3 overdue items for 2 people" in page, path
        assert "1 item due soon for 1 person" in page, path
    overdue = client.get("/team?training=overdue").get_data(as_text=True)
    assert never.name in overdue and lapsed.name in overdue and renewing.name not in overdue


def _bulk_team(manager, count: int, teams=()) -> None:
    db.session.execute(insert(User), [
        {"email": f"staff{n}@team.test", "given_name": "Staff", "family_name": f"Member {n:03d}",
         "organisation_id": manager.organisation_id, "job_role_id": manager.job_role_id, "manager_id": manager.id,
         "team_id": teams[n % len(teams)].id if teams else None, "start_date": date(2020, 1, 6), "active": True,
         "session_version": 1}
        for n in range(count)])
    db.session.commit()


def test_team_training_shows_fifty_people_a_page_with_gov_uk_pagination(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    _bulk_team(manager, 120)
    login_as(manager)
    first = client.get("/team").get_data(as_text=True)
    assert first.count('scope="row"') == 50 and "Showing 1 to 50 of 120 people" in text_of(first)
    assert 'class="govuk-pagination"' in first and 'href="/team?page=2"' in first
    last = client.get("/team?page=3").get_data(as_text=True)
    assert last.count('scope="row"') == 20 and "Showing 101 to 120 of 120 people" in text_of(last)
    assert "Member 119" in last and "Member 000" not in last
    # Past the end shows the last page; nonsense shows the first.
    assert "Showing 101 to 120" in text_of(client.get("/team?page=99").get_data(as_text=True))
    assert "Showing 1 to 50" in text_of(client.get("/team?page=x&team=y&requirement=z&sort=evil").get_data(as_text=True))


def test_team_training_filters_keep_their_place_across_pages(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    _bulk_team(manager, 60)
    login_as(manager)
    page = client.get("/team?training=overdue&sort=overdue").get_data(as_text=True)
    assert "Showing 1 to 50 of 60 people" in text_of(page)
    assert 'href="/team?page=2&amp;training=overdue&amp;sort=overdue"' in page


def test_team_training_filters_by_requirement_status_team_and_name(client, login_as, make_person, matrix, hold):
    manager = make_person(roles=["manager"])
    east, west = Team(organisation=manager.organisation, name="East"), Team(organisation=manager.organisation, name="West")
    db.session.add_all([east, west])
    db.session.commit()
    done = make_person(manager=manager, org=manager.organisation, given_name="Done", family_name="Both")
    hold(done, "hidden-harm-awareness", "compliant")
    hold(done, "safeguarding-children-l2", "compliant")
    half = make_person(manager=manager, org=manager.organisation, given_name="Half", family_name="Way")
    hold(half, "hidden-harm-awareness", "compliant")
    new = make_person(manager=manager, org=manager.organisation, given_name="New", family_name="Starter", start_date=today())
    done.team, half.team, new.team = east, west, west
    db.session.commit()
    login_as(manager)
    awareness = matrix["hidden-harm-awareness"].id

    def names(query):
        page = client.get(f"/team?{query}").get_data(as_text=True)
        return {p.given_name for p in (done, half, new) if p.name in page}

    assert names("training=up_to_date") == {"Done"}
    assert names(f"training=up_to_date&requirement={awareness}") == {"Done", "Half"}
    assert names("training=overdue") == {"Half"}
    assert names("training=induction") == {"New"}
    assert names(f"team={west.id}") == {"Half", "New"}
    assert names("q=starter") == {"New"}
    # A requirement chosen narrows the grid to its column.
    page = client.get(f"/team?requirement={awareness}").get_data(as_text=True)
    assert "Hidden Harm awareness</th>" in page and "Safeguarding children (level 2)</th>" not in page


def test_team_training_sorts_the_most_overdue_first(client, login_as, make_person, hold):
    manager = make_person(roles=["manager"])
    fine = make_person(manager=manager, org=manager.organisation, family_name="Aardvark")
    hold(fine, "hidden-harm-awareness", "compliant")
    hold(fine, "safeguarding-children-l2", "compliant")
    one = make_person(manager=manager, org=manager.organisation, family_name="Badger")
    hold(one, "hidden-harm-awareness", "compliant")
    both = make_person(manager=manager, org=manager.organisation, family_name="Cat")
    login_as(manager)
    page = client.get("/team?sort=overdue").get_data(as_text=True)
    assert page.index(both.name) < page.index(one.name) < page.index(fine.name)


def test_team_training_costs_the_same_queries_for_five_people_or_a_hundred(app, client, login_as, make_person, matrix):
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counts = []
    for size in (5, 100):
        manager = make_person(roles=["manager"])
        _bulk_team(manager, size) if size > 5 else [make_person(manager=manager, org=manager.organisation) for _ in range(size)]
        client.post("/logout")
        login_as(manager)
        statements.clear()
        assert client.get("/team").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_team_training_sorts_by_team_with_people_in_no_team_last(client, login_as, make_person, matrix):
    manager = make_person(roles=["manager"])
    zulu, alpha = Team(organisation=manager.organisation, name="Zulu"), Team(organisation=manager.organisation, name="Alpha")
    db.session.add_all([zulu, alpha])
    db.session.commit()
    loner = make_person(manager=manager, org=manager.organisation, family_name="Aaron")
    late = make_person(manager=manager, org=manager.organisation, family_name="Abbot")
    early = make_person(manager=manager, org=manager.organisation, family_name="Young")
    late.team, early.team = zulu, alpha
    db.session.commit()
    login_as(manager)
    page = client.get("/team?sort=team").get_data(as_text=True)
    assert page.index(early.name) < page.index(late.name) < page.index(loner.name)
