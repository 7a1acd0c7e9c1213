"""A pack's TOML data file -> (its tables, its text): not UTF-8, a TOML syntax error (with its line)
or a missing file is a TheoryError naming the file; the caller checks the tables."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import TheoryError


def read_toml(path: Path, what: str = "a data file of the pack") -> tuple[dict, str]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except FileNotFoundError:
        raise TheoryError(f"no such file ({what})", file) from None
    except UnicodeDecodeError as e:
        raise TheoryError(f"not UTF-8 (byte {e.start + 1})", file) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise TheoryError(f"TOML syntax: {e}", file, int(m.group(1)) if m else None) from None
