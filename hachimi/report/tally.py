"""personas.jsonl, read once -> what the report measures of the accepted personas, with memory
bounded by aggregates (counts, sketches, clusters' leaders, a seeded sample), never by the corpus.

- Distinct-n (corpus): exact, from a set of the n-grams' 64-bit hashes, up to EXACT_MAX distinct
  n-grams; beyond that a HyperLogLog++ sketch (datasketch, p=16: about 0.4% standard error) into
  which the set is poured; `distinct_estimated` says which. Per record: a running mean.
- Lexical near-duplicates: leader clusters per stratum over every persona (dedup/clusters.py).
- Embedding metrics and Self-BLEU: on a seeded reservoir sample of SAMPLE personas (all of them
  when the run is no larger), its size reported: the semantic clusters found within the sample,
  the embedding diversity (an unbiased estimate of the mean pairwise cosine distance), Self-BLEU of
  100 sampled texts (at most half the sample) against the rest of it. `hachimi dedup` clusters
  every persona.
- Schema validity, quota cells realised, the levels chart's counts, the population table.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter

from ..dedup.text import narrative_text

SAMPLE = 1000
EXACT_MAX = 2_000_000  # distinct n-grams held exactly (a set of ints, ~70 MB) before the sketch
BLEU_HYPOTHESES = 100
_WORD = re.compile(r"\w+", re.UNICODE)


class Tokens:
    """Words -> 64-bit ids (blake2b, the same on every run and machine), each word hashed once."""

    def __init__(self, cap: int = 1_000_000):
        self.ids: dict[str, int] = {}
        self.cap = cap

    def __call__(self, words: list[str]) -> list[int]:
        out = []
        for w in words:
            v = self.ids.get(w)
            if v is None:
                v = int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
                if len(self.ids) < self.cap:
                    self.ids[w] = v
            out.append(v)
        return out


class Distinct:
    """Distinct-n of a corpus, one text (its word ids: Tokens) at a time. The n-gram hashes and the
    sketch's registers are computed a text at a time with numpy (the same values as the splitmix64
    finaliser of the polynomial hash per n-gram, one Python step each, which took most of a 100k report once the
    sketch took over: datasketch updates one value per call)."""

    def __init__(self, n: int, exact_max: int = EXACT_MAX):
        self.n, self.exact_max = n, exact_max
        self.seen: set[int] | None = set()
        self.sketch = None
        self.grams = 0  # every n-gram, repeated ones included
        self.per_sum, self.per_n = 0.0, 0

    def hashes(self, ids: list[int]):
        """The text's n-gram hashes (uint64), in order."""
        import numpy as np

        x = np.array(ids, dtype=np.uint64)
        n = self.n
        if len(x) < n:
            return x[:0]
        if n == 1:
            return _mix_array(x)
        length = len(x) - n + 1
        h = np.zeros(length, dtype=np.uint64)
        for j in range(n):  # h = h * K + x, wrapping at 64 bits, over each n-gram's words in order
            h = h * _GRAM + x[j : j + length]
        return _mix_array(h)

    def add(self, ids: list[int]) -> None:
        import numpy as np

        hashes = self.hashes(ids)
        if not len(hashes):
            return
        self.grams += len(hashes)
        self.per_sum += len(np.unique(hashes)) / len(hashes)
        self.per_n += 1
        if self.seen is not None:
            self.seen.update(hashes.tolist())
            if len(self.seen) > self.exact_max:
                self._to_sketch()
        else:
            self._pour(hashes)

    def _to_sketch(self) -> None:
        import numpy as np
        from datasketch import HyperLogLogPlusPlus

        self.sketch = HyperLogLogPlusPlus(p=16, hashfunc=lambda x: x)
        self._pour(np.fromiter(self.seen, dtype=np.uint64, count=len(self.seen)))
        self.seen = None

    def _pour(self, hashes) -> None:
        """HyperLogLogPlusPlus.update for each hash, at once: the register is the low p bits, the
        rank from the bit length of the rest (at most 48 bits: exact in a float's mantissa)."""
        import numpy as np

        s = self.sketch
        index = (hashes & np.uint64(s.m - 1)).astype(np.intp)
        length = np.frexp((hashes >> np.uint64(s.p)).astype(np.float64))[1]  # bit_length (0 for 0)
        np.maximum.at(s.reg, index, (s.max_rank - length + 1).astype(np.int8))

    @property
    def estimated(self) -> bool:
        return self.seen is None

    def corpus(self) -> float:
        if not self.grams:
            return 0.0
        distinct = len(self.seen) if self.seen is not None else self.sketch.count()
        return min(1.0, distinct / self.grams)

    def per_record(self) -> float:
        return self.per_sum / self.per_n if self.per_n else 0.0


_GRAM = 0x9E3779B97F4A7C15


def _mix_array(x):
    """splitmix64's finaliser of every value of a uint64 array (well spread for the sketch's
    registers; numpy's uint64 products wrap at 64 bits)."""
    import numpy as np

    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class Reservoir:
    """A seeded uniform sample of `size` items of a stream (Algorithm R): every item when the
    stream is no longer, in stream order."""

    def __init__(self, size: int, seed: int = 0):
        self.size, self.rng = size, random.Random(seed)
        self.items: list = []
        self.seen = 0

    def add(self, item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        elif (j := self.rng.randrange(self.seen)) < self.size:
            self.items[j] = item


class Tally:
    """One pass over the accepted personas; `result()` gives the metrics they yield."""

    def __init__(self, theory, fields, cell_of=None, sample: int = SAMPLE, seed: int = 0, cache_file=None):
        from ..dedup.clusters import Lexical
        from ..schema.models import persona_model
        from ..schema.spec import CELL
        from .population import Tally as Population

        schema = theory.schema
        self.schema, self.fields, self.cell_of, self.cell_key = schema, fields, cell_of, CELL
        self.cache_file = cache_file  # embeddings by text hash (dedup/vectors.py), or None
        self.stratum = schema.slot.key if schema.slot else (lambda p: "")
        self.Persona = persona_model(schema)  # the run's theory's format, not k12's
        self.n = self.schema_ok = 0
        self.tokens = Tokens()
        self.d1, self.d2 = Distinct(1), Distinct(2)
        self.lexical = Lexical()
        self.sample = Reservoir(sample, seed)
        self.population = Population(theory)
        self.realised: Counter = Counter()  # cell -> personas (from the planned ids)
        self.recorded: Counter = Counter()  # cell -> personas (from each persona's slot.cell)
        self.unrecorded = 0  # personas with no slot.cell
        self.levels = LevelCounts(schema, None)

    def add(self, p: dict) -> None:
        from pydantic import ValidationError

        self.n += 1
        try:
            self.Persona.model_validate(p)
            self.schema_ok += 1
        except ValidationError:
            pass
        text = narrative_text(p, self.fields)
        ids = self.tokens(_WORD.findall(text.lower()))
        self.d1.add(ids)
        self.d2.add(ids)
        pid, stratum = p.get("id"), self.stratum(p)
        self.lexical.add(pid, stratum, text)
        self.sample.add((pid, stratum, text))
        self.population.add(p)
        self.levels.add(p)
        if self.cell_of is not None:
            self.realised[self.cell_of.get(pid, "(not a planned id)")] += 1
        if cell := (p.get("slot") or {}).get(self.cell_key):
            self.recorded[cell] += 1
        else:
            self.unrecorded += 1

    def result(self) -> dict:
        from ..dedup.clusters import summary

        n = max(1, self.n)
        out = {
            "personas": self.n,
            "schema_valid": self.schema_ok / n,
            "distinct_1": self.d1.corpus(),
            "distinct_2": self.d2.corpus(),
            "distinct_1_per_record": self.d1.per_record(),
            "distinct_2_per_record": self.d2.per_record(),
            "distinct_estimated": self.d1.estimated or self.d2.estimated,
            "sample": {"size": len(self.sample.items), "of": self.sample.seen, "seed": 0},
            "self_bleu": self_bleu([t for _, _, t in self.sample.items]),
        }
        out |= {k: v for k, v in summary(list(self.lexical.clusters.values())).items() if k.startswith("lexical")}
        return out | semantic(self.sample.items, self.cache_file)


def self_bleu(texts: list[str], hypotheses: int = BLEU_HYPOTHESES, seed: int = 0) -> float | None:
    """Mean BLEU (sacrebleu, effective order) of `hypotheses` seeded texts of the sample (at most
    half of it) against the rest of it, whose n-grams are extracted once; lower = more diverse.
    (Each text against all others re-extracts every reference per hypothesis: 100 x the sample.)"""
    try:
        from sacrebleu.metrics import BLEU
    except ImportError:
        return None
    if len(texts) < 2:
        return None
    pick = set(random.Random(seed).sample(range(len(texts)), min(hypotheses, len(texts) // 2)))
    refs = [t for k, t in enumerate(texts) if k not in pick]
    bleu = BLEU(effective_order=True, references=[[r] for r in refs])  # one segment, len(refs) references
    scores = [bleu.corpus_score([texts[k]], None).score for k in sorted(pick)]
    return sum(scores) / len(scores)


def semantic(sample: list[tuple[str, str, str]], cache_file=None) -> dict:
    """Semantic clusters and the embedding diversity of the sampled personas (MiniLM; vectors from
    the run's embeddings.sqlite where `hachimi dedup` left them)."""
    from ..dedup.clusters import Semantic, summary
    from ..dedup.vectors import VectorCache

    cache = None
    try:
        cache = VectorCache(cache_file)
        sem = Semantic(0.95, cache=cache)
        for pid, key, text in sample:
            sem.add(pid, key, text)
        sem.flush()
        out = {k: v for k, v in summary(list(sem.clusters.values())).items() if k.startswith("semantic")}
        if (d := sem.diversity()) is not None:
            out["embedding_diversity"] = d
        return out
    except Exception as e:  # the population extra is optional: say why it is missing
        return {"semantic_clusters": None, "semantic_duplicates": None, "semantic_note": str(e)}
    finally:
        if cache is not None:
            cache.close()


class LevelCounts:
    """For the levels chart: per group of rated dimensions, the count of each scale value by the
    slot's target level (the slot variable bound to the realism `by` field, else the first)."""

    def __init__(self, schema, variable: str | None):
        spec = schema.slot
        self.schema, self.spec = schema, spec
        self.variable = variable if variable is not None else (spec.variables[0] if spec else "")
        self.groups = [g for g in schema.groups if any(f.group == g for f in schema.fields)]
        self.counts: Counter = Counter()  # (group, level, value) -> count; the level is re-keyed later

    def add(self, p: dict) -> None:
        from ..jsonio import get_path

        slot = self.spec.of(p) if self.spec else {}
        key = tuple(slot.get(v) for v in (self.spec.variables if self.spec else ()))
        for f in self.schema.fields:
            if f.group in self.groups and (v := get_path(p, f.path)) is not None:
                self.counts[(f.group, key, v)] += 1
