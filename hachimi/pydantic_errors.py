"""A pydantic ValidationError -> 'table.key: what is wrong' lines in words (no Python type names),
for every checked file of the project (plans, theory.toml, model configs, instruments)."""

from __future__ import annotations

from pydantic import ValidationError


def describe(e: ValidationError, example: str = "plans/k12-balanced.toml") -> str:
    """Pydantic's errors as 'table.key: what is wrong' lines (no Python type names)."""
    out = []
    for err in e.errors():
        loc = ""
        for x in err["loc"]:
            loc += (
                f" #{x + 1}"
                if isinstance(x, int)
                else (
                    f"[[{x}]]"
                    if x in ("conditional", "population", "rule")
                    else ("." if loc and loc[-1] not in "]0123456789" else " " if loc else "") + str(x)
                )
            )
        loc = loc.replace("is_", "is")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key (check its spelling against {example})"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] in ("int_type", "int_parsing"):
            msg = f"must be a whole number, not {err.get('input')!r}"
        elif err["type"] in ("string_type",):
            msg = f"must be text, not {err.get('input')!r}"
        elif err["type"] in ("list_type",):
            msg = f"must be a list, not {err.get('input')!r}"
        elif err["type"] in ("less_than_equal", "greater_than_equal"):
            msg = msg.replace("Input should be", "must be")
        elif err["type"] == "literal_error":
            msg = msg.replace("Input should be", "must be") + f", not {err.get('input')!r}"
        elif err["type"] in ("dict_type", "model_type"):
            msg = f"must be a table, not {err.get('input')!r}"
        out.append(f"{loc}: {msg}")
    return "; ".join(out)
