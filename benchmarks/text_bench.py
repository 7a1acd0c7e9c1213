"""The text reader on the hand-labelled natural-prose set (tests/text/data/, written independently of
the reader in several voices): read accuracy per construction type and language, wrong reads,
wrong-level twins caught, the false-rejection rate on whole honest personas and the share of
single-defect twins caught by the expected rule, and the reader's speed.

    python benchmarks/text_bench.py [--show wrong,unread,missed]

Outcomes per labelled dimension (tests/text/labelled.py): exact (the trusted readings allow exactly
the labelled set), agree (they allow the true level, another set), unread (no trusted reading: a
warning), wrong (a trusted reading excludes the true level: a false error; must be 0)."""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "text"))

from labelled import VOCAB, outcomes, personas, rows, twin_verdicts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", default="", help="comma-separated outcomes to list row by row (wrong, unread, missed)")
    a = ap.parse_args()
    show = set(filter(None, a.show.split(",")))
    for lang in ("en", "zh"):
        tab: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for row in rows(lang):
            for d, o, took in outcomes(row):
                tab[row["construction"]][o] += 1
                tab["ALL"][o] += 1
                if o in show:
                    print(f"  {o:7} {row['id']} {d} truth={row['truth'].get(d)} label={row['labels'][d]} took {took}")
        print(
            f"\n{lang}: statements ({sum(not r['twin_of'] for r in rows(lang))} rows, "
            f"{sum(bool(r['twin_of']) for r in rows(lang))} wrong-level twins)"
        )
        print(
            f"{'construction':18}{'n':>5}{'exact':>7}{'agree':>7}{'unread':>8}{'wrong':>7}{'read %':>8}{'twins caught':>14}"
        )
        for c, n in sorted(tab.items(), key=lambda kv: (kv[0] == "ALL", kv[0])):
            tot = n["exact"] + n["agree"] + n["unread"] + n["wrong"]
            read = (n["exact"] + n["agree"]) / tot * 100 if tot else 0
            twins = n["caught"] + n["missed"]
            print(
                f"{c:18}{tot:>5}{n['exact']:>7}{n['agree']:>7}{n['unread']:>8}{n['wrong']:>7}{read:>8.1f}"
                f"{n['caught']:>8}/{twins:<5}"
            )
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load
    from hachimi.validate import Validator

    theory = load(locate("k12"))
    print("\nwhole personas in natural prose (valid by their authors' reading):")
    for lang in ("en", "zh"):
        ps = personas(lang)
        res = list(Validator(theory, explain=False, repair=False).validate_objects(ps))
        rejected = [r.id for r in res if not r.valid]
        print(
            f"  {lang}: {len(ps) - len(rejected)}/{len(ps)} kept (false-rejection rate {len(rejected) / len(ps):.1%})"
            + (f"; rejected: {', '.join(rejected)}" if rejected else "")
        )
    print("single-defect twins caught by the expected rule:")
    for lang in ("en", "zh"):
        v = twin_verdicts(lang, theory)
        by = collections.Counter((t["expected_rule"], c) for t, _, c in v)
        rules = sorted({r for r, _ in by})
        print(
            f"  {lang}: {sum(c for _, _, c in v)}/{len(v)}  "
            + "  ".join(f"{r} {by[(r, True)]}/{by[(r, True)] + by[(r, False)]}" for r in rules)
        )
        for t, vs, c in v:
            if not c and "missed" in show:
                print(
                    f"    missed {t['id']} {t['expected_rule']}: {t['defect']}; fired {sorted({x['ref'] for x in vs})}"
                )
    from hachimi.text.reader import _read

    texts = [(r["text"], VOCAB.parts[r["part"]]) for lang in ("en", "zh") for r in rows(lang)]
    t0 = time.process_time()
    for _ in range(3):
        for text, dims in texts:
            _read(text, dims, VOCAB, None)
    took = (time.process_time() - t0) / (3 * len(texts))
    print(f"\nreader speed: {took * 1e6:.0f} us CPU per statement ({len(texts)} statements, no memo)")


if __name__ == "__main__":
    main()
