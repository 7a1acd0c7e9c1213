"""(n, seed, model, theory) -> a run folder: slots drawn from the seed, one PersonaLoop attempt per
slot, progress callbacks, a manifest kept current (status running / complete / interrupted)."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from .. import __version__
from ..schema import enums as E
from ..theory.pack import Theory
from .grammar import GRAMMARS
from .loop import Outcome, PersonaLoop, Settings
from .rundir import RunDir
from .seeds import derive


def slots(n: int, seed: int) -> list[dict]:
    """n slots (grade, gender, target level, subject bias) drawn uniformly from the run seed."""
    out = []
    for i in range(n):
        rng = random.Random(derive(seed, "slot", i))
        bias = rng.sample(E.SUBJECTS, rng.choice((0, 1, 2)))
        out.append({"grade": rng.randint(1, 12), "gender": rng.choice(E.GENDERS),
                    "academic_level": rng.choice(E.ACADEMIC_LEVELS), "subject_bias": sorted(bias, key=E.SUBJECTS.index)})
    return out


def persona_id(slot: dict, index: int) -> str:
    return f"g{slot['grade']:02d}-{slot['gender']}-{slot['academic_level']}-{index:06d}"


def schema_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(GRAMMARS.glob("*.schema.json")):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


class Session:
    def __init__(self, theory: Theory, runner: Callable, spec, settings: Settings, out: Path,
                 seed: int, n: int):
        self.dir = RunDir(out)
        self.theory, self.runner, self.spec, self.settings, self.seed, self.n = theory, runner, spec, settings, seed, n
        self.counts = {"slots": n, "done": 0, "accepted": 0, "failed": 0, "first_pass_valid": 0,
                       "calls": 0, "tokens": 0, "rounds": 0}
        self.started = time.time()
        self.loop = PersonaLoop(theory, runner, settings, lambda e: self.dir.append("attempts.jsonl", e))

    def manifest(self, status: str) -> dict:
        return {"hachimi": __version__, "status": status, "seed": self.seed, "n": self.n,
                "theory": {"name": self.theory.name, "path": str(self.theory.root), "hash": self.theory.hash},
                "schema_hash": schema_hash(),
                "model": {"name": self.spec.name, "loader": self.spec.loader, "dtype": self.spec.dtype,
                          "decoding": self.spec.decoding, "backend": "outlines+llguidance"} if self.spec else None,
                "settings": asdict(self.settings), "counts": self.counts,
                "seconds": round(time.time() - self.started, 1)}

    def run(self, on_progress: Callable[[dict], None] = lambda c: None) -> dict:
        self.dir.write_manifest(self.manifest("running"))
        status = "interrupted"
        try:
            for i, slot in enumerate(slots(self.n, self.seed)):
                o = self.loop.run(persona_id(slot, i), slot, derive(self.seed, "persona", i))
                self._record(o)
                on_progress(self.counts)
            status = "complete"
        finally:
            self.dir.write_manifest(self.manifest(status))
            self.dir.close()
        return self.counts

    def _record(self, o: Outcome) -> None:
        c = self.counts
        c["done"] += 1
        c["accepted" if o.persona else "failed"] += 1
        c["first_pass_valid"] += o.first_pass_valid
        c["calls"] += o.calls
        c["tokens"] += o.tokens
        c["rounds"] += o.rounds
        if o.persona:
            self.dir.append("personas.jsonl", o.persona)
        self.dir.sync()
        self.dir.write_manifest(self.manifest("running"))
