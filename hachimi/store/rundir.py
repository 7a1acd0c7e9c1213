"""A run folder: personas.jsonl (accepted), attempts.jsonl (every call and verdict), run.json
(manifest). Appends are single writes of whole lines (an attempt's records in one write);
personas are fsynced as they are committed; the manifest is replaced atomically, so a crash
loses at most the attempts in flight."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson

from ..errors import HachimiError


class RunDir:
    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HachimiError(f"cannot create the run folder {self.path}: {e.strerror}") from None
        self._fds = {
            name: os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            for name in ("personas.jsonl", "attempts.jsonl")
        }

    def append(self, name: str, obj: dict) -> None:
        self.append_many(name, [obj])

    def append_many(self, name: str, objs: list[dict]) -> None:
        if objs:
            os.write(self._fds[name], b"".join(orjson.dumps(o, option=orjson.OPT_NON_STR_KEYS) + b"\n" for o in objs))

    def sync(self, name: str | None = None) -> None:
        for key, fd in self._fds.items():
            if name is None or key == name:
                os.fsync(fd)

    def write_manifest(self, manifest: dict) -> None:
        tmp = self.path / "run.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / "run.json")

    def close(self) -> None:
        self.sync()
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}
