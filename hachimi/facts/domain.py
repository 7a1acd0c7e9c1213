"""Table + text config -> every fact a persona could have (the completion space for cores and repairs)."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import Fact, _q, _structured, facts_of, Record
from .text import TextConfig

_FLAGS = ("multi_paragraph", "list_marker", "too_short", "too_long", "repeated_sentence")


@dataclass
class Domain:
    """scalars: field -> (required, possible facts, exactly one of them); flags: independent booleans."""

    scalars: dict[str, tuple[bool, list[Fact]]]
    flags: list[Fact]
    schema: object = None  # the PersonaSchema the facts are about

    def all_facts(self) -> list[Fact]:
        return [f for _, fs in self.scalars.values() for f in fs] + self.flags


def domain(cfg: TextConfig) -> Domain:
    scalars: dict[str, tuple[bool, list[Fact]]] = {}
    flags: list[Fact] = []
    for spec in cfg.schema.fields:
        qp = _q(spec.path)
        missing = Fact("missing", f",{qp}", spec.path, True)
        if spec.scalar:  # exactly one of: a value, 'missing', 'invalid_value' (0 or 1 if optional)
            alts = [f for v in spec.domain for f in _structured(spec, v if spec.kind != "count" else [""] * v)]
            alts.append(missing)
            if spec.unknown_as_fact:
                alts.append(Fact("invalid_value", f",{qp}", spec.path, None))
            scalars[spec.path] = (spec.required, alts)
            continue
        if spec.kind == "set":
            flags += [f for v in spec.domain for f in _structured(spec, [v])]
            flags += [Fact("dup", f",{qp},{v}", spec.path, v) for v in spec.domain]
        flags.append(missing)
    for path in cfg.schema.narrative_fields:
        flags += [Fact(f, f",{_q(path)}", path, True) for f in _FLAGS]
    for path, dims in cfg.mentions.items():
        flags += [Fact("unmentioned", f",{_q(path)},{d}", path, d) for d in dims]
    for lex, (fields, terms) in cfg.lexicons.items():
        flags += [Fact("term", f",{_q(p)},{lex},{_q(t)}", p, t) for p in fields for t in terms]
    for name, (field_, _) in cfg.patterns.items():
        flags.append(Fact("matches", f",{name}", field_, name))
    for mod, config in cfg.checks.values():
        flags += mod.domain(config)
    return Domain(scalars, _unique(flags), cfg.schema)


def _unique(facts: list[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in facts:
        if (f.pred, f.rest) not in seen:
            seen.add((f.pred, f.rest))
            out.append(f)
    return out


__all__ = ["Domain", "domain", "facts_of", "Record"]
