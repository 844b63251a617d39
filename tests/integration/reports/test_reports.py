"""Commissioners' pages: the plan against its trajectory, drill-down within scope, charts that agree with the
report, publishing that never changes, and plans edited in the product."""
from datetime import date

from sqlalchemy import select

from lms.accounts.models import Role
from lms.compliance.models import Completion
from lms.compliance.services import record_completion, supersede
from lms.extensions import db
from lms.reports import queries, services
from lms.reports.models import ActionStatus, PlanAction, PlanMeasure, PublishedPerson, PublishedReport
from lms.reports.rules import month_ends


def test_plan_page_shows_every_column_and_what_lapses_and_is_booked(client, sign_in_as, partnership, make_event):
    from tests.integration.events.conftest import book

    sign_in_as(Role.COMMISSIONER)
    # Staff3 (Children's, never trained) is booked on a session that counts, before the March milestone.
    event = make_event(requirements=[partnership["awareness"]], starts_at=None)
    book(event, partnership["people"][6])
    page = client.get("/reports/plans/hh-2026?as_of=2026-11-01").get_data(as_text=True)
    assert "Children&#39;s Services" in page and "Recovery Service" in page
    rows = {(r.organisation.name, r.requirement.slug): r for r in queries.compliance_report(date(2026, 11, 1), partnership["plan"])}
    pipe = queries.pipeline(date(2026, 11, 1), list(rows.values()))
    recovery = partnership["recovery"].id
    # Staff1's awareness (completed 2024-12-20) lapses on 2026-12-20, before the 2027-03-31 milestone.
    assert pipe[(recovery, partnership["awareness"].id)].lapsing == 1
    assert pipe[(partnership["children"].id, partnership["awareness"].id)].booked == 1


def test_filters_narrow_the_rows(client, sign_in_as, partnership):
    sign_in_as(Role.COMMISSIONER)
    page = client.get(f"/reports/plans/hh-2026?as_of=2026-09-30&sector=children").get_data(as_text=True)
    assert "Recovery Service</a>" not in page and "Children&#39;s Services</a>" in page
    assert client.get("/reports/plans/hh-2026?as_of=yesterday").status_code == 400


def test_chart_series_equal_the_report_on_each_month_end(partnership):
    plan = partnership["plan"]
    day = date(2026, 11, 23)
    for target in plan.targets:
        orgs = [o for o in (partnership["recovery"], partnership["children"]) if target in queries.targets_of(plan, o)]
        for series in queries.series_for(plan, target, orgs, day):
            for point_day, in_scope, compliant in series.points:
                [row] = [r for r in queries.compliance_report(point_day, plan)
                         if r.organisation.id == series.organisation.id and r.requirement.id == target.requirement_id]
                assert (in_scope, compliant) == (row.in_scope, row.compliant), (series.organisation.name, point_day)
    assert [d for d, *_ in queries.series_for(plan, plan.targets[0], [partnership["recovery"]], day)[0].points] == \
        month_ends(date(2026, 1, 5), date(2026, 10, 31)) + [day]


def test_commissioner_sees_who_needs_training_but_no_records_and_learners_see_nothing(client, sign_in_as, login_as, partnership):
    sign_in_as(Role.COMMISSIONER)
    org = partnership["children"]
    page = client.get(f"/reports/plans/hh-2026/organisations/{org.id}?as_of=2026-09-30").get_data(as_text=True)
    assert "By team" in page and "<svg" in page
    assert partnership["people"][5].name in page and "Not booked" in page
    assert f"/people/{partnership['people'][5].id}/training" not in page  # the report, not the person's record
    assert client.get(f"/people/{partnership['people'][5].id}/training").status_code == 404
    client.post("/logout")
    login_as(partnership["people"][5])
    for url in ("/reports/", "/reports/plans/hh-2026", "/reports/compliance.csv?plan=hh-2026",
                f"/reports/plans/hh-2026/organisations/{org.id}"):
        assert client.get(url).status_code == 403, url


def test_a_manager_drills_into_their_own_organisation_only(client, login_as, make_person, make_job_role, partnership):
    manager = make_person(org=partnership["children"], roles=[Role.MANAGER], job_role=make_job_role("Team manager"))
    for n in (5, 6):
        partnership["people"][n].manager_id = manager.id
    db.session.commit()
    login_as(manager)
    own = client.get(f"/reports/plans/hh-2026/organisations/{partnership['children'].id}?as_of=2026-09-30")
    assert own.status_code == 200
    text = own.get_data(as_text=True)
    assert partnership["people"][5].name in text and partnership["people"][6].name in text  # their people, not trained
    assert client.get(f"/reports/plans/hh-2026/organisations/{partnership['recovery'].id}").status_code == 403
    assert client.get("/reports/plans/hh-2026").status_code == 403


def test_coordinator_sees_who_is_not_trained(client, sign_in_as, partnership):
    sign_in_as(Role.COORDINATOR)
    org = partnership["recovery"]
    text = client.get(f"/reports/plans/hh-2026/organisations/{org.id}?requirement={partnership['level2'].id}&as_of=2026-09-30").get_data(as_text=True)
    assert partnership["people"][1].name in text and partnership["people"][2].name in text
    assert partnership["people"][0].name not in text  # trained


def test_published_figures_never_change_and_the_difference_is_explained(client, sign_in_as, partnership):
    publisher = sign_in_as(Role.COMMISSIONER)
    response = client.post("/reports/plans/hh-2026/publish", data={"as_of": "2026-09-30", "note": "For the December board"})
    assert response.status_code == 302
    report = db.session.scalar(select(PublishedReport))
    published = [dict(r) for r in report.rows]
    assert report.published_by_id == publisher.id
    assert db.session.scalar(select(db.func.count()).select_from(PublishedPerson)) == 4 + 3 + 4

    # After publication: a late certificate backdated into the period, a correction, and a leaver backdated.
    people = partnership["people"]
    record_completion(people[5].id, partnership["awareness"], date(2026, 8, 1), "external", note="certificate found late")
    wrong = db.session.scalar(select(Completion).where(Completion.user_id == people[4].id))
    supersede(wrong, "recorded against the wrong person", publisher)
    people[6].leaving_date = date(2026, 9, 1)
    db.session.commit()

    db.session.expire_all()
    assert [dict(r) for r in db.session.get(PublishedReport, report.id).rows] == published
    page = client.get(f"/reports/published/{report.id}").get_data(as_text=True)
    assert "For the December board" in page
    assert "certificate" in page or "was recorded on" in page
    changes, total = services.differences(db.session.get(PublishedReport, report.id))
    reasons = {c.person.id: c.reasons for c in changes}
    assert total == 3
    assert any("was recorded on" in r for r in reasons[people[5].id])
    assert any("was corrected on" in r and "wrong person" in r for r in reasons[people[4].id])
    assert any("leaving date is now" in r for r in reasons[people[6].id])


def test_a_role_that_no_longer_needs_it_and_a_move_between_organisations_are_explained(
        client, sign_in_as, make_job_role, partnership):
    sign_in_as(Role.COMMISSIONER)
    client.post("/reports/plans/hh-2026/publish", data={"as_of": "2026-09-30"})
    report = db.session.scalar(select(PublishedReport))
    people = partnership["people"]
    people[2].job_role_id = make_job_role("Commissioning manager").id  # a role that needs no training
    people[1].organisation_id = partnership["children"].id
    db.session.commit()

    changes, _ = services.differences(db.session.get(PublishedReport, report.id))
    reasons = {(c.person.id, c.requirement.slug): c.reasons for c in changes}
    assert "their job role no longer requires it" in reasons[people[2].id, "hidden-harm-awareness"]
    assert "they are now counted in Children's Services" in reasons[people[1].id, "hidden-harm-awareness"]
    # Level 2 is counted in Recovery Service only.
    assert reasons[people[1].id, "safeguarding-children-l2"] == [
        "they are now in Children's Services, which the plan does not count for this training"]


def test_publishing_needs_an_editor(client, sign_in_as, partnership):
    sign_in_as(Role.COORDINATOR)
    assert client.post("/reports/plans/hh-2026/publish", data={"as_of": "2026-09-30"}).status_code == 403


def test_plans_are_made_and_tracked_in_the_product(client, sign_in_as, partnership):
    sign_in_as(Role.COMMISSIONER)
    response = client.post("/reports/plans/new", data={"title": "Scrutiny panel plan 2027", "owner": "Commissioning Manager",
                                                       "starts_on": ["1", "2", "2027"]})
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert slug == "scrutiny-panel-plan-2027"
    data = {"requirement": str(partnership["awareness"].id), "scope": "some",
            "organisations": [str(partnership["recovery"].id)],
            "milestone_1_on": ["31", "12", "2027"], "milestone_1_percent": "50",
            "milestone_2_on": ["30", "6", "2028"], "milestone_2_percent": "100"}
    assert client.post(f"/reports/plans/{slug}/targets/new", data=data).status_code == 302
    plan = queries.plan_by_slug(slug)
    [target] = plan.targets
    assert target.organisation_ids == [partnership["recovery"].id]
    assert target.milestones == [{"date": "2027-12-31", "percent": "50"}, {"date": "2028-06-30", "percent": "100"}]
    bad = client.post(f"/reports/plans/{slug}/targets/new", data=data | {"milestone_1_on": ["1", "1", "2026"], "milestone_2_percent": "150"})
    assert "Every milestone must be after the plan starts" in bad.get_data(as_text=True) or "between 0 and 100" in bad.get_data(as_text=True)

    assert client.post(f"/reports/plans/{slug}/actions/new", data={
        "recommendation": "Train all adult social care staff", "action": "A training plan alongside the protocol",
        "owner": "Risk Reduction Manager", "budget": "£3,000", "timescale": "June 2028", "target": str(target.id)}).status_code == 302
    action = db.session.scalar(select(PlanAction))
    assert client.post(f"/reports/plans/{slug}/actions/{action.id}/updates", data={
        "on": ["1", "3", "2027"], "status": "in_progress", "note": "Dates set with the council"}).status_code == 302
    assert action.status == ActionStatus.IN_PROGRESS and action.updates[0].note == "Dates set with the council"

    assert client.post(f"/reports/plans/{slug}/measures/new", data={"title": "Children living with an adult in treatment"}).status_code == 302
    measure = db.session.scalar(select(PlanMeasure))
    assert client.post(f"/reports/plans/{slug}/measures/{measure.id}", data={"quarter_end": "2027-03-31", "value": "412"}).status_code in (200, 302)


def test_a_coordinator_reads_an_actions_updates_but_cannot_change_it(client, sign_in_as, partnership):
    plan = partnership["plan"]
    action = PlanAction(plan=plan, position=1, recommendation="Train every worker", action="Run courses",
                        owner="Workforce lead")
    db.session.add(action)
    services.add_update(action, date(2026, 3, 1), "Dates set with the council", ActionStatus.IN_PROGRESS,
                        partnership["people"][0])
    db.session.commit()
    sign_in_as(Role.COORDINATOR)
    url = f"/reports/plans/{plan.slug}/actions/{action.id}"
    plan_page = client.get(f"/reports/plans/{plan.slug}").get_data(as_text=True)
    assert f'href="{url}"' in plan_page and "All updates" in plan_page
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dates set with the council" in page and "Run courses" in page
    assert "<form" not in page.split('<main', 1)[1]
    assert client.post(url, data={"recommendation": "x", "action": "y", "owner": "z"}).status_code == 403
    assert client.post(f"{url}/updates", data={"on": ["1", "4", "2026"], "status": "done", "note": "n"}).status_code == 403
    assert client.get(f"/reports/plans/{plan.slug}/actions/new").status_code == 403


def test_a_failed_update_shows_the_action_form_as_before(client, sign_in_as, partnership):
    sign_in_as(Role.COMMISSIONER)
    plan = partnership["plan"]
    action = PlanAction(plan=plan, position=1, recommendation="Train every worker", action="Run courses",
                        owner="Workforce lead", target=plan.targets[0])
    db.session.add(action)
    db.session.commit()
    url = f"/reports/plans/{plan.slug}/actions/{action.id}"
    shown = client.get(url).get_data(as_text=True)
    failed = client.post(f"{url}/updates", data={"status": "done"})
    assert failed.status_code == 400
    assert "Hidden Harm awareness (every organisation)" in shown
    assert "Hidden Harm awareness (every organisation)" in failed.get_data(as_text=True)


def test_measures_are_entered_by_quarter_and_shown_as_a_trend(client, sign_in_as, partnership):
    editor = sign_in_as(Role.COMMISSIONER)
    plan = partnership["plan"]
    measure = PlanMeasure(plan_id=plan.id, position=1, title="Pre-CAFs completed")
    db.session.add(measure)
    db.session.commit()
    for quarter, value in (("2026-03-31", 31), ("2026-06-30", 44), ("2026-09-30", 52)):
        response = client.post(f"/reports/plans/hh-2026/measures/{measure.id}", data={"quarter_end": quarter, "value": str(value)})
        assert response.status_code == 302
    client.post(f"/reports/plans/hh-2026/measures/{measure.id}", data={"quarter_end": "2026-06-30", "value": "45", "note": "corrected"})
    page = client.get(f"/reports/plans/hh-2026/measures/{measure.id}").get_data(as_text=True)
    assert "<svg" in page and ">45<" in page and "corrected" in page and editor.name in page
    assert [v.value for v in db.session.get(PlanMeasure, measure.id).values] == [31, 45, 52]


def test_home_lists_plans_with_rag_and_board_report_prints(client, sign_in_as, partnership):
    sign_in_as(Role.COMMISSIONER)
    home = client.get("/reports/").get_data(as_text=True)
    assert "Hidden Harm training plan 2026" in home
    board = client.get("/reports/plans/hh-2026/board?as_of=2026-09-30").get_data(as_text=True)
    assert "Staff trained as at 30 September 2026" in board and "<svg" in board
