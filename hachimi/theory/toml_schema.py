"""theory.toml -> a checked structure (pydantic, strict): a wrong type (`message = 42`,
`min_chars = "20"`, `fields = "enrollment.age"` that would be split into letters), an unknown key
or a malformed message template is refused with the table, key and line, before any rule runs."""

from __future__ import annotations

from string import Formatter

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from ..facts.checks import CHECKS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TheoryInfo(_Strict):
    name: str | None = None
    version: str | None = None
    description: str | None = None
    extends: str | None = None  # a bundled theory's name or a folder (relative to this one)
    plugin: str | None = None  # code the pack needs that cannot be data: a module or a .py file (hachimi/plugins/)


class RuleEntry(_Strict):
    id: str
    ref: str
    owner: str
    severity: str
    fields: list[str]
    message: str
    citation: str
    fixable: bool = False
    description: str = ""

    @field_validator("message")
    @classmethod
    def _template(cls, v: str) -> str:
        try:
            list(Formatter().parse(v))
        except ValueError as e:
            raise ValueError(f"message template {v!r}: {e} (write {{{{ and }}}} for literal braces)") from None
        return v


class Pattern(_Strict):
    field: str
    regex: str


class Lexicon(_Strict):
    fields: list[str] | None = None
    terms: list[str] = Field(default_factory=list)
    allow: list[str] = Field(default_factory=list)  # phrases masked before terms are matched
    file: str | None = None  # a TOML file in the theory folder adding terms and allow (LexiconFile)


class LexiconFile(_Strict):
    """A lexicon data file: [terms] and [allow] tables of lists (keys group them, e.g. by topic or language)."""

    terms: dict[str, list[str]] = Field(default_factory=dict)
    allow: dict[str, list[str]] = Field(default_factory=dict)


class _FeatureTables(_Strict):
    min_chars: int = Field(0, ge=0)
    max_chars: int = Field(10**9, ge=1)
    patterns: dict[str, Pattern] = Field(default_factory=dict)
    mentions: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    lexicons: dict[str, Lexicon] = Field(default_factory=dict)


# plus one table per whole-persona check (hachimi/facts/checks.py), which checks its own keys
Features = create_model("Features", __base__=_FeatureTables, **{name: (dict | None, None) for name in CHECKS})


class Repair(_Strict):
    weights: dict[str, int] = Field(default_factory=dict)


class TheoryFile(_Strict):
    theory: TheoryInfo = Field(default_factory=TheoryInfo)
    features: Features = Field(default_factory=Features)
    repair: Repair = Field(default_factory=Repair)
    rule: list[RuleEntry] = Field(default_factory=list)


def first_error(e: ValidationError, raw: dict) -> tuple[str, str | None]:
    """(message naming table and key, rule id if inside a [[rule]])."""
    from ..pydantic_errors import describe

    err = e.errors()[0]
    loc = err["loc"]
    rid = None
    if loc and loc[0] == "rule" and len(loc) > 1 and isinstance(loc[1], int):
        entry = raw.get("rule", [])[loc[1]]
        rid = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
    text = describe(e, "constraints/k12/theory.toml").split("; ")[0]
    if rid:  # the error carries the rule id itself: "[age-grade] message: ..."
        text = text.replace(f"[[rule]] #{loc[1] + 1} ", "", 1)
    return text, rid
