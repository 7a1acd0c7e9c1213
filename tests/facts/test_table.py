"""The one mapping table: field <-> ASP predicate, round trip persona -> facts -> values."""

from hachimi.facts.decode import values_of
from hachimi.facts.reader import read
from hachimi.plugins.k12.schema import BY_PATH, FIELDS, K12, owner_of


def _structured_values(p: dict) -> dict:
    out = {}
    for spec in FIELDS:
        if not spec.structured:
            continue
        node = p
        for k in spec.path.split("."):
            node = node.get(k) if isinstance(node, dict) else None
        if node is None or node == []:  # an empty optional list has no facts
            continue
        out[spec.path] = len(node) if spec.kind == "count" else node
    return out


def test_round_trip(base, theory):
    rec = read(base, theory.text)
    assert rec.problems == []
    assert values_of(rec.facts, K12) == _structured_values(base)


def test_round_trip_on_sampled_personas(theory):
    from hachimi.solve.sample import Sampler
    from hachimi.plugins.k12.personas import persona

    s = Sampler(theory)
    for seed in range(20):
        p = persona(s.sample(seed), seed)
        assert values_of(read(p, theory.text).facts, K12) == _structured_values(p)


def test_same_name_in_json_and_asp(base, theory):
    facts = {f.field: f.atom("P") for f in read(base, theory.text).facts if f.field == f.field}
    assert facts["enrollment.age"] == "age(P,13)"
    assert facts["enrollment.stages.piaget"] == "stage(P,piaget,formal_operational)"
    assert facts["values.levels.rule_of_law"] == "level(P,values,rule_of_law,medium)"


def test_every_field_has_an_owner():
    agents = {"enrollment", "academic", "values", "social_creativity", "mental_health"}
    assert all(f.owner in agents for f in FIELDS)
    assert owner_of("creativity.levels.fluency") == "social_creativity"
    assert BY_PATH["mental_health.traits"].kind == "count"
