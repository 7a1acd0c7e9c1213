"""Narrative styles (models/*.toml `narrative`, hachimi generate --narrative): which models use
which, a wrong value named with its file, and the free grammar: bounded by length and paragraph
form only (no lexicon, no mention pattern), still refusing blank lines and list markers in
llguidance, and surviving a random walk for every agent."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hachimi.errors import HachimiError
from hachimi.engines import models
from hachimi.engines.models import NARRATIVES
from hachimi.generate.grammar import TRAIT, WHITESPACE, paragraph
from hachimi.generate.loop import PersonaLoop, Settings

SLOT = {"grade": 8, "gender": "female", "academic_level": "low", "subject_bias": []}
STYLES = {
    "smollm2-135m-instruct": "scaffold",
    "smollm2-135m-vllm": "scaffold",
    "smollm2-135m-openai": "scaffold",
    "template": "scaffold",
    "qwen2.5-0.5b-instruct": "free",
    "qwen2.5-7b-instruct": "free",
    "qwen2.5-7b-vllm": "free",
    "qwen2.5-72b-instruct": "free",
    "qwen2.5-72b-vllm": "free",
    "openai-endpoint": "free",
}


def test_each_model_file_chooses_its_style():
    specs = models.specs()
    assert not models.BROKEN
    assert {name: specs[name].narrative for name in STYLES} == STYLES
    assert set(NARRATIVES) == {"scaffold", "free"}


def test_a_wrong_style_names_the_file_and_the_choices(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text('name = "mine"\nnarrative = "prose"\n')
    (tmp_path / "plain.toml").write_text('name = "plain"\n')
    monkeypatch.setenv("HACHIMI_MODELS_DIR", str(tmp_path))
    with pytest.raises(HachimiError) as e:
        models.get("mine")
    assert str(e.value) == f"{tmp_path / 'mine.toml'}: narrative: must be 'scaffold' or 'free', not 'prose'"
    assert models.get("plain").narrative == "scaffold"  # a file that does not say: the small-model style


def test_a_hosted_api_cannot_take_the_scaffold():
    spec = models.get("openai-endpoint")  # server = "vllm": the full grammar goes through
    assert models.narrative_problem(spec, "scaffold") is None
    hosted = spec.model_copy(update={"openai": {**spec.openai, "server": "openai"}})
    why = models.narrative_problem(hosted, "scaffold")
    assert "openai-endpoint.toml" in why and "--narrative free" in why
    assert models.narrative_problem(hosted, "free") is None


def _schemas(theory, narrative: str, box=None):
    loop = PersonaLoop(theory, Settings(max_text=700, max_short=200, narrative=narrative))
    return {
        a.key: a.schema(box, 700, 200, theory.text, "en", loop._scaffold(a, {}, SLOT, box, None), narrative)
        for a in loop.agents
    }


def _strings(node, path=""):
    """(path, string node) for every string schema in a decoding schema."""
    if node.get("type") == "string":
        yield path, node
    for k, v in node.get("properties", {}).items():
        yield from _strings(v, f"{path}.{k}".lstrip("."))
    if isinstance(node.get("items"), dict):
        yield from _strings(node["items"], path + "[]")


def test_free_text_is_bounded_by_length_and_form_only(theory):
    from hachimi.generate.narrow import Narrower

    box = Narrower(theory).box(SLOT, 1)
    free, scaffold = _schemas(theory, "free", box), _schemas(theory, "scaffold", box)
    for key, schema in free.items():
        assert len(json.dumps(schema)) < 12_000, key
        if key in ("values", "social_creativity", "mental_health"):  # lexicon words, scaffold patterns
            assert len(json.dumps(scaffold[key])) > 50_000, key
        for path, node in _strings(schema):
            if path.endswith("name"):  # name and agent_name keep their shapes
                continue
            if path.endswith("[]"):  # traits: short lower-case words
                assert node["pattern"] == TRAIT["en"] and node["maxLength"] == 40
                continue
            assert node["pattern"] == paragraph("en"), (key, path)
            assert node["maxLength"] in (700, 200) and "x-max-chars" not in node
    values = free["values"]["properties"]
    assert "levels" in values and values["narrative"]["maxLength"] == 700  # levels decoded as fields
    assert "name" in free["enrollment"]["properties"]  # not spelled from the agent name


def _one_field(node: dict) -> dict:
    return {
        "type": "object",
        "properties": {"text": node},
        "required": ["text"],
        "additionalProperties": False,
        "x-guidance": dict(WHITESPACE),
    }


def test_llguidance_holds_the_free_grammar_to_one_paragraph(theory, bundled_tokenizer):
    from llguidance import LLMatcher

    ll, tok = bundled_tokenizer
    node = _schemas(theory, "free")["values"]["properties"]["narrative"]
    node = {**node, "maxLength": 120}
    grammar = LLMatcher.grammar_from_json_schema(json.dumps(_one_field(node)))

    def accepts(text: str) -> bool:
        m = LLMatcher(ll, grammar)
        obj = json.dumps({"text": text}, separators=(", ", ": "), ensure_ascii=False)
        ok = m.consume_tokens(tok.encode(obj, add_special_tokens=False))
        return bool(ok) and not m.is_error() and m.is_accepting()

    good = "She tends the school's xylophone club; her empathy shows when 1.5 goals fall short."
    assert accepts(good)  # words outside the lexicon, no dimension named: free
    assert accepts("She is in grade 1.") and accepts("A" + "b" * 119) and not accepts("A" + "b" * 120)
    for bad in (
        "She likes art.\n\nShe likes music.",  # a blank line
        "She likes art.\nShe likes music.",  # any line break
        "- She likes art",  # a list marker first
        "1. She likes art",
        "She likes: 1. art 2. music",  # an inline enumeration
        "She likes • art",
        "She likes **art**",  # markup
        "she likes art",  # a sentence opens with a capital
    ):
        assert not accepts(bad), bad


SPACE_FREE = re.compile(r"[^\s_{}<>#*\\|•\x00-\x1f]")


def _is_paragraph(text: str) -> bool:
    """The definition (DESIGN.md: single paragraphs, no list markers) the pattern is built from."""
    words = text.split(" ")
    return (
        bool(text)
        and text[0].isascii()
        and text[0].isupper()
        and all(words)  # single spaces, none first or last
        and all(SPACE_FREE.fullmatch(c) for w in words for c in w)
        and not re.search(r" 1[.)] ", text)
    )


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aB1.) \n-•_2", min_size=1, max_size=14))
def test_paragraph_pattern_is_its_definition(text):
    assert bool(re.fullmatch(paragraph("en"), text)) == _is_paragraph(text), text


@pytest.mark.parametrize("name,narrow", [("k12", True), ("k12-motivation", False)])
def test_every_free_grammar_survives_a_random_walk_in_llguidance(name, narrow, bundled_tokenizer):
    from llguidance import LLMatcher

    from hachimi.generate.narrow import Narrower
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load

    theory = load(locate(name))
    ll, _ = bundled_tokenizer
    rng = random.Random(0)
    box = Narrower(theory).box(SLOT, 3) if narrow else None
    for key, schema in _schemas(theory, "free", box).items():
        m = LLMatcher(ll, LLMatcher.grammar_from_json_schema(json.dumps(schema)))
        steps = 0
        while steps < 300 and not m.is_stopped():
            allowed = [i for i, b in enumerate(m.compute_logit_bias()) if b]
            assert allowed and not m.is_error(), (key, m.get_error()[:300])
            assert m.consume_token(rng.choice(allowed)), (key, m.get_error()[:300])
            steps += 1
        assert not m.is_error(), (key, m.get_error()[:300])


def test_the_readme_hosted_api_model_file_loads(tmp_path, monkeypatch):
    """README's "Hosted APIs" model file is a valid free-style hosted config (docs and code agree)."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Hosted APIs.**")[1].split("```toml\n")[1].split("```")[0]
    (tmp_path / "hosted.toml").write_text(block)
    monkeypatch.setenv("HACHIMI_MODELS_DIR", str(tmp_path))
    spec = models.get("hosted")
    assert spec.engine_kind == "openai" and spec.narrative == "free" and spec.openai["server"] == "openai"
    assert models.narrative_problem(spec, "free") is None and models.narrative_problem(spec, "scaffold")
