"""`hachimi theory new NAME --extends BASE`: a new theory folder that extends BASE, every file
documented, clean under `theory lint`, `theory test` and `theory check` as written. The README's
"Write a theory" tutorial starts from it."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import TheoryError

THEORY_TOML = """\
# {name}: extends {base}. Everything of {base} (its persona format, rules, numeric rules, features,
# prompts and fixture cases) is inherited; this folder adds to it.
#
# Each [[rule]] describes one violation that a rules/*.lp file derives as
#   violation(P, "rule-id", Key)
# with: id (kebab-case), ref (a short label), owner (the agent that fixes it: one of
# {owners}, or "owner" = the owner of the field named by Key), severity ("error" or "warning"),
# fields (JSON paths; "part.*" for a whole part), message (placeholders: any field path, {{key}},
# or a detail name from detail(P, "rule-id", Key, Name, Value)), citation, and fixable = true if
# changing structured fields can remove it. A rule id may not reuse one of {base}'s.
#
# [features] tables merge with {base}'s entry by entry: [features.lexicons.<name>] adds a lexicon
# (its file = "..." is read from this folder) and {base}'s stay in force. To change what {base}
# declares, say so in the table: replace = true (the table whole), replace = ["key"] (those keys),
# remove = ["name"] (drop entries), append = ["terms"] (add to a list). Anything else that differs
# is refused with both places; `hachimi theory check` names any inherited rule that can no longer fire.

[theory]
name = "{name}"
version = "0.1.0"
description = "{name}: {base} plus ..."
extends = "{base}"
"""

SCHEMA_TOML = """\
# The persona format {name} adds to {base}'s (hachimi theory vocab {base} lists what exists).
# Add parts, the agent that writes each, and their fields; {base}'s parts stay as they are.
#
#   [scales]                          an ordered list of values ("ordinal" gives rank/3 facts)
#   frequency = {{ values = ["never", "sometimes", "often"], ordinal = true }}
#
#   [[agent]]                         a new agent writes after {base}'s agents
#   key = "habits"
#   parts = ["habits"]
#
#   [parts]                           title = the part's model name in its JSON Schema
#   habits = {{ title = "Habits" }}
#
#   [[field]]                         kind: int (range), enum / set (scale), count, text
#   path = "habits.reading"
#   kind = "enum"
#   scale = "frequency"
#   pred = "reading"                  the fact rules see: reading(P, often)
#
# A group of rated dimensions shares one field entry: [dimensions.<group>] with names = {{ id =
# "display name" }} and a [[field]] whose path holds {{dimension}} and dimensions = "<group>".
"""

RULES_LP = """\
% {name}'s rules (clingo ASP). A rule derives violation(P, "rule-id", Key) from the persona's facts;
% theory.toml has the rule's metadata. The facts: hachimi theory vocab {name}.
% Example (with the habits part of schema.toml's comment):
%   violation(P,"reading-young",none) :- {pred}(P,X), X <= {low}, reading(P,often).
"""

CASES_TOML = """\
# Cases for {name}'s rules: each patches fixtures/base.json (a valid persona of this format) and
# says whether the rule must fire ("fail") or stay silent ("pass"). {base}'s cases run on the same
# base too. Every rule needs at least one of each.
#
#   [[case]]
#   rule = "reading-young"
#   expect = "fail"
#   name = "grade 1, reads often"
#   set = {{ {example}"habits.reading" = "often" }}
"""

PROMPTS_README = """\
Prompts for {name}'s agents, one file per agent and language: prompts/<language>/<agent>.txt
(a string.Template). hachimi fills $slot, $context, $allowed and $anchor, and from schema.toml
$<group>_dimensions, $<group>_count and $<scale>_values; `hachimi theory lint {name}` names any
other $word. An anchors.toml here adds [<agent>] tables (one line per value of the slot variable
`anchor_by` names: {anchor_values}) that $anchor takes. A file named like one of {base}'s replaces it.
"""


def _examples(base) -> tuple[str, int, str, str]:
    """The comments' examples in the base's own terms: the first integer slot variable's persona
    field (k12: grade), a low value of it, the case patch that sets it (slot and persona field), and
    the values anchors go by."""
    slot, by_path = base.schema.slot, base.schema.by_path
    for v in slot.variables if slot else ():
        bound = slot.binds.get(v)
        if bound and by_path[bound].kind == "int":
            low = min(by_path[bound].domain)
            return by_path[bound].pred, low, f'"{bound}" = {low}, "{slot.field(v)}" = {low}, ', _anchor_values(base)
    return "age", 10, "", _anchor_values(base)


def _anchor_values(base) -> str:
    from ..theory.prompts import anchors

    for d in base.prompt_dirs:
        for lang in sorted(p.name for p in d.iterdir() if p.is_dir()):
            by = anchors(lang, tuple(base.prompt_dirs)).get("anchor_by")
            if by and base.schema.slot and by in base.schema.slot.variables:
                return f"{by}: " + ", ".join(map(str, base.schema.slot_domain(by)))
    return "none in the base"


def create(folder: Path, base_name: str) -> list[Path]:
    """Write the scaffold; refuses an existing non-empty folder."""
    from ..theory.locate import locate
    from ..theory.pack import load

    if folder.exists() and any(folder.iterdir()):
        raise TheoryError("already exists and is not empty; pick a new folder", str(folder))
    base = load(locate(base_name))
    name = folder.name
    owners = ", ".join(base.schema.owners)
    pred, low, example, anchor_values = _examples(base)
    files = {
        "theory.toml": THEORY_TOML.format(name=name, base=base_name, owners=owners),
        "schema.toml": SCHEMA_TOML.format(name=name, base=base_name),
        f"rules/{name.replace('-', '_')}.lp": RULES_LP.format(name=name, pred=pred, low=low),
        "fixtures/cases.toml": CASES_TOML.format(name=name, base=base_name, example=example),
        "fixtures/base.json": json.dumps(
            json.loads((base.root / "fixtures" / "base.json").read_text(encoding="utf-8")), ensure_ascii=False, indent=2
        )
        + "\n",
        "prompts/README.md": PROMPTS_README.format(name=name, base=base_name, anchor_values=anchor_values),
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
