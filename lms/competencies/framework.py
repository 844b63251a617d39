"""Reading and checking a framework file (frameworks/*.yaml). Pure: text in, a spec or problems out."""
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from lms.competencies.rules import ORIGINAL, EvidenceKind, reference, split_reference
from lms.importing import ImportFileError, yaml_with_lines

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
YEAR = re.compile(r"^(19|20)\d\d$")
TOP_FIELDS = {"framework", "title", "publisher", "source", "groups", "units"}
GROUP_FIELDS = {"code", "title"}
UNIT_FIELDS = {"code", "version", "title", "summary", "group", "title_source", "evidence", "supersedes",
               "equivalent_to", "note"}


@dataclass(frozen=True)
class FrameworkProblem:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class GroupSpec:
    code: str
    title: str


@dataclass(frozen=True)
class UnitSpec:
    code: str
    version: str
    title: str
    summary: str
    group: str
    title_source: str
    evidence: tuple[str, ...]
    supersedes: str | None
    equivalent_to: tuple[str, ...]
    note: str
    line: int = field(compare=False)

    @property
    def reference(self) -> str:
        return reference(self.code, self.version)


@dataclass
class FrameworkSpec:
    slug: str
    title: str
    publisher: str
    source: str
    groups: list[GroupSpec]
    units: list[UnitSpec]

    @property
    def content_hash(self) -> str:
        data = asdict(self)
        for unit in data["units"]:
            unit.pop("line")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _version_order(version: str) -> tuple[int, str]:
    return (0, "") if version == ORIGINAL else (1, version)


class _Reader:
    def __init__(self):
        self.problems: list[FrameworkProblem] = []

    def problem(self, line: int, where: str, message: str) -> None:
        self.problems.append(FrameworkProblem(line, where, message))

    def text(self, data: Mapping, key: str, line: int, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(line, f"{where}{key}", "is required")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(line, f"{where}{key}", "must be text")
            return ""
        return " ".join(str(value).split())

    def unknown(self, data: Mapping, known: set[str], line: int, where: str, what: str) -> None:
        for key in sorted(set(data) - known - {"__line__"}):
            self.problem(line, f"{where}{key}", f"is not a field of {what}")


def parse_framework(text: str) -> tuple[FrameworkSpec | None, list[FrameworkProblem]]:
    """Check every field of the file; any problem and the spec is not to be loaded."""
    reader = _Reader()
    try:
        data = yaml_with_lines(text)
    except ImportFileError as error:
        return None, [FrameworkProblem(error.line, "file", str(error))]
    if not isinstance(data, dict):
        return None, [FrameworkProblem(1, "file", "must be a mapping with framework, title, publisher, groups and units")]
    reader.unknown(data, TOP_FIELDS, 1, "", "a framework")
    slug = reader.text(data, "framework", 1, "")
    if slug and not SLUG.match(slug):
        reader.problem(1, "framework", "use lower-case letters, digits and dashes, like danos")
    groups = _groups(reader, data.get("groups"))
    units = _units(reader, data.get("units"), {group.code for group in groups})
    spec = FrameworkSpec(slug=slug, title=reader.text(data, "title", 1, ""), publisher=reader.text(data, "publisher", 1, ""),
                         source=reader.text(data, "source", 1, "", required=False), groups=groups, units=units)
    return (None if reader.problems else spec), reader.problems


def _groups(reader: _Reader, items) -> list[GroupSpec]:
    if not isinstance(items, list) or not items:
        reader.problem(1, "groups", "list at least one group, each with a code and a title")
        return []
    groups, seen = [], set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            reader.problem(1, f"groups[{index}]", "must be a mapping with code and title")
            continue
        line = item["__line__"]
        code = reader.text(item, "code", line, f"groups[{index}].")
        where = f"groups[{code or index}]."
        reader.unknown(item, GROUP_FIELDS, line, where, "a group")
        if code and not SLUG.match(code):
            reader.problem(line, f"{where}code", "use lower-case letters, digits and dashes")
        if code in seen:
            reader.problem(line, f"{where}code", f"{code!r} is listed twice")
        seen.add(code)
        groups.append(GroupSpec(code, reader.text(item, "title", line, where)))
    return groups


def _units(reader: _Reader, items, group_codes: set[str]) -> list[UnitSpec]:
    if not isinstance(items, list) or not items:
        reader.problem(1, "units", "list at least one unit")
        return []
    units, seen = [], {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            reader.problem(1, f"units[{index}]", "must be a mapping of a unit's fields")
            continue
        line = item["__line__"]
        code = reader.text(item, "code", line, f"units[{index}].")
        version = reader.text(item, "version", line, f"units[{index}].")
        where = f"units[{reference(code, version) if code and version else index}]."
        reader.unknown(item, UNIT_FIELDS, line, where, "a unit")
        if code and not CODE.match(code):
            reader.problem(line, f"{where}code", "must be capital letters and digits, like AA1 or GEN36")
        if version and version != ORIGINAL and not YEAR.match(version):
            reader.problem(line, f"{where}version", f"must be {ORIGINAL} (the first suite) or the year of the review, like 2014")
        ref = reference(code, version)
        if code and version and ref in seen:
            reader.problem(line, f"{where}version", f"{ref} is also on line {seen[ref]}")
        seen[ref] = line
        group = reader.text(item, "group", line, where)
        if group and group not in group_codes:
            reader.problem(line, f"{where}group", f"no group {group!r} in groups")
        evidence = item.get("evidence")
        kinds = {kind.value for kind in EvidenceKind}
        if (not isinstance(evidence, list) or not evidence or len(set(evidence)) != len(evidence)
                or not set(evidence) <= kinds):
            reader.problem(line, f"{where}evidence", f"list the kinds of evidence it needs, from {', '.join(sorted(kinds))}")
            evidence = []
        supersedes = reader.text(item, "supersedes", line, where, required=False) or None
        if supersedes:
            old_code, old_version = split_reference(supersedes)
            if not CODE.match(old_code) or (old_version != ORIGINAL and not YEAR.match(old_version)):
                reader.problem(line, f"{where}supersedes", "must be a unit reference, like AF3 or AB5.2014")
            elif reference(old_code, old_version) == ref:
                reader.problem(line, f"{where}supersedes", "a unit cannot supersede itself")
        equivalent = item.get("equivalent_to") or []
        if not isinstance(equivalent, list) or not all(isinstance(e, str) and e.strip() for e in equivalent):
            reader.problem(line, f"{where}equivalent_to", "must be a list of the same unit's names in other suites")
            equivalent = []
        units.append(UnitSpec(
            code=code, version=version, title=reader.text(item, "title", line, where),
            summary=reader.text(item, "summary", line, where), group=group,
            title_source=reader.text(item, "title_source", line, where), evidence=tuple(evidence),
            supersedes=reference(*split_reference(supersedes)) if supersedes else None,
            equivalent_to=tuple(" ".join(e.split()) for e in equivalent),
            note=reader.text(item, "note", line, where, required=False), line=line,
        ))
    return units


def reference_problems(spec: FrameworkSpec, loaded: Mapping[str, str]) -> list[FrameworkProblem]:
    """What the file means beside what is loaded already ({reference: framework slug}).

    A code used for more than one version must say, on every version but the earliest, which
    version of that code it supersedes: a renumbered unit never silently takes an old code."""
    problems = []
    in_file = {unit.reference for unit in spec.units}
    others = {ref: slug for ref, slug in loaded.items() if slug != spec.slug}
    versions = defaultdict(set)
    for ref in [*in_file, *(ref for ref, slug in loaded.items() if slug == spec.slug)]:
        code, version = split_reference(ref)
        versions[code].add(version)
    for unit in spec.units:
        where = f"units[{unit.reference}]."
        if unit.reference in others:
            problems.append(FrameworkProblem(unit.line, f"{where}code",
                                             f"{unit.reference} is already a unit of the {others[unit.reference]} framework"))
        if unit.supersedes and unit.supersedes not in in_file and unit.supersedes not in loaded:
            problems.append(FrameworkProblem(unit.line, f"{where}supersedes",
                                             f"no unit {unit.supersedes} in this file or already loaded"))
        earliest = min(versions[unit.code], key=_version_order)
        if unit.version != earliest:
            replaced = split_reference(unit.supersedes) if unit.supersedes else None
            if replaced is None or replaced[0] != unit.code:
                taken = ", ".join(reference(unit.code, v) for v in sorted(versions[unit.code] - {unit.version}, key=_version_order))
                problems.append(FrameworkProblem(unit.line, f"{where}supersedes",
                                                 f"the code {unit.code} is also used by {taken}: say which it replaces, "
                                                 f"like `supersedes: {reference(unit.code, earliest)}`, or give it its own code"))
    return problems


def claim_problems(claims: Mapping[str, list[str]], known: set[str]) -> dict[str, list[str]]:
    """{who claims: [problem]} for each claimed unit reference that no framework holds."""
    found = {}
    codes = defaultdict(list)
    for ref in sorted(known):
        codes[split_reference(ref)[0]].append(ref)
    for owner, refs in claims.items():
        for ref in refs:
            if ref in known:
                continue
            alternatives = codes.get(split_reference(ref)[0])
            hint = f" (did you mean {' or '.join(alternatives)}?)" if alternatives else ""
            found.setdefault(owner, []).append(f"{ref} is not a unit of any framework{hint}")
    return found
