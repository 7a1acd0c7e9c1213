"""The personas a survey asks, read from their file in passes, never held: one pass checks the ids
(a line without one, or with an id seen before, is named and left out) and keeps, of the personas
that take part, only their content hash; later passes read the persona itself when it is asked or
placed in a cohort. A survey's memory is bounded by the personas that take part (a seeded sample
of a large corpus: `--sample`), not by the corpus.

A sample is the personas with the smallest seeded ranks of their ids (bottom-k): the same seed
and size give the same personas on every run; personas added to the file can only displace sampled
ones, never bring back one left out."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..jsonio import LineError, records
from ..seeds import derive
from .answers import persona_hash


@dataclass
class Source:
    file: Path
    hashes: dict[str, str]  # id -> content hash, for every persona that takes part
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, why) of lines left out
    identified: int = 0  # personas in the file with an id of their own
    sample: int | None = None

    def personas(self) -> Iterator[dict]:
        """The personas that take part, in file order (the first line of each id)."""
        seen: set[str] = set()
        for _, p in records(self.file):
            if isinstance(p, LineError):
                continue
            pid = p.get("id")
            if isinstance(pid, str) and pid in self.hashes and pid not in seen:
                seen.add(pid)
                yield p


def _rank(seed: int, pid: str) -> int:
    return derive(seed, "survey-sample", pid)


def scan(file: Path, sample: int | None = None, seed: int = 0, only: set[str] | None = None) -> Source:
    """One pass over `file`: the ids' problems, and the hashes of the personas that take part
    (those in `only` when given; of those, the `sample` with the smallest seeded ranks)."""
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    hashes: dict[str, str] = {}
    heap: list[tuple[int, int, str, str]] = []  # (-rank, line, id, hash): the `sample` smallest ranks so far
    for n, p in records(file):
        if isinstance(p, LineError):
            problems.append((n, str(p)))
            continue
        pid = p.get("id")
        if not isinstance(pid, str) or not pid.strip():
            problems.append((n, "no id (a persona answers under its id)"))
            continue
        if pid in seen:
            problems.append((n, f"id {pid} appears again (answers are kept per id)"))
            continue
        seen.add(pid)
        if only is not None and pid not in only:
            continue
        if sample is None:
            hashes[pid] = persona_hash(p)
            continue
        key = -_rank(seed, pid)
        if len(heap) < sample:
            heapq.heappush(heap, (key, n, pid, persona_hash(p)))
        elif key > heap[0][0]:
            heapq.heapreplace(heap, (key, n, pid, persona_hash(p)))
    if sample is not None:  # in file order, as without a sample
        hashes = {pid: h for _, _, pid, h in sorted(heap, key=lambda x: x[1])}
    return Source(file, hashes, sorted(problems), len(seen), sample)
