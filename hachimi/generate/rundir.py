"""A run folder: personas.jsonl (accepted), attempts.jsonl (every call and verdict), run.json
(manifest). Appends are single writes of whole lines, fsynced per persona; the manifest is
replaced atomically, so a crash loses at most the persona being generated."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson


class RunDir:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._fds = {name: os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                     for name in ("personas.jsonl", "attempts.jsonl")}

    def append(self, name: str, obj: dict) -> None:
        os.write(self._fds[name], orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS) + b"\n")

    def sync(self) -> None:
        for fd in self._fds.values():
            os.fsync(fd)

    def write_manifest(self, manifest: dict) -> None:
        tmp = self.path / "run.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / "run.json")

    def close(self) -> None:
        self.sync()
        for fd in self._fds.values():
            os.close(fd)

    def existing(self) -> int:
        p = self.path / "personas.jsonl"
        return sum(1 for _ in open(p, "rb")) if p.exists() else 0
