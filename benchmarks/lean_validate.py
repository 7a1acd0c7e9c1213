"""The floor for validation with text reading: parse each JSONL line and extract every fact the
validator extracts (structured values, and the same text reading: levels, mentions, lexicons,
readable prose, coherence), then write one JSON line with the number of facts. No solver, no
verdict logic: any validator that reads the text this way costs at least this much.

    python benchmarks/lean_validate.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import sys

import orjson

from hachimi.facts.reader import read
from hachimi.theory.locate import locate
from hachimi.theory.pack import load


def main(src: str, dst: str) -> None:
    text = load(locate("k12")).text
    with open(src, "rb") as fin, open(dst, "wb") as out:
        for n, line in enumerate(fin, 1):
            try:
                rec = read(orjson.loads(line), text)
            except orjson.JSONDecodeError as e:
                out.write(orjson.dumps({"line": n, "error": str(e)}) + b"\n")
                continue
            out.write(
                orjson.dumps({"line": n, "id": rec.id, "facts": len(rec.facts), "problems": rec.problems}) + b"\n"
            )


if __name__ == "__main__":
    main(*sys.argv[1:3])
