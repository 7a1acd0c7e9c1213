"""No generic module names anything of the bundled k12 theory: its parts, agents, fields (paths,
path components, predicates), dimensions, scale values, slot variables or rule ids live in its pack
(constraints/k12) and its plug-in folder (hachimi/plugins/k12), which generic code never imports
by name. (tests/theory/test_motivation_pack.py does the same for k12-motivation.)"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from generic_names import code_words, string_literals

PLUGINS = ROOT / "hachimi" / "plugins"
# Words k12 uses that are also the generic vocabulary of hachimi itself: the slot and person roles
# every schema.toml may declare ([slot], [person]), the kinds and facts of the text layer, the
# validation stage, negation tiers, a JSON key "values" (k12's part of that name is still caught by
# its paths, "values.narrative"), and the survey's own "risk" stratum (hachimi/survey/prompts/
# cohorts.toml, PISA's layout). A k12 field is still caught by its path ("enrollment.age") and by its
# other components.
GENERIC = {
    "id", "slot", "cell", "name", "agent_name", "gender", "age", "text", "level", "levels", "narrative",
    "required", "stage", "strong", "weak", "mild", "low", "high", "medium", "it", "traits", "condition",
    "values", "risk",
}  # fmt: skip


@pytest.fixture(scope="module")
def k12_names(theory) -> tuple[set[str], set[str]]:
    s = theory.schema
    names = set(s.parts) | set(s.owners) | set(s.groups) | set(s.scales)
    names |= {d for g in s.groups.values() for d in g.dimensions}
    for f in s.fields:
        names |= {*f.path.split("."), f.pred, *map(str, f.extra), *map(str, f.domain)}
    names |= set(theory.rules) | {r.ref for r in theory.rules.values()}
    names |= set(s.slot.variables) | {s.slot.bias}
    names = {n for n in names if not n.isdigit()} - GENERIC
    return names, {f.path for f in s.fields if "." in f.path}


def _generic_modules():
    return [p for p in sorted((ROOT / "hachimi").rglob("*.py")) if PLUGINS not in p.parents]


def test_the_names_are_k12s(k12_names):
    names, paths = k12_names
    assert {"enrollment", "academic_level", "moral_cultivation", "age-grade", "subject_bias", "piaget"} <= names
    assert "enrollment.grade" in paths


def test_no_generic_module_names_k12(k12_names):
    names, paths = k12_names
    hits = []
    for py in _generic_modules():
        rel = py.relative_to(ROOT)
        hits += [f"{rel}: {p!r}" for p in sorted(paths & string_literals(py))]
        hits += [f"{rel}: {w}" for w in sorted(names & code_words(py))]
    assert not hits, "\n".join(hits)


def test_no_generic_module_imports_a_plugin():
    pattern = re.compile(r"^\s*(?:from|import)\s+(?:hachimi\.plugins|\.+plugins)\.\w+", re.M)
    hits = [str(p.relative_to(ROOT)) for p in _generic_modules() if pattern.search(p.read_text(encoding="utf-8"))]
    assert not hits, hits


def test_importing_validate_loads_no_pack():
    """`import hachimi.validate` reads no schema.toml or theory.toml (the command loads the theory)."""
    import subprocess
    import sys

    code = (
        "import builtins, pathlib, sys\n"
        "seen = []\n"
        "orig = pathlib.Path.read_text\n"
        "def spy(self, *a, **k):\n"
        "    seen.append(self.name)\n"
        "    return orig(self, *a, **k)\n"
        "pathlib.Path.read_text = spy\n"
        "import hachimi.validate\n"
        "print(sorted(n for n in seen if n.endswith('.toml')))\n"
        "print(sorted(m for m in sys.modules if m.startswith('hachimi.plugins')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.splitlines() == ["[]", "[]"], out
