"""The shipped modules read plainly, state their length truthfully, and assess knowledge, not test-wiseness."""
import pytest

from tests import content_quality as quality

MODULES = quality.shipped()
IDS = [course.slug for course, _ in MODULES]


@pytest.mark.parametrize(("course", "bank"), MODULES, ids=IDS)
def test_bank_is_large_enough_and_fair_to_guessers(course, bank):
    figures = quality.bank_figures(bank)
    assert figures.questions >= quality.MIN_QUESTIONS
    assert figures.longest_correct_share <= quality.MAX_LONGEST_CORRECT_SHARE, (
        f"the correct option is the longest in {figures.longest_correct} of {figures.single_answer} single-answer questions")
    assert figures.true_false_one_way <= quality.MAX_TRUE_FALSE_ONE_WAY, (
        f"true/false answers: {figures.true_answers} true, {figures.false_answers} false")


@pytest.mark.parametrize(("course", "bank"), MODULES, ids=IDS)
def test_module_reads_plainly(course, bank):
    figures = quality.module_figures(course, bank)
    assert figures.flesch >= quality.MIN_FLESCH
    assert figures.long_sentences == []


@pytest.mark.parametrize(("course", "bank"), MODULES, ids=IDS)
def test_module_states_its_length_truthfully(course, bank):
    figures = quality.module_figures(course, bank)
    low, high = quality.MINUTES_RANGE
    assert low <= figures.stated_minutes <= high
    assert abs(figures.stated_minutes - figures.estimated_minutes) <= quality.MINUTES_TOLERANCE * figures.estimated_minutes, (
        f"states {figures.stated_minutes} minutes; {figures.words} words, the assessment and any task take about "
        f"{figures.estimated_minutes:.0f}")


def test_syllable_estimate_on_known_words():
    assert [quality.syllables(w) for w in ["cat", "children", "service", "safeguarding", "assessment", "the"]] == [1, 2, 2, 4, 3, 1]


def test_plain_units_split_lists_tables_and_paragraphs():
    units = quality.plain_units("# Title\n\nOne line\ncontinues here.\n\n- first item\n- second [link](x.md)\n\n| a | b |\n|---|---|\n| c | d |\n")
    assert units == ["One line continues here.", "first item", "second link", "a", "b", "c", "d"]
