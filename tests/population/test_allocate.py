"""Exact allocation on many random plans (hypothesis): total, marginals, per-cell closeness."""

import math
from collections import defaultdict

import pytest
from hypothesis import given, settings, strategies as st

from hachimi.errors import HachimiError
from hachimi.population.allocate import allocate, largest_remainder
from hachimi.population.plan import Plan

VARS = {"grade": list(range(1, 13)), "gender": ["female", "male"], "academic_level": ["high", "medium", "low", "poor"]}


@st.composite
def plans(draw):
    names = draw(st.lists(st.sampled_from(list(VARS)), min_size=1, max_size=3, unique=True))
    variables = {
        v: draw(st.lists(st.sampled_from(VARS[v]), min_size=1, max_size=len(VARS[v]), unique=True)) for v in names
    }
    marg = {v: {x: draw(st.integers(0, 9)) for x in vals} for v, vals in variables.items()}
    for v in marg:
        if not any(marg[v].values()):
            marg[v][variables[v][0]] = 1
    import itertools

    cells = list(itertools.product(*variables.values()))
    w = {c: math.prod(marg[v][x] / sum(marg[v].values()) for v, x in zip(names, c)) for c in cells}
    return Plan("random", "random.toml", variables, w, {})


@settings(max_examples=60, deadline=None)
@given(plan=plans(), n=st.integers(1, 400), seed=st.integers(0, 10))
def test_allocation_is_exact(plan, n, seed):
    counts = allocate(plan, n, seed)
    assert sum(counts.values()) == n
    for c, k in counts.items():
        assert abs(k - n * plan.weights[c]) < 1 + 1e-9  # controlled rounding: every cell within 1 of its ideal
        assert k >= 0 and (k == 0 if plan.weights[c] == 0 else True)
    for i, v in enumerate(plan.variables):
        ideal, got = defaultdict(float), defaultdict(int)
        for c in counts:
            ideal[c[i]] += n * plan.weights[c]
            got[c[i]] += counts[c]
        assert dict(got) == {k: x for k, x in largest_remainder(ideal, n).items()}


def test_deterministic_for_a_seed(theory):
    from hachimi.population.plan import load

    p = load("plans/k12-enrolment.toml", theory.schema)
    assert allocate(p, 500, 3) == allocate(p, 500, 3)


def test_population_constraint_holds_and_can_refuse(tmp_path, theory):
    from hachimi.population.plan import load

    p = load("plans/k12-enrolment.toml", theory.schema)
    counts = allocate(p, 600, 1)
    senior = [c for c in counts if c[0] in (10, 11, 12)]
    high = sum(counts[c] for c in senior if c[3] == "high") / sum(counts[c] for c in senior)
    assert 0.25 <= high <= 0.35
    p.population = [{"where": {"grade": [10]}, "is": {"risk": "high"}, "min": 0.9}]
    with pytest.raises(HachimiError, match="no allocation"):
        allocate(p, 600, 1)


def test_impossible_cells_get_nothing(theory):
    from hachimi.population.plan import load

    p = load("plans/k12-balanced.toml", theory.schema)
    dead = {c for c in p.weights if c[0] == 1}
    counts = allocate(p, 96, 0, impossible=dead)
    assert sum(counts.values()) == 96 and all(counts[c] == 0 for c in dead)
