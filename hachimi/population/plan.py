"""plans/*.toml -> Plan: slot variables, ideal cell shares (marginals, conditionals or a joint table),
strata that restrict persona fields, population constraints, refill budget."""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HachimiError


class PlanError(HachimiError):
    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")


@dataclass
class Plan:
    name: str
    file: str
    variables: dict[str, list]  # variable -> values (cells are their product)
    weights: dict[tuple, float]  # cell -> ideal share (sums to 1)
    strata: dict[str, dict[str, list[dict]]]  # variable -> value -> alternatives {field: allowed}
    population: list[dict] = field(default_factory=list)
    attempts_per_slot: int = 4
    bias: int = 1  # values drawn as each slot's bias ([slot] bias of schema.toml; 0 = none)
    text: str = ""
    slot_variables: tuple[str, ...] = ()  # the theory's slot variables ([slot] of schema.toml)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def cell_slot(self, cell: tuple) -> dict:
        return {v: x for v, x in zip(self.variables, cell) if v in self.slot_variables}

    def cell_label(self, cell: tuple) -> str:
        return ",".join(f"{v}={x}" for v, x in zip(self.variables, cell))


def _shares(raw: dict, values: list, where: str, file: str) -> dict:
    keys = {str(v): v for v in values}
    bad = [k for k in raw if k not in keys]
    if bad:
        raise PlanError(file, f"{where}: unknown value(s) {', '.join(bad)}; allowed {', '.join(keys)}")
    total = sum(raw.values())
    if total <= 0 or any(x < 0 for x in raw.values()):
        raise PlanError(file, f"{where}: shares must be >= 0 and not all 0")
    return {keys[k]: raw.get(k, 0) / total for k in keys if k in raw} | {v: 0.0 for v in values if str(v) not in raw}


def _matches(cell: dict, when: dict) -> bool:
    return all(cell[v] in (x if isinstance(x, list) else [x]) for v, x in when.items())


def slot_variables(schema) -> dict[str, tuple]:
    """The variables a plan may stratify on directly: the theory's [slot] variables and their values."""
    slot = schema.slot
    return {v: tuple(schema.slot_domain(v)) for v in slot.variables} if slot else {}


def load(path: str | Path, schema) -> Plan:
    """A plan file, checked against `schema` (the theory's persona format): its variables are the
    schema's [slot] variables or strata of its own; strata may restrict any enum or integer field
    (a pack's own fields included)."""
    path = Path(path)
    if not path.is_file():
        raise HachimiError(f"no plan file {path} (see plans/ for examples)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PlanError(str(path), f"not UTF-8 (byte {e.start + 1})") from None
    except OSError as e:
        raise PlanError(str(path), f"cannot read: {e.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PlanError(str(path), f"TOML syntax: {e}")
    f = str(path)
    from pydantic import ValidationError
    from .plan_schema import PlanFile, describe

    try:
        PlanFile.model_validate(raw)
    except ValidationError as e:
        raise PlanError(f, describe(e)) from None
    info = raw.get("plan", {})
    slot_vars = slot_variables(schema)
    variables = {}
    for v, vals in raw.get("variables", {}).items():
        known = slot_vars.get(v) or list(raw.get("strata", {}).get(v, {}))
        if not known:
            slot_list = ", ".join(slot_vars) or f"none: {schema.source} has no [slot]"
            raise PlanError(f, f"variable '{v}' is neither a slot variable ({slot_list}) nor a [strata.{v}]")
        if bad := [x for x in vals if x not in known]:
            raise PlanError(f, f"variable '{v}': unknown value(s) {bad}; allowed {list(known)}")
        variables[v] = list(vals)
    if not variables:
        raise PlanError(f, "a plan needs [variables], e.g. grade = [1, 2, 3]")
    _check_names(raw, variables, f, slot_vars)
    max_bias = _max_bias(schema)
    bias = info.get("bias", min(1, max_bias))
    if bias > max_bias:
        what = (
            f"at most {max_bias} (the items bound of slot.{schema.slot.bias} in {schema.source})"
            if max_bias
            else f"must be 0: the theory's [slot] has no bias ({schema.source})"
        )
        raise PlanError(f, f"plan.bias = {bias}: {what}")
    strata = {
        v: {k: _alternatives(alt, f, v, k, schema.by_path) for k, alt in spec.items()}
        for v, spec in raw.get("strata", {}).items()
    }
    weights = _weights(raw, variables, f)
    return Plan(
        info.get("name", path.stem),
        f,
        variables,
        weights,
        strata,
        raw.get("population", []),
        info.get("attempts_per_slot", 4),
        bias,
        text,
        tuple(slot_vars),
    )


def _max_bias(schema) -> int:
    """The most values a slot's bias may hold: the items bound of its field in schema.toml."""
    slot = schema.slot
    if not slot or not slot.bias:
        return 0
    items = schema.by_path[slot.field(slot.bias)].items
    return items[1] if items else len(schema.slot_domain(slot.bias))


def _check_values(where: str, named: dict, variables: dict, file: str) -> None:
    """Every variable named in a `where`/`when`/`is` table exists and every value it lists is one of its values."""
    for v, x in named.items():
        if v not in variables:
            raise PlanError(file, f"{where}: unknown variable '{v}'; the plan's variables are {', '.join(variables)}")
        if bad := [y for y in (x if isinstance(x, list) else [x]) if y not in variables[v]]:
            raise PlanError(file, f"{where}: {v} has no value(s) {bad}; allowed {variables[v]}")


def _check_names(raw: dict, variables: dict, file: str, slot_vars: dict) -> None:
    """Nothing that names a variable or value may name one the plan lacks (it would be ignored)."""
    for v in raw.get("marginals", {}):
        if v not in variables:
            raise PlanError(
                file, f"[marginals.{v}]: unknown variable '{v}'; the plan's variables are {', '.join(variables)}"
            )
    for i, c in enumerate(raw.get("conditional", []), 1):
        if c["variable"] not in variables:
            raise PlanError(file, f"[[conditional]] #{i}: unknown variable '{c['variable']}'")
        _check_values(f"[[conditional]] #{i} when", c.get("when", {}), variables, file)
    for i, pc in enumerate(raw.get("population", []), 1):
        label = f"[[population]] #{i}" + (f" ({pc['name']})" if pc.get("name") else "")
        _check_values(f"{label} where", pc.get("where", {}), variables, file)
        _check_values(f"{label} is", pc.get("is", {}), variables, file)
        if not pc.get("is"):
            raise PlanError(file, f"{label}: needs an `is` table naming the share it bounds")
        if "min" not in pc and "max" not in pc:
            raise PlanError(file, f"{label}: needs min and/or max (a share between 0 and 1)")
    for v in raw.get("strata", {}):
        if v in slot_vars:
            raise PlanError(file, f"[strata.{v}]: '{v}' is a slot variable; strata are extra variables such as risk")


def _alternatives(spec: dict, file: str, var: str, value: str, by_path: dict) -> list[dict]:
    alts = spec.get("any", [spec])
    for alt in alts:
        for path, allowed in alt.items():
            if path not in by_path or by_path[path].kind not in ("enum", "int"):
                raise PlanError(file, f"[strata.{var}] {value}: '{path}' is not an enum or integer persona field")
            if bad := [a for a in allowed if a not in by_path[path].domain]:
                raise PlanError(file, f"[strata.{var}] {value}: {path} has no value(s) {bad}")
    return alts


def _weights(raw: dict, variables: dict, file: str) -> dict[tuple, float]:
    names = list(variables)
    cells = list(itertools.product(*variables.values()))
    if "joint" in raw:
        w = {}
        for key, x in raw["joint"].items():
            try:
                parts = dict(kv.strip().split("=", 1) for kv in key.split(","))
            except ValueError:
                raise PlanError(file, f"[joint] key '{key}' is not of the form var=value,var=value") from None
            if unknown := set(parts) - set(names):
                raise PlanError(file, f"[joint] '{key}': unknown variable(s) {', '.join(sorted(unknown))}")
            cell = tuple(next((y for y in variables[n] if str(y) == parts.get(n)), None) for n in names)
            if None in cell:
                raise PlanError(file, f"[joint] '{key}' does not name a value for every variable {names}")
            w[cell] = float(x)
        total = sum(w.values())
        if total <= 0:
            raise PlanError(file, "[joint]: shares must not all be 0")
        return {c: w.get(c, 0.0) / total for c in cells}
    marg = {
        v: _shares(
            raw.get("marginals", {}).get(v, {str(x): 1 for x in variables[v]}), variables[v], f"[marginals.{v}]", file
        )
        for v in names
    }
    conds = raw.get("conditional", [])
    out = {}
    for cell in cells:
        named = dict(zip(names, cell))
        w = 1.0
        for v in names:
            share = marg[v]
            for c in conds:
                if c.get("variable") == v and _matches(named, c.get("when", {})):
                    share = _shares(c["shares"], variables[v], f"[[conditional]] for {v}", file)
            w *= share[named[v]]
        out[cell] = w
    total = sum(out.values())
    return {c: w / total for c, w in out.items()}
