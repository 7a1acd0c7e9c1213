"""usearch loaded before clingo and z3 broke both for the rest of the process (clingo: std::bad_cast,
z3: every number read as ''). The HNSW index loads the solvers first: a process that dedups and then
validates works. A fresh interpreter, since this test's own process may have loaded them already."""

import subprocess
import sys

SCRIPT = """
import numpy as np
from hachimi.dedup.clusters import _Leaders
leaders = _Leaders(8, exact=2)
for k, v in enumerate(np.eye(8, dtype="float32")[:4]):
    leaders.add(f"p{k}", v)
assert leaders.index is not None
import clingo, z3
c = clingo.Control(["--warn=none"])
c.add("base", [], "a(1). b(X+1) :- a(X).")
c.ground([("base", [])])
seen = []
c.solve(on_model=lambda m: seen.extend(str(s) for s in m.symbols(atoms=True)))
x = z3.Int("x")
s = z3.Solver()
s.add(x > 41, x < 43)
s.check()
print(sorted(seen), s.model()[x].as_long())
"""


def test_solvers_work_after_the_hnsw_index_is_built():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["['a(1)',", "'b(2)']", "42"]
