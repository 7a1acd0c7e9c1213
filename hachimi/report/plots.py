"""Metrics + personas -> PNG plots (matplotlib, headless)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _words(name: str) -> str:
    return name.replace("_", " ")


def quota(metrics: dict, out: Path) -> Path:
    """Planned vs realised personas per cell of the first slot variable x the slot variable of the
    realism `by` field (k12: grade x academic level), summed over the others."""
    plt = _plt()
    cells = metrics["quota"]["cells"]
    names = [kv.split("=", 1)[0] for kv in next(iter(cells), "").split(",") if "=" in kv]
    target = ((metrics.get("population") or {}).get("by") or {}).get("variable") or ""
    axes = names[:1] + ([target] if target in names[1:] else [])
    by = {}
    for label, c in cells.items():
        parts = dict(kv.split("=", 1) for kv in label.split(",") if "=" in kv)
        key = tuple(parts.get(v, "?") for v in axes)
        p, r = by.get(key, (0, 0))
        by[key] = (p + c["planned"], r + c["realised"])
    keys = sorted(by, key=lambda k: tuple((int(x), "") if x.isdigit() else (0, x) for x in k))
    fig, ax = plt.subplots(figsize=(12, 3.5))
    xs = range(len(keys))
    ax.bar([x - 0.2 for x in xs], [by[k][0] for k in keys], 0.4, label="planned")
    ax.bar([x + 0.2 for x in xs], [by[k][1] for k in keys], 0.4, label="realised")
    ax.set_xticks(list(xs), ["\n".join([*k[:1], *(x[:3] for x in k[1:])]) for k in keys], fontsize=7)
    ax.set_title(f"Quota: planned vs realised personas per {' x '.join(map(_words, axes)) or 'cell'}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "quota.png", dpi=110)
    plt.close(fig)
    return out / "quota.png"


def rules(metrics: dict, out: Path) -> Path:
    plt = _plt()
    rates = metrics["rule_rates_first_pass"]
    keys = sorted(rates, key=rates.get, reverse=True)[:20]
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(3, len(keys)) + 1))
    ax.set_title("Rules that fired before revision")
    if not keys:  # say so, not an empty frame with meaningless axes
        ax.axis("off")
        ax.text(0.5, 0.5, "no rule fired on any first-pass proposal", ha="center", va="center", transform=ax.transAxes)
    else:
        ax.barh(keys[::-1], [rates[k] for k in keys[::-1]])
        ax.set_xlabel("share of first-pass proposals")
    fig.tight_layout()
    fig.savefig(out / "rules.png", dpi=110)
    plt.close(fig)
    return out / "rules.png"


def yerr(points: list[float], lows: list[float], highs: list[float]) -> list[list[float]]:
    """Error-bar lengths below and above each point, clipped at 0 (a percentile bootstrap interval
    need not contain its point estimate) and 0 where the interval is unknown (NaN)."""
    import math

    def gap(a: float, b: float) -> float:
        return 0.0 if math.isnan(a) or math.isnan(b) else max(0.0, a - b)

    return [[gap(p, lo) for p, lo in zip(points, lows)], [gap(hi, p) for p, hi in zip(points, highs)]]


def levels(counts, out: Path, population: dict | None = None) -> Path:
    """One panel per group of rated dimensions in the theory's schema.toml (k12: values and
    creativity; k12-motivation adds needs, regulation, math beliefs): the share of each scale
    value by the slot's target level: the slot variable bound to the realism `by` field
    (population table), else the first slot variable; one bar without a slot. `counts`: the
    report's tally of values (tally.LevelCounts)."""
    plt = _plt()
    schema, spec = counts.schema, counts.spec
    variable = ((population or {}).get("by") or {}).get("variable") or (spec.variables[0] if spec else "")
    targets = tuple(schema.slot_domain(variable)) if variable else ("",)
    at = spec.variables.index(variable) if variable else None
    groups = counts.groups
    cols = min(3, max(1, len(groups)))
    rows = -(-max(1, len(groups)) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.axis("off")
    for ax, group in zip(axes.flat, groups):
        fields = [f for f in schema.fields if f.group == group]
        scale = fields[0].domain
        by_level = {lv: Counter() for lv in targets}
        for (g, key, v), c in counts.counts.items():
            lv = key[at] if at is not None else ""
            if g == group and lv in by_level:
                by_level[lv][v] += c
        bottom = [0] * len(targets)
        for v in scale:
            h = [by_level[lv][v] / max(1, sum(by_level[lv].values())) for lv in targets]
            ax.bar([str(t) for t in targets], h, bottom=bottom, label=v)
            bottom = [b + x for b, x in zip(bottom, h)]
        ax.set_title(f"{group} by target {_words(variable) or 'cell'}", fontsize=9)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars, not over them
    fig.tight_layout()
    fig.savefig(out / "levels.png", dpi=110)
    plt.close(fig)
    return out / "levels.png"


def population(table: dict, out: Path) -> Path | None:
    """Each realism measure's share by level of its `by` field with its 95% interval (hollow: too
    few to judge); None when the theory declares no measures."""
    if not table.get("measures"):
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    measures = table["measures"]
    levels = table["by"]["values"]
    width = 0.5 / max(1, len(measures))
    for i, (key, m) in enumerate(measures.items()):
        xs, ys, err, hollow = [], [], [[], []], []
        for x, lv in enumerate(levels):
            s = m["by_level"][lv]
            if not s["n"]:
                continue
            xs.append(x - 0.25 + (i + 0.5) * width)
            ys.append(s["share"])
            err[0].append(s["ci"][0])
            err[1].append(s["ci"][1])
            hollow.append(not s["judged"])
        line = ax.errorbar(xs, ys, yerr=yerr(ys, *err), marker="o", capsize=3, label=f"{m['label']} ({m['verdict']})")
        for x, y, h in zip(xs, ys, hollow):
            if h:
                ax.plot([x], [y], "o", color="white", markeredgecolor=line[0].get_color())
    ax.set_xticks(range(len(levels)), levels)
    ax.set_xlabel(table["by"]["label"])
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share (95% interval)")
    ax.set_title(f"Population realism by {table['by']['label']}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(out / "population.png", dpi=110)
    plt.close(fig)
    return out / "population.png"
