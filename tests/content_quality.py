"""Measures of shipped content that a test-wise guesser or a tired reader would notice.

Used by tests/unit/test_content_quality.py and runnable on its own while writing:
`.venv/bin/python -m tests.content_quality` prints every module's figures.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from lms.learning.content import BankSpec, CourseSpec, read_content

ROOT = Path(__file__).resolve().parents[1]

# The bars (issue: course content, second edition).
MIN_QUESTIONS = 35
MAX_LONGEST_CORRECT_SHARE = 0.40
MAX_TRUE_FALSE_ONE_WAY = 2 / 3
MIN_FLESCH = 65
MAX_SENTENCE_WORDS = 30
MINUTES_RANGE = (20, 40)

# How long a module takes, for checking the minutes a manifest states: plain-English reading (adults
# read non-fiction silently at about 240 words a minute, Brysbaert 2019; 200 leaves time to think),
# a minute a drawn question, and the local-contacts task (finding five contacts).
READING_WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1
LOCAL_CONTACTS_MINUTES = 10
MINUTES_TOLERANCE = 0.2

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>]|^\s*(?:[-+*]|\d+\.)\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"'(‘“£])")
_WORD = re.compile(r"[A-Za-z0-9£%][A-Za-z0-9'’%.,£-]*")


def plain_units(markdown: str) -> list[str]:
    """The prose of a page as separate units: paragraphs, list items and table cells.

    Headings and table rules are left out: they are labels, not sentences."""
    units, paragraph = [], []

    def flush():
        if paragraph:
            units.append(" ".join(paragraph))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line == "---" or re.fullmatch(r"\|?[\s:|-]+\|?", line):
            flush()
            continue
        line = _LINK.sub(r"\1", line)
        if line.startswith("|"):
            flush()
            units.extend(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
            continue
        if re.match(r"^([-+*]|\d+\.)\s+", line):
            flush()
        paragraph.append(_MARKUP.sub("", line).strip())
    flush()
    return [u for u in units if u]


def sentences(units: list[str]) -> list[str]:
    return [s.strip() for unit in units for s in _SENTENCE_END.split(unit) if _WORD.search(s)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e: the usual estimate readability formulas rest on."""
    word = word.lower().strip(".,'’%-")
    if not word:
        return 0
    if word.isdigit():
        return max(1, len(word))  # a number is read aloud; one syllable a digit is near enough
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith(("ed", "es")) and count > 1 and not re.search(r"[td]ed$|[sxz]es$|[cs]hes$|ges$|ces$", word):
        count -= 1
    return max(1, count)


def flesch(sentence_list: list[str]) -> float:
    all_words = [w for s in sentence_list for w in words(s)]
    if not all_words:
        return 100.0
    syllable_count = sum(syllables(w) for w in all_words)
    return 206.835 - 1.015 * len(all_words) / len(sentence_list) - 84.6 * syllable_count / len(all_words)


@dataclass
class ModuleFigures:
    slug: str
    words: int
    flesch: float
    long_sentences: list[str]
    estimated_minutes: float
    stated_minutes: int


def module_figures(course: CourseSpec, bank: BankSpec | None) -> ModuleFigures:
    page_sentences = sentences([u for page in course.pages for u in plain_units(page.markdown)])
    question_sentences = sentences([
        text for q in (bank.questions if bank else [])
        for text in (q.get("scenario", ""), q.get("prompt", ""), q["feedback"]["correct"], q["feedback"]["incorrect"])
        if text
    ])
    word_count = sum(len(words(s)) for s in page_sentences)
    estimate = word_count / READING_WORDS_PER_MINUTE + (bank.draw if bank else 0) * MINUTES_PER_QUESTION
    if any(page.kind == "local-contacts" for page in course.pages):
        estimate += LOCAL_CONTACTS_MINUTES
    return ModuleFigures(
        slug=course.slug, words=word_count, flesch=flesch(page_sentences),
        long_sentences=[s for s in page_sentences + question_sentences if len(words(s)) > MAX_SENTENCE_WORDS],
        estimated_minutes=estimate, stated_minutes=course.minutes,
    )


def single_answer(question: dict) -> bool:
    return question["type"] == "single" or (question["type"] == "scenario" and question.get("multiple") is not True)


def correct_is_longest(question: dict) -> bool:
    lengths = [len(o["text"]) for o in question["options"]]
    return any(o.get("correct") is True and len(o["text"]) == max(lengths) for o in question["options"])


@dataclass
class BankFigures:
    slug: str
    questions: int
    single_answer: int
    longest_correct: int
    true_answers: int
    false_answers: int

    @property
    def longest_correct_share(self) -> float:
        return self.longest_correct / self.single_answer if self.single_answer else 0.0

    @property
    def true_false_one_way(self) -> float:
        total = self.true_answers + self.false_answers
        return max(self.true_answers, self.false_answers) / total if total else 0.0


def bank_figures(bank: BankSpec) -> BankFigures:
    singles = [q for q in bank.questions if single_answer(q)]
    return BankFigures(
        slug=bank.slug, questions=len(bank.questions), single_answer=len(singles),
        longest_correct=sum(correct_is_longest(q) for q in singles),
        true_answers=sum(1 for q in bank.questions if q["type"] == "true_false" and q["answer"] is True),
        false_answers=sum(1 for q in bank.questions if q["type"] == "true_false" and q["answer"] is False),
    )


def shipped():
    content = read_content(ROOT)
    banks = {b.slug: b for b in content.banks}
    return [(course, banks.get(course.quiz)) for course in content.courses]


if __name__ == "__main__":
    for course, bank in shipped():
        m = module_figures(course, bank)
        b = bank_figures(bank)
        print(f"{course.slug}: {m.words} words, Flesch {m.flesch:.1f}, {len(m.long_sentences)} sentences over "
              f"{MAX_SENTENCE_WORDS} words, about {m.estimated_minutes:.0f} min (states {m.stated_minutes}); "
              f"{b.questions} questions, correct longest in {b.longest_correct}/{b.single_answer} single-answer, "
              f"true/false {b.true_answers} true : {b.false_answers} false")
        for sentence in m.long_sentences:
            print(f"    long: {sentence}")
