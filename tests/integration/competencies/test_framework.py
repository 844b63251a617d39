"""Loading the framework: whole or not at all, versions never silently reused, and units only where they exist."""
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.competencies.models import Unit
from lms.db import utcnow
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of

ROOT = Path(__file__).resolve().parents[3]
DANOS = ROOT / "frameworks" / "danos.yaml"


def units():
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_import_framework_loads_every_unit_and_a_second_run_changes_nothing(runner):
    result = runner.invoke(args=["import", "framework", str(DANOS)])
    assert result.exit_code == 0, result.output
    assert "danos: 7 units (7 new, 0 retitled or restored)" in result.output
    af3 = db.session.scalar(select(Unit).where(Unit.code == "AF3", Unit.version == "2014"))
    assert af3.supersedes.reference == "AF3" and af3.group.title == "Assessment" and af3.needed
    again = runner.invoke(args=["import", "framework", str(DANOS)])
    assert again.exit_code == 0 and "1 framework unchanged" in again.output


def test_a_code_reused_without_supersedes_loads_nothing(runner, tmp_path):
    broken = tmp_path / "danos.yaml"
    broken.write_text(DANOS.read_text().replace("    supersedes: AF3\n", ""))
    result = runner.invoke(args=["import", "framework", str(broken)])
    assert result.exit_code == 1
    assert "units[AF3.2014].supersedes: the code AF3 is also used by AF3: say which it replaces" in result.output
    assert "nothing was changed" in result.output and units() == 0


def test_a_unit_gone_from_the_file_is_retired_and_its_records_kept(runner, tmp_path, team):
    pass_course(team.learner, "safeguarding-children-substance-misuse")
    shorter = tmp_path / "danos.yaml"
    text = DANOS.read_text()
    start = text.index("  - code: AD1")
    shorter.write_text(text[:start] + text[text.index("  - code: AF2"):])
    result = runner.invoke(args=["import", "framework", str(shorter)])
    assert result.exit_code == 0 and "danos: AD1.2012 is no longer in the file: retired, records kept" in result.output
    assert db.session.scalar(select(Unit).where(Unit.code == "AD1")).retired
    assert record_of(team.learner, "AB5.2014") is not None


def test_courses_sync_refuses_a_course_that_claims_a_unit_no_framework_holds(runner, tmp_path):
    for folder in ("courses", "quizzes", "frameworks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    manifest = tmp_path / "courses" / "safeguarding-children-substance-misuse" / "course.yaml"
    manifest.write_text(manifest.read_text().replace("[AB5.2014, AB7.2014]", "[AB5, AB7.2014]"))
    result = runner.invoke(args=["courses", "sync", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert ("courses/safeguarding-children-substance-misuse/course.yaml: danos_units: AB5 is not a unit of any "
            "framework (did you mean AB5.2014?)") in result.output
    assert units() == 0

    (tmp_path / "frameworks" / "danos.yaml").write_text(DANOS.read_text().replace("    supersedes: AF3\n", ""))
    manifest.write_text(manifest.read_text().replace("[AB5, AB7.2014]", "[AB5.2014, AB7.2014]"))
    result = runner.invoke(args=["courses", "sync", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "frameworks/danos.yaml: units[AF3.2014].supersedes:" in result.output


def test_sessions_name_only_units_that_exist(client, login_as, make_person, runner, tmp_path, framework):
    login_as(make_person(roles=[Role.COORDINATOR]))
    day = (utcnow() + timedelta(days=40)).date()
    page = client.post("/sessions/new", data={
        "title": "Recognising and referring", "start_time": "9:30am", "end_time": "4pm", "venue": "Civic Centre",
        "capacity": "12", "self_booking": "no", "danos_units": "AA1 AB5",
        "starts_on": [str(day.day), str(day.month), str(day.year)]}).get_data(as_text=True)
    assert "There is a problem" in page and "AB5 is not a unit of any framework (did you mean AB5.2014?)" in page

    path = tmp_path / "events.csv"
    path.write_text("code,title,requirements,starts_at,ends_at,venue,capacity,danos_units\n"
                    "RR-1,Recognising and referring,,2027-03-02 09:30,2027-03-02 16:00,Civic Centre,12,AA1 AB7\n")
    result = runner.invoke(args=["import", "events", str(path)])
    assert result.exit_code == 1
    assert "line 2: danos_units: AB7 is not a unit of any framework (did you mean AB7.2014?)" in result.output


def test_a_unit_that_needs_other_evidence_works_its_records_out_again_and_the_trail_still_holds(runner, tmp_path, team):
    pass_course(team.learner, "recognise-and-refer")
    assert not record_of(team.learner, "AA1").ready
    knowledge_only = tmp_path / "danos.yaml"
    knowledge_only.write_text(DANOS.read_text().replace("    evidence: [knowledge, observation]\n    equivalent_to",
                                                        "    evidence: [knowledge]\n    equivalent_to", 1))
    result = runner.invoke(args=["import", "framework", str(knowledge_only)])
    assert "danos: AA1 now needs knowledge; 1 records worked out again" in result.output
    assert record_of(team.learner, "AA1").ready
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
