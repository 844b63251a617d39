import random

import pytest

from lms.learning.rules import (
    Readiness, answer_problems, certificate_code, draw_questions, failed_twice_in_a_row, mark, may_open, pages_to_reread,
    progress_words,
)

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


@pytest.mark.parametrize("position, pages_read, opens", [
    (1, 0, True), (2, 0, False), (9, 0, False), (3, 2, True), (4, 2, False), (1, 9, True), (9, 9, True), (0, 9, False),
])
def test_pages_open_in_order(position, pages_read, opens):
    assert may_open(position, pages_read) is opens


@pytest.mark.parametrize("pages_read, position, words", [
    (0, 1, ("Started", "page 1 of 9")),
    (1, 2, ("In progress", "read 1 of 9 pages")),
    (8, 9, ("In progress", "read 8 of 9 pages")),
    (9, 9, ("In progress", "read all 9 pages")),
])
def test_progress_words_are_true_at_every_step(pages_read, position, words):
    assert progress_words(pages_read, position, 9) == words


@pytest.mark.parametrize("readiness, ready", [
    (Readiness(pages_read=9, total=9), True),
    (Readiness(pages_read=8, total=9), False),
    (Readiness(pages_read=9, total=9, to_reread=(4,)), False),
    (Readiness(pages_read=9, total=9, contacts_missing=True), False),
])
def test_the_assessment_opens_only_with_nothing_left_to_do(readiness, ready):
    assert readiness.ready is ready


def test_pages_to_reread_are_those_behind_wrong_answers_that_name_a_known_page():
    questions = [{"page": "02-b.md"}, {"page": "03-c.md"}, {"page": "02-b.md"}, {}, {"page": "09-gone.md"}]
    positions = {"01-a.md": 1, "02-b.md": 2, "03-c.md": 3}
    assert pages_to_reread(questions, [False, True, False, False, False], positions) == [2]
    assert pages_to_reread(questions, [False, False, True, True, True], positions) == [2, 3]
    assert pages_to_reread(questions, [True] * 5, positions) == []


@pytest.mark.parametrize("history, twice", [
    ([], False), ([False], False), ([False, False], True), ([False, True], False),
    ([False, False, True], False), ([True, False, False], True), ([False, True, False], False),
])
def test_failed_twice_in_a_row(history, twice):
    assert failed_twice_in_a_row(history) is twice


def test_drawn_questions_keep_their_page_and_leave_the_select_all_hint_to_the_page():
    bank = [{"id": "m", "type": "multiple", "prompt": "Which are signs? Select all that apply.", "page": "05-signs.md",
             "options": [{"text": "a", "correct": True}, {"text": "b"}], "feedback": {"correct": "y", "incorrect": "n"}},
            {"id": "s", "type": "single", "prompt": "Pick one", "options": [{"text": "a", "correct": True}, {"text": "b"}],
             "feedback": {"correct": "y", "incorrect": "n"}}]
    drawn = {q["id"]: q for q in draw_questions(bank, 2, random.Random(4))}
    assert drawn["m"]["prompt"] == "Which are signs?" and drawn["m"]["page"] == "05-signs.md"
    assert drawn["s"]["prompt"] == "Pick one" and drawn["s"]["page"] is None
