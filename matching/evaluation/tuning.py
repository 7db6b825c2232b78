"""Tuning the configuration against labelled outcomes, and comparing two configurations.

Normalisation and embeddings do not depend on weights, thresholds or ranking settings, so a
batch is prepared once (:func:`matching.pipeline.prepare`) and every candidate
configuration is only re-ranked (:func:`matching.rank.rank`, blockwise, a few hundredths
of a second on the sample).

The search (:func:`tune`) is deterministic for a given seed:

1. the labelled positions that can be evaluated (at least one relevant label) are split
   once into a training and a held-out part (seeded shuffle);
2. seeded random search: the starting configuration, then ``n_trials`` draws of the six
   weights (Dirichlet, rounded to 0.01) and, when asked, of ``ranking.min_score``;
3. coordinate search from the best draw: each parameter in turn is moved along a small
   grid, a move is kept only when it strictly improves the training metric;
4. the best configuration on the training part is reported on the held-out part, beside
   the starting configuration's figures on the same two parts.

Only the training part chooses; the held-out figure is the honest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from matching.config import COMPONENTS, Config
from matching.evaluation.outcomes import _ordered_lists, coverage, exposure, label_map, metrics_from_lists, ranking_metrics

__all__ = [
    "TuningResult",
    "shortlist_frame",
    "evaluate_config",
    "split_positions",
    "tune",
    "compare_configs",
    "prepare_files",
    "METRICS",
]

METRICS = ("ndcg", "map", "mrr", "recall")
_WEIGHT_GRID = (0.0, 0.5, 0.75, 1.33, 2.0)  # multipliers tried by the coordinate search
_MIN_SCORE_STEPS = (-0.10, -0.05, 0.05, 0.10)


def shortlist_frame(prepared, ranking) -> pd.DataFrame:
    """``position_id, profile_id, rank, score`` of a :class:`matching.rank.Ranking` (no
    explanations: fast enough to evaluate hundreds of configurations)."""
    sl = ranking.shortlist
    f = prepared.features
    return pd.DataFrame(
        {
            "position_id": np.asarray(f.positions.ids, dtype=object)[sl["position"].to_numpy()].astype(str),
            "profile_id": np.asarray(f.profiles.ids, dtype=object)[sl["profile"].to_numpy()].astype(str),
            "rank": sl["rank"].to_numpy().astype(int),
            "score": sl["score"].to_numpy().astype(float),
        }
    )


def _shortlists(prepared, config: Config) -> pd.DataFrame:
    from matching.rank import rank

    return shortlist_frame(prepared, rank(prepared.features, config))


def evaluate_config(
    prepared,
    config: Config,
    labels: pd.DataFrame,
    *,
    k: int = 10,
    positions: Iterable[str] | None = None,
) -> dict[str, float]:
    """Rank ``prepared`` with ``config`` and compute the ranking metrics against
    ``labels`` (on ``positions`` only when given)."""
    return ranking_metrics(_shortlists(prepared, config), labels, k=k, positions=positions)


def split_positions(labels: pd.DataFrame, *, test_size: float = 0.5, seed: int = 0) -> tuple[list[str], list[str]]:
    """(training, held-out) ids of the positions that can be evaluated (at least one label
    of grade >= 1), split by a seeded shuffle of the sorted ids."""
    if not 0 < test_size < 1:
        raise ValueError(f"the 'test_size' parameter must be a number in (0, 1), got {test_size!r}")
    ids = sorted({str(q) for q in labels.loc[labels["grade"] >= 1, "position_id"]})
    if len(ids) < 2:
        raise ValueError(f"at least 2 labelled positions with a relevant candidate are needed to split, got {len(ids)}")
    rng = np.random.default_rng(seed)
    order = [ids[i] for i in rng.permutation(len(ids))]
    n_test = min(len(ids) - 1, max(1, int(round(test_size * len(ids)))))
    return sorted(order[n_test:]), sorted(order[:n_test])


@dataclass
class TuningResult:
    """What :func:`tune` found: the tuned configuration and the figures that justify it."""

    config: Config
    base: Config
    metric: str
    k: int
    train_positions: list[str]
    test_positions: list[str]
    train: dict[str, dict[str, float]]  # {"défaut": metrics, "réglée": metrics}
    test: dict[str, dict[str, float]]
    trials: pd.DataFrame = field(repr=False)

    def table(self) -> pd.DataFrame:
        """One row per (split, configuration), one column per metric."""
        rows = []
        for split, name in (("apprentissage", "train"), ("test", "test")):
            for cfg, metrics in getattr(self, name).items():
                rows.append({"échantillon": split, "configuration": cfg, **metrics})
        return pd.DataFrame(rows)

    @property
    def improved(self) -> bool:
        """True when the tuned configuration beats the starting one on the held-out part."""
        return self.test["réglée"][self.metric] > self.test["défaut"][self.metric]

    def summary(self) -> list[str]:
        m = self.metric
        d_tr, t_tr = self.train["défaut"][m], self.train["réglée"][m]
        d_te, t_te = self.test["défaut"][m], self.test["réglée"][m]
        w = ", ".join(f"{c} {_fr(v)}" for c, v in self.config.weights.normalized().items())
        return [
            f"{len(self.train_positions)} postes d'apprentissage, {len(self.test_positions)} postes de test "
            f"(tirage reproductible), {len(self.trials)} configurations essayées.",
            f"{m} sur l'apprentissage : {_fr(d_tr, 3)} (défaut) → {_fr(t_tr, 3)} (réglée).",
            f"{m} sur le test (jamais vu pendant le réglage) : {_fr(d_te, 3)} (défaut) → {_fr(t_te, 3)} (réglée).",
            f"Poids réglés (normalisés) : {w} ; score minimal {_fr(self.config.ranking.min_score)}.",
        ]


def _fr(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _with(config: Config, weights: dict[str, float], min_score: float) -> Config:
    return config.replace(weights={c: float(weights[c]) for c in COMPONENTS}, ranking={"min_score": float(min_score)})


def tune(
    prepared,
    labels: pd.DataFrame,
    *,
    base: Config | None = None,
    metric: str = "ndcg@10",
    n_trials: int = 200,
    rounds: int = 2,
    seed: int = 0,
    test_size: float = 0.5,
    tune_min_score: bool = True,
    min_score_range: tuple[float, float] = (0.15, 0.5),
) -> TuningResult:
    """Search weights (and ``ranking.min_score``) maximising ``metric`` on a training split
    of the labelled positions; report it on the held-out split. Deterministic for a seed.

    ``metric`` is one of ``ndcg@k``, ``map``, ``mrr``, ``recall@k`` (k taken from it;
    ``map``/``mrr`` use ``base.ranking.top_k``). Save the result with
    ``result.config.save("reglee.toml")``: a file the command line runs with ``--config``.
    """
    base = base or Config()
    name, _, kk = metric.partition("@")
    if name not in METRICS or (name in ("ndcg", "recall") and not kk.isdigit()) or (name in ("map", "mrr") and kk):
        raise ValueError(f"the 'metric' parameter must be one of 'ndcg@k', 'map', 'mrr', 'recall@k', got {metric!r}")
    k = int(kk) if kk else base.ranking.top_k
    lo, hi = min_score_range
    if not 0.0 <= lo <= hi <= 1.0:
        raise ValueError(f"the 'min_score_range' parameter must be (lo, hi) with 0 <= lo <= hi <= 1, got {min_score_range!r}")
    train_ids, test_ids = split_positions(labels, test_size=test_size, seed=seed)
    train_set = set(train_ids)
    train_labels = label_map(labels[labels["position_id"].astype(str).isin(train_set)])

    cache: dict[tuple, float] = {}
    trials: list[dict] = []

    def score(weights: dict[str, float], min_score: float, phase: str) -> float:
        key = (tuple(round(weights[c], 6) for c in COMPONENTS), round(min_score, 6))
        if key not in cache:
            cfg = _with(base, weights, min_score)
            per = metrics_from_lists(_ordered_lists(_shortlists(prepared, cfg)), train_labels, k=k)
            cache[key] = float(per[metric].mean())
            trials.append({"trial": len(trials), "phase": phase, **{f"w_{c}": weights[c] for c in COMPONENTS}, "min_score": min_score, metric: cache[key]})
        return cache[key]

    rng = np.random.default_rng(seed)
    best_w = base.weights.as_dict()
    best_ms = base.ranking.min_score
    best = score(best_w, best_ms, "départ")
    for _ in range(n_trials):
        w = rng.dirichlet(np.ones(len(COMPONENTS)))
        w = np.round(w, 2)
        if w.sum() <= 0:
            continue
        weights = dict(zip(COMPONENTS, (float(x) for x in w)))
        ms = float(np.round(rng.uniform(lo, hi), 2)) if tune_min_score else best_ms
        val = score(weights, ms, "aléatoire")
        if val > best:
            best, best_w, best_ms = val, weights, ms
    for _ in range(rounds):
        moved = False
        for c in COMPONENTS:
            for mult in _WEIGHT_GRID:
                cand = dict(best_w)
                cand[c] = round(best_w[c] * mult if best_w[c] > 0 else 0.05 * mult, 3)
                if sum(cand.values()) <= 0:
                    continue
                val = score(cand, best_ms, "coordonnées")
                if val > best:
                    best, best_w, moved = val, cand, True
        if tune_min_score:
            for step in _MIN_SCORE_STEPS:
                ms = round(min(hi, max(lo, best_ms + step)), 2)
                val = score(best_w, ms, "coordonnées")
                if val > best:
                    best, best_ms, moved = val, ms, True
        if not moved:
            break

    tuned = _with(base, best_w, best_ms)
    sl_base, sl_tuned = _shortlists(prepared, base), _shortlists(prepared, tuned)
    train = {"défaut": ranking_metrics(sl_base, labels, k=k, positions=train_ids), "réglée": ranking_metrics(sl_tuned, labels, k=k, positions=train_ids)}
    test = {"défaut": ranking_metrics(sl_base, labels, k=k, positions=test_ids), "réglée": ranking_metrics(sl_tuned, labels, k=k, positions=test_ids)}
    return TuningResult(
        config=tuned,
        base=base,
        metric=metric,
        k=k,
        train_positions=train_ids,
        test_positions=test_ids,
        train=train,
        test=test,
        trials=pd.DataFrame(trials),
    )


def _summary_metrics(prepared, sl: pd.DataFrame, labels: pd.DataFrame | None, k: int) -> dict[str, float]:
    out: dict[str, float] = {}
    if labels is not None:
        out.update(ranking_metrics(sl, labels, k=k))
    cov = coverage(sl, k=k, positions=prepared.features.positions.ids, profiles=prepared.features.profiles.ids)
    exp, _ = exposure(sl, profiles=prepared.features.profiles.ids)
    out.update(
        {
            "lignes": float(len(sl)),
            f"part_postes_{k}_candidats": cov["share_positions_with_k"],
            "postes_sans_candidat": float(cov["positions_without_candidate"]),
            "part_ingenieurs_listes": cov["share_profiles_on_a_shortlist"],
            "gini_exposition": exp["gini"],
            "part_top10": exp["top10_share"],
        }
    )
    return out


def compare_configs(
    prepared,
    config_a: Config,
    config_b: Config,
    labels: pd.DataFrame | None = None,
    *,
    k: int = 10,
    names: tuple[str, str] = ("A", "B"),
    prepared_b=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare two configurations on the same data.

    Returns ``(metrics, changes)``: ``metrics`` has one row per configuration (index
    ``names``) with the ranking metrics (when ``labels`` are given), coverage and exposure;
    ``changes`` lists the shortlist lines that differ — columns ``position_id, profile_id,
    rank_<A>, rank_<B>, score_<A>, score_<B>, change`` with change one of ``ajoutée``
    (only in B), ``retirée`` (only in A), ``rang modifié``. Give ``prepared_b`` when the two
    configurations differ in model or normalisation settings (features must be rebuilt).
    """
    a, b = names
    pb = prepared_b if prepared_b is not None else prepared
    sl_a, sl_b = _shortlists(prepared, config_a), _shortlists(pb, config_b)
    metrics = pd.DataFrame([_summary_metrics(prepared, sl_a, labels, k), _summary_metrics(pb, sl_b, labels, k)], index=[a, b])
    merged = sl_a.merge(sl_b, on=["position_id", "profile_id"], how="outer", suffixes=(f"_{a}", f"_{b}"), indicator=True)
    merged["change"] = np.select(
        [merged["_merge"] == "right_only", merged["_merge"] == "left_only", merged[f"rank_{a}"] != merged[f"rank_{b}"]],
        ["ajoutée", "retirée", "rang modifié"],
        default="",
    )
    changes = merged[merged["change"] != ""].drop(columns="_merge")
    changes = changes[["position_id", "profile_id", f"rank_{a}", f"rank_{b}", f"score_{a}", f"score_{b}", "change"]]
    for col in (f"rank_{a}", f"rank_{b}"):
        changes[col] = changes[col].astype("Int64")
    changes = changes.sort_values(["position_id", f"rank_{b}", f"rank_{a}", "profile_id"], kind="stable").reset_index(drop=True)
    return metrics, changes


def prepare_files(profiles: str | Path, positions: str | Path, *, config: Config | None = None, encoder=None, taxonomy=None):
    """Read and prepare a batch's two files once (for :func:`tune` and
    :func:`compare_configs`); raises :class:`matching.engine.BatchError` when nothing is
    accepted. Returns the :class:`matching.engine.Prepared`."""
    from matching.engine import BatchError, Matcher

    matcher = Matcher(config or Config(), encoder=encoder, taxonomy=taxonomy)
    inputs = matcher.read(profiles, positions)
    if len(inputs.profiles.frame) == 0 or len(inputs.positions.frame) == 0:
        raise BatchError("aucun profil ou aucun poste accepté : rien à évaluer.")
    return matcher.prepare(inputs)
