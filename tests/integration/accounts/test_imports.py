import io
import textwrap

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.accounts.models import JobRole, Organisation, PendingImport, Team, User
from lms.extensions import db
from tests.conftest import PASSWORD

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
    applied = client.post("/admin/imports/apply", data={"upload": upload_token(page)})
    assert applied.status_code == 302
    assert count_people() == before + 3


def test_admin_upload_with_problems_lists_them_and_offers_no_import(client, login_as, make_person, partnership):
    login_as(make_person(roles=["admin"], org=partnership))
    bad = HEADER + "W1,Lee,Patel,lee@example.test,Nowhere,,Drug and alcohol worker,,2021-09-13,\n"
    page = client.post("/admin/imports", data={"kind": "staff", "file": (io.BytesIO(bad.encode()), "staff.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "line 2: organisation: no organisation called &#39;Nowhere&#39;" in page
    assert "Nothing has been imported" in page and 'name="payload"' not in page


def pending_imports() -> int:
    return db.session.scalar(select(func.count()).select_from(PendingImport))


def upload_token(page: str) -> str:
    return page.split('name="upload" value="')[1].split('"')[0]


def preview(client, text: str, kind="staff", filename="staff.csv"):
    # Encoded here in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"kind": kind, "file": FileStorage(io.BytesIO(text.encode()), filename)})
    return client.post("/admin/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_over_long_values_and_nul_bytes_in_csv_are_refused(runner, tmp_path, partnership):
    long_name = "G" * 5000
    bad = HEADER + (
        f"W1,{long_name},Patel,lee@example.test,Riverside Recovery Service,,Drug and alcohol worker,,2021-09-13,\n"
        "W2,Ann,Le\x00e,ann@example.test,Riverside Recovery Service,,Drug and alcohol worker,,2021-09-13,\n"
        f"{'E' * 65},Bo,Chan,bo@example.test,Riverside Recovery Service,,Drug and alcohol worker,,2021-09-13,\n"
    )
    result = runner.invoke(args=["import", "staff", str(write(tmp_path, bad))])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "line 2: given_name: is 5,000 characters long; at most 100" in result.output
    assert "line 3: family_name: contains a NUL character" in result.output
    assert "line 4: employee_id: is 65 characters long; at most 64" in result.output
    assert count_people() == 0


def test_over_long_organisation_names_are_refused(runner, tmp_path):
    path = write(tmp_path, f"name,sector,commissioned\n{'N' * 201},health,no\n", "orgs.csv")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "line 2: name: is 201 characters long; at most 200" in result.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_a_file_near_the_size_limit_previews_and_applies(app, client, login_as, make_person):
    login_as(make_person(roles=["admin"]))
    roles = [f"Role {n:05d} " + "x" * 188 for n in range(24_500)]  # names near their 200-character limit
    text = "name\n" + "\n".join(roles) + "\n"
    assert 4_900_000 < len(text) < app.config["MAX_CONTENT_LENGTH"] - 10_000

    page = preview(client, text, kind="job-roles", filename="roles.csv").get_data(as_text=True)
    assert "Importing it will change: <strong>24500 created</strong>" in page
    token = upload_token(page)
    assert len(page) < 100_000  # the file stays on the server; the page carries only its token
    assert db.session.scalar(select(PendingImport.token_hash)) != token  # only its hash is kept
    applied = client.post("/admin/imports/apply", data={"upload": token})
    assert applied.status_code == 302, applied.status_code
    assert db.session.scalar(select(func.count()).select_from(JobRole)) == 24_501  # with the admin's own
    assert pending_imports() == 0  # deleted once applied
    again = client.post("/admin/imports/apply", data={"upload": token})
    assert "Upload the file again" in again.get_data(as_text=True)


def test_an_upload_can_only_be_applied_by_the_admin_who_checked_it(app, client, login_as, make_person, partnership):
    login_as(make_person(roles=["admin"], org=partnership))
    token = upload_token(preview(client, GOOD).get_data(as_text=True))
    other = app.test_client()
    other.post("/login", data={"email": make_person(roles=["admin"], org=partnership).email, "password": PASSWORD})
    response = other.post("/admin/imports/apply", data={"upload": token})
    assert response.status_code == 400 and "Upload the file again" in response.get_data(as_text=True)
    assert count_people() == 2
    assert client.post("/admin/imports/apply", data={"upload": token}).status_code == 302
    assert count_people() == 5


def test_an_upload_not_applied_within_an_hour_is_deleted(app, client, login_as, make_person, partnership):
    import time_machine
    from datetime import timedelta

    from lms.db import utcnow

    login_as(make_person(roles=["admin"], org=partnership))
    token = upload_token(preview(client, GOOD).get_data(as_text=True))
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        response = client.post("/admin/imports/apply", data={"upload": token})
    assert response.status_code == 400 and "Upload the file again" in response.get_data(as_text=True)
    assert pending_imports() == 0
    assert count_people() == 1


def test_a_forged_upload_token_changes_nothing(client, login_as, make_person, partnership):
    login_as(make_person(roles=["admin"], org=partnership))
    for token in ["../../lms.sqlite", "", "x" * 300]:
        response = client.post("/admin/imports/apply", data={"upload": token})
        assert response.status_code == 400
    assert count_people() == 1


def test_a_csv_value_longer_than_the_csv_module_reads_is_a_problem_not_a_crash(runner, tmp_path):
    path = write(tmp_path, "name\nVolunteer\n" + "x" * 200_000 + "\n", "roles.csv")
    result = runner.invoke(args=["import", "job-roles", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "line 3: file: not valid CSV (field larger than field limit (131072))" in result.output
