"""Rewriting the level a narrative states (hachimi/text/rewrite.py): the bound expression becomes
the vocabulary's phrase for the new level; shared or separately negated statements are refused."""

from __future__ import annotations

from hachimi.text.reader import read
from hachimi.text.rewrite import rewrite
from labelled import VOCAB

V = VOCAB.parts["values"]
C = VOCAB.parts["creativity"]


def test_the_bound_expression_is_replaced_and_reads_as_the_new_level():
    text = "Her moral cultivation is quite strong; she keeps promises. Her rule of law awareness is medium."
    new = rewrite(text, V, "moral_cultivation", "medium", VOCAB)
    assert new == "Her moral cultivation is medium; she keeps promises. Her rule of law awareness is medium."
    assert [r.steps for r in read(new, V, VOCAB).of("moral_cultivation")] == [frozenset({"medium"})]


def test_articles_agree_and_chinese_is_rewritten_in_place():
    assert (
        rewrite("She has a fairly low degree of cultural literacy.", V, "cultural_literacy", "upper_middle", VOCAB)
        == "She has an upper-middle degree of cultural literacy."
    )
    assert (
        rewrite("她的法治意识较强，常提醒同学。", V, "rule_of_law", "medium", VOCAB) == "她的法治意识中等，常提醒同学。"
    )


def test_shared_or_negated_statements_are_not_rewritten():
    assert rewrite("Fluency and flexibility are both medium.", C, "fluency", "high", VOCAB) is None
    assert rewrite("Her fluency is not, by most accounts, high.", C, "fluency", "medium", VOCAB) is None


def test_a_text_that_states_no_level_for_it_is_left_as_it_is():
    text = "She writes poems and enjoys reading."
    assert rewrite(text, V, "cultural_literacy", "high", VOCAB) == text
