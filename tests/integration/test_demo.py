from sqlalchemy import func, select

from lms.accounts.models import Organisation, Sector, User
from lms.demo import DEMO_PASSWORD
from lms.extensions import db


def test_demo_builds_a_partnership_idempotently_and_every_demo_account_signs_in(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for email in ["admin@demo.test", "coordinator@demo.test", "manager@demo.test", "commissioner@demo.test", "learner@demo.test"]:
        assert email in result.output
    people = db.session.scalar(select(func.count()).select_from(User))
    assert people >= 60
    sectors = set(db.session.scalars(select(Organisation.sector)))
    assert len(sectors) >= 6 and Sector.DRUG_ALCOHOL in sectors and Sector.CHILDREN in sectors

    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == people

    for email in ["admin@demo.test", "coordinator@demo.test", "manager@demo.test", "commissioner@demo.test", "learner@demo.test"]:
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302, email
        assert client.get("/").status_code == 200


def test_demo_reset_starts_over(runner):
    runner.invoke(args=["demo"])
    assert runner.invoke(args=["demo", "--reset"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "admin@demo.test")) == 1
