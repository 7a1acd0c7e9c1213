"""The PISA 2022 student file -> human cohort means in the layout `survey compare` reads.

Each student's construct score is computed exactly as the agents' is: the mean of the
instrument's items (each item's `variable` column of the file, e.g. ST290Q01WA, its codes mapped to
the scale's values through the item's declared code direction: PISA 2022 codes ST034, ST292 and
ST265 with 1 = strongly agree; reverse keys flipped, invalid and missing codes left out). Means are weighted by the
final student weight W_FSTUWT. Where a student falls in the survey's cohorts is survey data
(prompts/cohorts.toml [pisa2022]): the academic tier comes from the mathematics plausible values:
for each of PV1MATH..PV10MATH the student's weighted percentile gives the tier (top 10% high,
10-30% medium, 30-50% low, the rest poor, as the generation plan's levels mean), the cohort means
are computed per plausible value and averaged (the point estimate of Rubin's rules). Gender is
ST004D01T (1 female, 2 male). The risk stratum is a rule on one column (default: life satisfaction
ST016Q01NA below 5, OECD's "not satisfied"); the construct read from that column is then circular
and the comparison report says so. Rows with tier = gender = risk = "all" carry each construct's
overall weighted SD (for the response-variance check)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import HachimiError
from .cohorts import vocabulary
from .instrument import Instrument

PVS = tuple(f"PV{k}MATH" for k in range(1, 11))
ALL = "all"
COLUMNS = ("construct", "tier", "gender", "risk", "mean", "sd", "n")  # the layout compare reads


def _layout() -> dict:
    """The student file's cohorts ([pisa2022] of prompts/cohorts.toml): tier cuts by the share of
    students above, the gender column and its codes, the risk stratum's two values."""
    return vocabulary().sources["pisa2022"]


@dataclass(frozen=True)
class RiskRule:
    column: str = "ST016Q01NA"
    high_below: float = 5.0  # a value below this is the high-risk stratum


def read_table(path: Path):
    """CSV, SPSS (.sav) or SAS (.sas7bdat) -> a pandas DataFrame."""
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.is_file():
        raise HachimiError(f"no student file {path}")
    if suffix not in (".csv", ".sav", ".zsav", ".sas7bdat"):
        raise HachimiError(f"{path}: unknown file type {suffix!r} (csv, sav or sas7bdat)")
    if suffix in (".sav", ".zsav"):
        try:
            import pyreadstat  # noqa: F401
        except ImportError:
            raise HachimiError("reading SPSS files needs pyreadstat: pip install 'hachimi[survey]'") from None
    kind = {".csv": "CSV", ".sas7bdat": "SAS"}.get(suffix, "SPSS")
    try:
        if suffix == ".csv":
            df = pd.read_csv(path, low_memory=False)
        elif suffix == ".sas7bdat":
            df = pd.read_sas(path)
        else:
            df = pd.read_spss(path, convert_categoricals=False)
    except pd.errors.EmptyDataError:
        raise HachimiError(f"{path}: empty file (no header, no students)") from None
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as e:
        raise HachimiError(f"{path}: not a readable {kind} file ({type(e).__name__}: {str(e)[:200]})") from None
    except Exception as e:  # pyreadstat's own errors (ReadstatError, PyreadstatError) on random bytes
        if type(e).__module__.split(".")[0] not in ("pyreadstat", "pandas"):
            raise
        raise HachimiError(f"{path}: not a readable {kind} file ({type(e).__name__}: {str(e)[:200]})") from None
    if df.empty:
        raise HachimiError(f"{path}: no students (a header and no rows)")
    return df


def _weighted_quantile_rank(values, weights):
    """Weighted share of students strictly above each value (0 = the best)."""
    import numpy as np

    order = np.argsort(-values, kind="stable")
    w = weights[order]
    above = np.concatenate([[0.0], np.cumsum(w)[:-1]]) / w.sum()
    out = np.empty_like(above)
    out[order] = above
    return out


def _tier(share_above: float, cuts: dict) -> str:
    return next(t for t, cut in cuts.items() if share_above < cut)


def construct_scores(df, inst: Instrument):
    """DataFrame of raw construct scores (mean of keyed items), NaN where no valid item."""
    import numpy as np
    import pandas as pd

    out = {}
    for c in inst.constructs:
        items = [i for i in inst.items if i.construct == c]
        cols = []
        for it in items:
            if it.variable not in df.columns:
                continue
            scale = inst.scale_of(it)
            mapping = inst.file_mapping(it)  # through the item's code direction (ST034: 1 = strongly agree)
            col = pd.to_numeric(df[it.variable], errors="coerce").map(mapping).astype(float)
            if it.reverse:
                col = min(scale.values) + max(scale.values) - col
            cols.append(col)
        out[c] = pd.concat(cols, axis=1).mean(axis=1, skipna=True) if cols else pd.Series(np.nan, index=df.index)
    return pd.DataFrame(out)


def _numeric(df, column: str):
    """A column as numbers; text that is not a number is refused with the row, not read as NaN."""
    import pandas as pd

    col = pd.to_numeric(df[column], errors="coerce")
    bad = col.isna() & df[column].notna() & (df[column].astype(str).str.strip() != "")
    if bad.any():
        row = int(bad.idxmax())
        raise HachimiError(
            f"{column}: {int(bad.sum())} value(s) are not numbers (first: {df[column].iloc[row]!r}, data row {row + 1})"
        )
    return col.astype(float)


def cohort_means(df, inst: Instrument, risk: RiskRule = RiskRule(), country: str | None = None) -> list[dict]:
    import numpy as np

    if country:
        if "CNT" not in df.columns:
            raise HachimiError("--country needs the CNT column")
        df = df[df["CNT"] == country]
        if df.empty:
            raise HachimiError(f"no students with CNT = {country}")
    if not any(i.variable in df.columns for i in inst.items):
        raise HachimiError(
            f"none of instrument {inst.name}'s item variables ({', '.join(i.variable for i in inst.items[:3])}, ...) "
            "are columns of the student file: is it the file this instrument was written for?"
        )
    layout = _layout()
    sex = layout["gender"]
    need = ["W_FSTUWT", sex["column"], risk.column, *PVS]
    if missing := [c for c in need if c not in df.columns]:
        raise HachimiError(f"the student file lacks column(s) {', '.join(missing)}")
    df = df.reset_index(drop=True)
    w = _numeric(df, "W_FSTUWT").to_numpy()
    if (w < 0).any():
        raise HachimiError(
            f"W_FSTUWT: {int((w < 0).sum())} of {len(w)} students have a negative weight; "
            "final student weights are positive (is this the weight column?)"
        )
    usable = ~np.isnan(w) & (w > 0)
    if not usable.any():
        raise HachimiError("W_FSTUWT: no student has a positive weight")
    df, w = df[usable].reset_index(drop=True), w[usable]
    for pv in PVS:
        df[pv] = _numeric(df, pv)
    scores = construct_scores(df, inst)
    gender = df[sex["column"]].map({int(code): g for code, g in sex["codes"].items()})
    rv = _numeric(df, risk.column)
    below, otherwise = layout["risk"]["below"], layout["risk"]["otherwise"]
    risk_s = np.where(rv.isna(), None, np.where(rv < risk.high_below, below, otherwise))
    rows: dict[tuple, list] = {}
    for pv in PVS:
        tiers = [_tier(x, layout["tiers"]) for x in _weighted_quantile_rank(df[pv].astype(float).to_numpy(), w)]
        for c in inst.constructs:
            x = scores[c].to_numpy()
            for i in range(len(df)):
                if (
                    math.isnan(x[i])
                    or gender.iloc[i] is None
                    or not isinstance(gender.iloc[i], str)
                    or risk_s[i] is None
                ):
                    continue
                rows.setdefault((c, tiers[i], gender.iloc[i], risk_s[i], pv), []).append((x[i], w[i]))
    out = []
    for c in inst.constructs:
        x = scores[c].to_numpy()
        ok = ~np.isnan(x)
        if ok.sum() < 2:
            continue
        mu = np.average(x[ok], weights=w[ok])
        sd = math.sqrt(np.average((x[ok] - mu) ** 2, weights=w[ok]))
        out.append({"construct": c, "tier": ALL, "gender": ALL, "risk": ALL, "mean": mu, "sd": sd, "n": int(ok.sum())})
        keys = sorted({k[1:4] for k in rows if k[0] == c})
        for tier, g, r in keys:
            means, sds, ns = [], [], []
            for pv in PVS:
                cell = rows.get((c, tier, g, r, pv), [])
                if not cell:
                    continue
                xs = np.array([a for a, _ in cell])
                ws = np.array([b for _, b in cell])
                m = np.average(xs, weights=ws)
                means.append(m)
                sds.append(math.sqrt(np.average((xs - m) ** 2, weights=ws)))
                ns.append(len(cell))
            if means:
                out.append(
                    {
                        "construct": c,
                        "tier": tier,
                        "gender": g,
                        "risk": r,
                        "mean": float(np.mean(means)),
                        "sd": float(np.mean(sds)),
                        "n": round(float(np.mean(ns)), 1),
                    }
                )
    return out


def write(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6f}" if isinstance(v, float) else v) for k, v in r.items()})
