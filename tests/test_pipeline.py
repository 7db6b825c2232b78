"""The batch end to end on a slice of the shipped sample, with the fast test encoder:
determinism, the embedding cache, invariance to the order of the input rows, hard rules,
explanations, and the sum of the contributions."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matching.config import COMPONENTS, Config
from matching.explain import explain_pair, render_account
from matching.rank import score_pairs
from matching.score import RULES

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def write_slice(src: Path, dst: Path, keep, *, shuffle_seed: int | None = None) -> Path:
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0].keys())
    rows = [r for i, r in enumerate(rows) if keep(i, r)]
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(rows)
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return dst


def keep_profiles(i, r):
    return i < 60


def keep_positions(i, r):
    # the illustrative senior posts, plus a few real Place de l'emploi public offers
    return r["position_id"].startswith("ILL-") or i % 20 == 0


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("slice")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", keep_profiles)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", keep_positions)
    return p, q


@pytest.fixture(scope="module")
def config():
    return Config().replace(model={"name": "hashing"}, rules={"reference_date": "2026-11-28"})


@pytest.fixture(scope="module")
def batch(files, config, tmp_path_factory):
    from matching.pipeline import run_batch

    out = tmp_path_factory.mktemp("out")
    return run_batch(*files, out=out, config=config)


def test_batch_writes_the_deliverables(batch):
    out = batch.outdir
    for name in ("shortlists.csv", "opportunities.csv", "rejects.csv", "manifest.json", "config.toml", "pseudonymes.csv"):
        assert (out / name).is_file(), name
    sl = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    for col in ("batch_id", "ministry", "position_id", "position_title", "rank", "profile_id", "score", *COMPONENTS,
                "matched_skills", "missing_skills", "explanation"):
        assert col in sl.columns
    assert len(sl) > 0
    assert (sl["batch_id"] == batch.batch_id).all()
    # every ministry of the positions has its own employer file
    ministries = set(batch.prepared.positions["ministry"])
    assert len(list((out / "employeurs").glob("*.csv"))) == len(ministries)
    c = batch.manifest["counts"]
    for kind in ("profiles", "positions"):
        assert c[kind]["read"] == c[kind]["accepted"] + c[kind]["rejected"]


def test_shortlists_respect_k_min_score_and_order(batch, config):
    sl = batch.shortlists
    assert sl.groupby("position_id").size().max() <= config.ranking.top_k
    assert (sl["score"] >= config.ranking.min_score).all()
    for _, g in sl.groupby("position_id"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert (np.diff(g["score"].to_numpy()) <= 0).all()


def test_same_batch_twice_gives_identical_files_and_embeds_nothing(files, config, tmp_path):
    from matching.embed import load_encoder
    from matching.pipeline import run_batch

    cfg = config.replace(model={"cache_dir": str(tmp_path / "cache")})
    first = run_batch(*files, out=tmp_path / "a", config=cfg, encoder=load_encoder(cfg.model))
    second = run_batch(*files, out=tmp_path / "b", config=cfg, encoder=load_encoder(cfg.model))
    assert first.manifest["model"]["texts_encoded"] > 0
    assert second.manifest["model"]["texts_encoded"] == 0
    assert second.manifest["model"]["texts_from_cache"] == first.manifest["model"]["texts_encoded"]
    for name in ("shortlists.csv", "opportunities.csv", "pseudonymes.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for f in (tmp_path / "a" / "employeurs").glob("*.csv"):
        assert f.read_bytes() == (tmp_path / "b" / "employeurs" / f.name).read_bytes()


def test_shuffled_input_rows_give_the_same_shortlists(files, config, batch, tmp_path):
    from matching.pipeline import run_batch

    p = write_slice(files[0], tmp_path / "p.csv", lambda i, r: True, shuffle_seed=7)
    q = write_slice(files[1], tmp_path / "q.csv", lambda i, r: True, shuffle_seed=11)
    shuffled = run_batch(p, q, config=config)
    cols = ["ministry", "position_id", "rank", "profile_id", "score", *COMPONENTS, "matched_skills", "missing_skills", "explanation"]
    a = batch.shortlists[cols].reset_index(drop=True)
    b = shuffled.shortlists[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    oa = batch.opportunities[["profile_id", "rank", "position_id", "score"]].reset_index(drop=True)
    ob = shuffled.opportunities[["profile_id", "rank", "position_id", "score"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(oa, ob)


def test_contributions_sum_to_the_score(batch, config):
    f = batch.prepared.features
    rng = np.random.default_rng(0)
    i = rng.integers(0, f.n_profiles, 300)
    j = rng.integers(0, f.n_positions, 300)
    s = score_pairs(f, i, j, config)
    total = sum(np.nan_to_num(s[c].to_numpy()) * s[f"w_{c}"].to_numpy() for c in COMPONENTS)
    assert np.allclose(total, s["score"].to_numpy(), atol=1e-6)
    weights = sum(s[f"w_{c}"].to_numpy() for c in COMPONENTS)
    assert np.allclose(weights, 1.0)
    for c in COMPONENTS:
        v = s[c].to_numpy()
        assert np.all(np.isnan(v) | ((v >= 0) & (v <= 1))), c


def test_no_excluded_pair_on_a_shortlist(batch, config):
    f = batch.prepared.features
    P = batch.prepared.profiles.reset_index(drop=True)
    index = {pid: k for k, pid in enumerate(P["profile_id"])}
    q_index = {qid: k for k, qid in enumerate(batch.prepared.positions["position_id"])}
    sl = batch.shortlists
    s = score_pairs(f, sl["profile_id"].map(index).to_numpy(), sl["position_id"].map(q_index).to_numpy(), config)
    assert (s["excluded"] == 0).all()
    closed = set(P.loc[~P["open_to_mobility"].astype(bool), "profile_id"])
    assert closed, "the slice should hold engineers not open to mobility"
    assert not closed & set(sl["profile_id"])
    assert batch.manifest["counts"]["pairs_excluded_by_rule"]["not_open_to_mobility"] > 0


def test_disabling_a_rule_lets_its_pairs_back(batch, config):
    from matching.pipeline import score_and_rank

    relaxed = config.replace(rules={"not_open_to_mobility": False}, ranking={"min_score": 0.0, "top_k": 200})
    _, sl, _ = score_and_rank(batch.prepared, relaxed)
    P = batch.prepared.profiles
    closed = set(P.loc[~P["open_to_mobility"].astype(bool), "profile_id"])
    assert closed & set(sl["profile_id"])


def test_cap_limits_shortlists_per_engineer_and_refills(batch, config):
    from matching.pipeline import score_and_rank

    capped = config.replace(ranking={"max_shortlists_per_profile": 1, "min_score": 0.0})
    _, sl, _ = score_and_rank(batch.prepared, capped)
    assert sl.groupby("profile_id").size().max() == 1
    uncapped = config.replace(ranking={"min_score": 0.0})
    _, full, _ = score_and_rank(batch.prepared, uncapped)
    assert full.groupby("profile_id").size().max() > 1
    # places freed by the cap are refilled: some capped lists hold engineers absent from the uncapped lists
    extra = set(zip(sl.position_id, sl.profile_id)) - set(zip(full.position_id, full.profile_id))
    assert extra


def test_explain_a_pair_that_is_not_shortlisted(batch, config):
    prep = batch.prepared
    f = prep.features
    sl = batch.shortlists
    # a full shortlist, and an eligible engineer under its last line
    pos_id = sl.groupby("position_id").size().idxmax()
    j = list(prep.positions["position_id"]).index(pos_id)
    on_list = set(sl.loc[sl["position_id"] == pos_id, "profile_id"])
    p_ids = list(prep.profiles["profile_id"])
    s = score_pairs(f, np.arange(f.n_profiles), np.full(f.n_profiles, j), config)
    candidates = [k for k in range(f.n_profiles) if s["excluded"][k] == 0 and p_ids[k] not in on_list]
    i = max(candidates, key=lambda k: s["score"][k])
    shortlisted = [p_ids.index(p) for p in on_list]
    acc = explain_pair(f, prep.normalized, i, j, config, shortlisted_profiles=shortlisted,
                       data_used={"profil : source": "profiles.csv, ligne 2"})
    assert not acc.shortlisted and not acc.excluded
    assert set(acc.components) == set(COMPONENTS)
    assert abs(sum(acc.contributions.values()) - acc.score) < 1e-6
    assert {r["rule"] for r in acc.rules} == set(RULES)
    assert acc.rank is not None and acc.rank > 0
    assert acc.shortlist_threshold is not None and acc.shortlist_threshold >= acc.score
    assert acc.needed and "score d'au moins" in acc.needed[0]
    text = render_account(acc, config)
    for part in ("Données utilisées", "poids", "contribution", "Règles appliquées", "Rang parmi", "Ce qu'il aurait fallu", "NOTICE_METHODE"):
        assert part in text, part


def test_explain_an_excluded_pair_names_the_rule(batch, config):
    prep = batch.prepared
    f = prep.features
    closed = np.nonzero(~f.profiles.open)[0]
    acc = explain_pair(f, prep.normalized, int(closed[0]), 0, config)
    assert acc.excluded and acc.rank is None
    assert any(r["rule"] == "not_open_to_mobility" and r["excludes"] for r in acc.rules)
    assert "exclu par une règle" in acc.needed[0]


def test_personal_columns_do_not_change_any_score(batch, config):
    from matching.pipeline import prepare

    P = batch.prepared.profiles.copy()
    rng = np.random.default_rng(1)
    P["gender"] = rng.permutation(P["gender"].to_numpy())
    P["birth_year"] = rng.permutation(P["birth_year"].to_numpy())
    P["full_name"] = "X"
    P["email"] = "x@exemple.invalid"
    from matching.embed import load_encoder

    prep = prepare(P, batch.prepared.positions, config, encoder=load_encoder(config.model))
    f0, f1 = batch.prepared.features, prep.features
    i = np.arange(f0.n_profiles).repeat(f0.n_positions)
    j = np.tile(np.arange(f0.n_positions), f0.n_profiles)
    a, b = score_pairs(f0, i, j, config), score_pairs(f1, i, j, config)
    pd.testing.assert_frame_equal(a, b)
