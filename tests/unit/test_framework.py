"""The framework file format, and the claims the shipped courses make against the shipped framework."""
import textwrap
from pathlib import Path

import pytest
import yaml

from lms.competencies.framework import claim_problems, parse_framework, reference_problems
from lms.learning.content import read_content

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "frameworks" / "danos.yaml").read_text()

HEADER = """\
framework: danos
title: DANOS
publisher: Skills for Health
groups:
  - {code: assessment, title: Assessment}
units:
"""


def unit(code, version, **extra):
    fields = {"code": code, "version": version, "title": f"Unit {code}", "summary": "What it asks.",
              "group": "assessment", "title_source": "https://example.org/source", "evidence": ["knowledge", "observation"]}
    fields.update(extra)
    return textwrap.indent(yaml.safe_dump([fields], sort_keys=False), "  ")


def problems_of(text, loaded=None):
    spec, problems = parse_framework(text)
    if spec is not None:
        problems += reference_problems(spec, loaded or {})
    return [f"line {p.line}: {p.field}: {p.message}" for p in problems]


def test_the_shipped_framework_has_no_problems_and_every_unit_names_its_source():
    spec, problems = parse_framework(SHIPPED)
    assert problems == [] and reference_problems(spec, {}) == []
    units = {u.reference: u for u in spec.units}
    assert {"AA1", "AB5.2014", "AB7.2014", "AF3", "AF3.2014"} <= set(units)
    assert units["AA1"].title == "Recognise indications of substance misuse and refer individuals to specialists"
    assert units["AF3.2014"].supersedes == "AF3"
    assert all(u.title_source and u.summary and u.evidence for u in spec.units)


# The claims settled in review: a course evidences a unit only for what it teaches and tests.
HONEST_CLAIMS = {
    "recognise-and-refer": ["AA1"],
    "hidden-harm-awareness": [],  # child-centred awareness: neither recognising misuse in adults nor referring them on
    "safeguarding-children-substance-misuse": ["AB5.2014", "AB7.2014"],
    "caf-early-help": ["AB7.2014"],
}


def test_every_unit_a_shipped_course_claims_is_in_the_framework_file_and_the_claims_are_the_reviewed_ones():
    spec, _ = parse_framework(SHIPPED)
    courses = read_content(ROOT).courses
    claims = {course.slug: course.danos_units for course in courses}
    assert claim_problems(claims, {u.reference for u in spec.units}) == {}
    assert claims == HONEST_CLAIMS


def test_a_reused_code_must_say_which_version_it_supersedes():
    text = HEADER + unit("AF3", "original") + unit("AF3", "2014")
    [problem] = problems_of(text)
    assert problem.startswith("line ") and "units[AF3.2014].supersedes: the code AF3 is also used by AF3" in problem
    assert problems_of(HEADER + unit("AF3", "original") + unit("AF3", "2014", supersedes="AF3")) == []


def test_a_code_reused_against_a_unit_already_loaded_is_caught_too():
    problems = problems_of(HEADER + unit("AF3", "2014"), loaded={"AF3": "danos"})
    assert len(problems) == 1 and "units[AF3.2014].supersedes" in problems[0]
    assert problems_of(HEADER + unit("AF3", "2014", supersedes="AF3"), loaded={"AF3": "danos"}) == []


def test_a_unit_another_framework_holds_cannot_be_taken():
    assert "already a unit of the justice framework" in problems_of(HEADER + unit("GE1", "original"), {"GE1": "justice"})[0]


@pytest.mark.parametrize("extra, field, message", [
    ({"evidence": ["reading"]}, "units[AA1].evidence", "list the kinds of evidence it needs"),
    ({"evidence": []}, "units[AA1].evidence", "list the kinds of evidence it needs"),
    ({"group": "nowhere"}, "units[AA1].group", "no group 'nowhere' in groups"),
    ({"title_source": ""}, "units[AA1].title_source", "is required"),
    ({"supersedes": "AA9"}, "units[AA1].supersedes", "no unit AA9 in this file or already loaded"),
    ({"supersedes": "AA1"}, "units[AA1].supersedes", "a unit cannot supersede itself"),
    ({"colour": "blue"}, "units[AA1].colour", "is not a field of a unit"),
])
def test_each_problem_names_the_line_and_field(extra, field, message):
    problems = problems_of(HEADER + unit("AA1", "original", **extra))
    assert any(f"line 7: {field}: {message}" in p for p in problems), problems


@pytest.mark.parametrize("code, version, field", [("aa1", "original", "code"), ("AA1", "v2", "version")])
def test_codes_and_versions_have_one_form(code, version, field):
    assert any(f".{field}:" in p for p in problems_of(HEADER + unit(code, version)))


def test_broken_yaml_is_one_problem_with_its_line():
    [problem] = problems_of("framework: danos\nunits: [\n")
    assert problem.startswith("line 3: file: not valid YAML")


def test_a_claim_of_an_unknown_unit_suggests_the_versions_that_exist():
    found = claim_problems({"courses/x/course.yaml": ["AA1", "AB5"]}, {"AA1", "AB5.2014"})
    assert found == {"courses/x/course.yaml": ["AB5 is not a unit of any framework (did you mean AB5.2014?)"]}
