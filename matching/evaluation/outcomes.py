"""Evaluation of shortlists against labelled outcomes, coverage and exposure.

Labelled outcomes are a table ``position_id, profile_id, grade`` with grade 0 (not
suitable), 1 (retained or interviewed) or 2 (appointed) — past appointments, advisor or
employer feedback (see :mod:`matching.evaluation.feedback`). A candidate absent from the
labels counts as grade 0.

Ranking metrics (all in [0, 1]), computed per position and averaged over the **evaluated
positions**: the labelled positions that have at least one label of grade >= 1 (a labelled
position missing from the shortlists counts, with an empty list). Within a shortlist the
lines are taken in ``rank`` order and the i-th line has rank i.

* ``ndcg@k``: DCG@k / IDCG@k with gain ``2**grade - 1`` and discount ``log2(rank + 1)``;
  the ideal DCG sorts the position's labels by grade.
* ``map``: average precision over the whole shortlist, relevant = grade >= 1, divided by
  the number of relevant labels of the position (so missing relevant candidates count).
* ``mrr``: 1 / rank of the first relevant line (0 when none).
* ``recall@k``: relevant candidates in the first k lines / relevant labels.

The functions are pure (DataFrames in, numbers out); :func:`evaluate_outcomes` reads the
two files for the command line. Slow obvious reference implementations live in the tests.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from matching.evaluation.labels_io import LabelsError, read_csv_text

__all__ = [
    "LabelsError",
    "metric_keys",
    "read_labels",
    "read_shortlists",
    "per_position_metrics",
    "metrics_from_lists",
    "label_map",
    "ranking_metrics",
    "coverage",
    "exposure",
    "gini",
    "top_share",
    "evaluate_outcomes",
    "format_outcomes",
    "read_csv_text",
]

GRADES = (0, 1, 2)


def metric_keys(k: int = 10) -> list[str]:
    """The keys of :func:`ranking_metrics`, in order: ``ndcg@k, map, mrr, recall@k``."""
    return [f"ndcg@{k}", "map", "mrr", f"recall@{k}"]


# --- reading ---------------------------------------------------------------------------


def _first_present(frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    for n in names:
        if n in frame.columns:
            return n
    return None


def read_labels(path: str | Path) -> pd.DataFrame:
    """Read a labels file (``position_id, profile_id, grade``) into a frame with columns
    ``position_id`` (str), ``profile_id`` (str), ``grade`` (int 0-2).

    A feedback file (with an ``outcome`` column, see :mod:`matching.evaluation.feedback`)
    is accepted too and turned into labels. Identical duplicate lines are merged; the same
    pair with two different grades is an error. Every problem is reported at once with the
    file, the row (as in a spreadsheet, header = row 1) and the column.
    """
    path = Path(path)
    frame = read_csv_text(path)
    if _first_present(frame, ("outcome", "resultat", "résultat", "issue")) and "grade" not in frame.columns:
        from matching.evaluation.feedback import feedback_to_labels, read_feedback

        return feedback_to_labels(read_feedback(path))
    name = path.name
    pos_col = _first_present(frame, ("position_id", "identifiant_poste"))
    prof_col = _first_present(frame, ("profile_id", "identifiant"))
    grade_col = _first_present(frame, ("grade", "note"))
    problems = [
        f"{name} : colonne '{c}' absente (colonnes attendues : position_id, profile_id, grade)."
        for c, found in (("position_id", pos_col), ("profile_id", prof_col), ("grade", grade_col))
        if found is None
    ]
    if problems:
        raise LabelsError(problems)
    rows = []
    for i, (q, p, g) in enumerate(zip(frame[pos_col], frame[prof_col], frame[grade_col])):
        line = i + 2
        q, p, g = str(q).strip(), str(p).strip(), str(g).strip()
        if not q:
            problems.append(f"{name} : ligne {line}, colonne '{pos_col}' : identifiant de poste vide.")
        if not p:
            problems.append(f"{name} : ligne {line}, colonne '{prof_col}' : identifiant de profil vide.")
        try:
            grade = int(float(g.replace(",", "."))) if g else None
            if grade is not None and (grade not in GRADES or float(g.replace(",", ".")) != grade):
                grade = None
        except ValueError:
            grade = None
        if grade is None:
            problems.append(f"{name} : ligne {line}, colonne '{grade_col}' : note {g!r} invalide (attendu : 0, 1 ou 2).")
        rows.append((q, p, grade, line))
    labels = pd.DataFrame(rows, columns=["position_id", "profile_id", "grade", "source_row"])
    valid = labels.dropna(subset=["grade"])
    for (q, p), group in valid.groupby(["position_id", "profile_id"], sort=True):
        if group["grade"].nunique() > 1:
            lines = ", ".join(str(x) for x in group["source_row"])
            problems.append(f"{name} : lignes {lines} : le couple ({q}, {p}) a des notes différentes.")
    if problems:
        raise LabelsError(problems)
    labels = labels.drop_duplicates(subset=["position_id", "profile_id"]).drop(columns="source_row")
    labels["grade"] = labels["grade"].astype(int)
    return labels.reset_index(drop=True)


def read_shortlists(path: str | Path) -> pd.DataFrame:
    """Read a ``shortlists.csv`` (the batch deliverable) keeping what evaluation needs:
    ``position_id, profile_id, rank, score`` (and ``ministry`` when present)."""
    path = Path(path)
    frame = read_csv_text(path)
    missing = [c for c in ("position_id", "profile_id", "rank", "score") if c not in frame.columns]
    if missing:
        raise LabelsError([f"{path.name} : colonne(s) absente(s) : {', '.join(missing)} (un fichier shortlists.csv est attendu)."])
    from matching.io.writers import unneutralize_cell  # the batch guarded its text cells

    out = pd.DataFrame(
        {
            "position_id": frame["position_id"].astype(str).map(unneutralize_cell).str.strip(),
            "profile_id": frame["profile_id"].astype(str).map(unneutralize_cell).str.strip(),
            "rank": pd.to_numeric(frame["rank"], errors="coerce"),
            "score": pd.to_numeric(frame["score"].str.replace(",", ".", regex=False), errors="coerce"),
        }
    )
    bad = out["rank"].isna() | out["score"].isna()
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.nonzero(bad.to_numpy())[0][:10])
        raise LabelsError([f"{path.name} : rang ou score non numérique aux lignes {rows}."])
    out["rank"] = out["rank"].astype(int)
    if "ministry" in frame.columns:
        out["ministry"] = frame["ministry"].astype(str).map(unneutralize_cell)
    return out


# --- ranking metrics -------------------------------------------------------------------


def _ordered_lists(shortlists: pd.DataFrame) -> dict[str, list[str]]:
    """position_id -> profile ids in rank order (ties on rank: score desc, then id)."""
    if len(shortlists) == 0:
        return {}
    q = shortlists["position_id"].astype(str).to_numpy()
    p = shortlists["profile_id"].astype(str).to_numpy()
    order = np.lexsort((p, -shortlists["score"].to_numpy(dtype=float), shortlists["rank"].to_numpy(), q))
    q, p = q[order], p[order]
    cuts = np.nonzero(q[1:] != q[:-1])[0] + 1
    starts = np.concatenate([[0], cuts])
    return {q[s]: list(block) for s, block in zip(starts, np.split(p, cuts))}


def label_map(labels: pd.DataFrame) -> dict[str, dict[str, int]]:
    """position_id -> {profile_id: grade}, for the positions with at least one label of
    grade >= 1 (the evaluated positions)."""
    out: dict[str, dict[str, int]] = {}
    for q, p, g in zip(labels["position_id"].astype(str), labels["profile_id"].astype(str), labels["grade"].astype(int)):
        out.setdefault(q, {})[p] = int(g)
    return {q: d for q, d in sorted(out.items()) if any(g >= 1 for g in d.values())}


def _dcg(grades: Iterable[int]) -> float:
    return float(sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(grades)))


def metrics_from_lists(lists: dict[str, list[str]], labels: dict[str, dict[str, int]], *, k: int = 10) -> pd.DataFrame:
    """:func:`per_position_metrics` from ready-made inputs: ``lists`` position_id -> profile
    ids in rank order, ``labels`` as returned by :func:`label_map` (fast path for tuning)."""
    rows = []
    for q, grades in labels.items():
        n_rel = sum(1 for g in grades.values() if g >= 1)
        ranked = lists.get(q, [])
        got = [grades.get(p, 0) for p in ranked]
        ideal = sorted(grades.values(), reverse=True)[:k]
        ndcg = _dcg(got[:k]) / _dcg(ideal)
        hits, ap, rr = 0, 0.0, 0.0
        for i, g in enumerate(got, start=1):
            if g >= 1:
                hits += 1
                ap += hits / i
                if rr == 0.0:
                    rr = 1.0 / i
        recall = sum(1 for g in got[:k] if g >= 1) / n_rel
        rows.append((q, n_rel, len(ranked), ndcg, ap / n_rel, rr, recall))
    return pd.DataFrame(rows, columns=["position_id", "n_relevant", "n_lines", *metric_keys(k)])


def per_position_metrics(shortlists: pd.DataFrame, labels: pd.DataFrame, *, k: int = 10) -> pd.DataFrame:
    """One row per evaluated position: ``position_id, n_relevant, n_lines`` and the four
    metrics of :func:`metric_keys` (see the module docstring for the definitions)."""
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"the 'k' parameter must be an integer >= 1, got {k!r}")
    return metrics_from_lists(_ordered_lists(shortlists), label_map(labels), k=int(k))


def ranking_metrics(
    shortlists: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    k: int = 10,
    positions: Iterable[str] | None = None,
) -> dict[str, float]:
    """``{"ndcg@k", "map", "mrr", "recall@k"}`` averaged over the evaluated positions (only
    those in ``positions`` when given). NaN when no position can be evaluated."""
    per = per_position_metrics(shortlists, labels, k=k)
    if positions is not None:
        per = per[per["position_id"].isin({str(x) for x in positions})]
    keys = metric_keys(k)
    if per.empty:
        return {key: float("nan") for key in keys}
    return {key: float(per[key].mean()) for key in keys}


# --- coverage and exposure -------------------------------------------------------------


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, close to 1 = all on one.
    0 for an empty or all-zero input."""
    x = np.sort(np.asarray(list(values), dtype=np.float64))
    n, total = x.size, x.sum() if x.size else 0.0
    if n == 0 or total <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float((2.0 * np.sum(i * x)) / (n * total) - (n + 1.0) / n)


def top_share(values: Iterable[float], *, fraction: float = 0.10) -> float:
    """Share of the total held by the top ``fraction`` of the items (at least one item)."""
    x = np.sort(np.asarray(list(values), dtype=np.float64))[::-1]
    if x.size == 0 or x.sum() <= 0:
        return 0.0
    n_top = max(1, math.ceil(fraction * x.size))
    return float(x[:n_top].sum() / x.sum())


def coverage(
    shortlists: pd.DataFrame,
    *,
    k: int = 10,
    min_score: float | None = None,
    positions: Iterable[str] | None = None,
    profiles: Iterable[str] | None = None,
) -> dict[str, float | int]:
    """How well the batch covers positions and engineers.

    ``positions`` / ``profiles``: every identifier of the batch (so that positions with no
    candidate and engineers on no shortlist are counted); by default those that appear in
    the shortlists. ``min_score``: only lines at or above it count (default: every line —
    a shortlist only holds candidates above the configured threshold).
    """
    sl = shortlists
    if min_score is not None:
        sl = sl[sl["score"] >= min_score]
    per_pos = sl.groupby(sl["position_id"].astype(str)).size()
    all_pos = sorted({str(x) for x in positions}) if positions is not None else sorted(per_pos.index)
    all_prof = sorted({str(x) for x in profiles}) if profiles is not None else sorted(set(sl["profile_id"].astype(str)))
    counts = per_pos.reindex(all_pos, fill_value=0)
    on_list = set(sl["profile_id"].astype(str)) & set(all_prof)
    n_pos, n_prof = len(all_pos), len(all_prof)
    full = int((counts >= k).sum())
    return {
        "positions": n_pos,
        f"positions_with_{k}": full,
        "share_positions_with_k": full / n_pos if n_pos else float("nan"),
        "positions_without_candidate": int((counts == 0).sum()),
        "profiles": n_prof,
        "profiles_on_a_shortlist": len(on_list),
        "share_profiles_on_a_shortlist": len(on_list) / n_prof if n_prof else float("nan"),
    }


def exposure(shortlists: pd.DataFrame, *, profiles: Iterable[str] | None = None) -> tuple[dict[str, float], pd.Series]:
    """Shortlists per engineer and their concentration.

    Returns ``(summary, counts)``: ``counts`` is a Series profile_id -> number of shortlists
    (0 for engineers of ``profiles`` on none), sorted by count descending then id; the
    summary holds ``mean``, ``max``, ``gini`` (over every engineer, zeros included) and
    ``top10_share`` (share of the shortlist lines held by the 10 % most exposed engineers).
    """
    counts = shortlists.groupby(shortlists["profile_id"].astype(str)).size()
    if profiles is not None:
        counts = counts.reindex(sorted({str(x) for x in profiles}), fill_value=0)
    counts = counts.rename("shortlists")
    order = sorted(counts.index, key=lambda p: (-int(counts[p]), p))
    counts = counts.reindex(order)
    vals = counts.to_numpy()
    summary = {
        "profiles": int(vals.size),
        "lines": int(vals.sum()),
        "mean": float(vals.mean()) if vals.size else 0.0,
        "max": int(vals.max()) if vals.size else 0,
        "gini": gini(vals),
        "top10_share": top_share(vals, fraction=0.10),
    }
    return summary, counts


# --- the command line's entry point ----------------------------------------------------


def evaluate_outcomes(shortlists_path: str | Path, labels_path: str | Path, *, k: int = 10) -> dict:
    """Read a ``shortlists.csv`` and a labels (or feedback) file and evaluate.

    Returns ``{"metrics": {ndcg@k, map, mrr, recall@k}, "positions_evaluated": int,
    "labels": int, "coverage": {...}, "exposure": {...}, "per_position": DataFrame}``.
    ``evaluate outcomes --json`` prints ``result["metrics"]`` only.
    """
    sl = read_shortlists(shortlists_path)
    labels = read_labels(labels_path)
    per = per_position_metrics(sl, labels, k=k)
    metrics = ranking_metrics(sl, labels, k=k)
    exp_summary, _ = exposure(sl)
    return {
        "metrics": metrics,
        "positions_evaluated": int(len(per)),
        "labels": int(len(labels)),
        "coverage": coverage(sl, k=k),
        "exposure": exp_summary,
        "per_position": per,
    }


def format_outcomes(result: dict, *, k: int = 10) -> str:
    """A short French text of :func:`evaluate_outcomes`'s result, for the terminal."""
    m, c, e = result["metrics"], result["coverage"], result["exposure"]

    def f(x: float) -> str:
        return "n/d" if x != x else f"{x:.3f}".replace(".", ",")

    lines = [
        f"Postes évalués : {result['positions_evaluated']} (au moins un candidat jugé pertinent), "
        f"{result['labels']} jugements lus.",
        f"nDCG@{k} : {f(m[f'ndcg@{k}'])} · MAP : {f(m['map'])} · MRR : {f(m['mrr'])} · rappel@{k} : {f(m[f'recall@{k}'])}",
        f"Couverture : {c[f'positions_with_{k}']} poste(s) sur {c['positions']} ont au moins {k} candidats ; "
        f"{c['profiles_on_a_shortlist']} ingénieur(s) figurent sur au moins une liste.",
        f"Exposition : {e['mean']:.1f} liste(s) par ingénieur listé en moyenne (max {e['max']}), "
        f"Gini {f(e['gini'])}, part des lignes tenue par les 10 % les plus exposés {f(e['top10_share'])}.",
    ]
    return "\n".join(lines)
