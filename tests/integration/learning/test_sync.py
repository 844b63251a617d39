import shutil
from pathlib import Path

from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.models import Course, CoursePage, CourseVersion, QuestionBank

ROOT = Path(__file__).resolve().parents[3]


def copy_content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "courses", tmp_path / "courses")
    shutil.copytree(ROOT / "quizzes", tmp_path / "quizzes")
    shutil.copytree(ROOT / "frameworks", tmp_path / "frameworks")
    return tmp_path


def manifest_version(slug: str) -> int:
    """The version a shipped course's manifest states: the first version a fresh database loads."""
    import yaml

    return yaml.safe_load((Path(__file__).resolve().parents[3] / "courses" / slug / "course.yaml").read_text())["version"]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_sync_loads_the_four_modules_and_a_second_run_changes_nothing(runner):
    first = runner.invoke(args=["courses", "sync"])
    assert first.exit_code == 0, first.output
    assert count(Course) == 4 and count(QuestionBank) == 4
    pages = count(CoursePage)
    second = runner.invoke(args=["courses", "sync"])
    assert "added" not in second.output and "changed" not in second.output
    assert count(CoursePage) == pages and count(CourseVersion) == 4


def test_broken_content_changes_nothing_and_names_each_problem(runner, tmp_path):
    root = copy_content(tmp_path)
    assert runner.invoke(args=["courses", "sync", "--root", str(root)]).exit_code == 0
    before = (count(CourseVersion), count(CoursePage))

    # One good change and two broken files: nothing at all may load.
    page = root / "courses" / "caf-early-help" / "01-why-early-help.md"
    page.write_text(page.read_text() + "\nA new paragraph.\n")
    (root / "courses" / "hidden-harm-awareness" / "course.yaml").write_text("title: Hidden Harm\n")
    bank = root / "quizzes" / "recognise-and-refer.yaml"
    bank.write_text(bank.read_text().replace("draw: 10", "draw: 99"))

    result = runner.invoke(args=["courses", "sync", "--root", str(root)])
    assert result.exit_code == 1
    assert "courses/hidden-harm-awareness/course.yaml: summary: is required" in result.output
    assert "quizzes/recognise-and-refer.yaml: draw: draws 99 questions but the bank holds only" in result.output
    assert "nothing was changed" in result.output
    assert (count(CourseVersion), count(CoursePage)) == before


def test_changed_course_gets_a_new_version_and_keeps_the_old(runner, tmp_path):
    root = copy_content(tmp_path)
    runner.invoke(args=["courses", "sync", "--root", str(root)])
    page = root / "courses" / "caf-early-help" / "02-when-to-use-a-caf.md"
    page.write_text(page.read_text() + "\nOne more thing to know.\n")
    result = runner.invoke(args=["courses", "sync", "--root", str(root)])
    shipped = manifest_version("caf-early-help")
    assert f"courses/caf-early-help: changed, now version {shipped + 1}" in result.output
    versions = db.session.scalars(
        select(CourseVersion.version).join(Course).where(Course.slug == "caf-early-help").order_by(CourseVersion.version)
    ).all()
    assert versions == [shipped, shipped + 1]


def test_removed_course_is_unpublished_not_deleted(runner, tmp_path):
    root = copy_content(tmp_path)
    runner.invoke(args=["courses", "sync", "--root", str(root)])
    shutil.rmtree(root / "courses" / "caf-early-help")
    result = runner.invoke(args=["courses", "sync", "--root", str(root)])
    assert "courses/caf-early-help: folder gone, unpublished" in result.output
    course = db.session.scalar(select(Course).where(Course.slug == "caf-early-help"))
    assert course is not None and not course.published
