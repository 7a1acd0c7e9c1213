"""A theory's plug-in module, by the name its pack gives: the code a pack needs that cannot be data
(name spelling rules, a converter from another format, template prose). A pack names its module in
its own files (theory.toml [theory] plugin, [features.coherence] names): a dotted module path or a
.py file in the theory folder. Generic code reaches a plug-in only through `load_module`, never by
importing it by name (the bundled ones live in hachimi/plugins/)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

from .errors import TheoryError

_LOADED: dict[str, ModuleType] = {}


def load_module(spec: str, root: Path, file: str, key: str, needs: tuple[str, ...] = ()) -> ModuleType:
    """The module `spec` names (a dotted path, or a .py file relative to the theory folder `root`),
    checked to have the attributes `needs`; a TheoryError naming `file` and `key` otherwise."""
    if spec.endswith(".py"):
        path = (root / spec).resolve()
        name = f"hachimi_pack_{abs(hash(str(path)))}_{path.stem}"
        if name not in _LOADED:
            if not path.is_file():
                raise TheoryError(f"{key} = {spec!r}: no such file in the theory folder ({path})", file)
            loader = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(loader)
            try:
                loader.loader.exec_module(module)
            except Exception as e:  # noqa: BLE001 (a pack's code: report, do not crash)
                raise TheoryError(f"{key} = {spec!r}: the file fails to load ({type(e).__name__}: {e})", file) from None
            _LOADED[name] = module
        module = _LOADED[name]
    else:
        try:
            module = importlib.import_module(spec)
        except ImportError as e:
            raise TheoryError(f"{key} = {spec!r}: no such module ({e})", file) from None
    if missing := [n for n in needs if not hasattr(module, n)]:
        raise TheoryError(f"{key} = {spec!r}: the module lacks {', '.join(missing)}", file)
    return module
