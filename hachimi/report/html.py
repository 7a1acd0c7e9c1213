"""Metrics + plot files -> a static index.html (no scripts, no external assets)."""

from __future__ import annotations

import html
import json
from pathlib import Path

_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f4f4f4}.num{text-align:right}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
.ok{color:#080}.bad{color:#b00}.few{color:#888}"""


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return html.escape(str(v))


_VERDICT_CLASS = {"plausible": "ok", "implausible": "bad"}


def _share(s: dict) -> str:
    text = f"{s['share']:.0%} [{s['ci'][0]:.0%}&ndash;{s['ci'][1]:.0%}]<br><small>n={s['n']}</small>"
    return f"<td class=num>{text}</td>" if s["judged"] else f"<td class='num few'>{text} (too few)</td>"


def _population(pop: dict | None, png: Path | None) -> str:
    """The "Population realism" section: the theory's measures by the levels of their `by` field,
    verdicts, the split measure by level x the split field (a note where the theory has none)."""
    if not pop:
        return ""
    if not pop.get("measures"):
        return f"<h2>Population realism</h2><p>{html.escape(pop.get('note', 'not measured'))}.</p>"
    by = pop["by"]
    levels = by["values"]
    head = "".join(f"<th>{html.escape(str(lv))}</th>" for lv in levels)
    rows = "".join(
        f"<tr><th>{html.escape(m['label'])}<br><small>{html.escape(m['unit'])}; {html.escape(m['direction'])}; "
        f"heuristic cap for {html.escape(str(levels[0]))}: {m['high_max']:.0%}</small></th>"
        + "".join(_share(m["by_level"][lv]) for lv in levels)
        + f"<td class={_VERDICT_CLASS.get(m['verdict'], 'few')}>"
        f"{html.escape(m['message'])}</td></tr>"
        for m in pop["measures"].values()
    )
    split = ""
    if s := pop.get("split"):
        table = pop[s["table"]]
        title = pop["measures"][s["measure"]]["label"]
        title = f"{title[:1].upper()}{title[1:]}, by {by['label']} x {s['label']}"
        cells = "".join(
            f"<tr><th>{html.escape(str(g))}</th>" + "".join(_share(table[lv][g]) for lv in levels) + "</tr>"
            for g in next(iter(table.values()))
        )
        split = f"""
<h3>{html.escape(title)}</h3>
<table><tr><th>{html.escape(s["label"])}</th>{head}</tr>{cells}</table>"""
    img = f'<img src="{png.name}" alt="{png.stem}">' if png else ""
    unplaced = (
        f"<p>{pop['unplaced']} personas have no known {html.escape(by['label'])} and are left out.</p>"
        if pop["unplaced"]
        else ""
    )
    return f"""<h2>Population realism</h2><p>{html.escape(pop["ci"])}. A level with fewer than
{pop["thresholds"]["min_n"]} personas is too few to judge (grey); the caps are heuristics.</p>{unplaced}
<table><tr><th>measure</th>{head}<th>verdict</th></tr>{rows}</table>{split}{img}"""


def render(
    metrics: dict,
    manifest: dict,
    plots: list[Path],
    out: Path,
    audit_link: str | None = None,
    population_png: Path | None = None,
    survey_links: list[str] | None = None,
) -> Path:
    q = metrics["quota"]
    headline = [
        ("personas", metrics["personas"]),
        ("schema-valid", metrics["schema_valid"]),
        ("theory-valid (re-validated)", metrics["theory_valid"]),
        ("first-pass valid", metrics["first_pass_valid"]),
        ("cells exactly on quota", f"{q['exact_cells']} / {len(q['cells'])}"),
        ("quota KL", q["kl"]),
        ("shortfall", q["shortfall"]),
        (
            "Distinct-1 / 2 (corpus)" + (" (HyperLogLog++ estimate)" if metrics.get("distinct_estimated") else ""),
            f"{metrics['distinct_1']:.3f} / {metrics['distinct_2']:.3f}",
        ),
        (
            "Distinct-1 / 2 (per record, original)",
            f"{metrics['distinct_1_per_record']:.3f} / {metrics['distinct_2_per_record']:.3f}",
        ),
        ("Self-BLEU", metrics["self_bleu"]),
        (
            "near-duplicates (lexical / semantic; in clusters)",
            f"{metrics['lexical_duplicates']} / {metrics.get('semantic_duplicates')}; "
            f"{metrics['lexical_clusters']} / {metrics.get('semantic_clusters')}",
        ),
        (
            "attempts rejected as near-duplicates (refilled while attempts remained)",
            metrics["near_duplicates_rejected"],
        ),
        ("embedding diversity", metrics.get("embedding_diversity")),
        (
            "sample for Self-BLEU and the embedding metrics (seeded)",
            f"{metrics['sample']['size']} of {metrics['sample']['of']} personas",
        ),
        (
            "LLM calls / tokens per accepted persona",
            f"{metrics['llm_calls_per_accepted']:.2f} / {metrics['tokens_per_accepted']:.0f}",
        ),
        (
            "engine-s / wall-s per accepted persona",
            f"{metrics.get('engine_seconds_per_accepted', 0):.2f} / {metrics.get('wall_seconds_per_accepted', 0):.2f}"
            f" ({metrics.get('concurrency', 1)} slots in flight)",
        ),
    ]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td class=num>{_fmt(v)}</td></tr>" for k, v in headline)
    rules = "".join(
        f"<tr><td>{html.escape(k)}</td><td class=num>{v:.3f}</td></tr>"
        for k, v in sorted(metrics["rule_rates_first_pass"].items(), key=lambda kv: -kv[1])
    )
    cells = "".join(
        f"<tr><td>{html.escape(c)}</td><td class=num>{v['planned']}</td><td class=num>{v['realised']}</td>"
        f"<td class='num {'ok' if v['planned'] == v['realised'] else 'bad'}'>{v['realised'] - v['planned']:+d}</td></tr>"
        for c, v in q["cells"].items()
        if v["planned"]
    )
    imgs = "".join(f'<img src="{p.name}" alt="{p.stem}">' for p in plots)
    ident = manifest.get("identity", {})
    meta = html.escape(
        json.dumps(
            {
                "plan": manifest.get("plan"),
                "model": (manifest.get("model") or {}).get("name"),
                "theory": manifest.get("theory"),
                "seed": ident.get("seed"),
                "status": manifest.get("status"),
            }
        )
    )
    link = (
        f'<p><a href="{html.escape(audit_link)}">Audit page: rejected attempts and their cores</a></p>'
        if audit_link
        else ""
    )
    link += "".join(
        f'<p><a href="{html.escape(s)}">Survey report: the personas as student agents vs human data ({html.escape(Path(s).parent.parent.name)})</a></p>'
        for s in survey_links or []
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>hachimi run report</title><style>{_CSS}</style></head>
<body><h1>hachimi run report</h1><p><code>{meta}</code></p>{link}
<h2>Summary</h2><table>{rows}</table>{imgs}
{_population(metrics.get("population"), population_png)}
<h2>Rules fired before revision (share of first-pass proposals)</h2><table><tr><th>rule</th><th>rate</th></tr>{rules}</table>
<h2>Quota per cell</h2><table><tr><th>cell</th><th>planned</th><th>realised</th><th>diff</th></tr>{cells}</table>
</body></html>"""
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"
