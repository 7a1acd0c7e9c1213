"""A theory folder (theory.toml, rules/*.lp, numeric/*.smt2, fixtures/) -> a loaded Theory."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import TheoryError
from ..facts.text import TextConfig
from ..schema.spec import PersonaSchema, load_schema
from .compose import FILE_KEYS, Composed, compose, strip_directives
from .smt import SmtRule, asp_program, parse_file
from .toml_schema import RuleEntry

SEVERITIES = ("error", "warning")
OWNER_OF_KEY = "owner"  # a rule owner meaning: the owner of the field its violation key names
RULE_KEYS = set(RuleEntry.model_fields)  # the metadata keys of a [[rule]]
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Rule(RuleEntry):
    """A rule's metadata (theory.toml [[rule]]: its keys are declared once, toml_schema.RuleEntry)
    and where it is declared."""

    line: int = 0  # line of its id in theory.toml
    file: str = ""  # the theory.toml that describes it (a parent's, for an inherited rule)


@dataclass
class Theory:
    name: str
    root: Path
    rules: dict[str, Rule]
    lp_files: list[Path]
    smt_rules: list[SmtRule]
    text: TextConfig
    weights: dict[str, int] = field(default_factory=dict)  # repair cost per changed field
    meta: dict = field(default_factory=dict)
    schema: PersonaSchema = None  # the persona format (schema.toml)
    parent: "Theory | None" = None  # the theory this one extends (its rules, format, prompts)
    features: dict = field(default_factory=dict)  # the [features] in force (inherited tables included)
    feature_roots: dict = field(default_factory=dict)  # feature table -> folder of the pack that declared it
    composition: "Composed | None" = None  # where each feature entry was declared; what this pack replaced

    @cached_property
    def plugin(self):
        """The pack's plug-in module ([theory] plugin: code that cannot be data), the nearest in the
        chain of theories it extends, or None (hachimi/plugins/)."""
        spec = self.meta.get("plugin")  # meta: the [theory] table
        if spec:
            from ..loader import load_module

            return load_module(spec, self.root, str(self.root / "theory.toml"), "[theory] plugin")
        return self.parent.plugin if self.parent else None

    def feature_root(self, *path: str) -> Path:
        """The folder data files of [features.<path>] are relative to: that of the pack that declared
        the entry (a child's new lexicon reads its file from the child's folder, k12's from k12's)."""
        return self.composition.root(*path, default=self.root) if self.composition else self.root

    @property
    def roots(self) -> list[Path]:
        """This theory's folder and those of the theories it extends, nearest first."""
        return [self.root] + (self.parent.roots if self.parent else [])

    @property
    def prompt_dirs(self) -> list[Path]:
        """prompts/ folders of the chain, nearest first (a pack overrides per agent and language)."""
        return [r / "prompts" for r in self.roots if (r / "prompts").is_dir()]

    @cached_property
    def smt_program(self) -> str:
        return asp_program(self.smt_rules, self.schema)

    @cached_property
    def vocabulary(self) -> str:
        """ASP facts of the persona format every rule may use (scales, dimensions, fields)."""
        return self.schema.vocabulary_program()

    @cached_property
    def hash(self) -> str:
        h = hashlib.sha256()
        # every file of the pack but its fixtures: rules, numeric rules and the data files they read
        files = [p for p in self.root.rglob("*") if p.is_file() and "fixtures" not in p.relative_to(self.root).parts]
        for p in sorted(files):
            h.update(p.relative_to(self.root).as_posix().encode() + b"\0" + p.read_bytes())
        if self.meta.get("plugin") and self.plugin is not None:  # its code too (a module or a package)
            source = Path(self.plugin.__file__)
            code = sorted(source.parent.rglob("*.py")) if source.name == "__init__.py" else [source]
            for p in code:
                h.update(b"plugin\0" + p.relative_to(source.parent).as_posix().encode() + b"\0" + p.read_bytes())
        if self.parent is not None:
            h.update(b"extends\0" + self.parent.hash.encode())
        return h.hexdigest()[:16]

    def weight(self, path: str) -> int:
        best = 1
        for pattern, w in self.weights.items():
            if path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1])):
                best = w
        return best


def _line_of(text: str, needle: str) -> int:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


def _rules(meta: dict, text: str, file: str, schema: PersonaSchema, parent=None) -> dict[str, Rule]:
    rules: dict[str, Rule] = dict(parent.rules) if parent else {}
    for entry in meta.get("rule", []):
        rid = entry.get("id", "")
        line = _line_of(text, f'"{rid}"') if rid else 0
        problem = _rule_problem(entry, schema)
        if problem:
            raise TheoryError(problem, file, line, rule=rid or None)
        if parent and rid in parent.rules:
            raise TheoryError(
                f"rule id already used by the theory this one extends ({parent.root / 'theory.toml'}:"
                f"{parent.rules[rid].line}); give the new rule its own id",
                file,
                line,
                rule=rid,
            )
        if rid in rules:
            raise TheoryError("duplicate rule id", file, line, rule=rid)
        rules[rid] = Rule(**{k: entry[k] for k in RULE_KEYS if k in entry}, line=line, file=file)
    return rules


def _rule_problem(e: dict, schema: PersonaSchema) -> str | None:
    missing = [k for k in ("id", "ref", "owner", "severity", "fields", "message", "citation") if not e.get(k)]
    if missing:
        return f"rule metadata lacks {', '.join(missing)}"
    if unknown := set(e) - RULE_KEYS:
        return f"unknown metadata key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(RULE_KEYS))}"
    if not _ID.match(e["id"]):
        return "rule ids are kebab-case, e.g. age-grade"
    if e["severity"] not in SEVERITIES:
        return f"severity {e['severity']!r} is not one of {', '.join(SEVERITIES)}"
    owners = (*schema.owners, OWNER_OF_KEY)
    if e["owner"] not in owners:
        return f"owner {e['owner']!r} is not one of {', '.join(owners)}"
    bad = [f for f in e["fields"] if f not in schema.by_path and not f.endswith("*")]
    if bad:
        return f"unknown field(s) {', '.join(bad)}; fields are JSON paths such as enrollment.age"
    return None


def _features(meta: dict, directives: dict, text: str, file: str, root: Path, parent) -> Composed:
    """The [features] in force: the parent's, with this pack's tables merged in entry by entry
    (hachimi/theory/compose.py: replace, remove and append say how; a silent change is refused)."""
    own = meta.get("features", {})
    return compose(parent.composition if parent else None, own, directives, file, text, root)


def _text_config(comp: Composed, file: str, schema: PersonaSchema, root: Path) -> TextConfig:
    feat = comp.features
    try:
        patterns = {n: (p["field"], re.compile(p["regex"])) for n, p in feat.get("patterns", {}).items()}
    except (KeyError, re.error) as e:
        raise TheoryError(f"[features.patterns]: {e}", file)
    lexicons, allow = {}, {}
    for name, lex in feat.get("lexicons", {}).items():
        fields = tuple(lex.get("fields", schema.narrative_fields))
        if bad := [f for f in fields if f not in schema.by_path]:
            raise TheoryError(f"[features.lexicons.{name}] unknown field(s) {', '.join(bad)}", file)
        terms, allowed = list(lex.get("terms", ())), list(lex.get("allow", ()))
        if lex.get("file"):
            more, more_allowed = lexicon_file(
                comp.root("lexicons", name, "file", default=root) / lex["file"], f"[features.lexicons.{name}]"
            )
            terms, allowed = terms + more, allowed + more_allowed
        lexicons[name] = (fields, tuple(dict.fromkeys(terms)))
        allow[name] = tuple(dict.fromkeys(allowed))
    mentions = {}
    for path, group in feat.get("mentions", {}).items():
        if group not in schema.groups:
            groups = ", ".join(repr(g) for g in schema.groups) or "none in schema.toml"
            raise TheoryError(f"[features.mentions] {path} = {group!r}: not a [dimensions] group ({groups})", file)
        if path not in schema.by_path:
            raise TheoryError(f"[features.mentions] {path}: not a field of schema.toml", file)
        mentions[path] = schema.dimensions_of(group)
    if "aliases" in feat:
        raise TheoryError(
            "[features.aliases]: the names prose uses for a dimension live in the level vocabulary "
            "([<lang>.names] of the [features.levels] vocabulary file); move them there",
            file,
        )
    from ..facts.checks import configure

    tables, roots = dict(feat), {}
    for name, table in feat.items():  # each data file read from the folder of the pack that named it
        if isinstance(table, dict):
            roots[name] = comp.root(name, default=root)
            files = {
                k: str((comp.root(name, k, default=root) / v).resolve())  # absolute: the check joins it to its root
                for k in FILE_KEYS.get(name, ())
                if isinstance(v := table.get(k), str)
            }
            tables[name] = {**table, **files}
    checks = configure(tables, roots, file, schema)
    return TextConfig(
        feat.get("min_chars", 0),
        feat.get("max_chars", 10**9),
        patterns,
        mentions,
        lexicons,
        checks,
        allow,
        schema,
    )


def lexicon_file(path: Path, where: str) -> tuple[list[str], list[str]]:
    """A lexicon data file -> (terms, allowed phrases), each in file order; TheoryError naming the
    file (and the table that refers to it) if it is absent or malformed."""
    from pydantic import ValidationError
    from .toml_schema import LexiconFile

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = LexiconFile.model_validate(data)
    except FileNotFoundError:
        raise TheoryError(f"{where} file = {path.name!r}: no such file in the theory folder", str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise TheoryError(f"{where}: not a readable TOML file ({e})", str(path)) from None
    except ValidationError as e:
        err = e.errors()[0]
        at = ".".join(map(str, err["loc"]))
        raise TheoryError(
            f"{where}: {at}: {err['msg']} (a lexicon file has [terms] and [allow] tables of lists)", str(path)
        ) from None
    return [t for ts in parsed.terms.values() for t in ts], [a for a_s in parsed.allow.values() for a in a_s]


def load(root: str | Path, _chain: tuple[Path, ...] = ()) -> Theory:
    """Load and check a theory folder (with `check`, its programs too: syntax, unsafe variables,
    #script, an answer set); raises TheoryError naming the file and line. A theory whose [theory]
    table says `extends = "k12"` (a bundled name or a folder, relative to this one) starts from
    that theory: its format, rules, numeric rules, features and prompts, to which it adds."""
    root = Path(root)
    toml_path = root / "theory.toml"
    if not toml_path.is_file():
        raise TheoryError(
            f"no theory.toml in {root} (a theory folder holds theory.toml, rules/*.lp, numeric/*.smt2 and fixtures/)",
            str(root),
        )
    raw_bytes = toml_path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TheoryError(
            f"not UTF-8 (byte {e.start + 1})", str(toml_path), raw_bytes.count(b"\n", 0, e.start) + 1
        ) from None
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        raise TheoryError(f"TOML syntax: {e}", str(toml_path), *(map(int, m.groups()) if m else ()))
    from pydantic import ValidationError
    from .toml_schema import TheoryFile, first_error

    directives: dict = {}
    if isinstance(meta.get("features"), dict):  # replace / remove / append say how tables compose
        meta["features"], directives = strip_directives(meta["features"])
    try:
        TheoryFile.model_validate(meta)
    except ValidationError as e:
        msg, rid = first_error(e, meta)
        key = str(e.errors()[0]["loc"][-1])
        line = _line_of(text, f'"{rid}"') if rid else _line_of(text, f"\n{key} =")
        raise TheoryError(msg, str(toml_path), line + (not rid and line > 0), rule=rid) from None
    info = meta.get("theory", {})
    parent = _parent(info.get("extends"), root, str(toml_path), _line_of(text, "\nextends") + 1, _chain)
    own_schema = root / "schema.toml"
    if parent is None or own_schema.is_file():
        schema = load_schema(own_schema, parent.schema if parent else None)
    else:
        schema = parent.schema
    rules = _rules(meta, text, str(toml_path), schema, parent)
    lp = (parent.lp_files if parent else []) + (
        sorted((root / "rules").glob("*.lp")) if (root / "rules").is_dir() else []
    )
    smt = (
        [r for p in sorted((root / "numeric").glob("*.smt2")) for r in parse_file(p, schema)]
        if (root / "numeric").is_dir()
        else []
    )
    for r in smt:
        if r.id not in rules or (parent and r.id in parent.rules):
            raise TheoryError("numeric rule has no [[rule]] entry in theory.toml", r.file, r.line, rule=r.id)
    if parent:  # its tables depend only on the fields they read, which an extension cannot redefine
        smt = list(parent.smt_rules) + smt
    comp = _features(meta, directives, text, str(toml_path), root, parent)
    weights = {**(parent.weights if parent else {}), **meta.get("repair", {}).get("weights", {})}
    theory = Theory(
        info.get("name", root.name),
        root,
        rules,
        lp,
        smt,
        _text_config(comp, str(toml_path), schema, root),
        weights,
        info,
        schema,
        parent,
        comp.features,
        {name: comp.root(name, default=root) for name, v in comp.features.items() if isinstance(v, dict)},
        comp,
    )
    return theory


def _parent(extends: str | None, root: Path, file: str, line: int, chain: tuple[Path, ...]):
    """The theory named by `extends`, loaded (without the program checks: the child's are run)."""
    if not extends:
        return None
    from .locate import locate

    here = (root / extends).resolve()
    folder = here if (here / "theory.toml").is_file() else None
    if folder is None:
        try:
            folder = locate(extends).resolve()
        except TheoryError as e:
            raise TheoryError(f"extends = {extends!r}: {e}", file, line) from None
    me = root.resolve()
    if folder == me or folder in chain:
        raise TheoryError(
            f"extends = {extends!r} makes a cycle ({' -> '.join(p.name for p in (*chain, me, folder))})", file, line
        )
    return load(folder, _chain=(*chain, me))


def rule_owner(rule: Rule, key_field: str | None, schema: PersonaSchema) -> str:
    return schema.owner_of(key_field) if rule.owner == OWNER_OF_KEY and key_field else rule.owner
