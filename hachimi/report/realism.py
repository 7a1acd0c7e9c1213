"""A theory's realism.toml -> the population-realism measures `hachimi report` judges (population.py).

The pack declares the ordered field the expected trends run along (`by`: an enum field, in its
scale's order, the first value the top, e.g. k12's academic level high .. poor), optionally a
second grouping for one measure (`[split]`), and each measure: the persona fields it reads, the
scale values that count, how a persona's fields count (`count`: cells = every field is a cell;
most = the persona counts when more than half of its known fields do; any = when one does), the
direction the share is expected to take from the first value of `by` to the last, and the
heuristic cap on the share at the first value (a floor for a measure that decreases).

The nearest realism.toml in the theory's chain wins (theory.roots); a theory with none gets no
population section. The file is checked with pydantic (strict): a wrong type, an unknown key, a
field the schema lacks or a value outside the field's scale is an error naming the file, the line
and the key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import TheoryError
from ..jsonio import get_path

FILE = "realism.toml"
COUNTS = ("cells", "most", "any")
DIRECTIONS = {"increases": 1, "decreases": -1}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MeasureEntry(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)  # how tables name the measure
    fields: list[str] = Field(min_length=1)  # enum fields of one scale; "part.x.*": every field under part.x
    values: list[str] = Field(min_length=1)  # the scale values that count
    count: Literal["cells", "most", "any"]
    direction: Literal["increases", "decreases"]  # from the first value of `by` to the last
    high_max: float = Field(ge=0, le=1)  # heuristic cap on the share at the first value of `by`
    phrase: str = Field(min_length=1)  # how a message states the share {p} of one group


class SplitEntry(_Strict):
    field: str  # the second grouping: an enum or int field
    measure: str  # the measure shown by `by` x this field
    label: str | None = None  # how text names the field (default: its last key, "_" as spaces)
    name: str = "split"  # the table's key in metrics.json


class RealismFile(_Strict):
    by: str
    label: str | None = None  # how text names `by` (default: its path, "." and "_" as spaces)
    who: str = "{value}"  # how a message names the personas at one value of `by`
    split: SplitEntry | None = None
    measure: list[MeasureEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    fields: tuple[str, ...]  # expanded field paths
    domain: tuple  # the fields' scale values (a value outside it is unknown, left out)
    values: frozenset  # those that count
    count: str
    direction: str
    high_max: float
    phrase: str

    @property
    def unit(self) -> str:
        """cells: a share of persona x field cells; personas: a share of personas."""
        return "cells" if self.count == "cells" else "personas"

    @property
    def sign(self) -> int:
        return DIRECTIONS[self.direction]

    def score(self, persona: dict) -> tuple[int, int] | None:
        """(count, out of) for one persona, or None when it has none of the fields with a known value."""
        known = [v for v in (get_path(persona, f) for f in self.fields) if v in self.domain]
        if not known:
            return None
        k = sum(v in self.values for v in known)
        if self.count == "cells":
            return k, len(known)
        if self.count == "most":
            return int(k > len(known) / 2), 1
        return int(k > 0), 1


@dataclass(frozen=True)
class Split:
    field: str
    values: tuple
    label: str
    measure: str
    name: str


@dataclass(frozen=True)
class Realism:
    by: str  # the field the trends run along
    levels: tuple  # its values in scale order (the first is the top)
    label: str
    who: str
    variable: str  # the [slot] variable bound to `by` ("" if none)
    measures: tuple[Measure, ...]
    split: Split | None = None
    file: str = ""

    def level(self, persona: dict):
        """The persona's value of `by`, or None when it has no known one."""
        v = get_path(persona, self.by)
        return v if v in self.levels else None

    def direction(self, m: Measure) -> str:
        """The expected trend in words: "increases from high to poor"."""
        return f"{m.direction} from {self.levels[0]} to {self.levels[-1]}"


def find(theory) -> Path | None:
    """The realism.toml in force: the nearest in the theory's chain, or None."""
    return next((r / FILE for r in theory.roots if (r / FILE).is_file()), None)


def load(theory) -> Realism | None:
    """The theory's realism measures, or None when no pack of its chain declares any."""
    path = find(theory)
    return None if path is None else read(path, theory.schema)


def read(path: Path, schema) -> Realism:
    from ..theory.files import read_toml

    file = str(path)
    raw, text = read_toml(path, "the pack's realism measures")
    try:
        parsed = RealismFile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        where, line = ".".join(loc), _line(text, loc[-1] if loc else None)
        if len(loc) > 1 and loc[0] == "measure" and loc[1].isdigit():
            entry = raw["measure"][int(loc[1])]
            name = entry.get("key", f"#{int(loc[1]) + 1}") if isinstance(entry, dict) else f"#{int(loc[1]) + 1}"
            where = f"[[measure]] {name}" + (f" {'.'.join(loc[2:])}" if len(loc) > 2 else "")
            line = _entry_line(text, int(loc[1]), loc[2] if len(loc) > 2 else None)
        raise TheoryError(f"{where}: {err['msg']}", file, line) from None
    return _build(parsed, schema, text, file)


def _line(text: str, needle: str | None, start: int = 0) -> int | None:
    i = text.find(needle, start) if needle else -1
    return text.count("\n", 0, i) + 1 if i >= 0 else None


def _entry_line(text: str, index: int, key: str | None) -> int | None:
    """The line of `key` in the index-th [[measure]] (of the entry's header where it has no such key)."""
    starts = [m.start() for m in re.finditer(r"^\[\[measure\]\]", text, re.M)]
    if index >= len(starts):
        return None
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    m = re.compile(rf"^{re.escape(key)}\s*=", re.M).search(text, starts[index], end) if key else None
    return text.count("\n", 0, m.start() if m else starts[index]) + 1


def _build(parsed: RealismFile, schema, text: str, file: str) -> Realism:
    def fail(msg: str, needle: str):
        raise TheoryError(msg, file, _line(text, needle))

    by = schema.by_path.get(parsed.by)
    if by is None or by.kind != "enum":
        fail(f"by = {parsed.by!r}: needs an enum field of schema.toml (the trends run in its scale's order)", "by")
    measures, keys = [], set()
    for m in parsed.measure:
        where = f'"{m.key}"'
        if m.key in keys:
            fail(f"[[measure]] {m.key}: two measures share this key", where)
        keys.add(m.key)
        fields = _expand(m.fields, schema)
        bad = next((p for p, got in fields.items() if not got), None)
        if bad is not None:
            fail(f"[[measure]] {m.key} fields: {bad!r} names no enum field of schema.toml", where)
        paths = tuple(p for got in fields.values() for p in got)
        domains = {schema.by_path[p].domain for p in paths}
        if len(domains) > 1:
            fail(f"[[measure]] {m.key} fields: the fields do not share one scale", where)
        domain = domains.pop()
        if wrong := [v for v in m.values if v not in domain]:
            fail(
                f"[[measure]] {m.key} values: {wrong[0]!r} is not a value of the fields' scale ({', '.join(domain)})",
                where,
            )
        try:
            m.phrase.format(p="50%")
        except (KeyError, IndexError, ValueError) as e:
            fail(f"[[measure]] {m.key} phrase: only {{p}} (the share) may be filled in, not {e}", where)
        measures.append(
            Measure(m.key, m.label, paths, domain, frozenset(m.values), m.count, m.direction, m.high_max, m.phrase)
        )
    try:
        parsed.who.format(value="x")
    except (KeyError, IndexError, ValueError) as e:
        fail(f"who: only {{value}} (a value of `by`) may be filled in, not {e}", "who")
    split = None
    if s := parsed.split:
        spec = schema.by_path.get(s.field)
        if spec is None or spec.kind not in ("enum", "int"):
            fail(f"[split] field = {s.field!r}: needs an enum or int field of schema.toml", "[split]")
        if s.measure not in keys:
            fail(f"[split] measure = {s.measure!r}: not a [[measure]] key ({', '.join(keys)})", "[split]")
        label = s.label or s.field.rsplit(".", 1)[-1].replace("_", " ")
        split = Split(s.field, tuple(spec.domain), label, s.measure, s.name)
    variable = ""
    if schema.slot:
        variable = next((v for v, f in schema.slot.binds.items() if f == parsed.by), "")
    label = parsed.label or parsed.by.replace(".", " ").replace("_", " ")
    return Realism(parsed.by, tuple(by.domain), label, parsed.who, variable, tuple(measures), split, file)


def _expand(patterns: list[str], schema) -> dict[str, list[str]]:
    """pattern -> the enum fields it names, in schema order ("values.levels.*": every one under it)."""
    out = {}
    for p in patterns:
        if p.endswith(".*"):
            got = [f.path for f in schema.fields if f.path.startswith(p[:-1]) and f.kind == "enum"]
        else:
            got = [p] if p in schema.by_path and schema.by_path[p].kind == "enum" else []
        out[p] = got
    return out
