"""Audit views -> text a person reads (the JSON form is the views' dicts as they are)."""

from __future__ import annotations

import json


def _v(x) -> str:
    return json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x


def story_text(s: dict) -> str:
    lines = []
    verdicts = {a["attempt"]: a for a in s["attempts"]}
    for e in s["events"]:
        k, rnd = e["kind"], e.get("round", "")
        if k == "narrowing":
            lines.append(f"attempt {e['attempt']}: grammar narrowed by the solver ({e['detail']['checks']} checks)")
        elif k == "call":
            head = f"  [round {rnd}] {e['agent']} ({e['template']}, {e['tokens']} tokens, {e['seconds']:.1f} s)"
            lines.append(head + (f"  ERROR: {e['error']}" if e["error"] else ""))
            for f in e["feedback"] or []:
                lines.append(f"      feedback received: {f}")
            for c in e["changed"] or []:
                lines.append(f"      changed {c['field']}: {_v(c['from'])} -> {_v(c['to'])}")
        elif k == "validation":
            mark = "valid" if e["valid"] else "INVALID"
            stage = {"proposal": "the proposal", "after_repair": "the repair", "after_revision": "the revision"}.get(
                e["stage"], e["stage"]
            )
            lines.append(
                f"  [round {rnd}] validation of {stage}: {mark}"
                + (f" (unreadable: {e['error']})" if e.get("error") else "")
            )
            for v in e["violations"]:
                sym = "✗" if v["severity"] == "error" else "!"
                lines.append(f"      {sym} {v['ref']} {v['rule']} [{v['owner']}]: {v['message']}")
                if v["core"]:
                    lines.append(f"          core: {', '.join(v['core'])}")
        elif k == "repair":
            ch = "; ".join(f"{c['field']} {_v(c['from'])} -> {_v(c['to'])}" for c in e["changes"])
            lines.append(f"  [round {rnd}] structural repair applied: {ch} (fixes {', '.join(e['fixes'])})")
        elif k == "outcome":
            a = verdicts.get(e["attempt"], {})
            lines.append(
                f"  verdict: {'ACCEPTED' if a.get('accepted') else 'FAILED'}"
                + (f" after {a.get('rounds')} revision round(s)" if a.get("rounds") else " on the first pass")
                + (f" — {a['reason']}" if a.get("reason") else "")
            )
        else:
            lines.append(f"  {k}: {_v(e['detail'])}")
    return "\n".join([f"{s['persona']}"] + lines)


def rules_text(r: dict) -> str:
    lines = [f"rules that fired on first-pass proposals, by {r['by']} ({r['attempts']} attempts):"]
    for group, rows in r["table"].items():
        lines.append(
            f"  {r['by']} {group}: " + ", ".join(f"{x['rule']} {x['count']} ({x['rate']:.0%})" for x in rows[:8])
        )
    if r["failed_attempts_by_rule"]:
        lines.append(
            "rules still violated when an attempt failed: "
            + ", ".join(f"{k} {v}" for k, v in r["failed_attempts_by_rule"].items())
        )
    if r["mean_rounds_to_fix"]:
        lines.append(
            "mean revision rounds of accepted attempts, by first-pass rule: "
            + ", ".join(f"{k} {v}" for k, v in r["mean_rounds_to_fix"].items())
        )
    return "\n".join(lines)
