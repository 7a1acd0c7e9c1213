"""Parsed JSON object -> Record: normalised field values, facts, or a precise input problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..schema.spec import FieldSpec
from .text import TextConfig, narrative_flags, terms_in

_MISSING = object()


class Fact(NamedTuple):
    """One ground fact about a persona; atom text is pred(P<rest>)."""

    pred: str
    rest: str  # argument text after P, starting with ',' (e.g. ',13' or ',piaget,conventional')
    field: str  # field path the fact is about
    value: Any  # the value (for structured facts) or feature argument

    def atom(self, p: int | str) -> str:
        return f"{self.pred}({p}{self.rest})"


@dataclass
class Record:
    """What the validator knows about one input line."""

    id: str | None
    values: dict[str, Any] = field(default_factory=dict)  # path -> normalised value
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # unknown enum values kept as facts
    problems: list[str] = field(default_factory=list)  # type errors -> the line is an error
    facts: list[Fact] = field(default_factory=list)


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _read_value(spec: FieldSpec, raw: Any, rec: Record) -> None:
    """Check one present value against its spec; record it, or a missing/invalid flag, or a problem."""
    p = spec.path
    if spec.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            rec.problems.append(f"{p}: expected an integer, got {raw!r}")
        elif raw not in spec.domain:
            rec.problems.append(f"{p}: {raw} is outside {spec.domain[0]}-{spec.domain[-1]}")
        else:
            rec.values[p] = raw
    elif spec.kind == "enum":
        if not isinstance(raw, str):
            rec.problems.append(f"{p}: expected a string, got {raw!r}")
        elif raw.strip() == "":
            rec.missing.append(p)
        elif raw in spec.domain:
            rec.values[p] = raw
        elif spec.unknown_as_fact:
            rec.values[p] = raw
            rec.invalid.append(p)
        else:
            rec.problems.append(f"{p}: {raw!r} is not one of {', '.join(spec.domain)}")
    elif spec.kind in ("set", "count"):
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            rec.problems.append(f"{p}: expected a list of strings, got {raw!r}")
            return
        items = [x for x in raw if x.strip()]
        bad = [x for x in items if spec.kind == "set" and x not in spec.domain]
        if bad:
            rec.problems.append(f"{p}: {', '.join(map(repr, bad))} not in {', '.join(spec.domain)}")
        elif not items and spec.required:
            rec.missing.append(p)
        else:
            rec.values[p] = items
    else:  # text / id
        if not isinstance(raw, str):
            rec.problems.append(f"{p}: expected a string, got {raw!r}")
        elif raw.strip() == "":
            rec.missing.append(p)
        else:
            rec.values[p] = raw


def read(obj: Any, cfg: TextConfig) -> Record:
    """Read one decoded JSON value; never raises for bad content."""
    if not isinstance(obj, dict):
        kind = {
            list: "a list",
            str: "a string",
            bool: "true/false",
            type(None): "null",
            int: "a number",
            float: "a number",
        }.get(type(obj), "another value")
        return Record(None, problems=[f"expected a JSON object (one persona per line), got {kind}"])
    rec = Record(obj.get("id") if isinstance(obj.get("id"), str) else None)
    slot_present = isinstance(obj.get("slot"), dict)
    if "slot" in obj and obj["slot"] is not None and not slot_present:
        rec.problems.append(f"slot: expected an object, got {obj['slot']!r}")
    for spec in cfg.schema.fields:
        raw = obj
        keys = spec.keys
        for k in keys:
            raw = raw.get(k, _MISSING) if type(raw) is dict else _MISSING
            if raw is _MISSING:
                break
        if raw is _MISSING or raw is None:
            if spec.required or (spec.path.startswith("slot.") and slot_present and spec.needed_in_part):
                rec.missing.append(spec.path)
            continue
        _read_value(spec, raw, rec)
    if not rec.problems:
        rec.facts = facts_of(rec, cfg)
    return rec


_MEMO: dict[tuple, list[Fact]] = {}


def _structured(spec: FieldSpec, value: Any) -> list[Fact]:
    if spec.kind != "set":
        key = (spec.path, spec.pred, spec.extra, value if spec.kind != "count" else len(value))
        if (hit := _MEMO.get(key)) is None:
            hit = _MEMO[key] = _structured_uncached(spec, value)
        return hit
    return _structured_uncached(spec, value)


def _structured_uncached(spec: FieldSpec, value: Any) -> list[Fact]:
    extra = "".join("," + e for e in spec.extra)
    if spec.kind == "set":
        seen, out = set(), []
        for v in value:
            if v in seen:
                out.append(Fact("dup", f",{_q(spec.path)},{v}", spec.path, v))
            else:
                seen.add(v)
                out.append(Fact(spec.pred, f"{extra},{v}", spec.path, v))
        return out
    if spec.kind == "count":
        return [Fact(spec.pred, f"{extra},{len(value)}", spec.path, len(value))]
    return [Fact(spec.pred, f"{extra},{value}", spec.path, value)]


def _text_facts(path: str, text: str, cfg: TextConfig, narrative: bool) -> list[Fact]:
    qp = _q(path)
    out = [Fact(f, f",{qp}", path, True) for f in (narrative_flags(text, cfg) if narrative else ())]
    if path in cfg.mentions:  # absence facts: usually none, so fewer facts to ground
        seen = cfg.mentioned(path, text)
        out += [Fact("unmentioned", f",{qp},{d}", path, d) for d in cfg.mentions[path] if d not in seen]
    for lex, (fields, terms) in cfg.lexicon_folded.items():
        if path in fields:
            for t in terms_in(text, terms):
                out.append(Fact("term", f",{qp},{lex},{_q(t)}", path, t))
                if t.endswith("*"):  # a stem: the words it matched, for the message
                    out.append(Fact("term_words", f",{qp},{lex},{_q(t)},{_q(terms.words(text, t))}", path, t))
    for name, (field_, regex) in cfg.patterns.items():
        if field_ == path and regex.search(text):
            out.append(Fact("matches", f",{name}", path, name))
    return out


def facts_of(rec: Record, cfg: TextConfig) -> list[Fact]:
    """All facts of a readable record, in table order."""
    out: list[Fact] = []
    for spec in cfg.schema.fields:
        if spec.kind == "id":
            continue
        value = rec.values.get(spec.path, _MISSING)
        if spec.path in rec.invalid:
            out.append(Fact("invalid_value", f",{_q(spec.path)}", spec.path, value))
        elif value is not _MISSING and spec.structured:
            out += _structured(spec, value)
        if spec.kind == "text" and value is not _MISSING:
            out += _text_facts(spec.path, value, cfg, spec.narrative)
        if spec.kind == "count" and value is not _MISSING:  # a list of short texts: checked as text
            out += _text_facts(spec.path, " ; ".join(value), cfg, False)
    out += [Fact("missing", f",{_q(p)}", p, True) for p in rec.missing]
    for mod, config in cfg.checks.values():
        out += mod.facts(rec.values, config)
    return out
