"""A scripted model for loop tests: the template runner's clean parts, optionally tampered with."""

from __future__ import annotations

import json

from hachimi.plugins.k12.prose import template_part as clean_part


def script(tamper=None):
    """script(agent, messages, schema, seed) for ScriptedRunner; tamper(agent, part, call_no) may edit."""
    counter: dict[str, int] = {}

    def run(agent, messages, schema, seed):
        counter[agent] = counter.get(agent, 0) + 1
        part = clean_part(agent, schema, seed)
        if tamper:
            out = tamper(agent, part, counter[agent])
            if isinstance(out, str):
                return out
            part = out if out is not None else part
        return json.dumps(part)

    return run
