"""instruments/<name>/instrument.toml (+ hypotheses.toml) -> an Instrument: response scales,
constructs, items with their official IDs, reverse keys and stems in each language. Checked with
pydantic (strict); every problem names the file, the line and the item or key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import HachimiError
from ..resources import DATA

INSTRUMENTS = DATA / "instruments"
_ID = re.compile(r"^[A-Z][A-Z0-9_]*$")


class InstrumentError(HachimiError):
    def __init__(self, message: str, file: str, line: int = 0):
        self.file, self.line = file, line
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScaleEntry(_Strict):
    values: list[int] = Field(min_length=2)  # scores of the options, in the order they are listed
    labels: dict[str, list[str]]  # language -> option labels, same order as values
    stem: dict[str, str]  # language -> the question introducing the items
    file_codes: list[int] | None = None  # the student file's code of each option, label order (default: values)


class ConstructEntry(_Strict):
    name: str
    scale: str
    higher: str  # what a higher score means
    source: str = ""


class ItemEntry(_Strict):
    id: str
    construct_: str = Field(alias="construct")  # (BaseModel has a `construct` method)
    text: dict[str, str]
    reverse: bool = False


class HypothesisEntry(_Strict):
    id: str
    construct_: str = Field(alias="construct")
    by: str  # a cohort variable of the survey (prompts/cohorts.toml: tier, gender, risk)
    expect: str  # "A > B" (two of its categories), or "increasing" / "decreasing" along an ordered one
    citation: str


class InstrumentFile(_Strict):
    instrument: dict[str, str | list[str] | dict[str, str]]
    scales: dict[str, ScaleEntry]
    constructs: dict[str, ConstructEntry]
    item: list[ItemEntry] = Field(min_length=1)
    forms: dict[str, list[str]] = Field(default_factory=dict)  # name -> item ids (a shorter form)


class HypothesesFile(_Strict):
    hypothesis: list[HypothesisEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Item:
    id: str
    construct: str
    text: dict[str, str]
    reverse: bool


@dataclass
class Instrument:
    name: str
    root: Path
    languages: tuple[str, ...]
    refusal: dict[str, str]
    scales: dict[str, ScaleEntry]
    constructs: dict[str, ConstructEntry]
    items: list[Item]
    hypotheses: list[HypothesisEntry] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    forms: dict[str, list[str]] = field(default_factory=dict)

    def form(self, name: str | None) -> list[Item]:
        """The items of a form (all items if name is None), in instrument order."""
        if name is None:
            return list(self.items)
        if name not in self.forms:
            raise HachimiError(
                f"instrument {self.name} has no form {name!r} (forms: {', '.join(self.forms) or 'none'})"
            )
        keep = set(self.forms[name])
        return [i for i in self.items if i.id in keep]

    def scale_of(self, item: Item) -> ScaleEntry:
        return self.scales[self.constructs[item.construct].scale]

    def score(self, item: Item, label_index: int) -> float:
        """The item's keyed score for the option at label_index (reverse keys flipped)."""
        values = self.scale_of(item).values
        v = values[label_index]
        return (min(values) + max(values) - v) if item.reverse else v


def locate(name_or_path: str) -> Path:
    p = Path(name_or_path)
    if (p / "instrument.toml").is_file():
        return p
    if (INSTRUMENTS / name_or_path / "instrument.toml").is_file():
        return INSTRUMENTS / name_or_path
    known = sorted(d.name for d in INSTRUMENTS.iterdir() if d.is_dir()) if INSTRUMENTS.is_dir() else []
    raise HachimiError(
        f"no instrument '{name_or_path}' (bundled: {', '.join(known) or 'none'}); pass a folder with instrument.toml"
    )


def _line(text: str, needle: str) -> int:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


def _read(path: Path, model):
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise InstrumentError("no such file", str(path)) from None
    except UnicodeDecodeError as e:
        raise InstrumentError(f"not UTF-8 (byte {e.start + 1})", str(path)) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise InstrumentError(f"TOML syntax: {e}", str(path), int(m.group(1)) if m else 0) from None
    try:
        return model.model_validate(raw), text, raw
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        where, line = ".".join(loc), 0
        if len(loc) > 1 and loc[0] in ("item", "hypothesis") and loc[1].isdigit():
            entry = raw[loc[0]][int(loc[1])]
            name = entry.get("id", f"#{int(loc[1]) + 1}") if isinstance(entry, dict) else f"#{int(loc[1]) + 1}"
            where = f"[[{loc[0]}]] {name}" + (f" {'.'.join(loc[2:])}" if len(loc) > 2 else "")
            line = _line(text, f'"{name}"')
        elif loc:
            line = _line(text, loc[-1])
        raise InstrumentError(f"{where}: {err['msg']}", str(path), line) from None


def _check_hypothesis(h: HypothesisEntry, file: str, line: int) -> None:
    """`by` is a cohort variable of the survey (cohorts.py), a trend runs along an ordered one, and
    'A > B' compares two of its categories."""
    from .cohorts import vocabulary

    vocab = vocabulary()
    if h.by not in vocab.variables:
        raise InstrumentError(f"hypothesis {h.id}: by = {h.by!r}; use {', '.join(vocab.names)}", file, line)
    if not re.fullmatch(r"increasing|decreasing|\w+ > \w+", h.expect):
        raise InstrumentError(
            f"hypothesis {h.id}: expect = {h.expect!r}; write 'increasing', 'decreasing' or 'A > B'", file, line
        )
    if h.expect in ("increasing", "decreasing") and h.by not in vocab.ordered:
        raise InstrumentError(
            f"hypothesis {h.id}: {h.expect} needs an ordered cohort variable ({', '.join(vocab.ordered)}), not {h.by!r}",
            file,
            line,
        )
    categories = vocab.variables[h.by]
    if " > " in h.expect and (bad := [x for x in h.expect.split(" > ") if x not in categories]):
        raise InstrumentError(f"hypothesis {h.id}: {bad[0]!r} is not a {h.by} ({', '.join(categories)})", file, line)


def load(name_or_path: str) -> Instrument:
    root = locate(name_or_path)
    path = root / "instrument.toml"
    parsed, text, raw = _read(path, InstrumentFile)
    meta = parsed.instrument
    languages = tuple(meta.get("languages", ("en",)))
    refusal = meta.get("refusal", {})
    if not isinstance(refusal, dict) or any(lang not in refusal for lang in languages):
        raise InstrumentError(
            "[instrument] refusal needs a label for every language", str(path), _line(text, "refusal")
        )
    for name, s in parsed.scales.items():
        for lang in languages:
            if len(s.labels.get(lang, ())) != len(s.values):
                raise InstrumentError(
                    f"scale {name}: {len(s.values)} values but {len(s.labels.get(lang, ()))} {lang} labels",
                    str(path),
                    _line(text, f"[scales.{name}]"),
                )
            if lang not in s.stem:
                raise InstrumentError(f"scale {name}: no {lang} stem", str(path), _line(text, f"[scales.{name}]"))
    for cid, c in parsed.constructs.items():
        if not _ID.match(cid):
            raise InstrumentError(
                f"construct ids are upper-case, e.g. MATHEFF, not {cid!r}", str(path), _line(text, cid)
            )
        if c.scale not in parsed.scales:
            raise InstrumentError(
                f"construct {cid}: scale {c.scale!r} is not one of {', '.join(parsed.scales)}",
                str(path),
                _line(text, f"[constructs.{cid}]"),
            )
    items, seen = [], set()
    for it in parsed.item:
        line = _line(text, f'"{it.id}"')
        if it.id in seen:
            raise InstrumentError(f"item {it.id} appears twice", str(path), line)
        seen.add(it.id)
        if it.construct_ not in parsed.constructs:
            raise InstrumentError(
                f"item {it.id}: construct {it.construct_!r} is not declared in [constructs]", str(path), line
            )
        if missing := [lang for lang in languages if not it.text.get(lang, "").strip()]:
            raise InstrumentError(f"item {it.id}: no {', '.join(missing)} text", str(path), line)
        items.append(Item(it.id, it.construct_, dict(it.text), it.reverse))
    for cid in parsed.constructs:
        if not any(i.construct == cid for i in items):
            raise InstrumentError(f"construct {cid} has no items", str(path), _line(text, f"[constructs.{cid}]"))
    ids = {i.id for i in items}
    for fname, fitems in parsed.forms.items():
        if bad := [x for x in fitems if x not in ids]:
            raise InstrumentError(
                f"form {fname}: unknown item(s) {', '.join(bad)}", str(path), _line(text, f"{fname} =")
            )
    hyps: list[HypothesisEntry] = []
    if (root / "hypotheses.toml").is_file():
        hp, htext, _ = _read(root / "hypotheses.toml", HypothesesFile)
        for h in hp.hypothesis:
            hline = _line(htext, f'"{h.id}"')
            if h.construct_ not in parsed.constructs:
                raise InstrumentError(
                    f"hypothesis {h.id}: unknown construct {h.construct_!r}", str(root / "hypotheses.toml"), hline
                )
            _check_hypothesis(h, str(root / "hypotheses.toml"), hline)
        hyps = list(hp.hypothesis)
    return Instrument(
        str(meta.get("name", root.name)),
        root,
        languages,
        dict(refusal),
        dict(parsed.scales),
        dict(parsed.constructs),
        items,
        hyps,
        dict(meta),
        dict(parsed.forms),
    )
