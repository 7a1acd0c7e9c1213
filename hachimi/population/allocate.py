"""Plan + N -> exact integer counts per cell (Z3 controlled rounding): they sum to N, every one-way
marginal equals its ideal count rounded by largest remainder, every cell is within 1 of its ideal
count, and population constraints hold."""

from __future__ import annotations

from collections import defaultdict

from ..errors import HachimiError
from .plan import Plan


def largest_remainder(ideal: dict, n: int) -> dict:
    floors = {k: int(round(x, 9)) for k, x in ideal.items()}
    rest = n - sum(floors.values())
    # remainders rounded so that float noise from summation order cannot change the tie-break
    for k in sorted(ideal, key=lambda k: (-round(ideal[k] - floors[k], 9), str(k)))[:rest]:
        floors[k] += 1
    return floors


def allocate(plan: Plan, n: int, seed: int = 0, impossible: set | None = None) -> dict[tuple, int]:
    """Cell -> count. Controlled rounding: each cell gets floor or ceil of its ideal count, so every
    cell is within 1 of its ideal; the total and every one-way marginal equal their largest-remainder
    roundings exactly; population constraints hold. Z3 finds the rounding (deterministic for a seed);
    if none exists, cells may move by 2 before the plan is refused."""
    impossible = impossible or set()
    cells = list(plan.weights)
    live = {c: (0.0 if c in impossible else plan.weights[c]) for c in cells}
    total = sum(live.values())
    if total == 0:
        raise HachimiError("every cell of the plan is impossible under the theory")
    ideal = {c: n * w / total for c, w in live.items()}
    for slack in (0, 1):
        found = _solve(plan, cells, ideal, n, seed, slack)
        if found is not None:
            return found
    raise HachimiError(
        f"{plan.file}: no allocation of {n} personas meets every marginal and population "
        "constraint; relax a [[population]] constraint or change N"
    )


def _solve(plan: Plan, cells: list, ideal: dict, n: int, seed: int, slack: int) -> dict | None:
    import math
    import z3

    names = list(plan.variables)
    lo = {c: max(0, math.floor(ideal[c]) - slack) if ideal[c] > 0 else 0 for c in cells}
    hi = {c: (math.ceil(ideal[c]) + slack if ideal[c] > 0 else 0) for c in cells}
    ctx = z3.Context()  # a fresh context: the same inputs always give the same model
    x = {c: z3.Int(f"x{i}", ctx) for i, c in enumerate(cells)}
    opt = z3.SolverFor("QF_LIA", ctx=ctx)
    opt.set("random_seed", seed % 2**31)
    for c in cells:
        opt.add(x[c] >= lo[c], x[c] <= hi[c])
    opt.add(z3.Sum(list(x.values())) == n)
    for i, v in enumerate(names):
        marg = defaultdict(float)
        for c in cells:
            marg[c[i]] += ideal[c]
        for value, count in largest_remainder(marg, n).items():
            opt.add(z3.Sum([x[c] for c in cells if c[i] == value]) == count)
    for pc in plan.population:
        _population(opt, x, cells, names, pc, ctx)
    if opt.check() != z3.sat:
        return None
    m = opt.model()
    return {c: m.eval(x[c], model_completion=True).as_long() for c in cells}


def _population(opt, x, cells, names, pc: dict, ctx) -> None:
    """share of cells matching `is` among cells matching `where` within [min, max]."""
    import z3
    from .plan import _matches

    where, is_ = pc.get("where", {}), pc.get("is", {})
    group = [c for c in cells if _matches(dict(zip(names, c)), where)]
    hit = [c for c in group if _matches(dict(zip(names, c)), is_)]
    g, h = z3.Sum([x[c] for c in group] or [z3.IntVal(0, ctx)]), z3.Sum([x[c] for c in hit] or [z3.IntVal(0, ctx)])
    if "min" in pc:
        opt.add(h * 1000 >= int(pc["min"] * 1000) * g)
    if "max" in pc:
        opt.add(h * 1000 <= int(pc["max"] * 1000) * g)
