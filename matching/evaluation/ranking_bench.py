"""Ranking-quality benchmarks: the full engine against each of its single signals, in one run.

Every folder of ``data/benchmarks/`` holding ``profiles.csv``, ``positions.csv`` and
``labels.csv`` is a benchmark (:func:`discover_benches`; :func:`evaluate_benches` runs them
all): ``ranking`` (ROME, below), ``esco`` / ``esco_sans_titre`` (ESCO occupations, candidates
described by other skills of the trade than the position lists, with / without a title) and
``pep`` (real Place de l'emploi public offers against profiles written from ROME). Each has
its README. The leave-one-benchmark-out cross-validation of the weights is in
:mod:`matching.evaluation.cv`.

The first benchmark (``data/benchmarks/ranking/``, built by ``data/scripts/build_ranking_bench.py``
from ROME 4.0) holds positions and profiles written from DIFFERENT material of the same ROME
occupation, and graded relevance: 2 = same occupation, 1 = an occupation from which an
official ROME mobility link leads to the position's, 0 = otherwise. The files carry no
ROME code; they are read by the engine's own readers, like any batch input.

:func:`evaluate_ranking` prepares the data once (normalisation, embeddings, features) and
ranks every profile for every position with:

* ``engine``: the full score (:func:`matching.score.score_block`, the batch's scoring
  function) with the configured weights; hard rules and the wishes component are switched
  off (the benchmark has no rule data and no wishes);
* ``embedding``: the raw cosine of the embeddings the engine computed (not clipped by the
  semantic floor / ceiling, so this baseline keeps its full resolution);
* ``tfidf``: character n-gram TF-IDF cosine between the same texts the engine embeds
  (:func:`matching.pipeline.profile_texts` / :func:`matching.pipeline.position_texts`);
* ``semantic``, ``required_skills``, ``desired_skills``, ``job_fit``, ``experience``: each
  score component alone (weight 1, every other weight 0), through the same scoring function
  on the same prepared features; a component without data on a benchmark (no years, no
  occupation inferred) is listed in ``not_applicable`` instead;
* ``skills``: required- and desired-skill coverage only (the engine's weights for those two).

Ties are broken as the batch breaks them: profile identifier ascending (identifiers are in
random order in the benchmark). Metrics, averaged over positions:

* ``ndcg@k``: gain 2^grade - 1, discount log2(rank + 1), ideal from all graded profiles;
* ``mrr``: reciprocal rank of the first grade-2 profile (same occupation), full ranking;
* ``recall@k``: share of the grade-2 profiles in the top k.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matching.errors import InputFileError

from matching.resources import bench_dir

__all__ = [
    "DEFAULT_BENCH_DIR",
    "DEFAULT_BENCH_ROOT",
    "SIGNALS",
    "SINGLE_COMPONENTS",
    "discover_benches",
    "evaluate_benches",
    "format_benches",
    "component_matrices",
    "combine_components",
    "grade_matrix",
    "tie_order",
    "evaluate_ranking",
    "load_bench",
    "bench_config",
    "rank_matrix",
    "ranking_metrics",
    "format_table",
    "holdout_taxonomy",
    "evaluate_prepared",
    "prepare_bench",
    "BenchData",
]

DEFAULT_BENCH_DIR = bench_dir()
DEFAULT_BENCH_ROOT = DEFAULT_BENCH_DIR.parent

#: Score components ranked alone (all other weights 0) in every run. ``wishes`` is not
#: among them: the benchmarks carry no wishes (the component is a constant there).
SINGLE_COMPONENTS: tuple[str, ...] = ("semantic", "required_skills", "desired_skills", "job_fit", "experience")

#: Rankers compared in one run, in display order, with their French labels.
SIGNALS: dict[str, str] = {
    "engine": "moteur complet",
    "semantic": "similarité sémantique seule",
    "required_skills": "compétences requises seules",
    "desired_skills": "compétences souhaitées seules",
    "job_fit": "adéquation métier seule",
    "experience": "expérience seule",
    "skills": "compétences (req. + souh.)",
    "embedding": "cosinus brut des plongements",
    "tfidf": "TF-IDF seul (caractères)",
}


class BenchError(InputFileError, ValueError):
    """The benchmark folder is missing, incomplete or inconsistent."""


def load_bench(bench_dir: str | Path | None = None, config=None):
    """(profiles frame, positions frame, labels: {position_id: {profile_id: grade}})."""
    import pandas as pd

    from matching.pipeline import load_positions, load_profiles

    folder = Path(bench_dir) if bench_dir is not None else DEFAULT_BENCH_DIR
    for name in ("profiles.csv", "positions.csv", "labels.csv"):
        if not (folder / name).is_file():
            raise BenchError(f"{folder / name} introuvable : est-ce le dossier du banc d'essai de classement ?")
    pr = load_profiles(folder / "profiles.csv", config)
    qr = load_positions(folder / "positions.csv", config)
    if len(pr.rejects) or len(qr.rejects):
        raise BenchError(
            f"{folder} : {len(pr.rejects)} profil(s) et {len(qr.rejects)} poste(s) rejetés ; "
            "le banc d'essai doit être relu sans rejet (reconstruisez-le)."
        )
    lab = pd.read_csv(folder / "labels.csv", dtype={"position_id": str, "profile_id": str, "grade": int})
    labels: dict[str, dict[str, int]] = {}
    for q, p, g in zip(lab.position_id, lab.profile_id, lab.grade):
        if g > 0:
            labels.setdefault(q, {})[p] = int(g)
    return pr.frame, qr.frame, labels


def bench_config(config=None, *, k: int = 10):
    """The configuration the benchmark runs with: the given one (default ``Config()``), hard
    rules off, wishes weight 0, top k = ``k`` and no minimum score."""
    from matching.config import Config

    config = config or Config()
    rules = {name: False for name, value in config.to_dict()["rules"].items() if isinstance(value, bool)}
    return config.replace(rules=rules, weights={"wishes": 0.0}, ranking={"top_k": k, "min_score": 0.0})


def holdout_taxonomy(taxonomy, titles):
    """A copy of ``taxonomy`` whose title index no longer knows ``titles``.

    Every job title the title matcher indexes (ROME appellations and occupation labels,
    ESCO labels, emplois-référence, acronym expansions linked to a code) whose key equals the
    key of one of ``titles`` is removed (or blanked), so that a benchmark whose titles are ROME
    appellations does not look its answer up. Everything else (skills, their links to
    occupations, mobility links) is unchanged.
    """
    import dataclasses

    from matching.textnorm import key
    from matching.titles import clean_title

    def hk(text) -> str:
        return key(clean_title(str(text or "")))

    held = {hk(t) for t in titles} - {""}
    app = taxonomy.appellations
    drop = app["label"].map(hk).isin(held) | app["label_short"].map(hk).isin(held)
    occ = taxonomy.occupations.copy()
    occ["label"] = [("" if hk(x) in held else x) for x in occ["label"]]
    esco = taxonomy.esco_occupations.copy()
    esco["label"] = [("" if hk(x) in held else x) for x in esco["label"]]
    esco["alt_labels"] = ["|".join(a for a in str(x).split("|") if a and hk(a) not in held) for x in esco["alt_labels"]]
    fam = taxonomy.digital_families.copy()
    fam["emploi_reference"] = [("" if hk(x) in held else x) for x in fam["emploi_reference"]]
    acr = taxonomy.acronyms.copy()
    acr["rome_code"] = [("" if hk(e) in held else c) for e, c in zip(acr["expansion"], acr["rome_code"])]
    return dataclasses.replace(
        taxonomy,
        appellations=app[~drop].reset_index(drop=True),
        occupations=occ,
        esco_occupations=esco,
        digital_families=fam,
        acronyms=acr,
        sha256=taxonomy.sha256 + "+holdout",
    )


def _only(config, components: dict[str, float]):
    """A copy of ``config`` whose weights keep only ``components``."""
    from matching.config import COMPONENTS

    return config.replace(weights={c: float(components.get(c, 0.0)) for c in COMPONENTS})


def _score_matrix(features, config, *, chunk: int = 256) -> np.ndarray:
    """(positions, profiles) scores through the batch's scoring function, position chunks."""
    from matching.score import score_block

    n, m = features.n_profiles, features.n_positions
    out = np.empty((m, n), dtype=np.float64)
    for j0 in range(0, m, chunk):
        cols = slice(j0, min(j0 + chunk, m))
        bs = score_block(features, slice(0, n), cols, config)
        out[cols] = bs.score.T
    return out


def _tfidf_matrix(p_texts: list[str], q_texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from matching.textnorm import normalize

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
    mat = vec.fit_transform([normalize(t) for t in p_texts + q_texts])
    P, Q = mat[: len(p_texts)], mat[len(p_texts) :]
    return (Q @ P.T).toarray().astype(np.float64)


def rank_matrix(scores: np.ndarray, tie_order: np.ndarray) -> np.ndarray:
    """Per row, column indices by score descending, then ``tie_order`` ascending."""
    scores = np.round(np.asarray(scores, dtype=np.float64), 6)
    out = np.empty(scores.shape, dtype=np.int64)
    for i in range(scores.shape[0]):
        out[i] = np.lexsort((tie_order, -scores[i]))
    return out


def ranking_metrics(order: np.ndarray, grades: np.ndarray, k: int = 10) -> dict[str, float]:
    """Mean nDCG@k, MRR (first grade-2 item) and recall@k (grade-2 items) over rows.

    ``order``: (queries, items) item indices best first; ``grades``: (queries, items) 0/1/2.
    Rows without a grade-2 item are left out of MRR and recall; rows without any graded
    item are left out of nDCG.
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ndcg, rr, rec = [], [], []
    for row, g in zip(order, grades):
        ranked = g[row]
        ideal = np.sort(g)[::-1][:k]
        idcg = float(((2.0 ** ideal - 1) * discounts[: len(ideal)]).sum())
        if idcg > 0:
            top = ranked[:k]
            ndcg.append(float(((2.0 ** top - 1) * discounts[: len(top)]).sum()) / idcg)
        n_rel = int((g == 2).sum())
        if n_rel:
            first = int(np.argmax(ranked == 2))
            rr.append(1.0 / (first + 1))
            rec.append(float((ranked[:k] == 2).sum()) / n_rel)
    mean = lambda xs: round(float(np.mean(xs)), 4) if xs else float("nan")  # noqa: E731
    return {f"ndcg@{k}": mean(ndcg), "mrr": mean(rr), f"recall@{k}": mean(rec)}


@dataclass
class BenchData:
    """The benchmark, prepared once (normalised, embedded): re-score it with many weights."""

    prepared: Any  # matching.pipeline.Prepared
    labels: dict[str, dict[str, int]]
    config: Any  # the benchmark configuration (see bench_config)
    holdout_titles: bool
    bench_dir: str


def prepare_bench(
    bench_dir: str | Path | None = None,
    *,
    encoder=None,
    config=None,
    k: int = 10,
    taxonomy=None,
    holdout_titles: bool = True,
    progress=None,
) -> BenchData:
    """Read, normalise and embed the benchmark once (see :func:`evaluate_ranking`)."""
    from matching.config import Config
    from matching.pipeline import prepare

    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"the 'k' parameter must be an integer >= 1, got {k!r}")
    cfg = bench_config(config or Config(), k=k)
    profiles, positions, labels = load_bench(bench_dir, cfg)
    if encoder is None:
        from matching.embed import load_encoder

        encoder = load_encoder(cfg.model)
    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    if holdout_titles:
        titles = list(profiles["current_position"]) + list(positions["title"])
        taxonomy = holdout_taxonomy(taxonomy, titles)
    kwargs = {"encoder": encoder, "taxonomy": taxonomy}
    if progress is not None:
        kwargs["progress"] = progress
    prep = prepare(profiles, positions, cfg, **kwargs)
    folder = str(Path(bench_dir) if bench_dir is not None else DEFAULT_BENCH_DIR)
    return BenchData(prep, labels, cfg, bool(holdout_titles), folder)


def evaluate_ranking(
    bench_dir: str | Path | None = None,
    *,
    encoder=None,
    config=None,
    k: int = 10,
    taxonomy=None,
    holdout_titles: bool = True,
    progress=None,
    bench: BenchData | None = None,
) -> dict[str, Any]:
    """Rank the benchmark with the full engine and with each single signal; return metrics.

    Returns ``{"engine": {"ndcg@10", "mrr", "recall@10"}, "embedding": {...}, "tfidf": {...},
    "skills": {...}, "job_fit": {...}, "n_positions", "n_profiles", "n_labels", "model",
    "k", "holdout_titles", "weights", "bench_dir", "seconds"}``. ``encoder`` defaults to the
    configured model. With ``holdout_titles`` (the default), the taxonomy's title index is
    stripped of the benchmark's own titles (see :func:`holdout_taxonomy`): the titles are ROME
    appellations and the relevance is defined by ROME codes, so otherwise the occupation
    inference would read the answer key (as the crosswalk would on MELO).

    ``bench``: data already prepared by :func:`prepare_bench` (then ``config`` only changes
    the weights and scoring keys; model and normalisation are those of the preparation).
    """
    t0 = time.perf_counter()
    if bench is None:
        bench = prepare_bench(
            bench_dir, encoder=encoder, config=config, k=k, taxonomy=taxonomy,
            holdout_titles=holdout_titles, progress=progress,
        )
        cfg = bench.config
    else:
        cfg = bench_config(config, k=k) if config is not None else bench_config(bench.config, k=k)
    result = evaluate_prepared(bench.prepared, bench.labels, cfg, k=k)
    result.update(
        {
            "holdout_titles": bench.holdout_titles,
            "bench_dir": bench.bench_dir,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    return result


def grade_matrix(prep, labels: dict[str, dict[str, int]]) -> np.ndarray:
    """(positions, profiles) relevance grades, in the prepared features' order."""
    f = prep.features
    p_index = {str(p): i for i, p in enumerate(f.profiles.ids)}
    q_ids = [str(x) for x in f.positions.ids]
    grades = np.zeros((len(q_ids), len(p_index)), dtype=np.int64)
    for j, q in enumerate(q_ids):
        for p, g in labels.get(q, {}).items():
            if p in p_index:
                grades[j, p_index[p]] = g
    return grades


def tie_order(prep) -> np.ndarray:
    """Rank of each profile's identifier (the batch's tie-break: identifier ascending)."""
    p_ids = [str(x) for x in prep.features.profiles.ids]
    tie = np.empty(len(p_ids), dtype=np.int64)
    tie[np.argsort(np.asarray(p_ids, dtype=str), kind="stable")] = np.arange(len(p_ids))
    return tie


def component_matrices(features, config, *, chunk: int = 256) -> dict[str, np.ndarray]:
    """(positions, profiles) value of every score component (NaN = not applicable), computed
    once through :func:`matching.score.score_block`, plus ``"cosine"``: the raw cosine."""
    from matching.config import COMPONENTS
    from matching.score import score_block

    n, m = features.n_profiles, features.n_positions
    out = {c: np.empty((m, n), dtype=np.float64) for c in COMPONENTS}
    for j0 in range(0, m, chunk):
        cols = slice(j0, min(j0 + chunk, m))
        bs = score_block(features, slice(0, n), cols, config)
        for c in COMPONENTS:
            out[c][cols] = bs.components[c].T
    out["cosine"] = (features.positions.emb @ features.profiles.emb.T).astype(np.float64)
    return out


def combine_components(
    comps: dict[str, np.ndarray], weights: dict[str, float], *, semantic_range=None, missing_weight: str = "spread"
) -> np.ndarray:
    """The engine's score from component matrices: the weighted mean of the applicable
    components (as :class:`matching.score.ScoringKernel` computes it, in float64).

    ``semantic_range``: (floor, ceiling) to recompute the semantic component from the raw
    cosine (``comps["cosine"]``) instead of using the stored one. ``missing_weight``: as
    ``scoring.missing_weight`` ("semantic": the weight of a component that does not apply to
    a pair goes to the semantic similarity when its weight is positive).
    """
    num = None
    den = None
    sem = None
    every = 0.0
    for c, w in weights.items():
        if not w:
            continue
        every += w
        if c == "semantic" and semantic_range is not None:
            lo, hi = semantic_range
            x = np.clip((comps["cosine"] - lo) / (hi - lo), 0.0, 1.0)
        else:
            x = comps[c]
        if c == "semantic":
            sem = x
        ok = ~np.isnan(x)
        term = w * np.where(ok, x, 0.0)
        num = term if num is None else num + term
        den = w * ok if den is None else den + w * ok
    if num is None:
        raise ValueError("at least one weight must be positive")
    if missing_weight == "semantic" and sem is not None:
        num = num + (every - den) * sem
        den = np.full_like(den, every, dtype=np.float64)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _informative(x: np.ndarray) -> bool:
    """A component that takes more than one value over the benchmark's pairs."""
    v = x[~np.isnan(x)]
    return v.size > 0 and float(v.max() - v.min()) > 1e-9


def evaluate_prepared(prep, labels: dict[str, dict[str, int]], config, *, k: int = 10) -> dict[str, Any]:
    """Metrics of every ranker on already prepared data (``config`` as from :func:`bench_config`).

    Every configuration re-ranks the same prepared features through the batch's scoring
    function: the full engine, then each component of :data:`SINGLE_COMPONENTS` alone (weight
    1, all others 0) when it carries information on the benchmark (otherwise it is listed in
    ``"not_applicable"``), both skill components together (``skills``), the raw cosine and
    character TF-IDF.
    """
    from matching.pipeline import position_texts, profile_texts

    cfg = config
    f = prep.features
    grades = grade_matrix(prep, labels)
    tie = tie_order(prep)
    comps = component_matrices(f, cfg)

    w = cfg.weights
    scores = {"engine": _score_matrix(f, cfg)}
    skipped = []
    for c in SINGLE_COMPONENTS:
        if _informative(comps[c]):
            scores[c] = _score_matrix(f, _only(cfg, {c: 1.0}))
        else:
            skipped.append(c)
    scores["skills"] = _score_matrix(
        f, _only(cfg, {"required_skills": w.required_skills or 1.0, "desired_skills": w.desired_skills})
    )
    scores["embedding"] = comps["cosine"]
    scores["tfidf"] = _tfidf_matrix(profile_texts(prep.profiles), position_texts(prep.positions))
    result: dict[str, Any] = {name: ranking_metrics(rank_matrix(s, tie), grades, k) for name, s in scores.items()}
    result.update(
        {
            "n_positions": int(grades.shape[0]),
            "n_profiles": int(grades.shape[1]),
            "n_labels": {"grade2": int((grades == 2).sum()), "grade1": int((grades == 1).sum())},
            "model": prep.encoder_info.get("name", ""),
            "k": k,
            "weights": cfg.weights.as_dict(),
            "not_applicable": skipped,
        }
    )
    return result


def discover_benches(root: str | Path | None = None) -> dict[str, Path]:
    """Every benchmark folder under ``root`` (default ``data/benchmarks``): a sub-folder
    holding ``profiles.csv``, ``positions.csv`` and ``labels.csv``. Name -> folder, sorted."""
    base = Path(root) if root is not None else DEFAULT_BENCH_ROOT
    if not base.is_dir():
        raise BenchError(f"{base} introuvable : aucun banc d'essai.")
    out = {
        d.name: d
        for d in sorted(base.iterdir())
        if d.is_dir() and all((d / n).is_file() for n in ("profiles.csv", "positions.csv", "labels.csv"))
    }
    if not out:
        raise BenchError(f"{base} ne contient aucun banc d'essai (profiles.csv, positions.csv, labels.csv).")
    return out


def evaluate_benches(
    names: list[str] | None = None,
    *,
    root: str | Path | None = None,
    encoder=None,
    config=None,
    k: int = 10,
    taxonomy=None,
    holdout_titles: bool = True,
    progress=None,
) -> dict[str, Any]:
    """:func:`evaluate_ranking` on several benchmarks (default: all of :func:`discover_benches`),
    each prepared once. Returns ``{"benchmarks": {name: result}, "k", "model"}``."""
    from matching.config import Config

    found = discover_benches(root)
    if names:
        unknown = [n for n in names if n not in found]
        if unknown:
            raise BenchError(
                f"banc(s) inconnu(s) : {', '.join(unknown)} ; disponibles : {', '.join(found)}"
            )
        found = {n: found[n] for n in names}
    cfg = config or Config()
    if encoder is None:
        from matching.embed import load_encoder

        encoder = load_encoder(cfg.model)
    if taxonomy is None:
        from matching.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    out: dict[str, Any] = {}
    for name, folder in found.items():
        res = evaluate_ranking(
            folder, encoder=encoder, config=cfg, k=k, taxonomy=taxonomy,
            holdout_titles=holdout_titles, progress=progress,
        )
        res["name"] = name
        out[name] = res
    model = next(iter(out.values()))["model"] if out else ""
    return {"benchmarks": out, "k": k, "model": model}


def format_benches(result: dict[str, Any]) -> str:
    """Per-benchmark tables, then one nDCG summary line per ranker across benchmarks."""
    k = result.get("k", 10)
    parts = []
    for name, res in result["benchmarks"].items():
        parts.append(f"== {name} ==")
        parts.append(format_table(res))
        parts.append("")
    names = list(result["benchmarks"])
    col = f"ndcg@{k}"
    parts.append(f"Synthèse {col} (toutes les configurations classent les mêmes données préparées) :")
    parts.append(f"{'classement':<32}" + "".join(f"{n[:16]:>18}" for n in names))
    for sig, label in SIGNALS.items():
        vals = [result["benchmarks"][n].get(sig, {}).get(col) for n in names]
        if all(v is None for v in vals):
            continue
        parts.append(f"{label:<32}" + "".join(f"{v:>18.4f}" if v is not None else f"{'—':>18}" for v in vals))
    return "\n".join(parts)


def format_table(result: dict[str, Any]) -> str:
    """The result as a French text table (for the command line)."""
    k = result.get("k", 10)
    cols = (f"ndcg@{k}", "mrr", f"recall@{k}")
    lines = [
        f"Banc d'essai de classement : {result['n_positions']} postes, {result['n_profiles']} profils, "
        f"modèle {result['model']}",
        f"{'classement':<32}" + "".join(f"{c:>12}" for c in cols),
    ]
    for name, label in SIGNALS.items():
        if name in result:
            lines.append(f"{label:<32}" + "".join(f"{result[name][c]:>12.4f}" for c in cols))
    if result.get("not_applicable"):
        lines.append("non évaluables seules (aucune donnée dans le banc) : " + ", ".join(result["not_applicable"]))
    lines.append(
        f"MRR : rang du premier profil du même métier ; rappel@{k} : part des profils du même métier "
        f"dans les {k} premiers ; nDCG@{k} : gain 2^pertinence - 1 (2 = même métier, 1 = métier voisin)."
    )
    return "\n".join(lines)
