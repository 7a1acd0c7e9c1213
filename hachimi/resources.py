"""Where the bundled data lives: hachimi/data/{constraints,models,grammars} inside the package, so a
built wheel carries its theory, model configs and grammars (the repository's top-level
constraints/, models/ and grammars/ are links to these folders). HACHIMI_MODELS_DIR adds a folder
of model configs of your own."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DATA = Path(str(files("hachimi").joinpath("data")))
CONSTRAINTS = DATA / "constraints"
MODELS = DATA / "models"
GRAMMARS = DATA / "grammars"
