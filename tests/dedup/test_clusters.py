"""Near-duplicate clusters in one pass: the same groups as a brute-force leader pass, bounded by the
clusters (100k near-identical texts: one cluster), the diversity from the vector sum equal to the
N x N matrix's."""

from __future__ import annotations

import random

import numpy as np
import pytest

from hachimi.dedup.clusters import Lexical, Semantic, summary
from hachimi.dedup.simhash import distance, fingerprint

BASE = "Li Wei is a quiet grade 8 student who likes chess, reads history books after class and helps classmates with maths."


def _variants(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [BASE.replace("chess", rng.choice(["chess", "go", "tennis", "drawing"])) + f" Case {k}." for k in range(n)]


def test_lexical_clusters_match_a_brute_force_leader_pass():
    texts = _variants(300) + ["Something else entirely: a girl who loves rivers, frogs and long walks."] * 3
    rng = random.Random(1)
    strata = [rng.choice("AB") for _ in texts]
    lex = Lexical()
    for k, (t, s) in enumerate(zip(texts, strata)):
        lex.add(f"p{k}", s, t)
    # brute force: leaders in order, each text to its nearest leader within 3 bits
    leaders: dict[str, list[tuple[str, int]]] = {}
    groups: dict[str, list[str]] = {}
    for k, (t, s) in enumerate(zip(texts, strata)):
        fp = fingerprint(t)
        near = [(distance(fp, f), i, pid) for i, (pid, f) in enumerate(leaders.get(s, [])) if distance(fp, f) <= 3]
        if near:
            groups.setdefault(min(near)[2], []).append(f"p{k}")  # the nearest; a tie to the earliest
        else:
            leaders.setdefault(s, []).append((f"p{k}", fp))
    got = {c.leader: c.members[1:] for c in lex.clusters.values()}
    assert got == groups and got  # some clusters found, the same ones
    assert all(c.worst <= 3 for c in lex.clusters.values())


def test_a_corpus_of_duplicates_is_one_cluster_not_all_pairs():
    lex = Lexical()
    for k in range(100_000):
        lex.add(f"p{k}", "A", BASE)
    [c] = lex.clusters.values()
    assert len(c.members) == 100_000 and summary([c])["lexical_duplicates"] == 99_999
    assert len(lex.leaders) == 1  # one leader held, not 100k


def _toy_embed(texts):
    """A deterministic stand-in for MiniLM in this unit test: unit vectors from the text's words."""
    out = []
    for t in texts:
        v = np.zeros(64, dtype="float32")
        for w in t.lower().split():
            v[hash(w) % 64] += 1.0
        out.append(v / np.linalg.norm(v))
    return np.array(out)


def test_semantic_clusters_and_diversity_without_a_matrix():
    texts = _variants(200, seed=2) + ["Rivers frogs walks"] * 5
    calls = []

    def embed(batch):
        calls.append(len(batch))
        return _toy_embed(batch)

    sem = Semantic(0.9, batch=64, embed=embed)
    for k, t in enumerate(texts):
        sem.add(f"p{k}", "A", t)
    sem.flush()
    assert sum(calls) == len(set(texts)) == sem.embedded  # each distinct text embedded once
    vecs = _toy_embed(texts)
    n = len(vecs)
    matrix = 1 - ((vecs @ vecs.T).sum() - n) / (n * (n - 1))
    assert sem.diversity() == pytest.approx(float(matrix), abs=1e-5)
    rivers = [c for c in sem.clusters.values() if c.leader == "p200"]
    assert rivers and rivers[0].members == ["p200", "p201", "p202", "p203", "p204"]
    for c in sem.clusters.values():  # every member is near its leader
        lead = _toy_embed([texts[int(c.leader[1:])]])[0]
        for m in c.members[1:]:
            assert float(_toy_embed([texts[int(m[1:])]])[0] @ lead) >= 0.9 - 1e-6


def _points(n: int, dim: int = 48, seed: int = 5):
    """n unit vectors: a quarter of them near-copies (cosine ~0.97) of an earlier one."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, dim)).astype("float32")
    for k in range(n // 4, n, 4):
        base[k] = base[int(rng.integers(0, k))] + 0.12 * rng.standard_normal(dim).astype("float32")
    return base / np.linalg.norm(base, axis=1, keepdims=True)


def _clusters(vecs, exact: int) -> dict[str, list[str]]:
    table = {f"t{k}": v for k, v in enumerate(vecs)}
    sem = Semantic(0.9, batch=128, embed=lambda texts: np.stack([table[t] for t in texts]), exact=exact)
    for k in range(len(vecs)):
        sem.add(f"p{k}", "A", f"t{k}")
    sem.flush()
    return {c.leader: c.members for c in sem.clusters.values()}, sem


def test_past_a_few_thousand_leaders_the_hnsw_index_finds_what_exact_search_finds():
    vecs = _points(6000)
    exact, _ = _clusters(vecs, exact=10**9)
    approx, sem = _clusters(vecs, exact=200)  # the index from the 201st leader on
    assert sem.leaders["A"].index is not None and len(sem.leaders["A"].ids) > 4000
    members = lambda cs: {m: leader for leader, ms in cs.items() for m in ms[1:]}  # noqa: E731
    want, got = members(exact), members(approx)
    assert len(want) > 1000
    agree = sum(got.get(m) == leader for m, leader in want.items())
    assert agree / len(want) > 0.99  # recall of the nearest leader
    assert set(got) <= set(want) | {m for m in got if float(vecs[int(m[1:])] @ vecs[int(got[m][1:])]) >= 0.9}


def test_vectors_are_cached_by_text_in_a_file_for_the_next_pass(tmp_path):
    from hachimi.dedup.vectors import VectorCache

    texts = _variants(50, seed=3)
    calls = []

    def embed(batch):
        calls.append(len(batch))
        return _toy_embed(batch)

    for _ in range(2):
        cache = VectorCache(tmp_path / "embeddings.sqlite")
        sem = Semantic(0.9, embed=embed, cache=cache)
        for k, t in enumerate(texts):
            sem.add(f"p{k}", "A", t)
        sem.flush()
        cache.close()
    assert sum(calls) == len(set(texts))  # the second pass embedded nothing
    other = VectorCache(tmp_path / "embeddings.sqlite", model="another-model")
    assert other.get_many([b"x" * 16]) == {} and other.db.execute("SELECT count(*) FROM vectors").fetchone() == (0,)
    small = VectorCache(memory=3)
    small.put_many({bytes([k]) * 16: np.ones(4, dtype="float32") for k in range(10)})
    assert len(small.lru) == 3  # memory bounded without a file
