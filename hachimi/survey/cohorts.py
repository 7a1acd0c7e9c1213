"""The survey's cohorts and where a theory's persona falls in them.

The cohorts are survey data (prompts/cohorts.toml): the variables its human reference data is
broken down by (HACHIMI's study: tier, gender, risk), with their categories, low -> high where the
order means something. A theory says how its personas fall into them in its pack's
prompts/survey.toml (the nearest in its chain): each cohort variable from a [slot] variable, a
field or the run plan's stratum (with a rule of the plan's form for runs without it), and a band
(k12: grade 1-3, ...). Without that file a cohort variable named like a [slot] variable or a
[person] role reads it, another the run plan's stratum of its name, and a persona has no band. Both files are checked with pydantic (strict):
an unknown key, or a variable, field or stratum the theory lacks, names the file and the key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import TheoryError
from ..jsonio import get_path

COHORTS = Path(__file__).resolve().parent / "prompts" / "cohorts.toml"
PLACEMENT = Path("prompts") / "survey.toml"  # in a theory pack
UNKNOWN = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class VariableEntry(_Strict):
    values: list[str] = Field(min_length=1)
    ordered: bool = False
    label: str | None = None  # how reports name it (default: its name)


class CohortsFile(_Strict):
    variables: dict[str, VariableEntry] = Field(min_length=1)
    pisa2022: dict  # how `survey reference pisa2022` places a student (reference.py reads it)


class CohortEntry(_Strict):
    variable: str | None = None
    field: str | None = None
    stratum: str | None = None
    otherwise: dict[str, list[dict[str, list]]] | None = None  # value -> alternatives {field: allowed}
    map: dict[str, str] = Field(default_factory=dict)  # the theory's value -> the survey's


class BandEntry(_Strict):
    field: str
    bands: dict[str, list[int | float]]  # name -> [lo, hi], inclusive


class PlacementFile(_Strict):
    cohort: dict[str, CohortEntry] = Field(default_factory=dict)
    band: BandEntry | None = None


@dataclass(frozen=True)
class Vocabulary:
    variables: dict[str, tuple[str, ...]]  # name -> categories, in order
    ordered: tuple[str, ...]  # the variables whose order means something (low -> high)
    labels: dict[str, str]  # name -> how reports name it
    sources: dict  # reference data layouts ([pisa2022])

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.variables)


def _read(path: Path, model, what: str):
    from ..theory.files import read_toml

    file = str(path)
    raw, text = read_toml(path, what)
    try:
        return model.model_validate(raw), text
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        raise TheoryError(f"{'.'.join(loc)}: {err['msg']}", file, _line(text, loc)) from None


def _line(text: str, loc: list[str]) -> int | None:
    """The line of the deepest key of loc that the text names (a table header or a key)."""
    for key in reversed(loc):
        if key.isdigit():
            continue
        m = re.search(rf"^\s*(?:\[[^\]]*\b{re.escape(key)}\b[^\]]*\]|\"?{re.escape(key)}\"?\s*=)", text, re.M)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return None


@lru_cache(maxsize=None)
def vocabulary(path: Path = COHORTS) -> Vocabulary:
    parsed, _ = _read(path, CohortsFile, "the survey's cohorts")
    variables = {n: tuple(v.values) for n, v in parsed.variables.items()}
    ordered = tuple(n for n, v in parsed.variables.items() if v.ordered)
    labels = {n: v.label or n for n, v in parsed.variables.items()}
    return Vocabulary(variables, ordered, labels, {"pisa2022": parsed.pisa2022})


@dataclass(frozen=True)
class Rule:
    """How one cohort variable is read from a persona."""

    variable: str = ""  # a [slot] variable
    path: str = ""  # a persona field
    stratum: str = ""  # the run plan's stratum
    otherwise: dict = field(default_factory=dict)  # value -> alternatives, without the stratum
    map: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    """Where a theory's persona falls in the survey's cohorts (and its band)."""

    schema: object
    rules: dict[str, Rule]  # cohort variable -> how, in the survey's order
    band_field: str = ""
    bands: tuple[tuple[str, float, float], ...] = ()
    file: str = ""

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.rules)

    def of(self, persona: dict, strata: dict | None = None) -> dict:
        """{variable: category, ..., "band": band}; "unknown" where nothing places the persona."""
        out = {v: self._value(r, persona, strata) for v, r in self.rules.items()}
        out["band"] = self._band(persona)
        return out

    def _value(self, r: Rule, persona: dict, strata: dict | None) -> str:
        if r.stratum:
            alternatives = (strata or {}).get(r.stratum) or r.otherwise
            value = _stratum(persona, alternatives)
        elif r.variable:
            value = self.schema.slot.of(persona).get(r.variable)
        else:
            value = get_path(persona, r.path) if r.path else None
        if value is None or value == "":
            return UNKNOWN
        return r.map.get(str(value), str(value))

    def _band(self, persona: dict) -> str:
        v = get_path(persona, self.band_field) if self.band_field else None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return UNKNOWN
        return next((name for name, lo, hi in self.bands if lo <= v <= hi), UNKNOWN)


def _stratum(persona: dict, alternatives: dict):
    """The first value one of whose alternatives the persona matches (as plan strata: every field
    listed has one of the allowed values), or None."""
    for value, alts in alternatives.items():
        if any(all(get_path(persona, path) in allowed for path, allowed in alt.items()) for alt in alts):
            return value
    return None


def find(theory) -> Path | None:
    return next((r / PLACEMENT for r in theory.roots if (r / PLACEMENT).is_file()), None)


def placement(theory, vocab: Vocabulary | None = None) -> Placement:
    """The theory's placement of personas in the survey's cohorts (its prompts/survey.toml, else
    by name: a cohort variable named like a [slot] variable or a [person] role reads it)."""
    vocab = vocab or vocabulary()
    schema = theory.schema
    path = find(theory)
    if path is None:
        return Placement(schema, {v: _default(v, schema) for v in vocab.names})
    parsed, text = _read(path, PlacementFile, "where personas fall in the survey's cohorts")
    file = str(path)

    def fail(msg: str, key: str):
        raise TheoryError(msg, file, _line(text, [key]))

    if bad := [c for c in parsed.cohort if c not in vocab.variables]:
        fail(f"[cohort.{bad[0]}]: the survey has no cohort variable {bad[0]!r} ({', '.join(vocab.names)})", bad[0])
    rules = {}
    for v in vocab.names:
        entry = parsed.cohort.get(v)
        if entry is None:
            rules[v] = _default(v, schema)
            continue
        given = [k for k in ("variable", "field", "stratum") if getattr(entry, k)]
        if len(given) != 1:
            fail(f"[cohort.{v}]: give one of variable, field or stratum (not {' and '.join(given) or 'none'})", v)
        if entry.variable and (not schema.slot or entry.variable not in schema.slot.variables):
            known = ", ".join(schema.slot.variables) if schema.slot else "none"
            fail(f"[cohort.{v}] variable = {entry.variable!r}: not a [slot] variable of schema.toml ({known})", v)
        if entry.field and entry.field not in schema.by_path:
            fail(f"[cohort.{v}] field = {entry.field!r}: not a field of schema.toml", v)
        if entry.otherwise is not None and not entry.stratum:
            fail(f"[cohort.{v}] otherwise: only a stratum has a rule for runs without it", v)
        for value, alts in (entry.otherwise or {}).items():
            for alt in alts:
                if bad := [p for p in alt if p not in schema.by_path]:
                    fail(f"[cohort.{v}.otherwise] {value}: {bad[0]!r} is not a field of schema.toml", value)
        rules[v] = Rule(
            entry.variable or "", entry.field or "", entry.stratum or "", dict(entry.otherwise or {}), dict(entry.map)
        )
    band_field, bands = "", ()
    if b := parsed.band:
        if b.field not in schema.by_path:
            fail(f"[band] field = {b.field!r}: not a field of schema.toml", "band")
        if bad := [n for n, r in b.bands.items() if len(r) != 2 or r[0] > r[1]]:
            fail(f"[band] bands: {bad[0]!r} needs [lo, hi] with lo <= hi", "bands")
        band_field, bands = b.field, tuple((n, r[0], r[1]) for n, r in b.bands.items())
    return Placement(schema, rules, band_field, bands, file)


def _default(variable: str, schema) -> Rule:
    """A cohort variable the theory does not place: its [slot] variable or [person] role of that
    name, else the run plan's stratum of that name (no plan, no such stratum: unknown)."""
    if schema.slot and variable in schema.slot.variables:
        return Rule(variable=variable)
    roles = {f.name for f in fields(schema.person)}
    if variable in roles and getattr(schema.person, variable):
        return Rule(path=getattr(schema.person, variable))
    return Rule(stratum=variable)
