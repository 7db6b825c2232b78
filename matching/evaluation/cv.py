"""Leave-one-benchmark-out cross-validation of the score's weights.

Every benchmark under ``data/benchmarks/`` is prepared once (normalisation, embeddings,
features) and its score components are computed once (:func:`prepare_sets`). For each
benchmark in turn (the *held-out* one):

1. the training data are the OTHER benchmarks, minus every position and every profile whose
   occupation also occurs among the held-out benchmark's positions (occupations are read from each
   benchmark's ``key.csv``: ROME codes, ESCO URIs; so ``esco`` and ``esco_sans_titre``,
   which share their occupations, never train each other). The held-out benchmark's
   matrices are never read while fitting;
2. the weights of the four components the benchmarks inform (``semantic``,
   ``required_skills``, ``desired_skills``, ``job_fit``) and, optionally, the semantic
   cosine range (``scoring.semantic_floor`` / ``semantic_ceiling``) are chosen on the
   training data only (:func:`fit_weights`): by default (``objective="pareto"``) starting
   from the best single component and adding or changing a weight only when no training
   benchmark loses nDCG@k; or (``"mean"``) a seeded random search (Dirichlet draws) and a
   coordinate search maximising the mean nDCG@k over training benchmarks (each counts
   equally); or (``"regret"``) the same search maximising the worst training benchmark's
   margin over its best single component;
3. the fitted configuration is ranked on the held-out benchmark through the batch's own
   scoring function and reported beside the default configuration, every single component
   and character TF-IDF on the same prepared data.

``wishes`` and ``experience`` keep their configured weights: the benchmarks carry no wishes
and no years, so they cannot inform them. The fitted weights of the four others are scaled
so that the six weights keep the configured total.

Alternative combinations are measured the same way, as experiments (they are not
expressible by the current scoring, except ``logistic``, whose non-negative coefficients
are used as weights): ``logistic`` (logistic regression on training pairs),
``isotonic_logistic`` (each component calibrated by isotonic regression, then a logistic
regression), ``rrf`` (reciprocal rank fusion of the informative components).
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BenchSet",
    "FITTED",
    "OBJECTIVES",
    "prepare_sets",
    "fast_metrics",
    "fit_weights",
    "cross_validate",
    "format_cv",
    "evaluate_sets",
]

#: Components whose weights are fitted (the others have no data in the benchmarks).
FITTED: tuple[str, ...] = ("semantic", "required_skills", "desired_skills", "job_fit")
OBJECTIVES = ("mean", "regret", "pareto")
_ADD = (0.02, 0.05, 0.1, 0.2, 0.3)  # weights tried for a component at 0 (pareto search)
_GRID = (0.0, 0.5, 0.75, 1.33, 2.0)
_FLOORS = (0.70, 0.72, 0.75, 0.78, 0.80, 0.82)
_CEILINGS = (0.88, 0.90, 0.92, 0.95, 0.97)


@dataclass
class BenchSet:
    """One benchmark prepared once, with everything the search re-ranks from."""

    name: str
    bench: Any  # ranking_bench.BenchData
    comps: dict[str, np.ndarray]  # (positions, profiles) components + "cosine"
    grades: np.ndarray  # (positions, profiles)
    tie: np.ndarray  # rank of each profile identifier
    position_ids: list[str]
    groups: list[frozenset[str]]  # occupations of each position (from key.csv)
    evaluable: np.ndarray = field(default=None)  # rows with at least one graded profile
    profile_groups: list[frozenset[str]] = field(default=None)  # occupations of each profile

    def __post_init__(self):
        if self.evaluable is None:
            self.evaluable = (self.grades > 0).any(axis=1)


def _groups(folder: Path, ids: list[str], kind: str = "position") -> list[frozenset[str]]:
    """Occupations of every position (or profile), from ``key.csv`` (any of the columns
    ``code_rome``, ``rome_codes``, ``occupation``; ``|`` separates values). Unknown -> empty."""
    path = folder / "key.csv"
    found: dict[str, set[str]] = {}
    if path.is_file():
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("kind") != kind:
                    continue
                vals = set()
                for col in ("code_rome", "rome_codes", "occupation"):
                    vals |= {v for v in (row.get(col) or "").split("|") if v}
                found[row["id"]] = vals
    return [frozenset(found.get(q, ())) for q in ids]


def prepare_sets(names=None, *, root=None, encoder=None, config=None, k: int = 10, taxonomy=None, progress=None) -> list[BenchSet]:
    """Prepare every benchmark (default: all under ``data/benchmarks``) once."""
    from matching.config import Config
    from matching.evaluation.ranking_bench import (
        component_matrices, discover_benches, grade_matrix, prepare_bench, tie_order,
    )

    found = discover_benches(root)
    if names:
        missing = [n for n in names if n not in found]
        if missing:
            from matching.evaluation.ranking_bench import BenchError

            raise BenchError(f"banc(s) inconnu(s) : {', '.join(missing)} ; disponibles : {', '.join(found)}")
        found = {n: found[n] for n in names}
    cfg = config or Config()
    if encoder is None:
        from matching.embed import load_encoder

        encoder = load_encoder(cfg.model)
    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    sets = []
    for name, folder in found.items():
        bd = prepare_bench(folder, encoder=encoder, config=cfg, k=k, taxonomy=taxonomy, progress=progress)
        prep = bd.prepared
        q_ids = [str(x) for x in prep.features.positions.ids]
        sets.append(
            BenchSet(
                name=name,
                bench=bd,
                comps=component_matrices(prep.features, bd.config),
                grades=grade_matrix(prep, bd.labels),
                tie=tie_order(prep),
                position_ids=q_ids,
                groups=_groups(Path(folder), q_ids),
                profile_groups=_groups(Path(folder), [str(x) for x in prep.features.profiles.ids], "profile"),
            )
        )
    return sets


def evaluate_sets(sets: list[BenchSet], *, k: int = 10) -> dict[str, Any]:
    """:func:`ranking_bench.evaluate_benches`' result from already prepared sets (the same
    prepared data then serve the cross-validation)."""
    from matching.evaluation.ranking_bench import evaluate_prepared

    out = {}
    for s in sets:
        res = evaluate_prepared(s.bench.prepared, s.bench.labels, s.bench.config, k=k)
        res.update({"name": s.name, "bench_dir": s.bench.bench_dir, "holdout_titles": s.bench.holdout_titles})
        out[s.name] = res
    return {"benchmarks": out, "k": k, "model": sets[0].bench.prepared.encoder_info.get("name", "") if sets else ""}


# --- fast metrics (search only; reported figures use ranking_bench.ranking_metrics) ------
def fast_metrics(scores: np.ndarray, grades: np.ndarray, tie: np.ndarray, rows: np.ndarray | None = None, k: int = 10) -> dict[str, float]:
    """nDCG@k, MRR and recall@k as :func:`ranking_bench.ranking_metrics` computes them
    (scores rounded to 6 decimals, ties by identifier), vectorised over ``rows``."""
    if rows is not None:
        scores, grades = scores[rows], grades[rows]
    n = scores.shape[1]
    if scores.shape[0] == 0:
        return {f"ndcg@{k}": float("nan"), "mrr": float("nan"), f"recall@{k}": float("nan")}
    keyv = np.rint(np.asarray(scores, dtype=np.float64) * 1e6).astype(np.int64) * n + (n - 1 - tie)[None, :]
    kk = min(k, n)
    top = np.argpartition(-keyv, kk - 1, axis=1)[:, :kk]
    order = np.take_along_axis(top, np.argsort(-np.take_along_axis(keyv, top, axis=1), axis=1), axis=1)
    g_top = np.take_along_axis(grades, order, axis=1).astype(np.float64)
    disc = 1.0 / np.log2(np.arange(2, kk + 2))
    dcg = ((2.0 ** g_top - 1) * disc).sum(axis=1)
    ideal = -np.sort(-grades, axis=1)[:, :kk].astype(np.float64)
    idcg = ((2.0 ** ideal - 1) * disc).sum(axis=1)
    ok = idcg > 0
    rel = grades == 2
    has = rel.any(axis=1)
    best_rel = np.where(rel, keyv, np.iinfo(np.int64).min).max(axis=1)
    first = (keyv > best_rel[:, None]).sum(axis=1)
    rec = (g_top == 2).sum(axis=1) / np.maximum(rel.sum(axis=1), 1)
    mean = lambda x, m: round(float(x[m].mean()), 4) if m.any() else float("nan")  # noqa: E731
    return {f"ndcg@{k}": mean(dcg / np.where(ok, idcg, 1.0), ok), "mrr": mean(1.0 / (first + 1.0), has), f"recall@{k}": mean(rec, has)}


# --- fitting ------------------------------------------------------------------------------
def _train_rows(s: BenchSet, held_groups: set[str]) -> np.ndarray:
    """Rows of ``s`` usable for training: evaluable, occupation not among ``held_groups``."""
    keep = np.array([not (g & held_groups) for g in s.groups], dtype=bool)
    return s.evaluable & keep


def _train_subset(s: BenchSet, held_groups: set[str]) -> tuple[BenchSet, np.ndarray, int]:
    """``s`` without the profiles of a held-out occupation (columns dropped, tie order
    re-ranked), and its usable rows (:func:`_train_rows`); plus the number of profiles dropped."""
    pg = s.profile_groups or [frozenset()] * s.grades.shape[1]
    cols = np.array([not (g & held_groups) for g in pg], dtype=bool)
    rows = _train_rows(s, held_groups)
    if cols.all():
        return s, rows, 0
    tie = np.argsort(np.argsort(s.tie[cols], kind="stable"), kind="stable")
    sub = BenchSet(
        name=s.name,
        bench=s.bench,
        comps={c: x[:, cols] for c, x in s.comps.items()},
        grades=s.grades[:, cols],
        tie=tie,
        position_ids=s.position_ids,
        groups=s.groups,
        profile_groups=[g for g, keep in zip(pg, cols) if keep],
    )
    rows = rows & sub.evaluable
    return sub, rows, int((~cols).sum())


def fit_weights(
    train: list[tuple[BenchSet, np.ndarray]],
    *,
    base_weights: dict[str, float],
    base_range: tuple[float, float],
    k: int = 10,
    n_trials: int = 200,
    rounds: int = 3,
    seed: int = 0,
    tune_range: bool = True,
    objective: str = "mean",
    missing_weight: str = "spread",
) -> dict[str, Any]:
    """Seeded random + coordinate search of the :data:`FITTED` weights (and the semantic
    cosine range) over the given (benchmark, rows) pairs, maximising

    * ``objective="mean"``: the mean over benchmarks of nDCG@k;
    * ``objective="regret"``: the worst benchmark's margin over its best single component
      (nDCG@k of the engine minus that of the best component alone on the same rows), the
      mean nDCG breaking ties: the aim "never below the best single signal" as the target;
    * ``objective="pareto"``: start from the component that is best alone (mean over the
      benchmarks) and accept a move (a weight added, changed, the cosine range) only when it
      lowers nDCG@k on NO training benchmark and raises their mean: a component enters the
      score only if it helps everywhere it was measured. No random search.
    """
    from matching.evaluation.ranking_bench import combine_components

    if objective not in OBJECTIVES:
        raise ValueError(f"the 'objective' parameter must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    metric = f"ndcg@{k}"
    cache: dict[tuple, float] = {}
    best_single = []
    for s, rows in train:
        vals = [
            fast_metrics(combine_components(s.comps, {c: 1.0}, missing_weight=missing_weight), s.grades, s.tie, rows, k)[metric]
            for c in FITTED
            if not np.isnan(s.comps[c][rows]).all()
        ]
        best_single.append(max(vals) if vals else 0.0)

    vec_cache: dict[tuple, list[float]] = {}

    def per_bench(w: dict[str, float], rng_: tuple[float, float]) -> list[float]:
        key = (tuple(round(w[c], 4) for c in FITTED), rng_)
        if key not in vec_cache:
            vec_cache[key] = [
                fast_metrics(combine_components(s.comps, w, semantic_range=rng_, missing_weight=missing_weight), s.grades, s.tie, rows, k)[metric]
                for s, rows in train
            ]
        return vec_cache[key]

    if objective == "pareto":
        return _pareto_search(per_bench, train, base_range, k=k, rounds=max(rounds, 4), tune_range=tune_range, best_single=best_single)

    def objective_fn(w: dict[str, float], rng_: tuple[float, float]) -> float:
        key = (tuple(round(w[c], 4) for c in FITTED), rng_)
        if key not in cache:
            vals = per_bench(w, rng_)
            if objective == "mean":
                cache[key] = float(np.mean(vals))
            else:
                cache[key] = float(min(v - b for v, b in zip(vals, best_single))) + 1e-3 * float(np.mean(vals))
        return cache[key]

    rng = np.random.default_rng(seed)
    best_w = {c: float(base_weights[c]) for c in FITTED}
    best_r = tuple(base_range)
    best = objective_fn(best_w, best_r)
    for _ in range(n_trials):
        d = np.round(rng.dirichlet(np.ones(len(FITTED))), 2)
        if d.sum() <= 0:
            continue
        w = dict(zip(FITTED, (float(x) for x in d)))
        v = objective_fn(w, best_r)
        if v > best:
            best, best_w = v, w
    for _ in range(rounds):
        moved = False
        for c in FITTED:
            for mult in _GRID:
                cand = dict(best_w)
                cand[c] = round(best_w[c] * mult if best_w[c] > 0 else 0.05 * mult, 4)
                if sum(cand.values()) <= 0:
                    continue
                v = objective_fn(cand, best_r)
                if v > best + 1e-9:
                    best, best_w, moved = v, cand, True
        if tune_range:
            for lo in _FLOORS:
                for hi in _CEILINGS:
                    if hi <= lo:
                        continue
                    v = objective_fn(best_w, (lo, hi))
                    if v > best + 1e-9:
                        best, best_r, moved = v, (lo, hi), True
        if not moved:
            break
    total = sum(best_w.values())
    return {
        "weights": {c: best_w[c] / total for c in FITTED},
        "semantic_range": best_r,
        "train_objective": round(best, 4),
        "train_best_single": [round(b, 4) for b in best_single],
        "trials": len(cache),
    }


def _pareto_search(per_bench, train, base_range, *, k: int, rounds: int, tune_range: bool, best_single) -> dict[str, Any]:
    """See :func:`fit_weights` (``objective="pareto"``)."""
    alone = {}
    for c in FITTED:
        w = {cc: (1.0 if cc == c else 0.0) for cc in FITTED}
        alone[c] = float(np.mean(per_bench(w, base_range)))
    start = max(alone, key=lambda c: (alone[c], c == "semantic"))
    best_w = {c: (1.0 if c == start else 0.0) for c in FITTED}
    best_r = tuple(base_range)
    cur = per_bench(best_w, best_r)

    def better(new: list[float], old: list[float]) -> bool:
        return all(a >= b - 1e-9 for a, b in zip(new, old)) and float(np.mean(new)) > float(np.mean(old)) + 1e-9

    n_moves = 0
    for _ in range(rounds):
        moved = False
        for c in FITTED:
            if c == start:
                continue
            total = sum(best_w.values())
            if best_w[c] > 0:
                cands = [best_w[c] * m for m in _GRID]
            else:
                cands = [a * total / (1 - a) for a in _ADD]
            for val in cands:
                cand = dict(best_w)
                cand[c] = round(val, 4)
                new = per_bench(cand, best_r)
                if better(new, cur):
                    best_w, cur, moved = cand, new, True
                    n_moves += 1
        if tune_range:
            for lo in _FLOORS:
                for hi in _CEILINGS:
                    if hi <= lo:
                        continue
                    new = per_bench(best_w, (lo, hi))
                    if better(new, cur):
                        best_r, cur, moved = (lo, hi), new, True
                        n_moves += 1
        if not moved:
            break
    total = sum(best_w.values())
    return {
        "weights": {c: best_w[c] / total for c in FITTED},
        "semantic_range": best_r,
        "train_objective": round(float(np.mean(cur)), 4),
        "train_best_single": [round(b, 4) for b in best_single],
        "start": start,
        "moves": n_moves,
        "trials": None,
    }


def _config_with(base, fitted: dict[str, float], semantic_range) -> Any:
    """``base`` with the fitted weights (scaled so the six weights keep their total) and range."""
    w = base.weights.as_dict()
    rest = sum(v for c, v in w.items() if c not in FITTED)
    total = sum(w.values())
    share = total - rest
    new = {c: round(fitted[c] * share, 4) for c in FITTED}
    return base.replace(
        weights=new, scoring={"semantic_floor": float(semantic_range[0]), "semantic_ceiling": float(semantic_range[1])}
    )


def _pairs(train: list[tuple[BenchSet, np.ndarray]], *, seed: int, negatives: int = 40):
    """Training pairs for the learned combinations: every graded pair of the training rows
    and ``negatives`` ungraded ones per row (seeded)."""
    rng = np.random.default_rng(seed)
    X, y, wt = [], [], []
    for s, rows in train:
        for j in np.flatnonzero(rows):
            g = s.grades[j]
            pos = np.flatnonzero(g > 0)
            neg = np.flatnonzero(g == 0)
            if len(neg) > negatives:
                neg = rng.choice(neg, negatives, replace=False)
            idx = np.concatenate([pos, neg])
            X.append(np.stack([s.comps[c][j, idx] for c in FITTED], axis=1))
            y.append((g[idx] > 0).astype(int))
            wt.append(np.where(g[idx] == 2, 3.0, 1.0))
    return np.concatenate(X), np.concatenate(y), np.concatenate(wt)


def _features(s: BenchSet) -> np.ndarray:
    return np.stack([s.comps[c] for c in FITTED], axis=-1)  # (positions, profiles, 4)


def _rrf(s: BenchSet, comps: tuple[str, ...], c0: float = 60.0) -> np.ndarray:
    from matching.evaluation.ranking_bench import rank_matrix

    out = np.zeros(s.grades.shape)
    for c in comps:
        x = np.nan_to_num(s.comps[c], nan=-1.0)
        order = rank_matrix(x, s.tie)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :].repeat(order.shape[0], 0), axis=1)
        out += 1.0 / (c0 + ranks + 1.0)
    return out


def cross_validate(
    sets: list[BenchSet],
    *,
    config=None,
    k: int = 10,
    n_trials: int = 200,
    seed: int = 0,
    tune_range: bool = True,
    experiments: bool = True,
    objective: str = "pareto",
) -> dict[str, Any]:
    """Leave-one-benchmark-out CV (see the module docstring). Returns ``{"folds": [...],
    "all": {...}}``; each fold holds ``held_out``, ``fitted_on`` (names of the benchmarks
    whose data the search read), ``fitted_positions`` ({name: position ids used}),
    ``excluded_positions`` / ``excluded_profiles`` ({name: count dropped for an occupation
    of the held-out benchmark: such profiles are not even candidates in training}), the fitted
    ``weights`` / ``semantic_range`` / ``config_weights``, and ``held_out_metrics``
    ({ranker: metrics} on the held-out benchmark, reported figures). ``all`` is the same
    search fitted on every benchmark (the candidate defaults; no held-out figure)."""
    from matching.evaluation.ranking_bench import _score_matrix, _tfidf_matrix, rank_matrix, ranking_metrics
    from matching.pipeline import position_texts, profile_texts

    if len(sets) < 2:
        raise ValueError("the cross-validation needs at least 2 benchmarks")
    base = sets[0].bench.config if config is None else config
    from matching.evaluation.ranking_bench import bench_config

    base = bench_config(base, k=k)
    base_w = base.weights.as_dict()
    base_range = (base.scoring.semantic_floor, base.scoring.semantic_ceiling)
    folds = []
    t0 = time.perf_counter()
    for held in sets:
        held_groups = set().union(*held.groups) if held.groups else set()
        train = []
        excluded = {}
        excluded_profiles = {}
        for s in sets:
            if s is held:
                continue
            sub, rows, n_prof = _train_subset(s, held_groups)
            excluded[s.name] = int((s.evaluable & ~rows).sum())
            excluded_profiles[s.name] = n_prof
            if rows.any():
                train.append((sub, rows))
        fit = fit_weights(train, base_weights=base_w, base_range=base_range, k=k, n_trials=n_trials, seed=seed, tune_range=tune_range, objective=objective, missing_weight=base.scoring.missing_weight)
        cfg = _config_with(base, fit["weights"], fit["semantic_range"])
        cfg_w = _config_with(base, fit["weights"], base_range)
        f = held.bench.prepared.features
        ev = lambda sc: ranking_metrics(rank_matrix(sc, held.tie), held.grades, k)  # noqa: E731
        metrics = {
            "default": ev(_score_matrix(f, base)),
            "fitted": ev(_score_matrix(f, cfg)),
            "fitted_weights_only": ev(_score_matrix(f, cfg_w)),
        }
        singles = {}
        for c in FITTED:
            x = held.comps[c]
            if np.isnan(x).all() or np.nanmax(x) - np.nanmin(x) < 1e-9:
                continue
            singles[c] = ev(_score_matrix(f, base.replace(weights={cc: (1.0 if cc == c else 0.0) for cc in base_w})))
        metrics.update({f"only_{c}": m for c, m in singles.items()})
        prep = held.bench.prepared
        metrics["tfidf"] = ev(_tfidf_matrix(profile_texts(prep.profiles), position_texts(prep.positions)))
        fold = {
            "held_out": held.name,
            "fitted_on": [s.name for s, _ in train],
            "fitted_positions": {s.name: [s.position_ids[j] for j in np.flatnonzero(r)] for s, r in train},
            "excluded_positions": excluded,
            "excluded_profiles": excluded_profiles,
            "weights": {c: round(v, 4) for c, v in fit["weights"].items()},
            "semantic_range": list(fit["semantic_range"]),
            "config_weights": cfg.weights.as_dict(),
            "train_objective": fit["train_objective"],
            "held_out_metrics": metrics,
        }
        if experiments:
            fold["experiments"] = _experiments(train, held, base, k=k, seed=seed)
        best_single = max(singles.items(), key=lambda kv: kv[1][f"ndcg@{k}"]) if singles else (None, None)
        fold["best_single"] = best_single[0]
        folds.append(fold)
    every = [(s, s.evaluable) for s in sets]
    fit_all = fit_weights(every, base_weights=base_w, base_range=base_range, k=k, n_trials=n_trials, seed=seed, tune_range=tune_range, objective=objective, missing_weight=base.scoring.missing_weight)
    cfg_all = _config_with(base, fit_all["weights"], fit_all["semantic_range"])
    return {
        "folds": folds,
        "all": {
            "weights": {c: round(v, 4) for c, v in fit_all["weights"].items()},
            "semantic_range": list(fit_all["semantic_range"]),
            "config_weights": cfg_all.weights.as_dict(),
            "train_objective": fit_all["train_objective"],
        },
        "k": k,
        "n_trials": n_trials,
        "seed": seed,
        "tune_range": tune_range,
        "objective": objective,
        "model": sets[0].bench.prepared.encoder_info.get("name", ""),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _experiments(train, held: BenchSet, base, *, k: int, seed: int) -> dict[str, Any]:
    """Learned combinations fitted on ``train`` and measured on ``held`` (not expressible
    as engine weights except ``logistic``'s, which are also run through the engine)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    from matching.evaluation.ranking_bench import _score_matrix, rank_matrix, ranking_metrics

    ev = lambda sc: ranking_metrics(rank_matrix(sc, held.tie), held.grades, k)  # noqa: E731
    out: dict[str, Any] = {}
    X, y, wt = _pairs(train, seed=seed)
    Xh = _features(held)
    shape = Xh.shape[:2]
    # logistic on the components (NaN -> 0, as the engine's missing component)
    lr = LogisticRegression(C=1.0, max_iter=1000)
    lr.fit(np.nan_to_num(X), y, sample_weight=wt)
    z = lr.decision_function(np.nan_to_num(Xh).reshape(-1, len(FITTED))).reshape(shape)
    out["logistic_linear"] = ev(1.0 / (1.0 + np.exp(-z)))
    coef = np.maximum(lr.coef_[0], 0.0)
    out["logistic_coefficients"] = {c: round(float(v), 4) for c, v in zip(FITTED, lr.coef_[0])}
    if coef.sum() > 0:
        w = base.weights.as_dict()
        share = sum(w.values()) - sum(v for c, v in w.items() if c not in FITTED)
        cw = {c: float(v / coef.sum() * share) for c, v in zip(FITTED, coef)}
        out["logistic_as_weights"] = ev(_score_matrix(held.bench.prepared.features, base.replace(weights=cw)))
    # isotonic calibration of each component, then logistic on the calibrated values
    cal = []
    for i in range(len(FITTED)):
        xi = X[:, i]
        ok = ~np.isnan(xi)
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        if ok.sum() >= 2 and len(np.unique(xi[ok])) > 1:
            iso.fit(xi[ok], y[ok], sample_weight=wt[ok])
            prior = float(np.average(y[~ok], weights=wt[~ok])) if (~ok).any() else float(np.average(y, weights=wt))
            cal.append((iso, prior))
        else:
            cal.append((None, float(np.average(y, weights=wt))))

    def calibrate(A: np.ndarray) -> np.ndarray:
        Z = np.empty_like(A, dtype=np.float64)
        for i, (iso, prior) in enumerate(cal):
            a = A[..., i]
            ok = ~np.isnan(a)
            col = np.full(a.shape, prior)
            if iso is not None and ok.any():
                col[ok] = iso.predict(a[ok])
            Z[..., i] = col
        return Z

    lr2 = LogisticRegression(C=1.0, max_iter=1000)
    lr2.fit(calibrate(X), y, sample_weight=wt)
    z2 = lr2.decision_function(calibrate(Xh.reshape(-1, len(FITTED)))).reshape(shape)
    out["isotonic_logistic"] = ev(z2)
    informative = tuple(c for c in FITTED if not np.isnan(held.comps[c]).all() and np.nanmax(held.comps[c]) - np.nanmin(held.comps[c]) > 1e-9)
    out["rrf"] = ev(_rrf(held, informative))
    return out


def format_cv(res: dict[str, Any]) -> str:
    """French text tables: fitted weights per fold, then held-out nDCG@k per ranker."""
    k = res["k"]
    m = f"ndcg@{k}"
    lines = [
        f"Validation croisée « un banc laissé de côté » ({res['model']}) : pour chaque banc, poids réglés "
        f"sur les AUTRES bancs (postes et profils d'un métier du banc laissé de côté exclus), mesurés sur lui seul ; "
        f"objectif « {res.get('objective', 'mean')} » (pareto : un poids n'entre que s'il ne dégrade aucun banc d'apprentissage ; mean : nDCG moyen ; regret : pire écart à la meilleure composante seule).",
        "",
        f"{'banc laissé de côté':<20}{'réglé sur':<34}" + "".join(f"{c[:10]:>11}" for c in FITTED) + f"{'plage cos.':>13}{'objectif':>11}",
    ]
    for f in res["folds"]:
        lines.append(
            f"{f['held_out']:<20}{', '.join(f['fitted_on'])[:33]:<34}"
            + "".join(f"{f['weights'][c]:>11.3f}" for c in FITTED)
            + f"{f['semantic_range'][0]:>7.2f}-{f['semantic_range'][1]:.2f}{f['train_objective']:>11.4f}"
        )
    a = res["all"]
    lines.append(
        f"{'(tous les bancs)':<20}{'tous':<34}" + "".join(f"{a['weights'][c]:>11.3f}" for c in FITTED)
        + f"{a['semantic_range'][0]:>7.2f}-{a['semantic_range'][1]:.2f}{a['train_objective']:>11.4f}"
    )
    lines.append("")
    names = [f["held_out"] for f in res["folds"]]
    rows: dict[str, list] = {}
    for i, f in enumerate(res["folds"]):
        for r, met in f["held_out_metrics"].items():
            rows.setdefault(r, [None] * len(names))[i] = met[m]
        for r, met in f.get("experiments", {}).items():
            if isinstance(met, dict) and m in met:
                rows.setdefault("exp:" + r, [None] * len(names))[i] = met[m]
    lines.append(f"{m} sur le banc laissé de côté :")
    lines.append(f"{'classement':<28}" + "".join(f"{n[:16]:>18}" for n in names))
    for r, vals in rows.items():
        lines.append(f"{r:<28}" + "".join(f"{v:>18.4f}" if v is not None else f"{'—':>18}" for v in vals))
    wins = [f["held_out_metrics"]["fitted"][m] >= f["held_out_metrics"]["default"][m] for f in res["folds"]]
    above = [
        f["best_single"] is None or f["held_out_metrics"]["fitted"][m] >= f["held_out_metrics"]["only_" + f["best_single"]][m]
        for f in res["folds"]
    ]
    lines.append("")
    lines.append(f"réglé ≥ défaut sur {sum(wins)}/{len(wins)} bancs laissés de côté ; réglé ≥ meilleure composante seule sur {sum(above)}/{len(above)}.")
    return "\n".join(lines)
