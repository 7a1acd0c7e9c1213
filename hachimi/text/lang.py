"""Text -> its language ('en' or 'zh'): the one language detector of the text layer.

A Han character carries about as much text as three Latin letters, so a text is Chinese when its
Han characters, weighted by three, at least match its Latin letters; ASCII text is English."""

from __future__ import annotations

import re

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


def language_of(*texts: str) -> str:
    """'zh' if Han characters (x3) weigh at least as much as Latin letters in the texts, else 'en'."""
    joined = "\n".join(t for t in texts if isinstance(t, str))
    if joined.isascii():
        return "en"
    han = len(HAN.findall(joined))
    return "zh" if han and han * 3 >= len(LATIN.findall(joined)) else "en"
