"""The free narrative style end to end on natural prose: a scripted model writes, for every agent,
the parts of an honest persona from the labelled set (tests/text/data/, written independently, en
and zh, in several voices) and the real loop validates it with the text reader. First-pass
agreement (no L1 contradiction, no L2/L3 warning on the first validation) is printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hachimi.engines.scripted import ScriptedEngine
from hachimi.generate.loop import PersonaLoop, Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "text"))
from labelled import personas  # noqa: E402

LEVEL_RULES = {"L1", "L2", "L3"}


def writer(theory, persona: dict):
    parts_of = {a.key: a.parts for a in theory.schema.agents}

    def run(agent, messages, schema, seed):
        parts = parts_of[agent]
        body = persona[parts[0]] if len(parts) == 1 else {p: persona[p] for p in parts}
        return json.dumps(body, ensure_ascii=False)

    return run


def test_natural_prose_through_the_free_loop(theory, capsys):
    accepted, agree, rows = 0, 0, []
    for lang in ("en", "zh"):
        for p in personas(lang):
            loop = PersonaLoop(theory, Settings(narrative="free", narrow=False, language=lang))
            log: list = []
            out = loop.run(p["id"], p["slot"], 1, engine=ScriptedEngine(writer(theory, p)), log=log.append)
            first = next(e for e in log if e["type"] == "validation")
            refs = {v["ref"] for v in first["violations"]}
            agree += not (refs & LEVEL_RULES)
            accepted += out.persona is not None
            rows.append((p["id"], sorted(refs & LEVEL_RULES)))
    n = len(rows)
    with capsys.disabled():
        print(
            f"\nfree prose, natural set: {accepted}/{n} accepted; first-pass level agreement {agree}/{n} "
            f"({agree / n:.0%}); level warnings on: {[r for r in rows if r[1]]}"
        )
    assert accepted == n
    assert agree / n >= 0.6  # warnings (L2/L3: a level not read) are allowed; contradictions are not
