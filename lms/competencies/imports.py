"""`lms import framework FILE`: a competency framework file, checked whole before anything loads."""
from lms.competencies.framework import parse_framework, reference_problems
from lms.competencies.queries import loaded_references
from lms.competencies.services import load_framework
from lms.importing import ImportReport, Problem, importer


@importer("framework", "A competency framework, such as frameworks/danos.yaml (YAML)")
def import_framework(text: str) -> ImportReport:
    report = ImportReport("framework")
    spec, problems = parse_framework(text)
    if spec is not None:
        problems += reference_problems(spec, loaded_references())
    report.problems = [Problem(p.line, p.field, p.message) for p in problems]
    if not report.ok:
        return report
    report.lines = load_framework(spec)
    report.count("framework loaded" if report.lines else "framework unchanged")
    return report
