"""Assessment rules: drawing, shuffling and scoring. Pure functions; randomness is passed in."""
import random
import secrets
from dataclasses import dataclass


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
        drawn.append({
            "id": question["id"],
            "type": question["type"],
            "multiple": question["type"] == "multiple" or question.get("multiple") is True,
            "scenario": question.get("scenario", ""),
            "prompt": question["prompt"],
            "options": keyed,
            "correct": sorted(k["key"] for k, o in zip(keyed, options) if o["correct"]),
            "feedback": question["feedback"],
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
