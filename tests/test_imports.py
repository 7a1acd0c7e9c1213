"""Importing hachimi, its validator and its CLI must not load torch or transformers."""

import subprocess
import sys


def test_import_loads_no_torch():
    code = (
        "import sys, hachimi, hachimi.validate, hachimi.cli.main, hachimi.explain.core; "
        "bad = [m for m in ('torch', 'transformers', 'llguidance', 'vllm', 'httpx2') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
