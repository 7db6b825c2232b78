"""MELO French benchmark, on a small subset (skipped without the shared benchmark folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

MELO = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "melo_fra"

pytestmark = pytest.mark.skipif(not (MELO / "queries.tsv").is_file(), reason="MELO benchmark not available")


def test_melo_subset_engine_beats_tfidf():
    from matching.evaluation.melo import evaluate_melo

    res = evaluate_melo(MELO, encoder=None, limit=150)
    assert res["crosswalk"] is False
    assert res["queries"] == 150
    for side in ("engine", "tfidf"):
        assert set(res[side]) == {"mrr", "acc@1", "acc@10"}
        assert 0.0 <= res[side]["acc@1"] <= res[side]["acc@10"] <= 1.0
    assert res["engine"]["mrr"] >= res["tfidf"]["mrr"]


def test_melo_refuses_the_crosswalk():
    from matching.evaluation.melo import evaluate_melo

    with pytest.raises(ValueError, match="crosswalk"):
        evaluate_melo(MELO, use_crosswalk=True)


def test_ranking_metrics():
    import numpy as np

    from matching.evaluation.melo import ranking_metrics

    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.3, 0.1]])
    res = ranking_metrics(scores, ["q1", "q2"], ["a", "b", "c"], {"q1": {"c"}, "q2": {"b"}})
    assert res == {"mrr": 0.75, "acc@1": 0.5, "acc@10": 1.0}
