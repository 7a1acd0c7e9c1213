"""Free narratives through a hosted OpenAI-compatible API: every request body the openai engine
builds for a non-vLLM server carries a strict JSON Schema within the documented limits (checked by
strict_checker.py, written from the guide, not from the converter), for every agent of k12 and of
k12-motivation, proposals and revisions; the stub server on 127.0.0.1 receives exactly that; a
scaffold schema has no strict form and says what to do instead."""

from __future__ import annotations

import json

import pytest

from engine_harness import completion, stub_server
from hachimi.engines.openai import OpenAIEngine
from hachimi.engines.strict import StrictSchemaError, strict_schema
from hachimi.generate.filler import template_engine
from hachimi.errors import HachimiError
from hachimi.generate.loop import PersonaLoop, Settings
from hachimi.engines.models import ModelSpec
from hachimi.theory.locate import locate
from hachimi.theory.pack import load
from strict_checker import body_problems, keys, problems

BODY_MAX = 16_000  # bytes of one request body (messages included); the llguidance schemas were 0.4-0.6 MB
SLOTS = [
    {"grade": 8, "gender": "female", "academic_level": "low", "subject_bias": ["math"]},
    {"grade": 3, "gender": "male", "academic_level": "poor", "subject_bias": []},
    {"grade": 11, "gender": "female", "academic_level": "high", "subject_bias": []},
]


def hosted(base_url: str = "http://127.0.0.1:1/v1", **openai) -> ModelSpec:
    return ModelSpec(
        name="hosted",
        loader="openai",
        engine="openai",
        narrative="free",
        openai={"base_url": base_url, "model": "gpt-test", "server": "openai", "backoff_s": 0.01, **openai},
        decoding={"temperature": 0.7, "top_p": 0.9},
    )


class Recording:
    """Answers like the template engine; keeps the body the openai engine would send for each call."""

    def __init__(self, engine: OpenAIEngine, theory):
        self.engine, self.template, self.calls = engine, template_engine(theory), []

    def generate(self, requests):
        self.calls += [(r.schema.get("title"), r.schema, self.engine.body(r)) for r in requests]
        return self.template.generate(requests)


@pytest.fixture(scope="module", params=["k12", "k12-motivation"])
def calls(request):
    theory = load(locate(request.param))
    with OpenAIEngine(hosted()) as engine:
        rec = Recording(engine, theory)
        for narrow in (True, False):  # unnarrowed and unrepaired, the template's values break rules: revisions too
            settings = Settings(max_text=700, max_short=200, narrative="free", narrow=narrow, direct_repair=narrow)
            loop = PersonaLoop(theory, settings)
            for i, slot in enumerate(SLOTS):
                loop.run(f"p{i}", slot, 100 + i, engine=rec)
    return request.param, [a.key for a in loop.agents], rec.calls


def test_every_agent_body_is_strict_and_small(calls):
    theory, agents, seen = calls
    assert {agent for agent, _, _ in seen} == set(agents)  # every agent of the theory
    sizes: dict[str, int] = {}
    for agent, schema, body in seen:
        assert body_problems(body) == [], (theory, agent, body_problems(body)[:5])
        size = len(json.dumps(body, ensure_ascii=False).encode())
        assert size < BODY_MAX, (theory, agent, size)
        sizes[agent] = max(sizes.get(agent, 0), size)
        assert len(json.dumps(schema)) < 12_000  # the free decoding schema itself carries no lexicon
    print(theory, "largest body per agent (bytes):", sizes)


def test_revisions_are_strict_too(calls):
    _, _, seen = calls
    revisions = [body for _, _, body in seen if "An automatic check found" in json.dumps(body["messages"])]
    assert revisions and all(body_problems(b) == [] for b in revisions)


def test_the_strict_form_keeps_the_structured_box(calls):
    """Narrowed enums, set fields as arrays of the box's values, the R6 shape for the agent name,
    the one-paragraph pattern for prose; lengths become words in the description."""
    from hachimi.generate.grammar import paragraph

    for agent, schema, body in calls[2]:
        sent = body["response_format"]["json_schema"]["schema"]
        if agent == "enrollment":
            assert sent["properties"]["agent_name"]["pattern"] == "^(?:[a-z]+[1-5]){1,2}_(?:[a-z]+[1-5]){1,3}$"
            age = schema["properties"]["age"]
            for key in ("enum", "minimum", "maximum"):
                assert sent["properties"]["age"].get(key) == age.get(key)
        if agent == "academic" and "anyOf" in schema["properties"]["strong_subjects"]:
            strong = sent["properties"]["strong_subjects"]
            combos = [c["const"] for c in schema["properties"]["strong_subjects"]["anyOf"]]
            assert set(strong["items"]["enum"]) == {s for c in combos for s in c}
            # the sizes of the field's items bound in schema.toml (k12: 1-4), as far as the box's values reach
            assert (strong["minItems"], strong["maxItems"]) == (1, min(4, len(strong["items"]["enum"])))
        if agent == "values":
            narrative = sent["properties"]["narrative"]
            assert narrative["pattern"] == paragraph("en") and "700 characters" in narrative["description"]
            assert "levels" in sent["properties"]  # decoded as fields, not read back from the prose


def test_a_free_request_to_a_hosted_api_is_the_strict_schema(theory):
    """Through the stub OpenAI server: what arrives is the strict form of the agent's schema."""
    loop = PersonaLoop(theory, Settings(max_text=600, max_short=200, narrative="free"))
    agent = loop.agents[2]
    schema = agent.schema(None, 600, 200, theory.text, "en", None, "free")
    from hachimi.engines.base import Request

    answer = json.dumps({"personality": "x"})
    with stub_server(lambda n, body: (200, completion(answer), {})) as stub:
        with OpenAIEngine(hosted(stub.base_url)) as e:
            e.generate([Request([{"role": "user", "content": "hi"}], schema, 3, 300)])
    (body,) = stub.bodies
    assert body_problems(body) == []
    assert body["response_format"]["json_schema"]["schema"] == strict_schema(schema)
    assert not [k for k in keys(body) if k.startswith("x-")] and "structured_outputs" not in body


def test_hachimi_generate_through_a_hosted_api(cli, tmp_path, monkeypatch):
    """`hachimi generate` with a hosted-API model file: every body the stub receives is strict;
    the same file with narrative = "scaffold" is refused before any request."""
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group
    from hachimi.generate.filler import fill

    import random

    group.add_command(generate_cmd.generate)

    def answer(n, body):  # any value of the strict schema: the loop validates and revises it
        value = fill(body["response_format"]["json_schema"]["schema"], random.Random(n))
        return 200, completion(json.dumps(value)), {}

    with stub_server(answer) as stub:
        for style in ("free", "scaffold"):
            (tmp_path / "m").mkdir(exist_ok=True)
            (tmp_path / "m" / "hosted.toml").write_text(
                f'name = "hosted-test"\nloader = "openai"\nnarrative = "{style}"\n'
                f'[openai]\nbase_url = "{stub.base_url}"\nmodel = "gpt-test"\nserver = "openai"\n'
            )
            monkeypatch.setenv("HACHIMI_MODELS_DIR", str(tmp_path / "m"))
            r = cli("generate", "--model", "hosted-test", "--n", "1", "--max-rounds", "1", "--out", tmp_path / style)
            if style == "free":
                assert r.exit_code in (0, 1) and "Traceback" not in r.output, r.output
                assert len(stub.bodies) >= 5
                assert [body_problems(b) for b in stub.bodies] == [[]] * len(stub.bodies)
                sent = len(stub.bodies)
            else:
                assert r.exit_code == 2 and 'narrative "scaffold" needs a server' in r.output, r.output
                assert "--narrative free" in r.output and "hosted.toml" in r.output
                assert len(stub.bodies) == sent  # refused before any request


def test_a_scaffold_schema_has_no_strict_form(theory):
    from hachimi.generate.narrow import Narrower

    loop = PersonaLoop(theory, Settings(max_text=160, max_short=90))
    slot = {"grade": 8, "gender": "female", "academic_level": "high", "subject_bias": []}
    box = Narrower(theory).box(slot, 3)
    values = loop.agents[2]
    schema = values.schema(box, 160, 90, theory.text, "en", loop._scaffold(values, {}, slot, box, None))
    with pytest.raises(StrictSchemaError, match=r"field (personality|narrative): a pattern of [\d,]+ characters"):
        strict_schema(schema)
    with pytest.raises(HachimiError, match="--narrative free"):
        strict_schema(schema)
    with OpenAIEngine(hosted()) as e:  # fails at once, before any request goes out
        from hachimi.engines.base import Request

        with pytest.raises(StrictSchemaError):
            e.generate([Request([{"role": "user", "content": "hi"}], schema, 1, 10)])


def test_conversion_rules():
    schema = {
        "type": "object",
        "title": "t",
        "x-guidance": {"whitespace_flexible": False},
        "properties": {
            "age": {"title": "Age", "enum": [12, 13]},
            "note": {"type": "string", "minLength": 1, "maxLength": 80, "default": "x", "description": "a note"},
            "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string", "maxLength": 9}},
            "set": {"anyOf": [{"const": ["a"]}, {"const": ["a", "b"]}]},
            "maybe": {"type": "boolean"},
        },
        "required": ["age", "note", "tags", "set"],
    }
    out = strict_schema(schema)
    assert problems(out) == []
    p = out["properties"]
    assert p["age"] == {"type": "integer", "enum": [12, 13]}
    assert p["note"] == {"type": "string", "description": "a note (at most 80 characters)"}
    assert p["tags"] == {"type": "array", "items": {"type": "string", "description": "At most 9 characters"}}
    assert p["set"] == {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "minItems": 1, "maxItems": 2}
    assert p["maybe"] == {"anyOf": [{"type": "boolean"}, {"type": "null"}]}  # optional: a union with null
    assert out["required"] == list(p) and out["additionalProperties"] is False
    with pytest.raises(StrictSchemaError, match="root"):
        strict_schema({"anyOf": [schema]})
    with pytest.raises(StrictSchemaError, match="field a: allOf"):
        strict_schema({"type": "object", "properties": {"a": {"allOf": [{"type": "string"}]}}})
    many = {"type": "object", "properties": {f"f{i}": {"enum": [f"v{j}" for j in range(30)]} for i in range(40)}}
    with pytest.raises(StrictSchemaError, match="1,200 enum values, over the 1,000"):
        strict_schema(many)


def test_the_checker_has_teeth():
    good = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False}
    assert problems(good) == []
    bad = [
        ({**good, "x-guidance": {}}, "extension key"),
        ({**good, "required": []}, "required must list"),
        ({k: v for k, v in good.items() if k != "additionalProperties"}, "additionalProperties"),
        ({**good, "properties": {"a": {"type": "string", "maxLength": 3}}}, "keyword 'maxLength'"),
        ({**good, "properties": {"a": {"type": "string", "pattern": "a" * 2000}}}, "pattern of 2000"),
        ({**good, "properties": {"a": {"enum": ["x"]}}}, "no type"),
        ({"anyOf": [good]}, "root"),
    ]
    for schema, why in bad:
        assert any(why in p for p in problems(schema)), (why, problems(schema))
    deep = good
    for _ in range(10):
        deep = {"type": "object", "properties": {"a": deep}, "required": ["a"], "additionalProperties": False}
    assert any("levels of nesting" in p for p in problems(deep))


def test_banned_words_are_capped_for_vllm():
    """vLLM refuses over 512 banned token sequences (two per word at most): a request sends the
    256 shortest words; k12's mental-health agent has more (its lexicons in the run's language)."""
    from hachimi.engines.base import VLLM_MAX_BANNED, capped
    from hachimi.generate.agents import agents_of

    theory = load(locate("k12"))
    loop = PersonaLoop(theory, Settings())
    words = loop._banned_terms(next(a for a in agents_of(theory.schema) if "mental_health" in a.parts))
    sent = capped(words)
    assert len(words) > VLLM_MAX_BANNED == len(sent) and set(sent) <= set(words)
    assert max(map(len, sent)) <= min(len(w) for w in set(words) - set(sent))  # the shortest kept
    assert capped(["bb", "a", "ccc"], 2) == ["a", "bb"]
