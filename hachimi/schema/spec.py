"""A theory's schema.toml -> its persona format: parts, agents, fields, scales, dimensions.

One definition: the field <-> fact table, the vocabulary facts, the pydantic models and JSON
Schemas, the agents and the completion domain are all derived from a PersonaSchema. The file is
checked with pydantic (strict) and every problem names the file, the line and the key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import TheoryError

KINDS = ("int", "enum", "set", "count", "text", "id")
PARAGRAPH = r"^[^\n\r]+$"  # one paragraph: no newline at all (list markers are rule R14's)
_PATH = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
_ATOM = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    path: str  # JSON path, e.g. "enrollment.age" (also the name used in ASP strings)
    pred: str  # ASP predicate, e.g. "age" -> age(P, 13)
    extra: tuple = ()  # constant arguments after P, e.g. ("piaget",) -> stage(P, piaget, V)
    kind: str = "enum"  # int | enum | set | count | text | id
    domain: tuple = ()  # allowed values (int, enum, set); () for text
    owner: str = ""  # agent that owns the field
    required: bool = True
    unknown_as_fact: bool = False  # unknown enum value -> invalid_value fact instead of an error
    narrative: bool = False  # prose checked by R13/R14
    scale: str = ""  # enum/set: the scale its values come from
    items: tuple[int, int] | None = None  # set/count: list length bounds
    min_chars: int = 1  # text
    max_chars: int | None = None  # text
    pattern: str | None = None  # text: its shape (default: one paragraph)
    description: str = ""
    tags: tuple[str, ...] = ()
    dimension: str = ""  # a rated dimension's field: the dimension
    group: str = ""  # ... and its group

    @property
    def structured(self) -> bool:
        return self.kind in ("int", "enum", "set", "count")

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def needed_in_part(self) -> bool:
        """Whether the field must be there when its (optional) part is: all but lists and text that
        may be empty."""
        if self.kind == "text":  # an optional text that may be empty (slot.cell) may be left out
            return self.required or self.min_chars > 0
        return not (self.kind in ("set", "count") and self.items is not None and self.items[0] == 0)

    @property
    def scalar(self) -> bool:
        return self.kind in ("int", "enum", "count")


@dataclass(frozen=True)
class Scale:
    name: str
    values: tuple
    ordinal: bool = False
    fact: str = ""  # a fact per value: fact(value)


@dataclass(frozen=True)
class AgentSpec:
    key: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Rated dimensions sharing a scale, e.g. the seven value dimensions."""

    name: str
    names: dict  # dimension -> display name (English), in order
    fact: str = ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(self.names)


CELL = "cell"  # slot.cell: the plan cell a persona was generated for (a label, e.g. grade=8,gender=female,...)


@dataclass(frozen=True)
class SlotSpec:
    """The quota cell a persona is generated for ([slot] of schema.toml): plans stratify on its
    variables (fields slot.<variable>), the planner draws its bias, the sampler and narrowing hold
    the persona to it, ids are written from it, reports and surveys group by it."""

    variables: tuple[str, ...]
    binds: dict  # variable -> the persona field it fixes
    id: str  # str.format template of the variables and {index}
    bias: str = ""  # a set field slot.<bias> drawn per slot, or ""
    bias_draws: str = ""  # the persona field whose allowed values the bias is drawn from
    bias_by: tuple[str, ...] = ()  # the variables those allowed values depend on
    cell: bool = False  # the schema has a text field slot.cell: each persona records its plan cell there

    def field(self, variable: str) -> str:
        return f"slot.{variable}"

    def make_id(self, slot: dict, index: int) -> str:
        return self.id.format(index=index, **{v: slot.get(v) for v in self.variables})

    def label(self, slot: dict) -> str:
        """The cell of a slot as text: grade=8,gender=female,..."""
        return ",".join(f"{v}={slot.get(v)}" for v in self.variables)

    def of(self, persona: dict) -> dict:
        """The slot variables of a persona: its `slot` part's, else the persona fields they bind."""
        slot = persona.get("slot") if isinstance(persona.get("slot"), dict) else {}
        out = {}
        for v in self.variables:
            value = slot.get(v)
            if value is None and v in self.binds:
                node = persona
                for k in self.binds[v].split("."):
                    node = node.get(k) if isinstance(node, dict) else None
                value = node
            out[v] = value
        return out

    def key(self, persona: dict) -> str:
        """The stratum a persona belongs to (near-duplicates are looked for within one): 8|female|low."""
        return "|".join(str(x) for x in self.of(persona).values())


@dataclass(frozen=True)
class PersonSpec:
    """Who a persona is ([person] of schema.toml): the fields that name it, give its gender and age.
    Checks, scaffolds, reports and surveys read these; "" where the theory has none."""

    name: str = ""
    agent_name: str = ""
    gender: str = ""
    age: str = ""


@dataclass(eq=False)  # identity: one loaded schema is one persona format (hashable, cacheable)
class PersonaSchema:
    version: str
    scales: dict[str, Scale]
    groups: dict[str, Group]
    agents: tuple[AgentSpec, ...]
    parts: dict[str, dict]  # part -> {"title", "optional"}, in persona order
    objects: dict[str, str]  # nested object path -> title
    fields: tuple[FieldSpec, ...]
    source: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # field path -> line in the file
    slot: SlotSpec | None = None  # the quota cell ([slot]); None: personas are generated without one
    person: PersonSpec = field(default_factory=PersonSpec)  # [person]: name, agent name, gender, age fields

    def slot_domain(self, variable: str) -> tuple:
        return self.by_path[f"slot.{variable}"].domain

    def slot_value(self, slot: dict | None, path: str):
        """The value a slot fixes for the persona field `path` ([slot] binds), or None."""
        if not slot or not self.slot or not path:
            return None
        return next((slot.get(v) for v, bound in self.slot.binds.items() if bound == path), None)

    @cached_property
    def by_path(self) -> dict[str, FieldSpec]:
        return {f.path: f for f in self.fields}

    @cached_property
    def by_atom(self) -> dict[tuple, FieldSpec]:
        return {(f.pred, f.extra): f for f in self.fields if f.structured}

    @cached_property
    def text_fields(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.fields if f.kind == "text")

    @cached_property
    def narrative_fields(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.fields if f.narrative)

    def tagged(self, tag: str) -> tuple[str, ...]:
        return tuple(f.path for f in self.fields if tag in f.tags)

    @cached_property
    def owners(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.agents)

    @cached_property
    def agent_of_part(self) -> dict[str, str]:
        return {p: a.key for a in self.agents for p in a.parts}

    def owner_of(self, path: str) -> str:
        """Owner agent of a field path (or of the part it lives in)."""
        if path in self.by_path:
            return self.by_path[path].owner
        part = path.split(".", 1)[0]
        if part in self.agent_of_part:
            return self.agent_of_part[part]
        owners = {f.owner for f in self.fields if f.path.startswith(part + ".")}
        return min(owners) if len(owners) == 1 else self.agents[0].key

    def display_name(self, dimension: str) -> str:
        for g in self.groups.values():
            if dimension in g.names:
                return g.names[dimension]
        return dimension.replace("_", " ")

    def dimensions_of(self, group: str) -> tuple[str, ...]:
        return self.groups[group].dimensions

    def range_of(self, path: str) -> tuple[int, int]:
        d = self.by_path[path].domain
        return d[0], d[-1]

    def vocabulary_program(self) -> str:
        """ASP facts every rule may use: scale ranks, value facts, dimensions, field names, tags."""
        lines = []
        for s in self.scales.values():
            if s.ordinal:
                lines += [f"rank({s.name},{v},{i})." for i, v in enumerate(s.values)]
        for s in self.scales.values():
            if s.fact:
                lines += [f"{s.fact}({v})." for v in s.values]
        for g in self.groups.values():
            if g.fact:
                lines += [f"{g.fact}({d})." for d in g.dimensions]
        lines += [f'field("{f.path}").' for f in self.fields if f.kind != "id"]
        lines += [f'required("{f.path}").' for f in self.fields if f.required and f.kind != "id"]
        tags = list(dict.fromkeys(t for f in self.fields for t in f.tags))
        for t in tags:
            lines += [f'{t}("{p}").' for p in self.tagged(t)]
        return "\n".join(lines) + "\n"


def load_schema(path: Path, base: PersonaSchema | None = None) -> PersonaSchema:
    """Read and check a schema.toml; TheoryError naming the file, line and key on any problem.
    With `base` (the format of the theory this one extends) the file adds to it: new scales,
    dimension groups, agents (writing after the base's), parts and fields; redefining any of the
    base's is a conflict, reported with both places."""
    from pydantic import ValidationError

    from .spec_file import SchemaFile

    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise TheoryError("no schema.toml (the persona format: parts, agents, fields, scales)", file) from None
    except UnicodeDecodeError as e:
        raise TheoryError(f"not UTF-8 (byte {e.start + 1})", file) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        raise TheoryError(f"TOML syntax: {e}", file, *(map(int, m.groups()) if m else ())) from None
    try:
        parsed = SchemaFile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        where = _where(loc, raw)
        raise TheoryError(f"{where}: {err['msg']}", file, _line(text, loc, raw)) from None
    return build(parsed, text, file, base)


def _where(loc: list[str], raw: dict) -> str:
    if loc and loc[0] == "field" and len(loc) > 1 and loc[1].isdigit():
        path = raw["field"][int(loc[1])].get("path", f"#{int(loc[1]) + 1}")
        return f"[[field]] {path}" + (f" {'.'.join(loc[2:])}" if len(loc) > 2 else "")
    if loc and loc[0] == "agent" and len(loc) > 1 and loc[1].isdigit():
        return f"[[agent]] #{int(loc[1]) + 1}" + (f" {'.'.join(loc[2:])}" if len(loc) > 2 else "")
    return ".".join(loc)


def _line(text: str, loc: list[str], raw: dict) -> int:
    """Best line for an error at loc: the field's path line, else the key's first occurrence."""
    needle = None
    if loc and loc[0] == "field" and len(loc) > 1 and loc[1].isdigit():
        entry = raw["field"][int(loc[1])]
        needle = f'"{entry.get("path", "")}"' if entry.get("path") else "[[field]]"
        start = text.find(needle)
        if len(loc) > 2 and start >= 0:
            k = text.find(f"\n{loc[2]} ", start)
            if k >= 0 and text.find("[[field]]", start, k) < 0:
                return text.count("\n", 0, k + 1) + 1
    else:
        needle = next((x for x in reversed(loc) if not x.isdigit()), None)
    i = text.find(needle) if needle else -1
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


def build(parsed, text: str, file: str, base: PersonaSchema | None = None) -> PersonaSchema:
    def fail(msg: str, needle: str | None = None):
        i = text.find(needle) if needle else -1
        raise TheoryError(msg, file, text.count("\n", 0, i) + 1 if i >= 0 else 0)

    def clash(kind: str, name: str, needle: str, where: str = ""):
        fail(
            f"{kind} {name!r} is already defined by the theory this one extends ({base.source}{where}); "
            "an extending pack adds scales, dimensions, agents, parts and fields but does not redefine them",
            needle,
        )

    if base is None and not (parsed.agent and parsed.parts and parsed.field):
        fail("a persona format needs [[agent]], [parts] and [[field]] entries (or extends = another theory)")
    new_scales = {n: Scale(n, tuple(s.values), s.ordinal, s.fact or "") for n, s in parsed.scales.items()}
    scales = dict(base.scales) if base else {}
    for n, s in new_scales.items():
        if n in scales:
            clash("scale", n, f"\n{n} =")
        scales[n] = s
    for s in new_scales.values():
        if len(set(s.values)) != len(s.values):
            fail(f"scale {s.name} repeats a value", f"\n{s.name} =")
        if bad := [v for v in s.values if not _ATOM.match(str(v))]:
            fail(f"scale {s.name}: values are lower-case ASP constants such as fairly_high, not {bad[0]!r}")
    groups = dict(base.groups) if base else {}
    for n, g in parsed.dimensions.items():
        if n in groups:
            clash("dimension group", n, f"[dimensions.{n}]")
        groups[n] = Group(n, dict(g.names), g.fact or "")
    old_agents = base.agents if base else ()
    for a in parsed.agent:
        if a.key in {x.key for x in old_agents}:
            clash("agent", a.key, f'"{a.key}"')
    agents = old_agents + tuple(AgentSpec(a.key, tuple(a.parts)) for a in parsed.agent)
    parts = dict(base.parts) if base else {}
    for n, p in parsed.parts.items():
        if n in parts:
            clash("part", n, f"\n{n} =")
        parts[n] = {"title": p.title, "optional": p.optional}
    seen_parts: dict[str, str] = {}
    for a in agents:
        for p in a.parts:
            if p not in parts:
                fail(f"agent {a.key} writes part {p!r}, which [parts] does not declare", f'"{a.key}"')
            if p in seen_parts:
                fail(f"part {p!r} has two agents: {seen_parts[p]} and {a.key}", f'"{a.key}"')
            seen_parts[p] = a.key
    if len({a.key for a in agents}) != len(agents):
        fail("two [[agent]] entries share a key")
    fields, lines = list(base.fields) if base else [], dict(base.lines) if base else {}
    for entry in parsed.field:
        dims = [("", "")]
        if entry.dimensions:
            if entry.dimensions not in groups:
                fail(
                    f"[[field]] {entry.path}: dimensions = {entry.dimensions!r} is not a [dimensions] group", entry.path
                )
            dims = [(d, entry.dimensions) for d in groups[entry.dimensions].dimensions]
        elif "{dimension}" in entry.path:
            fail(f'[[field]] {entry.path}: a {{dimension}} path needs dimensions = "<group>"', entry.path)
        for d, g in dims:
            f = _field(entry, d, g, scales, parts, seen_parts, fail)
            if base and f.path in base.by_path:
                clash("field", f.path, entry.path, f":{base.lines.get(f.path, 0)}")
            if f.path in lines:
                fail(f"field {f.path} is declared twice", entry.path)
            lines[f.path] = text.count("\n", 0, max(0, text.find(f'"{entry.path}"'))) + 1
            fields.append(f)
    atoms = {}
    for f in fields:
        if f.structured:
            if (f.pred, f.extra) in atoms:
                fail(f"fields {atoms[(f.pred, f.extra)]} and {f.path} map to the same fact {f.pred}/{f.extra}", f.path)
            atoms[(f.pred, f.extra)] = f.path
    objects = {**(base.objects if base else {}), **parsed.objects}
    by_path = {f.path: f for f in fields}
    slot = _slot(parsed.slot, by_path, fail) if parsed.slot else (base.slot if base else None)
    person = _person(parsed.person, by_path, fail, base.person if base else PersonSpec())
    return PersonaSchema(
        parsed.version, scales, groups, agents, parts, objects, tuple(fields), file, lines, slot, person
    )


_PERSON_KINDS = {"name": ("text",), "agent_name": ("text",), "gender": ("enum",), "age": ("int",)}


def _person(entry, by_path: dict, fail, base: PersonSpec) -> PersonSpec:
    """[person] checked: each named field exists with the kind its role needs; unset roles inherit."""
    out = {}
    for role, kinds in _PERSON_KINDS.items():
        path = getattr(entry, role)
        if path is None:
            out[role] = getattr(base, role)
            continue
        if path and (path not in by_path or by_path[path].kind not in kinds):
            fail(
                f"[person] {role} = {path!r}: needs a{'n' if kinds[0][0] in 'aeiou' else ''} {kinds[0]} field",
                "[person]",
            )
        out[role] = path
    return PersonSpec(**out)


def _slot(entry, by_path: dict, fail) -> SlotSpec:
    """[slot] checked against the fields: every variable a scalar field slot.<v>, every bound field a
    field with the same values, the id template naming only variables and {index}."""
    import string

    for v in entry.variables:
        spec = by_path.get(f"slot.{v}")
        if spec is None or spec.kind not in ("int", "enum"):
            fail(f"[slot] variable {v!r}: needs an int or enum field slot.{v} in [[field]]", "[slot]")
        bound = entry.binds.get(v)
        if bound is not None and (bound not in by_path or tuple(by_path[bound].domain) != tuple(spec.domain)):
            fail(f"[slot] binds {v} = {bound!r}: not a field with the values of slot.{v}", "[slot]")
    if bad := sorted(set(entry.binds) - set(entry.variables)):
        fail(f"[slot] binds {', '.join(bad)}: not slot variables ({', '.join(entry.variables)})", "[slot]")
    names = {f for _, f, _, _ in string.Formatter().parse(entry.id) if f}
    if bad := sorted(names - set(entry.variables) - {"index"}):
        fail(f"[slot] id = {entry.id!r}: {{{bad[0]}}} is neither a slot variable nor {{index}}", "[slot]")
    if "index" not in names:
        fail(f"[slot] id = {entry.id!r}: needs {{index}} so that ids are unique", "[slot]")
    bias, draws, by = "", "", ()
    if entry.bias:
        b = entry.bias
        spec, src = by_path.get(f"slot.{b.field}"), by_path.get(b.draws)
        if spec is None or spec.kind != "set":
            fail(f"[slot.bias] field = {b.field!r}: needs a set field slot.{b.field}", "[slot.bias]")
        if src is None or src.kind != "set" or src.scale != spec.scale:
            fail(f"[slot.bias] draws = {b.draws!r}: needs a set field over the {spec.scale} scale", "[slot.bias]")
        if bad := [v for v in b.by if v not in entry.variables]:
            fail(f"[slot.bias] by: {', '.join(bad)} not slot variables", "[slot.bias]")
        bias, draws, by = b.field, b.draws, tuple(b.by)
    cell = by_path.get(f"slot.{CELL}")
    if cell is not None and cell.kind != "text":
        fail(f'slot.{CELL}: the slot\'s cell label is a text field (kind = "text")', f"slot.{CELL}")
    return SlotSpec(tuple(entry.variables), dict(entry.binds), entry.id, bias, draws, by, cell is not None)


def _field(entry, dim: str, group: str, scales, parts, agent_of_part, fail) -> FieldSpec:
    path = entry.path.replace("{dimension}", dim)
    if not _PATH.match(path):
        fail(f"[[field]] {entry.path}: a path is dot-separated lower-case names, e.g. enrollment.age", entry.path)
    part = path.split(".")[0]
    if entry.kind != "id" and part not in parts:
        fail(f"[[field]] {path}: part {part!r} is not in [parts]", entry.path)
    owner = entry.owner or agent_of_part.get(part, "")
    if not owner:
        fail(f"[[field]] {path}: no agent writes part {part!r}; give the field an owner", entry.path)
    if owner not in {a for a in agent_of_part.values()}:
        fail(f"[[field]] {path}: owner {owner!r} is not an [[agent]] key", entry.path)
    kind = entry.kind
    domain: tuple = ()
    if kind in ("enum", "set"):
        if not entry.scale or entry.scale not in scales:
            fail(f"[[field]] {path}: kind {kind} needs scale = one of {', '.join(scales)}", entry.path)
        domain = scales[entry.scale].values
    elif kind in ("int", "count"):
        if not entry.range:
            fail(f"[[field]] {path}: kind {kind} needs range = [lo, hi]", entry.path)
        lo, hi = entry.range
        if lo > hi:
            fail(f"[[field]] {path}: range [{lo}, {hi}] is empty", entry.path)
        domain = tuple(range(lo, hi + 1))
    if kind in ("int", "enum", "set", "count"):
        if not entry.pred or not _ATOM.match(entry.pred):
            fail(f"[[field]] {path}: kind {kind} needs pred = an ASP predicate name such as age", entry.path)
    elif entry.pred:
        fail(f"[[field]] {path}: a {kind} field has no fact; remove pred", entry.path)
    if entry.items and entry.items[0] > entry.items[1]:
        fail(f"[[field]] {path}: items = {entry.items} is empty", entry.path)
    args = tuple(a.replace("{dimension}", dim) for a in entry.args)
    if bad := [a for a in args if not _ATOM.match(a)]:
        fail(f"[[field]] {path}: args are ASP constants, not {bad[0]!r}", entry.path)
    if entry.pattern:
        try:
            re.compile(entry.pattern)
        except re.error as e:
            fail(f"[[field]] {path}: pattern is not a regex ({e})", entry.path)
    return FieldSpec(
        path,
        entry.pred or "",
        args,
        kind,
        domain,
        owner,
        entry.required,
        entry.unknown_as_fact,
        "narrative" in entry.tags,
        entry.scale or "",
        tuple(entry.items) if entry.items else None,
        entry.min_chars if entry.min_chars is not None else (1 if kind == "text" else 0),
        entry.max_chars,
        entry.pattern,
        entry.description,
        tuple(entry.tags),
        dim,
        group,
    )
