"""A loaded theory -> findings about its prompts and fixtures (hachimi/authoring/lint.py does the rules):
every agent has a prompt in every language the pack writes prompts for, every $placeholder a
template uses is one hachimi fills, and the fixture cases load."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..errors import TheoryError

# What each template gets besides the schema's words (generate/prompts.py)
AGENT_KEYS = {"slot", "context", "allowed", "anchor"}
FIXED = {
    "system": set(),
    "revise": {"previous", "problems"},
}
_PLACEHOLDER = re.compile(r"\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\}|())", re.I)


def prompt_findings(theory) -> list:
    from ..theory.prompts import PROMPTS, schema_words, slot_keys
    from .findings import Finding

    out = []
    languages = sorted({p.name for d in theory.prompt_dirs for p in d.iterdir() if p.is_dir()})
    for d in theory.prompt_dirs:
        for path in sorted(d.glob("*/*.txt")):
            lang, name = path.parent.name, path.stem
            if name == "slot":  # each [slot] variable of schema.toml, its _meaning, $bias
                allowed = slot_keys(theory.schema)
            elif name in FIXED:
                allowed = FIXED[name]
            elif name in theory.schema.owners:
                allowed = AGENT_KEYS | set(schema_words(lang if (PROMPTS / lang).is_dir() else "en", theory.schema))
            else:
                out.append(Finding("warning", str(path), 1, 0, f"no agent {name!r} in schema.toml uses this prompt"))
                continue
            text = path.read_text(encoding="utf-8")
            for m in _PLACEHOLDER.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                if m.group(4) is not None:
                    out.append(Finding("error", str(path), line, col, "a lone $: write $$ for a dollar sign"))
                    continue
                key = m.group(2) or m.group(3)
                if key and key not in allowed:
                    close = difflib.get_close_matches(key, allowed, 1)
                    hint = f"did you mean ${close[0]}? " if close else ""
                    out.append(
                        Finding(
                            "error",
                            str(path),
                            line,
                            col,
                            f"${key} is not filled in; {hint}known here: {', '.join('$' + k for k in sorted(allowed))}",
                        )
                    )
    own = theory.root / "prompts"
    for lang in languages:
        # a language this pack writes prompts in must have them all; one only the theories it extends
        # write is a warning: generating in it stops at the agent's first call
        severity = "error" if (own / lang).is_dir() else "warning"
        for agent in theory.schema.owners:
            if not any((d / lang / f"{agent}.txt").is_file() for d in (*theory.prompt_dirs, PROMPTS)):
                where = own / lang / f"{agent}.txt"
                out.append(
                    Finding(
                        severity,
                        str(where),
                        0,
                        0,
                        f"agent {agent!r} has no {lang} prompt: write this file"
                        + ("" if severity == "error" else f" to generate with --language {lang}"),
                    )
                )
    return out


def fixture_findings(theory) -> list:
    from .fixtures import load_cases
    from .findings import Finding

    try:
        load_cases(theory)
    except TheoryError as e:
        return [
            Finding(
                "error", e.file or str(Path(theory.root) / "fixtures"), e.line or 0, e.column or 0, e.message, e.rule
            )
        ]
    return []
