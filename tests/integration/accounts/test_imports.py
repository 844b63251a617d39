import io
import textwrap

import pytest
from sqlalchemy import func, select

from lms.accounts.models import JobRole, Organisation, Team, User
from lms.extensions import db

HEADER = "employee_id,given_name,family_name,email,organisation,team,job_role,manager_email,start_date,leaving_date\n"


@pytest.fixture
def partnership(make_org, make_job_role):
    org = make_org("Riverside Recovery Service")
    db.session.add(Team(organisation=org, name="Adult Treatment"))
    make_job_role("Drug and alcohol worker")
    make_job_role("Team manager")
    db.session.commit()
    return org


def write(tmp_path, text, name="staff.csv"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


GOOD = HEADER + """\
M1,Mark,Hughes,mark@example.test,Riverside Recovery Service,Adult Treatment,Team manager,,2019-04-01,
W1,Lee,Patel,lee@example.test,Riverside Recovery Service,Adult Treatment,Drug and alcohol worker,mark@example.test,2021-09-13,
W2,Ann,Lee,ann@example.test,riverside recovery service,,Drug and alcohol worker,MARK@example.test,2022-01-10,2023-03-31
"""


def count_people():
    return db.session.scalar(select(func.count()).select_from(User))


def test_good_staff_file_imports_with_managers_and_leavers(runner, tmp_path, partnership):
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    lee = db.session.scalar(select(User).where(User.employee_id == "W1"))
    assert lee.manager.email == "mark@example.test" and lee.team.name == "Adult Treatment"
    ann = db.session.scalar(select(User).where(User.employee_id == "W2"))
    assert not ann.active and not ann.is_active


def test_reimport_updates_by_employee_id_and_deactivates_leavers(runner, tmp_path, partnership):
    runner.invoke(args=["import", "staff", str(write(tmp_path, GOOD))])
    changed = GOOD.replace("lee@example.test,Riverside Recovery Service,Adult Treatment,Drug and alcohol worker,mark@example.test,2021-09-13,",
                           "lee.patel@example.test,Riverside Recovery Service,Adult Treatment,Drug and alcohol worker,mark@example.test,2021-09-13,2024-01-31")
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, changed, "again.csv"))])
    assert result.exit_code == 0, result.output
    assert "1 deactivated" in result.output
    lee = db.session.scalar(select(User).where(User.employee_id == "W1"))
    assert lee.email == "lee.patel@example.test" and not lee.active
    assert count_people() == 3  # leavers are kept, never deleted


def test_bad_staff_file_changes_nothing_and_names_every_bad_line(runner, tmp_path, partnership):
    bad = HEADER + """\
M1,Mark,Hughes,mark@example.test,Riverside Recovery Service,Adult Treatment,Team manager,,2019-04-01,
W1,Lee,Patel,not-an-email,Riverside Recovery Service,,Drug and alcohol worker,,2021-09-13,
W2,Ann,Lee,ann@example.test,Nowhere Trust,,Drug and alcohol worker,,2022-01-10,
W3,Bo,Chan,bo@example.test,Riverside Recovery Service,Night Team,Astronaut,,13/01/2022,
W4,Di,Jones,di@example.test,Riverside Recovery Service,,Drug and alcohol worker,ghost@example.test,2022-01-10,2021-01-01
M1,Dup,Licate,dup@example.test,Riverside Recovery Service,,Team manager,,2019-04-01,
"""
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, bad))])
    assert result.exit_code == 1
    lines = result.output
    assert "line 3: email: 'not-an-email' is not a valid email address" in lines
    assert "line 4: organisation: no organisation called 'Nowhere Trust'" in lines
    assert "line 5: team: Riverside Recovery Service has no team called 'Night Team'" in lines
    assert "line 5: job_role: no job role called 'Astronaut'" in lines
    assert "line 5: start_date: '13/01/2022' is not a date in the form YYYY-MM-DD" in lines
    assert "line 6: leaving_date: must be on or after the start date" in lines
    assert "line 7: employee_id: 'M1' is also on line 2" in lines
    assert "nothing was changed" in lines
    assert count_people() == 0


def test_manager_missing_everywhere_is_an_error(runner, tmp_path, partnership):
    bad = HEADER + "W1,Lee,Patel,lee@example.test,Riverside Recovery Service,,Drug and alcohol worker,ghost@example.test,2021-09-13,\n"
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, bad))])
    assert result.exit_code == 1
    assert "line 2: manager_email: no person with email 'ghost@example.test'" in result.output
    assert count_people() == 0


def test_missing_column_is_reported_and_nothing_changes(runner, tmp_path, partnership):
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, "employee_id,email\nW1,a@example.test\n"))])
    assert result.exit_code == 1
    assert "line 1: file: the header row is missing given_name" in result.output


def test_dry_run_reports_and_changes_nothing(runner, tmp_path, partnership):
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, GOOD)), "--dry-run"])
    assert result.exit_code == 0 and "Would change: 3 created" in result.output
    assert count_people() == 0


def test_organisations_and_job_roles_import(runner, tmp_path):
    orgs = write(tmp_path, "name,sector,commissioned\nNorth Health,health,no\nHope Project,voluntary,yes\n", "orgs.csv")
    roles = write(tmp_path, "name\nHealth visitor\nVolunteer\n", "roles.csv")
    assert runner.invoke(args=["import", "organisations", str(orgs)]).exit_code == 0
    assert runner.invoke(args=["import", "job-roles", str(roles)]).exit_code == 0
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Hope Project")).commissioned
    assert db.session.scalar(select(func.count()).select_from(JobRole)) == 2


def test_bad_organisation_rows_are_all_reported(runner, tmp_path):
    path = write(tmp_path, "name,sector,commissioned\nA,space,no\nB,health,maybe\nA,health,no\n", "orgs.csv")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "line 2: sector: 'space' is not one of" in result.output
    assert "line 3: commissioned: 'maybe' must be yes or no" in result.output
    assert "line 4: name: 'A' is also on line 2" in result.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_file_that_is_not_utf8_is_refused(runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name\nCaf\xe9 Project\n".encode("latin-1"))
    result = runner.invoke(args=["import", "job-roles", str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_admin_previews_then_applies_an_upload(client, login_as, make_person, partnership):
    login_as(make_person(roles=["admin"], org=partnership))
    before = count_people()
    preview = client.post("/admin/imports", data={"kind": "staff", "file": (io.BytesIO(GOOD.encode()), "staff.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert "Importing it will change: <strong>3 created</strong>" in page
    assert count_people() == before
    payload = page.split('name="payload" value="')[1].split('"')[0]
    applied = client.post("/admin/imports/apply", data={"kind": "staff", "payload": payload, "filename": "staff.csv"})
    assert applied.status_code == 302
    assert count_people() == before + 3


def test_admin_upload_with_problems_lists_them_and_offers_no_import(client, login_as, make_person, partnership):
    login_as(make_person(roles=["admin"], org=partnership))
    bad = HEADER + "W1,Lee,Patel,lee@example.test,Nowhere,,Drug and alcohol worker,,2021-09-13,\n"
    page = client.post("/admin/imports", data={"kind": "staff", "file": (io.BytesIO(bad.encode()), "staff.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "line 2: organisation: no organisation called &#39;Nowhere&#39;" in page
    assert "Nothing has been imported" in page and 'name="payload"' not in page
