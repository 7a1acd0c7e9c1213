"""Text hash -> embedding, so each distinct text is embedded once: a bounded in-memory LRU in front
of an optional SQLite file (RUN/embeddings.sqlite: `hachimi dedup` fills it, the report's sample
reads it). The file records the embedding model it holds; a file of another model is started
afresh (its vectors would not compare)."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from pathlib import Path

MEMORY = 50_000  # vectors kept in memory (~75 MB of 384-dim float32)
FILE = "embeddings.sqlite"


class VectorCache:
    def __init__(self, path: Path | None = None, model: str = "all-MiniLM-L6-v2", memory: int = MEMORY):
        self.memory, self.lru = memory, OrderedDict()
        self.db = None
        self.hits = self.misses = 0
        if path is not None:
            self.db = sqlite3.connect(str(path))
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self.db.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
            if row is not None and row[0] != model:
                self.db.execute("DROP TABLE IF EXISTS vectors")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('model', ?)", (model,))
            self.db.execute("CREATE TABLE IF NOT EXISTS vectors (hash BLOB PRIMARY KEY, vec BLOB) WITHOUT ROWID")
            self.db.commit()

    def get_many(self, hashes: list[bytes]) -> dict:
        import numpy as np

        out, missing = {}, []
        for h in hashes:
            if h in self.lru:
                self.lru.move_to_end(h)
                out[h] = self.lru[h]
            else:
                missing.append(h)
        if self.db is not None and missing:
            for k in range(0, len(missing), 500):
                part = missing[k : k + 500]
                q = f"SELECT hash, vec FROM vectors WHERE hash IN ({','.join('?' * len(part))})"
                for h, blob in self.db.execute(q, part):
                    out[h] = self._keep(h, np.frombuffer(blob, dtype="float32"))
        self.hits += len(out)
        self.misses += len(hashes) - len(out)
        return out

    def put_many(self, vectors: dict) -> None:
        for h, v in vectors.items():
            self._keep(h, v)
        if self.db is not None and vectors:
            self.db.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                [(h, v.astype("float32").tobytes()) for h, v in vectors.items()],
            )
            self.db.commit()

    def _keep(self, h: bytes, v):
        self.lru[h] = v
        if len(self.lru) > self.memory:
            self.lru.popitem(last=False)
        return v

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def beside(file: Path) -> Path | None:
    """The cache file of a run folder's personas.jsonl (run.json beside it) if the folder is
    writable, else None (read-only media: in memory only)."""
    import os

    folder = Path(file).resolve().parent
    if not (folder / "run.json").exists():
        return None
    target = folder / FILE
    if target.exists():
        return target if os.access(target, os.W_OK) else None
    return target if os.access(folder, os.W_OK) else None
