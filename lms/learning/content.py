"""Reading and checking course folders and question banks. Pure: files in, specs or problems out."""
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PAGE_NAME = re.compile(r"^\d{2}-[a-z0-9-]+\.md$")
PAGE_KINDS = {"reading", "local-contacts"}
QUESTION_TYPES = {"single", "multiple", "true_false", "scenario"}
MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@dataclass(frozen=True)
class ContentProblem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass
class PageSpec:
    name: str  # file name, e.g. 03-signs.md
    title: str
    kind: str
    markdown: str


@dataclass
class CourseSpec:
    slug: str
    title: str
    version: int
    summary: str
    minutes: int
    audience: str
    level: str
    requirements: list[str]
    danos_units: list[str]
    quiz: str
    local_contacts_required: bool
    pages: list[PageSpec]

    @property
    def content_hash(self) -> str:
        data = {k: v for k, v in vars(self).items() if k not in {"pages", "version"}}
        data["pages"] = [vars(p) for p in self.pages]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass
class BankSpec:
    slug: str
    title: str
    draw: int
    pass_mark: int
    questions: list[dict]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(vars(self), sort_keys=True).encode()).hexdigest()


@dataclass
class Content:
    courses: list[CourseSpec] = field(default_factory=list)
    banks: list[BankSpec] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)


def _load_yaml(path: Path, problems: list, label: str):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(ContentProblem(label, "file", "is not UTF-8 text"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problems.append(ContentProblem(label, where, f"not valid YAML ({getattr(error, 'problem', error)})"))
        return None
    if not isinstance(data, dict):
        problems.append(ContentProblem(label, "file", "must be a mapping of fields"))
        return None
    return data


def _text(data: dict, key: str, label: str, problems: list, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(ContentProblem(label, key, "is required"))
        return ""
    if not isinstance(value, str):
        problems.append(ContentProblem(label, key, "must be text"))
        return ""
    return value.strip()


def _whole(data: dict, key: str, label: str, problems: list, low: int, high: int, default=None) -> int:
    value = data.get(key, default)
    if value is None:
        problems.append(ContentProblem(label, key, "is required"))
        return low
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(ContentProblem(label, key, f"must be a whole number from {low} to {high}"))
        return low
    return value


def _codes(data: dict, key: str, label: str, problems: list) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(ContentProblem(label, key, "must be a list of codes"))
        return []
    return [v.strip() for v in value]


def split_front_matter(text: str) -> tuple[dict, str]:
    """A page may start with a YAML header between --- lines."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            header = yaml.safe_load(text[4:end]) or {}
            return header if isinstance(header, dict) else {"kind": None}, text[end + 4 :].lstrip("\n")
    return {}, text


def read_page(path: Path, label: str, problems: list) -> PageSpec | None:
    try:
        header, body = split_front_matter(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        problems.append(ContentProblem(label, "file", "is not UTF-8 Markdown with a valid header"))
        return None
    kind = header.get("kind", "reading")
    if kind not in PAGE_KINDS:
        problems.append(ContentProblem(label, "kind", f"{kind!r} is not one of {', '.join(sorted(PAGE_KINDS))}"))
    first, _, rest = body.partition("\n")
    if not first.startswith("# ") or not first[2:].strip():
        problems.append(ContentProblem(label, "title", "the first line must be the page title, like '# What is Hidden Harm?'"))
        return None
    return PageSpec(name=path.name, title=first[2:].strip(), kind=kind, markdown=rest.strip() + "\n")


def read_course(folder: Path, root: Path) -> tuple[CourseSpec | None, list[ContentProblem]]:
    problems: list[ContentProblem] = []
    manifest_path = folder / "course.yaml"
    label = str(manifest_path.relative_to(root))
    if not manifest_path.exists():
        return None, [ContentProblem(str(folder.relative_to(root)), "course.yaml", "is missing")]
    data = _load_yaml(manifest_path, problems, label)
    if data is None:
        return None, problems
    known = {"title", "version", "summary", "minutes", "audience", "level", "requirements", "danos_units", "quiz", "local_contacts_required"}
    for key in sorted(set(data) - known):
        problems.append(ContentProblem(label, key, "is not a field of a course"))
    local_contacts = data.get("local_contacts_required", False)
    if not isinstance(local_contacts, bool):
        problems.append(ContentProblem(label, "local_contacts_required", "must be true or false"))

    pages = []
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".md"):
        page_label = str(path.relative_to(root))
        if not PAGE_NAME.match(path.name):
            problems.append(ContentProblem(page_label, "file name", "must look like 01-short-title.md"))
            continue
        page = read_page(path, page_label, problems)
        if page:
            pages.append(page)
    if not pages:
        problems.append(ContentProblem(label, "pages", "the course has no pages (01-title.md, 02-…)"))
    names = {p.name for p in pages}
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.markdown):
            if target.startswith(("https://", "mailto:", "tel:")):
                continue
            if target.split("#")[0] not in names:
                problems.append(ContentProblem(f"{folder.relative_to(root)}/{page.name}", "link", f"{target!r} is not a page of this course or an https:// address"))
    if local_contacts is True and not any(p.kind == "local-contacts" for p in pages):
        problems.append(ContentProblem(label, "local_contacts_required", "the course has no page of kind local-contacts"))

    spec = CourseSpec(
        slug=folder.name,
        title=_text(data, "title", label, problems),
        version=_whole(data, "version", label, problems, 1, 10_000, default=1),
        summary=_text(data, "summary", label, problems),
        minutes=_whole(data, "minutes", label, problems, 1, 600),
        audience=_text(data, "audience", label, problems),
        level=_text(data, "level", label, problems),
        requirements=_codes(data, "requirements", label, problems),
        danos_units=_codes(data, "danos_units", label, problems),
        quiz=_text(data, "quiz", label, problems),
        local_contacts_required=local_contacts is True,
        pages=pages,
    )
    return spec, problems


def _question_problems(question, index: int, label: str, seen: dict) -> list[ContentProblem]:
    where = f"questions[{index}]"
    if not isinstance(question, dict):
        return [ContentProblem(label, where, "must be a mapping")]
    problems = []
    qid = question.get("id")
    if not isinstance(qid, str) or not qid.strip():
        problems.append(ContentProblem(label, where + ".id", "is required"))
    else:
        where = f"questions[{qid}]"
        if qid in seen:
            problems.append(ContentProblem(label, where + ".id", f"is used twice (questions {seen[qid]} and {index})"))
        seen[qid] = index
    kind = question.get("type")
    if kind not in QUESTION_TYPES:
        problems.append(ContentProblem(label, where + ".type", f"{kind!r} is not one of {', '.join(sorted(QUESTION_TYPES))}"))
    if not isinstance(question.get("prompt"), str) or not question["prompt"].strip():
        problems.append(ContentProblem(label, where + ".prompt", "is required"))
    if kind == "scenario" and not (isinstance(question.get("scenario"), str) and question["scenario"].strip()):
        problems.append(ContentProblem(label, where + ".scenario", "a scenario question needs its case text"))
    page = question.get("page")
    if page is not None and not (isinstance(page, str) and PAGE_NAME.match(page)):
        problems.append(ContentProblem(label, where + ".page", "must be the file name of a page, like 04-sharing-information.md"))
    feedback = question.get("feedback")
    if not isinstance(feedback, dict) or not all(isinstance(feedback.get(k), str) and feedback[k].strip() for k in ("correct", "incorrect")):
        problems.append(ContentProblem(label, where + ".feedback", "needs both correct and incorrect texts"))
    if kind == "true_false":
        if not isinstance(question.get("answer"), bool):
            problems.append(ContentProblem(label, where + ".answer", "must be true or false"))
        return problems
    options = question.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 6:
        problems.append(ContentProblem(label, where + ".options", "must list between 2 and 6 options"))
        return problems
    texts = [o.get("text") if isinstance(o, dict) else None for o in options]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        problems.append(ContentProblem(label, where + ".options", "every option needs text"))
        return problems
    if len({t.strip().lower() for t in texts}) != len(texts):
        problems.append(ContentProblem(label, where + ".options", "two options have the same text"))
    correct = sum(1 for o in options if o.get("correct") is True)
    several = kind == "multiple" or question.get("multiple") is True
    if several and correct < 1:
        problems.append(ContentProblem(label, where + ".options", "mark at least one option correct: true"))
    if not several and correct != 1:
        problems.append(ContentProblem(label, where + ".options", f"must have exactly one correct option (has {correct})"))
    return problems


def read_bank(path: Path, root: Path) -> tuple[BankSpec | None, list[ContentProblem]]:
    problems: list[ContentProblem] = []
    label = str(path.relative_to(root))
    data = _load_yaml(path, problems, label)
    if data is None:
        return None, problems
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.append(ContentProblem(label, "questions", "must be a list of questions"))
        questions = []
    seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        problems.extend(_question_problems(question, index, label, seen))
    draw = _whole(data, "draw", label, problems, 1, 100)
    if questions and draw > len(questions):
        problems.append(ContentProblem(label, "draw", f"draws {draw} questions but the bank holds only {len(questions)}"))
    spec = BankSpec(
        slug=path.stem,
        title=_text(data, "title", label, problems),
        draw=draw,
        pass_mark=_whole(data, "pass_mark", label, problems, 1, 100),
        questions=questions,
    )
    return spec, problems


def read_content(root: Path) -> Content:
    """Every course under courses/ and bank under quizzes/, with every problem found."""
    content = Content()
    for folder in sorted(p for p in (root / "courses").iterdir() if p.is_dir()):
        spec, problems = read_course(folder, root)
        content.problems.extend(problems)
        if spec:
            content.courses.append(spec)
    quiz_dir = root / "quizzes"
    for path in sorted(quiz_dir.glob("*.yaml")) if quiz_dir.exists() else []:
        spec, problems = read_bank(path, root)
        content.problems.extend(problems)
        if spec:
            content.banks.append(spec)
    banks = {b.slug: b for b in content.banks}
    for course in content.courses:
        if course.quiz and course.quiz not in banks:
            content.problems.append(ContentProblem(f"courses/{course.slug}/course.yaml", "quiz", f"no question bank quizzes/{course.quiz}.yaml"))
        elif course.quiz:
            content.problems.extend(_page_problems(banks[course.quiz], course))
    return content


def _page_problems(bank: BankSpec, course: CourseSpec) -> list[ContentProblem]:
    """A question's `page` names the page of the course that teaches it (optional while banks gain them)."""
    names = {page.name for page in course.pages}
    return [
        ContentProblem(f"quizzes/{bank.slug}.yaml", f"questions[{q.get('id')}].page", f"{q['page']!r} is not a page of courses/{course.slug}")
        for q in bank.questions
        if isinstance(q, dict) and isinstance(q.get("page"), str) and PAGE_NAME.match(q["page"]) and q["page"] not in names
    ]
