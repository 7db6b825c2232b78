"""Tuning and comparison of configurations, on the shipped sample prepared once with the
fast "hashing" encoder (cached on disk like the notebooks' prepared sample)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from matching.config import Config
from matching.evaluation.outcomes import read_labels
from matching.evaluation.tuning import compare_configs, evaluate_config, split_positions, tune

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = REPO / "data" / "sample" / "outcomes.csv"


@pytest.fixture(scope="module")
def base():
    return Config().replace(model={"name": "hashing"})


@pytest.fixture(scope="module")
def prepared(base):
    sys.path.insert(0, str(REPO / "notebooks"))
    try:
        import atelier
    finally:
        sys.path.remove(str(REPO / "notebooks"))
    return atelier.load_batch(base).prepared


@pytest.fixture(scope="module")
def labels():
    return read_labels(OUTCOMES)


def test_split_is_deterministic_disjoint_and_complete(labels):
    train, test = split_positions(labels, test_size=0.5, seed=0)
    assert (train, test) == split_positions(labels, test_size=0.5, seed=0)
    assert not set(train) & set(test)
    evaluable = set(labels.loc[labels["grade"] >= 1, "position_id"])
    assert set(train) | set(test) == evaluable and abs(len(train) - len(test)) <= 1
    assert split_positions(labels, seed=1) != (train, test)
    with pytest.raises(ValueError, match="test_size"):
        split_positions(labels, test_size=1.0)


def test_tuned_configuration_beats_the_default_on_held_out_positions(prepared, labels, base, tmp_path):
    result = tune(prepared, labels, base=base, metric="ndcg@10", n_trials=40, seed=0)
    assert result.train["réglée"]["ndcg@10"] >= result.train["défaut"]["ndcg@10"]
    assert result.improved, result.summary()
    assert set(result.test_positions) & set(result.train_positions) == set()
    # the reported figures are those of a plain evaluation on the held-out positions
    again = evaluate_config(prepared, result.config, labels, positions=result.test_positions)
    assert again == result.test["réglée"]
    path = tmp_path / "reglee.toml"
    result.config.save(path)
    assert Config.from_toml(path) == result.config
    table = result.table()
    assert list(table.columns) == ["échantillon", "configuration", "ndcg@10", "map", "mrr", "recall@10"]


def test_tuning_is_deterministic(prepared, labels, base):
    a = tune(prepared, labels, base=base, n_trials=8, rounds=1, seed=3, metric="mrr")
    b = tune(prepared, labels, base=base, n_trials=8, rounds=1, seed=3, metric="mrr")
    assert a.config == b.config
    pd.testing.assert_frame_equal(a.trials, b.trials)
    with pytest.raises(ValueError, match="metric"):
        tune(prepared, labels, base=base, metric="ndcg")


def test_compare_configs(prepared, labels, base):
    metrics, changes = compare_configs(prepared, base, base, labels)
    assert changes.empty and metrics.iloc[0].equals(metrics.iloc[1])
    other = base.replace(weights={"wishes": 0.0, "semantic": 0.6}, ranking={"min_score": 0.25})
    metrics, changes = compare_configs(prepared, base, other, labels, names=("défaut", "autre"))
    assert list(metrics.index) == ["défaut", "autre"]
    assert {"ndcg@10", "map", "mrr", "recall@10", "lignes", "gini_exposition"} <= set(metrics.columns)
    assert set(changes["change"]) <= {"ajoutée", "retirée", "rang modifié"} and len(changes)
    added = int((changes["change"] == "ajoutée").sum())
    removed = int((changes["change"] == "retirée").sum())
    assert metrics.loc["autre", "lignes"] - metrics.loc["défaut", "lignes"] == added - removed
    assert changes.loc[changes["change"] == "ajoutée", "rank_défaut"].isna().all()
