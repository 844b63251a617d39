import random

import pytest

from lms.learning.rules import answer_problems, certificate_code, draw_questions, mark

BANK = [
    {"id": f"q{n}", "type": "single", "prompt": f"Question {n}?",
     "options": [{"text": "right", "correct": True}, {"text": "wrong"}, {"text": "also wrong"}],
     "feedback": {"correct": "yes", "incorrect": "no"}}
    for n in range(12)
] + [
    {"id": "tf", "type": "true_false", "prompt": "True?", "answer": False, "feedback": {"correct": "y", "incorrect": "n"}},
    {"id": "multi", "type": "multiple", "prompt": "Pick all", "feedback": {"correct": "y", "incorrect": "n"},
     "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c"}]},
]


def test_draw_picks_the_count_without_repeats_and_keys_options_opaquely():
    drawn = draw_questions(BANK, 10, random.Random(1))
    assert len(drawn) == 10 and len({q["id"] for q in drawn}) == 10
    for question in drawn:
        keys = [o["key"] for o in question["options"]]
        assert len(set(keys)) == len(keys) and all(len(k) == 8 for k in keys)
        assert set(question["correct"]) <= set(keys)


def test_true_false_becomes_two_options_with_the_right_one_marked():
    [question] = [q for q in draw_questions(BANK, len(BANK), random.Random(2)) if q["id"] == "tf"]
    by_text = {o["text"]: o["key"] for o in question["options"]}
    assert question["correct"] == [by_text["False"]]


def test_options_are_shuffled_between_attempts():
    orders = {tuple(o["text"] for o in draw_questions(BANK[:1], 1, random.Random(seed))[0]["options"]) for seed in range(20)}
    assert len(orders) > 1


@pytest.mark.parametrize("right, total, pass_mark, passed, percent", [
    (8, 10, 80, True, 80), (7, 10, 80, False, 70), (10, 10, 80, True, 100), (0, 10, 80, False, 0),
    (4, 5, 80, True, 80), (3, 4, 80, False, 75),
])
def test_mark_passes_at_the_pass_mark(right, total, pass_mark, passed, percent):
    questions = [{"id": f"q{n}", "correct": ["k"]} for n in range(total)]
    answers = {f"q{n}": ["k"] for n in range(right)} | {f"q{n}": ["x"] for n in range(right, total)}
    result = mark(questions, answers, pass_mark)
    assert (result.correct, result.passed, result.percent) == (right, passed, percent)


def test_multiple_choice_needs_exactly_the_right_set():
    questions = [{"id": "m", "correct": ["a", "b"]}]
    assert mark(questions, {"m": ["b", "a"]}, 100).passed
    assert not mark(questions, {"m": ["a"]}, 100).passed
    assert not mark(questions, {"m": ["a", "b", "c"]}, 100).passed


def test_answer_problems_finds_unanswered_and_tampering():
    drawn = draw_questions(BANK, 3, random.Random(3))
    first = drawn[0]
    assert answer_problems(drawn, {first["id"]: [first["options"][0]["key"]]}) == ([2, 3], False)
    assert answer_problems(drawn, {first["id"]: ["not-a-key"]})[1] is True
    assert answer_problems(drawn, {"someone-elses-question": ["x"]})[1] is True
    two = [o["key"] for o in first["options"][:2]]
    assert answer_problems(drawn, {first["id"]: two})[1] is (not first["multiple"])


def test_certificate_codes_are_readable_and_distinct():
    codes = {certificate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 12 and c[4] == c[9] == "-" and not set(c) & set("01IO") for c in codes)
