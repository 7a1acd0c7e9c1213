"""compare's results -> FOLDER/report/index.html with plots: agent vs human cohort means per
construct, the fidelity gradient (r per construct, with intervals), agent cohort means along each
ordered cohort variable (tiers) with their bootstrap intervals, and the hypothesis and pitfall tables."""

from __future__ import annotations

import html
import math
from pathlib import Path

from ..fsio import atomic_path, write_text
from .cohorts import vocabulary

_CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}
.pass{color:#080}.fail{color:#b00}.note{color:#666}"""


def _f(x, nd=2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def _plots(out: Path, doc: dict, scored) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..report.plots import yerr

    names = []
    corr = [c for c in doc["correlations"] if c["n_cohorts"]]
    if corr:
        cols = min(3, len(corr))
        rows = -(-len(corr) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.4 * rows), squeeze=False)
        for ax in axes.flat[len(corr) :]:
            ax.axis("off")
        for ax, c in zip(axes.flat, corr):
            xs = [p["human"] for p in c["pairs"]]
            ys = [p["agent"] for p in c["pairs"]]
            ax.scatter(xs, ys, s=18)
            ax.set_title(f"{c['construct']}: r {_f(c['pearson_r'])} (n={c['n_cohorts']})", fontsize=9)
            ax.set_xlabel("human cohort mean", fontsize=8)
            ax.set_ylabel("agent cohort mean (z)", fontsize=8)
        fig.tight_layout()
        with atomic_path(out / "scatter.png") as tmp:  # whole or not at all (a full disk)
            fig.savefig(tmp, dpi=100)
        plt.close(fig)
        names.append("scatter.png")
        ordered = sorted(corr, key=lambda c: -(c["pearson_r"] if not math.isnan(c["pearson_r"]) else -9))
        fig, ax = plt.subplots(figsize=(7, 3))
        rs = [c["pearson_r"] for c in ordered]
        err = yerr(rs, [c["r_ci"][0] for c in ordered], [c["r_ci"][1] for c in ordered])
        ax.bar([c["construct"] for c in ordered], [0 if math.isnan(r) else r for r in rs], yerr=err, capsize=3)
        ax.axhline(0, color="#888", lw=0.8)
        ax.set_ylim(-1, 1)
        ax.set_ylabel("Pearson r, agent vs human")
        ax.set_title("Fidelity gradient across constructs")
        fig.tight_layout()
        with atomic_path(out / "fidelity.png") as tmp:  # whole or not at all (a full disk)
            fig.savefig(tmp, dpi=100)
        plt.close(fig)
        names.append("fidelity.png")
    vocab = vocabulary()
    for variable in vocab.ordered:  # the agents' means along each ordered cohort variable (tiers)
        rows = [c for c in scored.cohorts if c["kind"] == variable]
        if not rows:
            continue
        order = list(vocab.variables[variable])
        fig, ax = plt.subplots(figsize=(9, 3.2))
        for i, construct in enumerate(scored.constructs):
            pts = sorted((order.index(c["key"]), c) for c in rows if c["construct"] == construct and c["key"] in order)
            if not pts:
                continue
            xs = [x + (i - len(scored.constructs) / 2) * 0.05 for x, _ in pts]
            ys = [c["mean_z"] for _, c in pts]
            err = yerr(ys, [c["ci_low"] for _, c in pts], [c["ci_high"] for _, c in pts])
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=2, label=construct)
        ax.set_xticks(range(len(order)), order)
        ax.set_ylabel("agent mean z (95% CI)")
        ax.set_title(f"Agent construct means by {vocab.labels[variable]}")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        else:
            ax.text(0.5, 0.5, f"no persona placed by {vocab.labels[variable]}", ha="center", transform=ax.transAxes)
        fig.tight_layout()
        png = f"{variable}s.png"
        with atomic_path(out / png) as tmp:  # whole or not at all (a full disk)
            fig.savefig(tmp, dpi=100)
        plt.close(fig)
        names.append(png)
    return names


def render(folder: Path, doc: dict, scored) -> Path:
    out = folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    pngs = _plots(out, doc, scored)
    h = [f"<html><head><meta charset='utf-8'><title>survey</title><style>{_CSS}</style></head><body>"]
    h.append(
        f"<h1>Survey: {html.escape(folder.name)}</h1><p>{doc['personas']} personas. Reference: {html.escape(str(doc['reference']))}</p>"
    )
    if doc["correlations"]:
        h.append(
            "<h2>Agent vs human cohort means</h2><table><tr><th>construct</th><th>cohorts</th><th>Pearson r</th><th>95% CI</th><th>Spearman rho</th><th>95% CI</th></tr>"
        )
        for c in doc["correlations"]:
            h.append(
                f"<tr><td>{c['construct']}</td><td>{c['n_cohorts']}</td><td>{_f(c['pearson_r'])}</td><td>[{_f(c['r_ci'][0])}, {_f(c['r_ci'][1])}]</td>"
                f"<td>{_f(c['spearman_rho'])}</td><td>[{_f(c['rho_ci'][0])}, {_f(c['rho_ci'][1])}]</td></tr>"
            )
        h.append("</table>")
    else:
        h.append("<p class='note'>No human reference given: only the agents' own results below.</p>")
    h.append(
        "<h2>Directional hypotheses</h2><table><tr><th>id</th><th>construct</th><th>expect</th><th>effect</th><th>value</th><th>95% CI</th><th>n</th><th>verdict</th></tr>"
    )
    for x in doc["hypotheses"]:
        cls = "pass" if x["verdict"] == "pass" else "fail" if x["verdict"] == "fail" else ""
        h.append(
            f"<tr><td title='{html.escape(x['citation'])}'>{x['id']}</td><td>{x['construct']}</td><td>{html.escape(x['expect'])}</td><td>{x['effect']}</td>"
            f"<td>{_f(x['value'])}</td><td>[{_f(x['ci'][0])}, {_f(x['ci'][1])}]</td><td>{x['n']}</td><td class='{cls}'>{x['verdict']}</td></tr>"
        )
    h.append("</table>")
    if doc.get("figures"):
        h.append(
            "<h2>Published human figures</h2><p class='note'>Each figure beside the personas' estimate of it; "
            "what each can and cannot test is in its row's tooltip and in compare.json.</p><table><tr><th>figure</th>"
            "<th>construct</th><th>population</th><th>year</th><th>published</th><th>unit</th><th>personas</th>"
            "<th>95% CI</th><th>n</th><th>tests</th><th>verdict</th></tr>"
        )
        for f in doc["figures"]:
            tip = html.escape(f"{f['source']} | can test: {f['can_test']} | cannot: {f['cannot_test']}", quote=True)
            h.append(
                f"<tr><td title='{tip}'>{html.escape(f['id'])}</td><td>{f['construct']}</td><td>{html.escape(f['population'])}</td>"
                f"<td>{f['year']}</td><td>{_f(f['value'], 3)}</td><td>{html.escape(f['unit'])}</td><td>{_f(f['estimate'], 3)}</td>"
                f"<td>[{_f(f['ci'][0], 3)}, {_f(f['ci'][1], 3)}]</td><td>{f['n']}</td><td>{f['tests']}</td><td>{f['verdict']}</td></tr>"
            )
        h.append("</table>")
    if used := doc.get("answers"):
        left = {k: v for k, v in used.items() if k != "blocks_used" and v}
        if left:
            h.append(
                "<p class='note'>Answers left out: "
                + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in left.items())
                + ".</p>"
            )
    h.append(
        "<h2>Pitfall controls</h2><table><tr><th>construct</th><th>answers</th><th>refusal rate</th><th>acquiescence</th><th>option order |change|</th><th>signed</th><th>agent SD</th><th>human SD</th><th>ratio</th></tr>"
    )
    for p in doc["pitfalls"]:
        h.append(
            f"<tr><td>{p['construct']}</td><td>{p['answers']}</td><td>{_f(p['refusal_rate'])}</td><td>{_f(p['acquiescence'])} (n={p['acquiescence_n']})</td>"
            f"<td>{_f(p['order_abs_change'])} (n={p['order_n']})</td><td>{_f(p['order_signed_change'])}</td><td>{_f(p['agent_sd_raw'])}</td>"
            f"<td>{_f(p['human_sd_raw'])}</td><td>{_f(p['sd_ratio'])}</td></tr>"
        )
    h.append(
        "</table><p class='note'>Acquiescence: share of respondents who agree with both a positively and a reverse-keyed item of the construct. "
        "Option order: change of the keyed score when the same item is asked again with its options reversed. "
        "SD ratio below 1: the agents answer more alike than students do.</p>"
    )
    for png in pngs:
        h.append(f"<p><img src='{png}' style='max-width:100%'></p>")
    h.append("</body></html>")
    write_text(out / "index.html", "\n".join(h))
    return out / "index.html"
