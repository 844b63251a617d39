"""The shipped content, checked and loaded together: courses, question banks and competency frameworks.

Used by `lms courses sync` and the demo. Any problem anywhere and nothing loads; courses may only
claim units that a framework holds (in frameworks/ or already loaded).
"""
from dataclasses import dataclass, field
from pathlib import Path

from lms.competencies.framework import FrameworkSpec, claim_problems, parse_framework, reference_problems
from lms.competencies.queries import loaded_references
from lms.competencies.services import load_framework
from lms.learning.content import Content, ContentProblem, read_content
from lms.learning.services import sync_content


@dataclass
class Shipped:
    content: Content
    frameworks: list[FrameworkSpec] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)


def read_shipped(root: Path) -> Shipped:
    shipped = Shipped(read_content(root))
    shipped.problems.extend(shipped.content.problems)
    loaded = loaded_references()
    known = set(loaded)
    for path in sorted((root / "frameworks").glob("*.yaml")):
        label = str(path.relative_to(root))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            shipped.problems.append(ContentProblem(label, "file", "is not UTF-8 text"))
            continue
        spec, problems = parse_framework(text)
        if spec is not None:
            problems += reference_problems(spec, loaded)
            known |= {unit.reference for unit in spec.units}
            shipped.frameworks.append(spec)
        shipped.problems.extend(ContentProblem(label, p.field, p.message) for p in problems)
    claims = {f"courses/{course.slug}/course.yaml": course.danos_units for course in shipped.content.courses}
    for label, messages in claim_problems(claims, known).items():
        shipped.problems.extend(ContentProblem(label, "danos_units", message) for message in messages)
    return shipped


def load_shipped(shipped: Shipped) -> list[str]:
    """Load checked content: frameworks first, so the courses' units are there. Flush only."""
    assert not shipped.problems, "load only content without problems"
    lines = [line for spec in shipped.frameworks for line in load_framework(spec)]
    return lines + sync_content(shipped.content).lines
