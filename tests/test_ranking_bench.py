"""The ranking-quality benchmark: shipped files, metrics, and one fast run (hashing encoder)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from matching.evaluation.ranking_bench import (
    DEFAULT_BENCH_DIR,
    SIGNALS,
    bench_config,
    evaluate_ranking,
    format_table,
    holdout_taxonomy,
    rank_matrix,
    ranking_metrics,
)

ROME_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference" / "rome4"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- metrics ------------------------------------------------------------------------------
def test_metrics_by_hand():
    # one query, 4 items; grades: item 2 -> 2, item 0 -> 1; ranking 0, 1, 2, 3
    order = np.array([[0, 1, 2, 3]])
    grades = np.array([[1, 0, 2, 0]])
    m = ranking_metrics(order, grades, k=2)
    dcg = (2**1 - 1) / np.log2(2)  # item 0 at rank 1; item 1 (grade 0) at rank 2
    idcg = (2**2 - 1) / np.log2(2) + (2**1 - 1) / np.log2(3)
    assert m["ndcg@2"] == pytest.approx(round(dcg / idcg, 4))
    assert m["mrr"] == pytest.approx(1 / 3, abs=1e-4)  # first grade-2 item at rank 3
    assert m["recall@2"] == 0.0
    perfect = ranking_metrics(np.array([[2, 0, 1, 3]]), grades, k=2)
    assert perfect == {"ndcg@2": 1.0, "mrr": 1.0, "recall@2": 1.0}


def test_rank_matrix_breaks_ties_by_identifier_order():
    scores = np.array([[0.5, 0.9, 0.5, 0.5]])
    tie = np.array([3, 0, 1, 2])  # lexicographic rank of each item's identifier
    assert rank_matrix(scores, tie).tolist() == [[1, 2, 3, 0]]


# --- the shipped benchmark ---------------------------------------------------------------
def test_shipped_files_are_small_and_leak_no_code():
    total = sum(p.stat().st_size for p in DEFAULT_BENCH_DIR.iterdir() if p.is_file())
    assert total < 2 * 1024 * 1024
    code = re.compile(r"\b[A-N]\d{4}\b")
    for name in ("profiles.csv", "positions.csv"):
        rows = _rows(DEFAULT_BENCH_DIR / name)
        assert rows and not any("code" in c or "rome" in c for c in rows[0])
        assert not any(code.search(v) for r in rows for v in r.values())
    labels = _rows(DEFAULT_BENCH_DIR / "labels.csv")
    assert {r["grade"] for r in labels} == {"1", "2"}


def test_profiles_never_copy_their_positions_text():
    key = {r["id"]: r["code_rome"] for r in _rows(DEFAULT_BENCH_DIR / "key.csv")}
    positions = {key[r["position_id"]]: r for r in _rows(DEFAULT_BENCH_DIR / "positions.csv")}
    for p in _rows(DEFAULT_BENCH_DIR / "profiles.csv"):
        q = positions[key[p["profile_id"]]]
        assert p["current_position"] != q["title"]
        for sentence in filter(None, (s.strip() for s in q["description"].split(". "))):
            assert sentence.rstrip(".") not in p["summary"]


@pytest.mark.skipif(not ROME_DIR.is_dir(), reason="ROME 4.0 reference data not available")
def test_builder_reproduces_the_shipped_files(tmp_path):
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "data" / "scripts" / "build_ranking_bench.py"
    spec = importlib.util.spec_from_file_location("build_ranking_bench", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(ROME_DIR, tmp_path, seed=0)
    for name in ("profiles.csv", "positions.csv", "labels.csv", "key.csv"):
        assert (tmp_path / name).read_bytes() == (DEFAULT_BENCH_DIR / name).read_bytes(), name


# --- held-out titles ----------------------------------------------------------------------
def test_holdout_taxonomy_forgets_the_given_titles():
    from matching.taxonomy import Taxonomy
    from matching.textnorm import key
    from matching.titles import clean_title

    tax = Taxonomy.default()
    title = "Développeuse web"  # one gendered form of the appellation "Développeur / Développeuse web"
    k = key(clean_title(title))
    known = lambda t: any(key(clean_title(x)) == k for x in t)  # noqa: E731
    assert known(tax.appellations["label"])
    held = holdout_taxonomy(tax, [title])
    assert not known(held.appellations["label"]) and not known(held.occupations["label"])
    assert not known(a for x in held.esco_occupations["alt_labels"] for a in x.split("|"))
    assert len(held.appellations) < len(tax.appellations)
    assert len(tax.appellations) == tax.counts["appellations"]  # the original is untouched
    assert held.rome_skills is tax.rome_skills and held.mobility is tax.mobility


# --- one fast run on a subset ------------------------------------------------------------
@pytest.fixture(scope="module")
def small_bench(tmp_path_factory):
    """30 positions, their same-occupation profiles and 40 other profiles."""
    out = tmp_path_factory.mktemp("bench")
    positions = _rows(DEFAULT_BENCH_DIR / "positions.csv")[:30]
    keep_q = {r["position_id"] for r in positions}
    labels = [r for r in _rows(DEFAULT_BENCH_DIR / "labels.csv") if r["position_id"] in keep_q]
    same = {r["profile_id"] for r in labels if r["grade"] == "2"}
    profiles = _rows(DEFAULT_BENCH_DIR / "profiles.csv")
    others = [r for r in profiles if r["profile_id"] not in same][:40]
    profiles = [r for r in profiles if r["profile_id"] in same] + others
    keep_p = {r["profile_id"] for r in profiles}
    labels = [r for r in labels if r["profile_id"] in keep_p]
    for name, rows in (("positions.csv", positions), ("profiles.csv", profiles), ("labels.csv", labels)):
        with open(out / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return out


@pytest.fixture(scope="module")
def small_prepared(small_bench, hashing_encoder):
    from matching.config import Config
    from matching.evaluation.ranking_bench import prepare_bench

    return prepare_bench(small_bench, encoder=hashing_encoder, config=Config().replace(model={"name": "hashing"}))


def test_evaluate_ranking_on_a_subset(small_prepared):
    res = evaluate_ranking(bench=small_prepared)
    assert res["n_positions"] == 30 and res["n_profiles"] == 100
    assert res["n_labels"]["grade2"] == 60
    assert res["holdout_titles"] is True and res["weights"]["wishes"] == 0.0
    for name in SIGNALS:
        if name in res["not_applicable"]:  # a component without data in the benchmark (experience)
            continue
        assert set(res[name]) == {"ndcg@10", "mrr", "recall@10"}
        assert all(0.0 <= v <= 1.0 for v in res[name].values())
    text = format_table(res)
    assert "moteur complet" in text and "TF-IDF seul" in text


def test_engine_column_is_the_batch_ranking(small_prepared):
    """The benchmark's engine ranking is the batch's own top-k (same scores, same ties)."""
    from matching.evaluation.ranking_bench import _score_matrix
    from matching.rank import rank

    f, cfg = small_prepared.prepared.features, small_prepared.config
    assert not any(cfg.to_dict()["rules"][r] for r in ("clearance", "same_position", "availability"))
    tie = np.argsort(np.argsort(np.asarray(f.profiles.ids, dtype=str), kind="stable"), kind="stable")
    order = rank_matrix(_score_matrix(f, cfg), tie)
    sl = rank(f, cfg).shortlist
    for j in range(f.n_positions):
        batch = sl[sl["position"] == j].sort_values("rank")["profile"].tolist()
        assert batch == order[j, :10].tolist()
