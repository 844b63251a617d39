"""Content format checks on small fixtures written by each test."""
import textwrap
from pathlib import Path

from lms.learning.content import read_content

MANIFEST = """\
title: Test course
version: 1
summary: A course for tests.
minutes: 20
audience: Everyone
level: Awareness
requirements: [hidden-harm-awareness]
danos_units: [AA1]
quiz: test-course
"""


def question(n, **extra):
    q = {"id": f"t-{n}", "type": "single", "prompt": f"Question {n}?",
         "options": [{"text": "Right", "correct": True}, {"text": "Wrong"}],
         "feedback": {"correct": "Yes.", "incorrect": "No."}}
    q.update(extra)
    return q


def make_tree(root: Path, manifest=MANIFEST, pages=None, questions=None, draw=2):
    import yaml

    folder = root / "courses" / "test-course"
    folder.mkdir(parents=True)
    (folder / "course.yaml").write_text(manifest)
    for name, text in (pages or {"01-intro.md": "# Introduction\n\nSee [the next page](02-more.md).\n",
                                 "02-more.md": "# More\n\nText.\n"}).items():
        (folder / name).write_text(textwrap.dedent(text))
    (root / "quizzes").mkdir()
    bank = {"title": "Test", "draw": draw, "pass_mark": 80, "questions": questions or [question(1), question(2)]}
    (root / "quizzes" / "test-course.yaml").write_text(yaml.safe_dump(bank))
    return root


def problems(root):
    return [str(p) for p in read_content(root).problems]


def test_good_content_reads_without_problems(tmp_path):
    content = read_content(make_tree(tmp_path))
    assert content.problems == []
    [course] = content.courses
    assert [p.title for p in course.pages] == ["Introduction", "More"]


def test_shipped_content_has_no_problems():
    content = read_content(Path(__file__).resolve().parents[2])
    assert [str(p) for p in content.problems] == []
    assert {c.slug for c in content.courses} == {
        "hidden-harm-awareness", "caf-early-help", "safeguarding-children-substance-misuse", "recognise-and-refer"}
    for bank in content.banks:
        assert len(bank.questions) >= 25 and bank.draw == 10 and bank.pass_mark == 80


def test_missing_fields_and_unknown_fields_are_named(tmp_path):
    make_tree(tmp_path, manifest="title: X\nminutes: lots\ncolour: blue\nquiz: test-course\n")
    found = problems(tmp_path)
    assert "courses/test-course/course.yaml: summary: is required" in found
    assert "courses/test-course/course.yaml: minutes: must be a whole number from 1 to 600" in found
    assert "courses/test-course/course.yaml: colour: is not a field of a course" in found


def test_broken_link_and_bad_page_title_are_reported(tmp_path):
    make_tree(tmp_path, pages={"01-intro.md": "# Intro\n\n[gone](07-gone.md) and [http](http://example.com)\n",
                               "02-more.md": "No title here\n"})
    found = problems(tmp_path)
    assert "courses/test-course/01-intro.md: link: '07-gone.md' is not a page of this course or an https:// address" in found
    assert "courses/test-course/01-intro.md: link: 'http://example.com' is not a page of this course or an https:// address" in found
    assert any(p.startswith("courses/test-course/02-more.md: title:") for p in found)


def test_bank_that_cannot_draw_its_count_and_duplicate_ids(tmp_path):
    make_tree(tmp_path, questions=[question(1), question(1)], draw=5)
    found = problems(tmp_path)
    assert "quizzes/test-course.yaml: draw: draws 5 questions but the bank holds only 2" in found
    assert "quizzes/test-course.yaml: questions[t-1].id: is used twice (questions 0 and 1)" in found


def test_question_rules(tmp_path):
    make_tree(tmp_path, draw=1, questions=[
        question(1, options=[{"text": "A", "correct": True}, {"text": "B", "correct": True}]),
        question(2, type="scenario"),
        question(3, type="essay"),
        question(4, feedback={"correct": "only one"}),
        question(5, options=[{"text": "Same"}, {"text": "same", "correct": True}]),
    ])
    found = problems(tmp_path)
    assert "quizzes/test-course.yaml: questions[t-1].options: must have exactly one correct option (has 2)" in found
    assert "quizzes/test-course.yaml: questions[t-2].scenario: a scenario question needs its case text" in found
    assert any("questions[t-3].type: 'essay' is not one of" in p for p in found)
    assert "quizzes/test-course.yaml: questions[t-4].feedback: needs both correct and incorrect texts" in found
    assert "quizzes/test-course.yaml: questions[t-5].options: two options have the same text" in found


def test_unknown_quiz_and_invalid_yaml(tmp_path):
    make_tree(tmp_path, manifest=MANIFEST.replace("quiz: test-course", "quiz: nowhere"))
    (tmp_path / "quizzes" / "broken.yaml").write_text("title: [unclosed\n")
    found = problems(tmp_path)
    assert "courses/test-course/course.yaml: quiz: no question bank quizzes/nowhere.yaml" in found
    assert any(p.startswith("quizzes/broken.yaml: line") and "not valid YAML" in p for p in found)


def test_local_contacts_required_needs_such_a_page(tmp_path):
    make_tree(tmp_path, manifest=MANIFEST + "local_contacts_required: true\n")
    assert "courses/test-course/course.yaml: local_contacts_required: the course has no page of kind local-contacts" in problems(tmp_path)


def test_a_question_may_name_the_page_that_teaches_it(tmp_path):
    make_tree(tmp_path, questions=[question(1, page="02-more.md"), question(2)])
    content = read_content(tmp_path)
    assert content.problems == []
    assert content.banks[0].questions[0]["page"] == "02-more.md"


def test_a_question_page_must_be_a_page_of_the_course_that_ends_with_the_bank(tmp_path):
    make_tree(tmp_path, questions=[question(1, page="07-gone.md"), question(2, page="Sharing information")])
    found = problems(tmp_path)
    assert "quizzes/test-course.yaml: questions[t-1].page: '07-gone.md' is not a page of courses/test-course" in found
    assert "quizzes/test-course.yaml: questions[t-2].page: must be the file name of a page, like 04-sharing-information.md" in found
