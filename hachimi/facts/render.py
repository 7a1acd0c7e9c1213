"""Fact (+ polarity) -> the short text auditors read in a core, e.g. 'enrollment.age=13'."""

from __future__ import annotations

from .reader import Fact

_FLAG_TEXT = {
    "multi_paragraph": ("has more than one paragraph", "is a single paragraph"),
    "list_marker": ("contains list markers", "has no list markers"),
    "too_short": ("is too short", "is long enough"),
    "too_long": ("is too long", "is short enough"),
    "repeated_sentence": ("repeats a sentence", "repeats no sentence"),
    "missing": ("is missing or empty", "is present"),
    "invalid_value": ("is not an allowed value", "is an allowed value"),
}


def render(fact: Fact, positive: bool = True, kinds: dict[str, str] | None = None) -> str:
    """`kinds`: predicate -> the kind of the field it holds (schema.toml): members of a set field
    read as ∋ / ∌, a count field as "has N items"."""
    p, v = fact.field, fact.value
    kind = (kinds or {}).get(fact.pred)
    if fact.pred in _FLAG_TEXT:
        yes, no = _FLAG_TEXT[fact.pred]
        text = f"{p} {yes if positive else no}"
        return text if fact.pred != "invalid_value" or v is None else f"{p}={v} {yes}"
    if kind == "set":
        return f"{p}∋{v}" if positive else f"{p}∌{v}"
    if fact.pred == "dup":
        return f"{p} lists {v} twice" if positive else f"{p} lists {v} once"
    if kind == "count":
        return f"{p} has {v} items"
    if fact.pred == "unmentioned":
        return f"{p} does not mention {v}" if positive else f"{p} mentions {v}"
    if fact.pred == "term":  # a stem term ("hospitali*") reads as "hospitali…"
        v = v[:-1] + "\u2026" if isinstance(v, str) and v.endswith("*") else v
        return f'{p} contains "{v}"' if positive else f'{p} does not contain "{v}"'
    if fact.pred == "reads":  # the prose states a level for a dimension
        return f"{p} states a level for {v}" if positive else f"{p} states no level for {v}"
    if fact.pred == "allows":
        return f"{p} allows {v}" if positive else f"{p} does not allow {v}"
    if fact.pred == "unstated":
        return f"{p} names {v} without a level" if positive else f"{p} states a level for {v}"
    if fact.pred == "matches":
        return f"{p} matches the {v} pattern" if positive else f"{p} does not match the {v} pattern"
    return f"{p}={v}" if positive else f"{p}≠{v}"
