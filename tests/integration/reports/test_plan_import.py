"""`lms import plans` carries a whole plan: training targets, other actions with dated updates, quarterly measures."""
from sqlalchemy import select

from lms.extensions import db
from lms.reports.models import PlanAction, PlanMeasure
from lms.reports.queries import plan_by_slug
from tests.integration.reports.conftest import PLAN

EXTRA = """\
actions:
  - recommendation: Train all adult social care staff
    action: E-learning and quarterly briefings
    owner: Training coordinator
    budget: £3,000
    timescale: March 2027
    status: in_progress
    measured_by: hidden-harm-awareness
    updates:
      - {date: 2026-10-05, note: Briefings booked}
  - recommendation: A protocol clause in every contract
    action: Add the clause on renewal
    owner: Commissioning Manager
measures:
  - title: Children living with an adult in treatment
    values: [{quarter_end: 2026-06-30, value: 431}, {quarter_end: 2026-09-30, value: 447}]
"""


def run(runner, tmp_path, text):
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return runner.invoke(args=["import", "plans", str(path)])


def test_a_plan_with_actions_and_measures_imports_and_reimports_keeping_its_links(runner, tmp_path, partnership):
    result = run(runner, tmp_path, PLAN + EXTRA)
    assert result.exit_code == 0, result.output
    assert "2 actions, 1 measures" in result.output
    plan = plan_by_slug("hh-2026")
    training, contract = db.session.scalars(select(PlanAction).order_by(PlanAction.position)).all()
    assert training.target.requirement.slug == "hidden-harm-awareness" and training.updates[0].note == "Briefings booked"
    assert contract.target is None and contract.status.value == "not_started"
    [measure] = db.session.scalars(select(PlanMeasure)).all()
    assert [(v.quarter_end.isoformat(), v.value) for v in measure.values] == [("2026-06-30", 431), ("2026-09-30", 447)]

    target_id = training.target_id
    assert run(runner, tmp_path, PLAN).exit_code == 0  # no actions: or measures: key, so they stay
    db.session.expire_all()
    assert [t.id for t in plan_by_slug("hh-2026").targets if t.requirement.slug == "hidden-harm-awareness"] == [target_id]
    assert len(db.session.scalars(select(PlanAction)).all()) == 2 and plan.id == plan_by_slug("hh-2026").id


def test_bad_actions_and_measures_are_named_by_line(runner, tmp_path, partnership):
    bad = EXTRA.replace("status: in_progress", "status: nearly").replace("measured_by: hidden-harm-awareness", "measured_by: astronomy")
    bad = bad.replace("quarter_end: 2026-06-30", "quarter_end: 2026-06-29")
    result = run(runner, tmp_path, PLAN + bad)
    assert result.exit_code == 1
    offset = PLAN.count("\n")
    assert f"line {offset + 7}: status: 'nearly' is not one of" in result.output
    assert f"line {offset + 8}: measured_by: the plan has no target for 'astronomy'" in result.output
    assert "quarter_end: must be 31 March, 30 June, 30 September or 31 December" in result.output
    assert db.session.scalar(select(PlanAction)) is None
