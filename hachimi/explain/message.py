"""Rule message template + persona values + violation key/details -> the message a person reads."""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")


def _show(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(map(_show, v))
    return str(v)


def render_message(template: str, values: dict[str, Any], key: Any, details: dict[str, Any]) -> str:
    """Fill {field.path}, {key} and {detail} placeholders; an unknown one is left visible as {name}."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name == "key":
            return _show(key)
        if name in details:
            return _show(details[name])
        if name in values:
            return _show(values[name])
        return m.group(0)

    return _PLACEHOLDER.sub(sub, template)


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)
