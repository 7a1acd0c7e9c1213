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
    assert sum(len(ix.prints) for ix in lex.leaders.values()) == 1  # one leader held, not 100k


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
