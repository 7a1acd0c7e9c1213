"""A parent's [features] + a child's [features] table -> the features in force, where each entry was
declared (file, line, the folder its data files are relative to) and what the child replaced or
removed. Tables merge entry by entry; nothing of the parent is dropped or changed without saying so:

    [features.lexicons.bullying]          a new entry: added
    replace = true                        in a table: the child's table replaces the parent's whole
    replace = ["min_chars"]               ... or just these keys of it
    remove = ["severe"]                   drop these entries of the parent's table
    append = ["terms"]                    add the child's list to the parent's list of that key

A scalar the child gives a different value, a list for a key the parent has (without append or
replace), or a lexicon / pattern redefined without replace or append is a TheoryError naming both
files and lines."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TheoryError

DIRECTIVES = ("replace", "remove", "append")
ATOMIC = ("lexicons", "patterns")  # tables whose entries are one thing each: redefining one needs a directive
# keys of the whole-persona check tables (hachimi/facts/checks.py) that name a data file: read from
# the folder of the pack that declared the key, whichever pack declared the rest of the table
FILE_KEYS = {
    "levels": ("vocabulary",),
    "readable": ("trait_lexicon",),
    "coherence": ("name_data", "persons", "age_topics"),
}

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Origin:
    file: str
    line: int
    root: Path  # the folder of the pack that declared it

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Change:
    path: Path_  # the table or entry (under [features]) that was replaced or removed
    action: str  # "replaced" | "removed"
    file: str
    line: int
    by: Path_ = ()  # for an entry dropped by replacing a table above it: that table

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Composed:
    features: dict = field(default_factory=dict)
    origins: dict[Path_, Origin] = field(default_factory=dict)  # every table and key in force
    changes: list[Change] = field(default_factory=list)  # every pack's replacements and removals, oldest first

    def origin(self, *path: str) -> Origin | None:
        """Who declared `path`, or the nearest table above it."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.origins:
                return self.origins[path[:n]]
        return None

    def root(self, *path: str, default: Path | None = None) -> Path | None:
        o = self.origin(*path)
        return o.root if o else default


def table_name(path: Path_) -> str:
    return "[" + ".".join(("features", *(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in path))) + "]"


def strip_directives(features: dict) -> tuple[dict, dict[Path_, dict]]:
    """The child's [features] without replace / remove / append (for the type check), and those
    directives by table path."""
    found: dict[Path_, dict] = {}

    def walk(t: dict, path: Path_) -> dict:
        out = {}
        for k, v in t.items():
            if k in DIRECTIVES:
                found.setdefault(path, {})[k] = v
            elif isinstance(v, dict):
                out[k] = walk(v, (*path, k))
            else:
                out[k] = v
        return out

    return walk(features, ()), found


def compose(parent: Composed | None, own: dict, directives: dict[Path_, dict], file: str, text: str, root: Path):
    """The child's own [features] (directives stripped) merged into its parent's."""
    out = Composed(
        copy.deepcopy(parent.features) if parent else {},
        dict(parent.origins) if parent else {},
        list(parent.changes) if parent else [],
    )
    _Merge(out, directives, file, text, root).table(out.features, own, ())
    return out


class _Merge:
    def __init__(self, out: Composed, directives: dict[Path_, dict], file: str, text: str, root: Path):
        self.out, self.directives, self.file, self.text, self.root = out, directives, file, text, root

    def here(self, path: Path_) -> Origin:
        return Origin(self.file, key_line(self.text, ("features", *path)), self.root)

    def fail(self, msg: str, path: Path_) -> TheoryError:
        return TheoryError(msg, self.file, self.here(path).line or None)

    def _directives(self, path: Path_, mine: dict) -> tuple[bool | list, list, list]:
        d = self.directives.get(path, {})
        replace, remove, append = d.get("replace", False), d.get("remove", []), d.get("append", [])
        line = key_line(self.text, ("features", *path, next(iter(d), "")))
        for name, value in (("remove", remove), ("append", append), ("replace", replace)):
            ok = isinstance(value, list) and all(isinstance(x, str) for x in value)
            if not ok and not (name == "replace" and isinstance(value, bool)):
                raise TheoryError(
                    f"{table_name(path)} {name} = {value!r}: expected a list of key names"
                    + (" or true (the whole table)" if name == "replace" else ""),
                    self.file,
                    line or None,
                )
        for name, keys in (("append", append), ("replace", replace if isinstance(replace, list) else [])):
            if bad := [k for k in keys if k not in mine]:
                raise TheoryError(
                    f"{table_name(path)} {name} = {bad!r}: this table gives no such key", self.file, line or None
                )
        return replace, remove, append

    def _drop(self, path: Path_, action: str, line: int, by: Path_ = ()) -> None:
        self.out.changes.append(Change(path, action, self.file, line, by))
        for p in [p for p in self.out.origins if p[: len(path)] == path]:
            del self.out.origins[p]

    def table(self, into: dict, mine: dict, path: Path_) -> None:
        """Merge the child's table `mine` into `into` (the parent's, changed in place)."""
        replace, remove, append = self._directives(path, mine)
        line = key_line(self.text, ("features", *path))
        for name in remove:
            if name not in into:
                have = ", ".join(sorted(into)) or "nothing"
                raise self.fail(
                    f"{table_name(path)} remove = [{name!r}]: the theory this one extends has no such entry "
                    f"(it has {have})",
                    path,
                )
            self._drop((*path, name), "removed", key_line(self.text, ("features", *path, "remove")) or line)
            del into[name]
        if replace is True:
            if into:
                at = key_line(self.text, ("features", *path, "replace")) or line
                self._drop(path, "replaced", at)
                for name in into:  # the entries the replacement leaves out are gone too
                    if name not in mine and isinstance(into[name], dict):
                        self.out.changes.append(Change((*path, name), "removed", self.file, at, path))
            into.clear()
        if path:
            self.out.origins.setdefault(path, self.here(path))
        for key, value in mine.items():
            at = (*path, key)
            if key not in into:
                into[key] = self.new(value, at)
            elif isinstance(replace, list) and key in replace:
                self._drop(at, "replaced", self.here(at).line)
                into[key] = self.new(value, at)
            elif isinstance(into[key], dict) and isinstance(value, dict):
                if path and path[-1] in ATOMIC and not self.directives.get(at):
                    lists = sorted((k for k, v in into[key].items() if isinstance(v, list)), key=lambda k: k != "terms")
                    raise self.clash(
                        at,
                        "is already declared by {was}",
                        "write replace = true in it to replace it whole"
                        + (f', or append = ["{lists[0]}"] to add to its list' if lists else ""),
                    )
                self.table(into[key], value, at)
            elif isinstance(into[key], list) and isinstance(value, list):
                if key in append:
                    into[key] = into[key] + [x for x in value if x not in into[key]]
                    self.out.origins[at] = self.here(at)
                elif into[key] != value:
                    raise self.clash(
                        at,
                        "is a list {was} already gives",
                        f'write append = ["{key}"] in {table_name(path)} to add to it, or replace = ["{key}"] to '
                        "replace it",
                    )
            elif into[key] != value or type(into[key]) is not type(value):
                raise self.clash(
                    at,
                    f"= {value!r}, but {{was}} sets it to {into[key]!r}",
                    f'write replace = ["{key}"] in {table_name(path)} to change it',
                )

    def new(self, value, path: Path_):
        """A value the child adds: recorded with its place (tables: every key in them)."""
        self.out.origins[path] = self.here(path)
        if isinstance(value, dict):
            fresh: dict = {}
            self.table(fresh, value, path)
            return fresh
        return copy.deepcopy(value)

    def clash(self, path: Path_, what: str, todo: str) -> TheoryError:
        """A value that would silently change the parent's: named with both places and what to write."""
        was = self.out.origin(*path)
        key = table_name(path) if len(path) > 1 and path[-2] in ATOMIC else f"{table_name(path[:-1])} {path[-1]}"
        return self.fail(
            f"{key} {what.replace('{was}', was.where() if was else 'the theory it extends')}; {todo}", path
        )


def key_line(text: str, path: Path_) -> int:
    """The line of a TOML table header [a.b.c] or of the key c in table [a.b] (or in an inline
    table or dotted key there); the nearest enclosing table's line where the key is not found."""
    if not path or not path[-1]:
        return key_line(text, path[:-1]) if path else 0

    def part(p: str) -> str:
        return rf'(?:{re.escape(p)}|"{re.escape(p)}"|\'{re.escape(p)}\')'

    sep = r"\s*\.\s*"
    header = re.compile(rf"^[ \t]*\[[ \t]*{sep.join(map(part, path))}[ \t]*\][ \t]*(?:#.*)?$", re.M)
    if m := header.search(text):
        return text.count("\n", 0, m.start()) + 1
    below = re.compile(rf"^[ \t]*\[[ \t]*{sep.join(map(part, path))}{sep}", re.M)  # [a.b.c.d] for [a.b.c]
    if m := below.search(text):
        return text.count("\n", 0, m.start()) + 1
    if len(path) > 1:
        above = key_line(text, path[:-1])
        if above:
            start = _offset(text, above)
            nxt = re.compile(r"^[ \t]*\[", re.M).search(text, _end_of_line(text, start))
            body = text[start : nxt.start() if nxt else len(text)]
            key = re.compile(rf"^[ \t]*{part(path[-1])}[ \t]*(?:=|\.)|[{{,][ \t]*{part(path[-1])}[ \t]*=", re.M)
            if m := key.search(body, _end_of_line(body, 0) if body.lstrip().startswith("[") else 0):
                return above + body.count("\n", 0, m.start())
            return above
    return 0


def _offset(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos


def _end_of_line(text: str, pos: int) -> int:
    i = text.find("\n", pos)
    return len(text) if i < 0 else i
