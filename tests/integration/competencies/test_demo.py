"""The demo shows AA1 in every state, and its audit trail holds until someone edits the database by hand."""
from sqlalchemy import select, text

from lms.accounts.models import User
from lms.competencies.queries import records_of
from lms.extensions import db


def test_the_demo_has_aa1_waiting_achieved_and_in_progress_and_its_trail_holds(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    learner = db.session.scalar(select(User).where(User.email == "learner@demo.test"))
    [aa1] = [r for r in records_of(learner) if r.unit.reference == "AA1"]
    assert aa1.ready and [e.source.value for e in aa1.evidence] == ["course", "observation"]
    states = {(r.status.value, r.ready) for person in db.session.scalars(select(User).where(User.manager_id == learner.manager_id))
              for r in records_of(person) if r.unit.reference == "AA1"}
    assert states == {("working_towards", True), ("achieved", False), ("working_towards", False)}

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["demo"]).exit_code == 0  # a second run adds nothing and breaks nothing
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT min(id) FROM completions")).scalar()
        conn.execute(text("UPDATE completions SET completed_on = '2020-01-01' WHERE id = :id"), {"id": row})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"completions row {row}: was changed behind the application's back: completed_on is '2020-01-01'" in result.output
