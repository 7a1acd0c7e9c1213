"""Metrics + personas -> PNG plots (matplotlib, headless)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def quota(metrics: dict, out: Path) -> Path:
    plt = _plt()
    cells = metrics["quota"]["cells"]
    by = {}
    for label, c in cells.items():
        parts = dict(kv.split("=", 1) for kv in label.split(","))
        key = (parts.get("grade", "?"), parts.get("academic_level", "?"))
        p, r = by.get(key, (0, 0))
        by[key] = (p + c["planned"], r + c["realised"])
    keys = sorted(by, key=lambda k: (int(k[0]) if k[0].isdigit() else 0, k[1]))
    fig, ax = plt.subplots(figsize=(12, 3.5))
    xs = range(len(keys))
    ax.bar([x - 0.2 for x in xs], [by[k][0] for k in keys], 0.4, label="planned")
    ax.bar([x + 0.2 for x in xs], [by[k][1] for k in keys], 0.4, label="realised")
    ax.set_xticks(list(xs), [f"g{k[0]}\n{k[1][:3]}" for k in keys], fontsize=7)
    ax.set_title("Quota: planned vs realised personas per grade x academic level")
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
    ax.barh(keys[::-1], [rates[k] for k in keys[::-1]])
    ax.set_xlabel("share of first-pass proposals")
    ax.set_title("Rules that fired before revision")
    fig.tight_layout()
    fig.savefig(out / "rules.png", dpi=110)
    plt.close(fig)
    return out / "rules.png"


def levels(personas: list[dict], out: Path) -> Path:
    plt = _plt()
    from ..schema import enums as E

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    for ax, part in zip(axes, ("values", "creativity")):
        by_level = {lv: Counter() for lv in E.ACADEMIC_LEVELS}
        for p in personas:
            lv = p.get("slot", {}).get("academic_level")
            for v in p.get(part, {}).get("levels", {}).values():
                if lv in by_level:
                    by_level[lv][v] += 1
        bottom = [0] * 4
        for v in E.LEVELS:
            h = [by_level[lv][v] / max(1, sum(by_level[lv].values())) for lv in E.ACADEMIC_LEVELS]
            ax.bar(E.ACADEMIC_LEVELS, h, bottom=bottom, label=v)
            bottom = [b + x for b, x in zip(bottom, h)]
        ax.set_title(f"{part} levels by target academic level")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(out / "levels.png", dpi=110)
    plt.close(fig)
    return out / "levels.png"
