"""A persona -> the student it plays in a survey, in the words of its theory.

The wording is the pack's (prompts/<language>/survey.toml, the nearest in the theory's chain): a
`persona` template whose placeholders are the [person] roles of schema.toml ($name, $agent_name,
$gender, $age: the fields the theory names for them), each [slot] variable by name ($grade: the
persona's slot, else the field it binds) and any field by its path in braces (${values.personality});
[words.<placeholder>] says a value in words, [missing] what a placeholder without a value says. The
file is checked with pydantic (strict) and its placeholders against the schema when it is read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import HachimiError, TheoryError
from ..jsonio import get_path


class Wording(Template):
    """$name, or a field path in braces: ${values.personality}."""

    braceidpattern = r"(?a:[_a-z][_a-z0-9]*(?:\.[_a-z][_a-z0-9]*)*)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SurveyFile(_Strict):
    persona: str
    words: dict[str, dict[str, str]] = {}  # placeholder -> value -> words
    missing: dict[str, str] = {}  # placeholder -> what it says without a value


@dataclass(frozen=True)
class Student:
    """One theory's student wording in one language."""

    template: Wording
    paths: dict  # placeholder -> how it is read: ("role"|"slot"|"field", name or path)
    words: dict
    missing: dict
    file: str

    def describe(self, persona: dict, schema) -> str:
        slot = schema.slot.of(persona) if schema.slot else {}
        values = {}
        for name, (kind, key) in self.paths.items():
            v = slot.get(key) if kind == "slot" else get_path(persona, key) if key else None
            if v is None or v == "" or v == []:
                values[name] = self.missing.get(name, "")
                continue
            text = ", ".join(map(str, v)) if isinstance(v, list) else str(v)
            values[name] = self.words.get(name, {}).get(text, text)
        return self.template.substitute(values)


def path(theory, language: str) -> Path | None:
    return next(
        (p for r in theory.roots if (p := r / "prompts" / language / "survey.toml").is_file()),
        None,
    )


def student(theory, language: str) -> Student:
    """The theory's student wording in `language`; an error naming where to write it if none."""
    p = path(theory, language)
    if p is None:
        where = theory.root / "prompts" / language / "survey.toml"
        raise HachimiError(
            f"the theory {theory.name} does not say who a persona is in a survey in {language}: write {where} "
            "(a `persona` template of its fields, see constraints/k12/prompts/en/survey.toml)"
        )
    return _read(p, theory.schema)


@lru_cache(maxsize=None)
def _read(p: Path, schema) -> Student:
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
        parsed = SurveyFile.model_validate(tomllib.loads(text))
    except UnicodeDecodeError as e:
        raise TheoryError(f"not UTF-8 (byte {e.start + 1})", file) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise TheoryError(f"TOML syntax: {e}", file, int(m.group(1)) if m else None) from None
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        raise TheoryError(f"{key}: {err['msg']}", file, _line(text, str(err["loc"][0]))) from None
    template = Wording(parsed.persona)
    roles = {f.name: getattr(schema.person, f.name) for f in fields(schema.person)}
    variables = set(schema.slot.variables) if schema.slot else set()
    paths = {}
    for m in template.pattern.finditer(parsed.persona):
        if m.group("invalid") is not None:
            raise TheoryError("persona: a lone $ (write $$ for a dollar sign)", file, _line(text, "persona"))
        name = m.group("named") or m.group("braced")
        if not name or name in paths:
            continue
        if name in roles:
            paths[name] = ("role", roles[name])
        elif name in variables:
            paths[name] = ("slot", name)
        elif name in schema.by_path:
            paths[name] = ("field", name)
        else:
            known = [*roles, *sorted(variables)]
            raise TheoryError(
                f"persona: ${name} is neither a [person] role nor a [slot] variable ({', '.join(known)}) "
                "nor a field of schema.toml (write a field as ${part.field})",
                file,
                _line(text, "persona"),
            )
    if bad := sorted((set(parsed.words) | set(parsed.missing)) - set(paths)):
        raise TheoryError(f"{bad[0]}: the persona template has no ${bad[0]}", file, _line(text, bad[0]))
    return Student(template, paths, parsed.words, parsed.missing, file)


def _line(text: str, key: str) -> int | None:
    m = re.search(rf"^\s*(?:\[[^\]]*\b{re.escape(key)}\b[^\]]*\]|\"?{re.escape(key)}\"?\s*=)", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None
