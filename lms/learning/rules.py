"""Reading order and assessment rules: drawing, shuffling, scoring, re-reading. Pure; randomness is passed in."""
import random
import re
import secrets
from dataclasses import dataclass

# The page prints this hint under every multiple-answer question, so a prompt need not say it too.
SELECT_ALL = re.compile(r"\s*\(?select all that apply\.?\)?\s*$", re.IGNORECASE)


def may_open(position: int, pages_read: int) -> bool:
    """Pages open in order: any page already read, and the next one, never further ahead."""
    return 1 <= position <= pages_read + 1


def progress_words(pages_read: int, position: int, total: int) -> tuple[str, str]:
    """The tag and the words for a course under way, true at every step, e.g. ("Started", "page 1 of 9")."""
    if pages_read == 0:
        return "Started", f"page {position} of {total}"
    if pages_read >= total:
        return "In progress", f"read all {total} pages"
    return "In progress", f"read {pages_read} of {total} pages"


@dataclass(frozen=True)
class Readiness:
    """What stands between the learner and the assessment; nothing when `ready`."""

    pages_read: int
    total: int
    to_reread: tuple[int, ...] = ()
    contacts_missing: bool = False

    @property
    def unread(self) -> int:
        return max(0, self.total - self.pages_read)

    @property
    def ready(self) -> bool:
        return not self.unread and not self.to_reread and not self.contacts_missing


def pages_to_reread(questions: list[dict], per_question: list[bool], positions: dict[str, int]) -> list[int]:
    """The positions of the pages that teach the questions answered wrongly (questions naming no page add none)."""
    return sorted({positions[q["page"]] for q, right in zip(questions, per_question)
                   if not right and q.get("page") in positions})


def failed_twice_in_a_row(passed_history: list[bool]) -> bool:
    """`passed_history` is the learner's submitted attempts on one course version, oldest first."""
    return len(passed_history) >= 2 and not passed_history[-1] and not passed_history[-2]


def draw_questions(bank_questions: list[dict], count: int, rng: random.Random) -> list[dict]:
    """Pick `count` questions, shuffle their options, and give each option an opaque key.

    The result is stored with the attempt; only prompts and option texts ever reach the page.
    """
    drawn = []
    for question in rng.sample(bank_questions, count):
        if question["type"] == "true_false":
            options = [{"text": "True", "correct": question["answer"] is True},
                       {"text": "False", "correct": question["answer"] is False}]
        else:
            options = [{"text": o["text"], "correct": o.get("correct") is True} for o in question["options"]]
            rng.shuffle(options)
        keyed = [{"key": secrets.token_hex(4), "text": o["text"]} for o in options]
        multiple = question["type"] == "multiple" or question.get("multiple") is True
        drawn.append({
            "id": question["id"],
            "type": question["type"],
            "multiple": multiple,
            "scenario": question.get("scenario", ""),
            "prompt": SELECT_ALL.sub("", question["prompt"]) if multiple else question["prompt"],
            "options": keyed,
            "correct": sorted(k["key"] for k, o in zip(keyed, options) if o["correct"]),
            "feedback": question["feedback"],
            "page": question.get("page"),  # the page file that teaches it, for feedback and re-reading
        })
    return drawn


@dataclass(frozen=True)
class Marked:
    correct: int
    total: int
    percent: int
    passed: bool
    per_question: list[bool]


def mark(questions: list[dict], answers: dict[str, list[str]], pass_mark: int) -> Marked:
    """A question is right when exactly its correct options were chosen; pass at pass_mark percent."""
    per_question = [sorted(answers.get(q["id"], [])) == q["correct"] for q in questions]
    correct = sum(per_question)
    total = len(questions)
    # Whole percent rounded down, so 79.9% never passes an 80% mark.
    percent = correct * 100 // total if total else 0
    return Marked(correct, total, percent, correct * 100 >= pass_mark * total, per_question)


def answer_problems(questions: list[dict], answers: dict[str, list[str]]) -> tuple[list[int], bool]:
    """(numbers of unanswered questions, whether anything answered is not an option of this attempt)."""
    by_id = {q["id"]: q for q in questions}
    tampered = any(qid not in by_id for qid in answers)
    unanswered = []
    for number, question in enumerate(questions, start=1):
        chosen = answers.get(question["id"], [])
        keys = {o["key"] for o in question["options"]}
        if any(c not in keys for c in chosen) or (not question["multiple"] and len(chosen) > 1):
            tampered = True
        if not chosen:
            unanswered.append(number)
    return unanswered, tampered


def certificate_code() -> str:
    """Ten characters from an alphabet without look-alikes, grouped for reading aloud: 7KQ4-M2XP-9D."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
