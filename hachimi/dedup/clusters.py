"""Near-duplicate clusters in one streaming pass: memory bounded by the clusters' leaders and the
ids, never by pairs (100k near-identical personas are one cluster, not 5 billion pairs).

Leader clustering within each stratum, in file order: a persona near a leader (the first persona
of its cluster) joins the nearest such leader's cluster; one near no leader becomes a leader.
Lexical: 64-bit SimHash within Hamming distance 3, found among the leaders through banded LSH
buckets (simhash.py). Semantic: all-MiniLM-L6-v2 embeddings, cosine >= the threshold to a leader,
embedded in batches and once per distinct text (identical texts share one vector), searched
against the stratum's leaders: exactly (a matrix-vector product) while they are a few thousand,
then through an HNSW index (usearch), so neither a corpus of duplicates (one leader) nor one of
distinct personas (every persona a leader) costs all pairs. A cluster lists every member and
its farthest member's score to the leader; a member is near its leader, not necessarily near
every other member."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .simhash import SimHashIndex, distance, fingerprint
from .vectors import VectorCache


@dataclass
class Cluster:
    how: str  # "lexical" or "semantic"
    stratum: str
    leader: str
    members: list[str] = field(default_factory=list)  # the leader first
    worst: float = 0.0  # lexical: the largest Hamming distance to the leader; semantic: the lowest cosine

    def row(self, number: int) -> dict:
        return {
            "cluster": number,
            "how": self.how,
            "stratum": self.stratum,
            "size": len(self.members),
            "leader": self.leader,
            "members": self.members,
            "worst": round(self.worst, 4),
        }


class Lexical:
    def __init__(self):
        self.leaders = SimHashIndex()  # the leaders' fingerprints, by stratum, in file order
        self.clusters: dict[str, Cluster] = {}  # leader id -> its cluster (2+ members)

    def add(self, pid: str, stratum: str, text: str) -> str | None:
        """The leader this persona duplicates, or None (it leads a cluster of its own)."""
        fp = fingerprint(text)
        ix = self.leaders
        hits = ix.near_rows(fp, stratum)
        if not hits:
            ix.add(pid, fp, stratum)
            return None
        row = min(hits, key=lambda r: (distance(fp, ix.prints[r]), r))  # ties: the earliest leader
        leader = ix.key(row)
        c = self.clusters.setdefault(leader, Cluster("lexical", stratum, leader, [leader]))
        c.members.append(pid)
        c.worst = max(c.worst, distance(fp, ix.prints[row]))
        return leader


class _Leaders:
    """A stratum's leader vectors: searched exactly (one matrix-vector product) while they are
    few, through an HNSW index (usearch) once they pass EXACT_LEADERS, so a stratum of 100k
    distinct personas is not 100k x 100k products. HNSW is approximate: at this size and with
    CONNECTIVITY and EXPANSION below, its recall of the nearest leader is above 99% in
    tests/dedup/test_clusters.py; a missed leader makes a persona lead its own cluster (a
    duplicate not reported), never a false duplicate (every hit is checked against the threshold)."""

    def __init__(self, dim: int, exact: int):
        import numpy as np

        self.dim, self.exact = dim, exact
        self.ids: list[str] = []
        self.mat = np.zeros((16, dim), dtype="float32")
        self.index = None  # usearch, from the first leader past `exact`

    def add(self, pid: str, v) -> None:
        import numpy as np

        if self.index is not None:
            self.index.add(len(self.ids), v)
            self.ids.append(pid)
            return
        if len(self.ids) == len(self.mat):
            self.mat = np.concatenate([self.mat, np.zeros_like(self.mat)])
        self.mat[len(self.ids)] = v
        self.ids.append(pid)
        if len(self.ids) > self.exact:
            self._to_index()

    def _to_index(self) -> None:
        import numpy as np

        _solvers_first()
        from usearch.index import Index

        n = len(self.ids)
        self.index = Index(
            ndim=self.dim,
            metric="ip",
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION,
            expansion_search=EXPANSION,
        )
        self.index.add(np.arange(n, dtype=np.uint64), self.mat[:n])
        self.mat = None

    def nearest(self, v) -> tuple[int, float] | None:
        """(leader number, cosine) of the nearest leader, or None without leaders."""
        import numpy as np

        n = len(self.ids)
        if not n:
            return None
        if self.index is None:
            sims = self.mat[:n] @ v
            j = int(np.argmax(sims))
            return j, float(sims[j])
        m = self.index.search(v, 1)
        return int(m.keys[0]), 1.0 - float(m.distances[0])


def _solvers_first() -> None:
    """Load clingo and z3 before usearch: loaded after it, both break for the rest of the process
    (clingo raises std::bad_cast, z3 reads every number as ''; usearch 2.26's extension and theirs
    disagree on the C++ runtime's locale). A report or a test that dedups and then validates in one
    process hit it."""
    import clingo  # noqa: F401
    import z3  # noqa: F401


EXACT_LEADERS = 4096  # leaders per stratum searched exactly; beyond, the HNSW index
CONNECTIVITY, EXPANSION = 32, 128


class Semantic:
    def __init__(self, threshold: float = 0.95, batch: int = 256, embed=None, exact: int = EXACT_LEADERS, cache=None):
        self.threshold, self.batch, self.exact = threshold, batch, exact
        self._embed = embed  # texts -> normalised vectors (default: MiniLM, embed.py)
        self.leaders: dict[str, _Leaders] = {}
        self.clusters: dict[str, Cluster] = {}
        self.cache = cache if cache is not None else VectorCache()  # each distinct text embedded once
        self.pending: list[tuple[str, str, bytes, str]] = []
        self.embedded = 0  # distinct texts embedded
        self.total = None  # the sum of every persona's vector (for the diversity)
        self.count = 0

    def add(self, pid: str, stratum: str, text: str) -> None:
        self.pending.append((pid, stratum, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest(), text))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        import numpy as np

        if not self.pending:
            return
        known = self.cache.get_many(list(dict.fromkeys(h for _, _, h, _ in self.pending)))
        todo = {h: t for _, _, h, t in self.pending if h not in known}
        if todo:
            embed = self._embed
            if embed is None:
                from .embed import embed
            vecs = embed(list(todo.values()))
            self.embedded += len(todo)
            new = {h: np.asarray(v, dtype="float32") for h, v in zip(todo, vecs)}
            self.cache.put_many(new)
            known |= new
        for pid, stratum, h, _ in self.pending:
            v = known[h]
            self.total = v.astype("float64") if self.total is None else self.total + v
            self.count += 1
            lead = self.leaders.setdefault(stratum, _Leaders(len(v), self.exact))
            hit = lead.nearest(v)
            if hit is not None and hit[1] >= self.threshold:
                leader = lead.ids[hit[0]]
                c = self.clusters.setdefault(leader, Cluster("semantic", stratum, leader, [leader], 1.0))
                c.members.append(pid)
                c.worst = min(c.worst, hit[1])
                continue
            lead.add(pid, v)
        self.pending.clear()

    def diversity(self) -> float | None:
        """Mean pairwise cosine distance over every persona, from the vector sum (sum over i != j
        of v_i.v_j = |sum v|^2 - n for unit vectors): the same number as the N x N matrix gave,
        in one pass."""
        n = self.count
        if n < 2:
            return None
        return float(1 - (float(self.total @ self.total) - n) / (n * (n - 1)))


def summary(clusters: list[Cluster]) -> dict:
    """Counts by how: clusters, personas in them, duplicates (members beyond the leader)."""
    out = {}
    for how in ("lexical", "semantic"):
        cs = [c for c in clusters if c.how == how]
        out[f"{how}_clusters"] = len(cs)
        out[f"{how}_duplicates"] = sum(len(c.members) - 1 for c in cs)
    return out
