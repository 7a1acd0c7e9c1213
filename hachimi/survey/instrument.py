"""instruments/<name>/instrument.toml (+ hypotheses.toml, figures.toml) -> an Instrument: response
scales, constructs, items with their official IDs, what each item is in its source (the file's
variable, a paraphrase of its wording, how the file codes its options), reverse keys, stems in each
language, directional hypotheses and published human figures. Checked with pydantic (strict);
every problem names the file, the line and the item or key.

Checked because they change scores, not only the form: a scale's values run low -> high as its
labels are listed (or `direction = "descending"` says they run high -> low); no two labels of a
scale alike; the refusal option worded unlike every answer (a refusal "agree" would swallow the
answers "agree"); every hypothesis and figure names constructs, items and cohorts that exist."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
    file_codes: list[int] | None = None  # the source file's code of each option, label order (default: values)
    direction: Literal["ascending", "descending"] = "ascending"  # values listed low -> high (or high -> low)
    format: str = ""  # the response format in words, e.g. "4-point agreement"


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
    variable: str | None = None  # the source file's column (default: id)
    wording: str = Field(min_length=1)  # a paraphrase of the source questionnaire's own item
    codes: Literal["ascending", "descending"]  # the file codes the first listed option lowest, or highest


class HypothesisEntry(_Strict):
    id: str
    construct_: str = Field(alias="construct")
    by: str  # a cohort variable of the survey (prompts/cohorts.toml: tier, gender, risk)
    expect: str  # "A > B" (two of its categories), or "increasing" / "decreasing" along an ordered one
    citation: str


class FigureEntry(_Strict):
    """A published human figure (figures.toml) and how the personas' estimate of it is computed."""

    id: str
    construct_: str = Field(alias="construct")
    statistic: Literal["share", "mean", "gap", "trend", "context"]
    population: str
    value: float | int
    unit: str
    year: int
    source: str
    checked: str  # where the number was read (or that it was not verified here)
    tests: Literal["value", "direction", "none"]
    can_test: str
    cannot_test: str
    url: str = ""
    items: list[str] | None = None  # share/mean: the items (default: all of the construct's)
    at_least: float | int | None = None  # share: an answer at or above this value counts
    at_most: float | int | None = None  # share: ... or at or below it
    rule: Literal["any", "mean"] = "any"  # share: any item past the cut, or the items' mean
    by: str | None = None  # gap / trend: the cohort variable
    expect: str | None = None  # gap: "A > B"; trend: "increasing" / "decreasing"
    where: dict[str, str] = Field(default_factory=dict)  # only personas with these cohort values (or band)


class FiguresFile(_Strict):
    figure: list[FigureEntry] = Field(default_factory=list)


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
    variable: str = ""  # the source file's column
    wording: str = ""  # the source item, paraphrased
    codes: str = "ascending"  # how the source file codes the options


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
    figures: list[FigureEntry] = field(default_factory=list)

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

    def file_mapping(self, item: Item) -> dict[int, int]:
        """The source file's code -> the option's value, through the item's declared code direction
        (PISA 2022 codes ST034, ST292, ST265 with 1 = strongly agree: the scale's last option)."""
        scale = self.scale_of(item)
        codes = list(scale.file_codes or scale.values)
        if item.codes == "descending":
            codes.reverse()
        return dict(zip(codes, scale.values))

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
        if len(loc) > 1 and loc[0] in ("item", "hypothesis", "figure") and loc[1].isdigit():
            entry = raw[loc[0]][int(loc[1])]
            name = entry.get("id", f"#{int(loc[1]) + 1}") if isinstance(entry, dict) else f"#{int(loc[1]) + 1}"
            where = f"[[{loc[0]}]] {name}" + (f" {'.'.join(loc[2:])}" if len(loc) > 2 else "")
            line = _line(text, f'"{name}"')
        elif loc:
            line = _line(text, loc[-1])
        raise InstrumentError(f"{where}: {err['msg']}", str(path), line) from None


def _check_hypothesis(h: HypothesisEntry, file: str, line: int, kind: str = "hypothesis") -> None:
    """`by` is a cohort variable of the survey (cohorts.py), a trend runs along an ordered one, and
    'A > B' compares two of its categories."""
    from .cohorts import vocabulary

    vocab = vocabulary()
    if h.by not in vocab.variables:
        raise InstrumentError(f"{kind} {h.id}: by = {h.by!r}; use {', '.join(vocab.names)}", file, line)
    if not re.fullmatch(r"increasing|decreasing|\w+ > \w+", h.expect):
        raise InstrumentError(
            f"{kind} {h.id}: expect = {h.expect!r}; write 'increasing', 'decreasing' or 'A > B'", file, line
        )
    if h.expect in ("increasing", "decreasing") and h.by not in vocab.ordered:
        raise InstrumentError(
            f"{kind} {h.id}: {h.expect} needs an ordered cohort variable ({', '.join(vocab.ordered)}), not {h.by!r}",
            file,
            line,
        )
    categories = vocab.variables[h.by]
    if " > " in h.expect and (bad := [x for x in h.expect.split(" > ") if x not in categories]):
        raise InstrumentError(f"{kind} {h.id}: {bad[0]!r} is not a {h.by} ({', '.join(categories)})", file, line)


def _words(label: str) -> list[str]:
    """A label's words, case and width folded; CJK text by character (no spaces between words)."""
    t = unicodedata.normalize("NFKC", label).casefold()
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", t):
        return [c for c in t if c.isalnum()]
    return re.findall(r"\w+", t)


def _alike(refusal: str, label: str) -> bool:
    """The refusal reads like the answer: the same words, or one's words all within the other's
    ("agree" in "strongly agree"; 同意 in 非常同意)."""
    r, a = _words(refusal), _words(label)
    if not r or not a:
        return False
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", refusal + label):
        rs, as_ = "".join(r), "".join(a)
        return rs == as_ or (len(rs) > 1 and rs in as_) or (len(as_) > 1 and as_ in rs)
    return set(r) <= set(a) or set(a) <= set(r)


def _check_scale(name: str, s: ScaleEntry, refusal: dict, languages, file: str, line: int) -> None:
    """What would change scores silently: values not running as declared, two labels alike, a
    refusal worded like an answer."""
    v = s.values
    rising = all(a < b for a, b in zip(v, v[1:]))
    falling = all(a > b for a, b in zip(v, v[1:]))
    if s.direction == "ascending" and not rising:
        raise InstrumentError(
            f"scale {name}: values {v} do not rise; list the options low -> high with rising values "
            '(or, listed high -> low, say direction = "descending"): a reversed scale flips every construct on it',
            file,
            line,
        )
    if s.direction == "descending" and not falling:
        raise InstrumentError(f'scale {name}: direction = "descending" but values {v} do not fall', file, line)
    if s.file_codes is not None and len(s.file_codes) != len(v):
        raise InstrumentError(f"scale {name}: {len(v)} values but {len(s.file_codes)} file_codes", file, line)
    for lang in languages:
        labels = s.labels.get(lang, [])
        folded = [" ".join(_words(x)) for x in labels]
        for i, x in enumerate(folded):
            if x in folded[:i]:
                first = labels[folded.index(x)]
                raise InstrumentError(
                    f"scale {name}: the {lang} labels {first!r} and {labels[i]!r} are one option twice", file, line
                )
        if isinstance(refusal, dict) and lang in refusal:
            if hit := next((x for x in labels if _alike(refusal[lang], x)), None):
                raise InstrumentError(
                    f"the {lang} refusal {refusal[lang]!r} reads like the answer {hit!r} of scale {name}: "
                    "answers would be taken for refusals; word it unlike every option (e.g. 'no answer')",
                    file,
                    line,
                )


def _check_figure(f: FigureEntry, constructs: dict, items: dict[str, Item], file: str, line: int) -> None:
    """A figure's construct, items, cohort variable and direction exist; its statistic has what it
    needs."""
    from .cohorts import vocabulary

    def bad(why: str) -> InstrumentError:
        return InstrumentError(f"figure {f.id}: {why}", file, line)

    if f.construct_ not in constructs:
        raise bad(f"unknown construct {f.construct_!r} ({', '.join(constructs)})")
    if unknown := [i for i in f.items or () if i not in items]:
        raise bad(f"unknown item(s) {', '.join(unknown)}")
    if f.statistic == "share" and (f.at_least is None) == (f.at_most is None):
        raise bad("a share needs one of at_least or at_most (the answer value that counts)")
    vocab = vocabulary()
    if f.statistic in ("gap", "trend"):
        if f.by is None or f.expect is None:
            raise bad(f"a {f.statistic} needs by and expect")
        hyp = HypothesisEntry(id=f.id, construct=f.construct_, by=f.by, expect=f.expect, citation=f.source)
        _check_hypothesis(hyp, file, line, "figure")
        if (f.statistic == "trend") != (f.expect in ("increasing", "decreasing")):
            raise bad(f"expect = {f.expect!r} does not fit statistic {f.statistic!r}")
    for k, v in f.where.items():
        if k != "band" and (k not in vocab.variables or v not in vocab.variables[k]):
            raise bad(
                f"where {k} = {v!r}: use band or a cohort variable ({', '.join(vocab.names)}) and one of its values"
            )


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
        _check_scale(name, s, refusal, languages, str(path), _line(text, f"[scales.{name}]"))
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
        items.append(
            Item(it.id, it.construct_, dict(it.text), it.reverse, it.variable or it.id, it.wording.strip(), it.codes)
        )
    for cid in parsed.constructs:
        if not any(i.construct == cid for i in items):
            raise InstrumentError(f"construct {cid} has no items", str(path), _line(text, f"[constructs.{cid}]"))
    ids = {i.id for i in items}
    for fname, fitems in parsed.forms.items():
        if bad := [x for x in fitems if x not in ids]:
            raise InstrumentError(
                f"form {fname}: unknown item(s) {', '.join(bad)}", str(path), _line(text, f"{fname} =")
            )
        if twice := sorted({x for x in fitems if fitems.count(x) > 1}):
            raise InstrumentError(
                f"form {fname}: item {twice[0]} listed twice (it would be asked and scored twice)",
                str(path),
                _line(text, f"{fname} ="),
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
    figures: list[FigureEntry] = []
    if (root / "figures.toml").is_file():
        fp, ftext, _ = _read(root / "figures.toml", FiguresFile)
        seen_figures: set[str] = set()
        for f in fp.figure:
            fline = _line(ftext, f'"{f.id}"')
            if f.id in seen_figures:
                raise InstrumentError(f"figure {f.id} appears twice", str(root / "figures.toml"), fline)
            seen_figures.add(f.id)
            _check_figure(f, parsed.constructs, {i.id: i for i in items}, str(root / "figures.toml"), fline)
        figures = list(fp.figure)
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
        figures,
    )
