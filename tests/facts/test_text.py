"""Text features: paragraphs, list markers, lengths, repeated sentences, mentions, lexicon terms."""

from hachimi.facts.text import Terms, TextConfig, mentioned, narrative_flags, normalise, terms_in
from hachimi.plugins.k12.schema import K12

CFG = TextConfig(min_chars=20, max_chars=200)


def test_single_paragraph_is_clean():
    assert narrative_flags("She has two friends and 3 cousins; in grade 7 she moved.", CFG) == []


def test_blank_line_and_markers():
    assert "multi_paragraph" in narrative_flags("One paragraph here.\n\nAnother one here.", CFG)
    assert "list_marker" in narrative_flags("Friends:\n- Wang\n- Li and others", CFG)
    assert "list_marker" in narrative_flags("Goals: 1. pass math 2. join the choir", CFG)
    assert "list_marker" in narrative_flags("Goals:\n• sleep more", CFG)


def test_lengths_and_repeats():
    assert narrative_flags("Too short.", CFG) == ["too_short"]
    assert "too_long" in narrative_flags("word " * 60, CFG)
    assert "repeated_sentence" in narrative_flags("She likes her school a lot. She likes her school a lot.", CFG)


def test_mentions_treat_underscore_and_hyphen_as_space():
    """A theory without a level vocabulary: its dimensions are named by display name and id."""
    names = TextConfig(mentions={"f": ("rule_of_law", "physical_mental_health")}, schema=K12).mention_names["f"]
    assert mentioned("Her Rule-of-Law sense is strong", names) == ["rule_of_law"]
    assert mentioned("physical and mental health: medium", names) == ["physical_mental_health"]
    assert normalise("A_b-c  d") == "a b c d"


def test_terms_case_insensitive():
    terms = Terms(["medication", "住院", "hospitali*", "self-harm"])
    assert terms_in("No MEDICATION needed; 曾经住院", terms) == ["medication", "住院"]
    assert terms_in("She was Hospitalised; no selfharm", terms) == ["hospitali*", "self-harm"]
    assert terms_in("medicational", terms) == []  # whole words and regular inflections only
