"""Blocked ranking == one full matrix, for every component and rule, ties included.

The reference below is deliberately slow and obvious: score every pair at once, mask the
excluded pairs with the rule bitmask, then sort each column and each row with a lexsort on
(rounded score descending, identifier ascending). Blocks and tiles are made tiny by
patching the module constants, so that the blocked code runs through many blocks, tiles
and pool reductions. No test here measures time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.rank as rank_mod
from matching.bench import synthetic_features
from matching.config import Config
from matching.rank import _apply_cap, _id_order, rank
from matching.score import RULES, kernel_for, round_score, rule_mask, score_block, skill_coverage


def _tie_heavy(n: int, m: int, seed: int):
    """Features whose float32 arithmetic is exact (dyadic embeddings in few dimensions),
    with duplicated profiles and positions so that many scores are equal."""
    f = synthetic_features(n, m, seed=seed, dim=8)
    rng = np.random.default_rng(seed + 1)
    base_p = rng.choice([-0.5, -0.25, 0.0, 0.25, 0.5], size=(max(n // 4, 1), 8)).astype(np.float32)
    base_q = rng.choice([-0.5, -0.25, 0.0, 0.25, 0.5], size=(max(m // 4, 1), 8)).astype(np.float32)
    f.profiles.emb = base_p[rng.integers(0, len(base_p), n)]
    f.positions.emb = base_q[rng.integers(0, len(base_q), m)]
    # copy whole profiles onto others: identical features, different ids -> exact ties
    P = f.profiles
    src = rng.integers(0, n, n // 3)
    dst = rng.integers(0, n, n // 3)
    for name, v in list(vars(P).items()):
        if name == "ids":
            continue
        if hasattr(v, "tocsr"):
            v = v.tolil()
            for s_, d_ in zip(src, dst):
                v[d_] = v[s_]
            setattr(P, name, v.tocsr())
        else:
            v = np.array(v, copy=True)
            v[dst] = v[src]
            setattr(P, name, v)
    return f


def _reference(f, config: Config):
    """Full matrix, then a full sort of every column and row."""
    n, m = f.n_profiles, f.n_positions
    kern = kernel_for(f, config)
    T = kern.cosine(slice(0, n), slice(0, m))
    kern.finish(slice(0, n), slice(0, m), T)
    score = round_score(T)
    mask = rule_mask(f, slice(0, n), slice(0, m), config)
    ok = mask == 0
    p_order, q_order = _id_order(f.profiles.ids), _id_order(f.positions.ids)
    rk = config.ranking
    k_pos = rk.top_k * (rank_mod.REFILL_FACTOR if rk.max_shortlists_per_profile else 1)
    short = []
    for j in range(m):
        rows = np.nonzero(ok[:, j] & (score[:, j] >= rk.min_score))[0]
        rows = rows[np.lexsort((p_order[rows], -score[rows, j]))][:k_pos]
        short += [(j, i, r + 1, score[i, j]) for r, i in enumerate(rows)]
    opp = []
    for i in range(n):
        cols = np.nonzero(ok[i])[0]
        cols = cols[np.lexsort((q_order[cols], -score[i, cols]))][: rk.top_k_opportunities]
        opp += [(i, j, r + 1, score[i, j]) for r, j in enumerate(cols)]
    sl = pd.DataFrame(short, columns=["position", "profile", "rank", "score"])
    op = pd.DataFrame(opp, columns=["profile", "position", "rank", "score"])
    if rk.max_shortlists_per_profile:
        sl = _apply_cap(sl, rk.top_k, rk.max_shortlists_per_profile, p_order, q_order)
    return sl, op, score, mask


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        df[c] = df[c].astype(np.float64 if c == "score" else np.int64)
    return df.reset_index(drop=True)


def _check(f, config, monkeypatch, *, block_pairs: int, tile_pairs: int, sample_step: int = 8):
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", block_pairs)
    monkeypatch.setattr(rank_mod, "TILE_PAIRS", tile_pairs)
    monkeypatch.setattr(rank_mod, "SAMPLE_STEP", sample_step)
    sl, op, score, mask = _reference(f, config)
    # both tile kernels: the numpy reference path and the fused, compiled one
    for kernel in ("fused", "numpy"):
        got = rank(f, config.replace(compute={"kernel": kernel}))
        pd.testing.assert_frame_equal(_norm(got.shortlist), _norm(sl))
        pd.testing.assert_frame_equal(_norm(got.opportunities), _norm(op))
        ok = mask == 0
        st_ = got.stats
        assert st_["pairs_excluded"] == int((~ok).sum())
        for name, (bit, _) in RULES.items():
            assert st_["pairs_excluded_by_rule"][name] == int(np.count_nonzero(mask & bit)), name
        above = ok & (score >= config.ranking.min_score)
        np.testing.assert_array_equal(st_["eligible_above_min_per_position"], above.sum(axis=0))
        np.testing.assert_array_equal(st_["eligible_above_min_per_profile"], above.sum(axis=1))
        assert int(np.sum(st_["score_histogram"])) == int(ok.sum())
    return got


CASES = [
    (1, 1, 1, 1), (7, 3, 1, 1), (7, 3, 5, 2), (40, 25, 50, 7), (40, 25, 600, 64),
    (120, 70, 600, 64), (120, 70, 3000, 500), (120, 70, 1 << 23, 1 << 18),
]


@pytest.mark.parametrize("n,m,block_pairs,tile_pairs", CASES)
def test_blocked_equals_full_matrix_with_ties(n, m, block_pairs, tile_pairs, monkeypatch):
    f = _tie_heavy(n, m, seed=n + m)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 4, "min_score": 0.2})
    _check(f, config, monkeypatch, block_pairs=block_pairs, tile_pairs=tile_pairs, sample_step=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blocked_equals_full_matrix_random_features(seed, monkeypatch):
    """Real-valued embeddings (384 dimensions), every component and rule active."""
    f = synthetic_features(150, 90, seed=seed)
    config = Config().replace(ranking={"top_k": 5, "top_k_opportunities": 6, "min_score": 0.3})
    for block_pairs, tile_pairs in [(900, 100), (5000, 2000)]:
        _check(f, config, monkeypatch, block_pairs=block_pairs, tile_pairs=tile_pairs)


@pytest.mark.parametrize(
    "weights",
    [
        {"semantic": 1.0, "required_skills": 0, "desired_skills": 0, "job_fit": 0, "wishes": 0, "experience": 0},
        {"semantic": 0, "required_skills": 1.0, "desired_skills": 0, "job_fit": 0, "wishes": 0, "experience": 0},
        {"semantic": 0, "required_skills": 0, "desired_skills": 1.0, "job_fit": 0, "wishes": 0, "experience": 0},
        {"semantic": 0, "required_skills": 0, "desired_skills": 0, "job_fit": 1.0, "wishes": 0, "experience": 0},
        {"semantic": 0, "required_skills": 0, "desired_skills": 0, "job_fit": 0, "wishes": 1.0, "experience": 0},
        {"semantic": 0, "required_skills": 0, "desired_skills": 0, "job_fit": 0, "wishes": 0, "experience": 1.0},
    ],
)
def test_each_component_alone(weights, monkeypatch):
    """One component at a time: its scores take few values, so ties are everywhere."""
    f = _tie_heavy(60, 40, seed=7)
    config = Config().replace(weights=weights, ranking={"top_k": 4, "top_k_opportunities": 3, "min_score": 0.0})
    _check(f, config, monkeypatch, block_pairs=300, tile_pairs=50, sample_step=2)


@pytest.mark.parametrize("rule", ["not_open_to_mobility", "corps_eligibility", "grade_min", "availability", "clearance", "same_position"])
def test_each_rule_alone(rule, monkeypatch):
    f = synthetic_features(80, 50, seed=3)
    rules = {r: r == rule for r in RULES}
    config = Config().replace(rules=rules, ranking={"top_k": 3, "top_k_opportunities": 3, "min_score": 0.25})
    _check(f, config, monkeypatch, block_pairs=400, tile_pairs=90)


@pytest.mark.parametrize("cap", [1, 2, 5])
def test_cap_on_shortlists_per_engineer(cap, monkeypatch):
    f = _tie_heavy(50, 40, seed=11)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 3, "min_score": 0.1, "max_shortlists_per_profile": cap})
    got = _check(f, config, monkeypatch, block_pairs=200, tile_pairs=30, sample_step=2)
    per_profile = got.shortlist.groupby("profile").size()
    assert per_profile.max() <= cap
    assert got.shortlist.groupby("position").size().max() <= 3


def test_score_block_equals_ranking_scores():
    """Scores shown for a pair (explanations, score_pairs) are those the ranking used."""
    f = synthetic_features(60, 30, seed=5)
    config = Config().replace(ranking={"min_score": 0.0})
    got = rank(f, config)
    bs = score_block(f, slice(0, 60), slice(0, 30), config)
    sl = got.shortlist
    np.testing.assert_array_equal(sl["score"].to_numpy(), bs.score[sl["profile"], sl["position"]])
    contrib = sum(bs.contributions().values())
    assert np.abs(contrib - bs.score).max() <= 1.5e-6


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 40),
    m=st.integers(1, 30),
    seed=st.integers(0, 10_000),
    block_pairs=st.integers(20, 400),
    tile_pairs=st.integers(5, 120),
    top_k=st.integers(1, 6),
    min_score=st.sampled_from([0.0, 0.2, 0.35]),
)
def test_property_blocked_equals_full(n, m, seed, block_pairs, tile_pairs, top_k, min_score, monkeypatch):
    f = _tie_heavy(n, m, seed=seed)
    config = Config().replace(ranking={"top_k": top_k, "top_k_opportunities": top_k, "min_score": min_score})
    _check(f, config, monkeypatch, block_pairs=block_pairs, tile_pairs=tile_pairs, sample_step=2)


def _cap_reference(cands, k, cap, p_order, q_order):
    """The greedy cap, pair by pair (slow and obvious)."""
    df = cands.assign(_po=q_order[cands["position"].to_numpy()], _pr=p_order[cands["profile"].to_numpy()])
    df = df.sort_values(["score", "_po", "_pr"], ascending=[False, True, True], kind="stable")
    per_pos: dict[int, int] = {}
    per_prof: dict[int, int] = {}
    keep = []
    for pos, prof in zip(df["position"].to_numpy(), df["profile"].to_numpy()):
        ok = per_pos.get(pos, 0) < k and per_prof.get(prof, 0) < cap
        if ok:
            per_pos[pos] = per_pos.get(pos, 0) + 1
            per_prof[prof] = per_prof.get(prof, 0) + 1
        keep.append(ok)
    out = df[np.array(keep, dtype=bool)].sort_values(["position", "score", "_pr"], ascending=[True, False, True])
    out = out.assign(rank=out.groupby("position").cumcount() + 1)
    return out.drop(columns=["_po", "_pr"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_cap_equals_pair_by_pair(seed, monkeypatch):
    """Few distinct scores (ties everywhere) and long dependency chains; also with the
    vectorised rounds cut short, so that the pair-by-pair fallback is exercised."""
    rng = np.random.default_rng(seed)
    n_pos, n_prof, per = 300, 120, 15
    pos = np.repeat(np.arange(n_pos), per)
    prof = rng.integers(0, n_prof, len(pos))
    cands = pd.DataFrame({"position": pos, "profile": prof, "rank": 0, "score": rng.integers(0, 6, len(pos)) / 10})
    cands = cands.drop_duplicates(["position", "profile"]).reset_index(drop=True)
    p_order, q_order = rng.permutation(n_prof), rng.permutation(n_pos)
    for k, cap in [(1, 1), (3, 2), (5, 7), (15, 1)]:
        want = _norm(_cap_reference(cands, k, cap, p_order, q_order))
        pd.testing.assert_frame_equal(_norm(_apply_cap(cands, k, cap, p_order, q_order)), want)
        monkeypatch.setattr(rank_mod, "_CAP_ROUNDS", 1)
        pd.testing.assert_frame_equal(_norm(_apply_cap(cands, k, cap, p_order, q_order)), want)
        monkeypatch.undo()


@pytest.mark.parametrize("gap", [0.5, 0.3, 0.0, 1.0])
def test_skill_kernel_equals_reference(gap):
    """The blockwise kernel's skill coverage (required and desired) equals the slow
    reference :func:`matching.score.skill_coverage`, NaN where nothing is listed."""
    f = synthetic_features(40, 30, seed=9)
    req = f.positions.required
    req.data[req.indptr[3] : req.indptr[4]] = 0  # a position listing no required skill
    req.eliminate_zeros()
    config = Config().replace(scoring={"level_gap_credit": gap})
    for name, q in (("required_skills", f.positions.required), ("desired_skills", f.positions.desired)):
        want = skill_coverage(
            f.profiles.skills, q, gap_credit=gap,
            related=f.profiles.related, related_credit=config.scoring.related_skill_credit,
        )
        for rows, cols in [(slice(0, 40), slice(0, 30)), (np.array([5, 1, 30]), np.array([29, 3, 0]))]:
            got = score_block(f, rows, cols, config).components[name]
            w = want[rows][:, cols]
            np.testing.assert_array_equal(np.isnan(got), np.isnan(w))
            np.testing.assert_allclose(got, w, atol=1e-6, equal_nan=True)


def _assert_same_ranking(a, b):
    pd.testing.assert_frame_equal(a.shortlist, b.shortlist)
    pd.testing.assert_frame_equal(a.opportunities, b.opportunities)
    assert set(a.stats) == set(b.stats)
    for key, va in a.stats.items():
        vb = b.stats[key]
        if isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=key)
        else:
            assert va == vb, key


@pytest.mark.parametrize("cap", [0, 1, 2])
@pytest.mark.parametrize("seed", [0, 1])
def test_worker_processes_give_the_same_ranking(cap, seed, monkeypatch):
    """Profiles split between forked processes (rows of many blocks each, so every part's
    pools are reduced and merged): the same frames and statistics as one process, for 2 and
    3 workers, with ties everywhere and the cap on shortlists per engineer; and the same
    as the full-matrix reference."""
    f = _tie_heavy(90, 40, seed=seed)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 4, "min_score": 0.1,
                                       "max_shortlists_per_profile": cap})
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", 400)  # 10 profiles x 40 positions per block
    monkeypatch.setattr(rank_mod, "TILE_PAIRS", 80)
    monkeypatch.setattr(rank_mod, "SAMPLE_STEP", 2)
    one = rank(f, config, workers=1)
    progress = []
    for w in (2, 3):
        _assert_same_ranking(one, rank(f, config, workers=w, progress=lambda d, t: progress.append((d, t))))
    assert progress and progress[-1] == (9, 9) and all(t == 9 for _, t in progress)
    sl, op, _, _ = _reference(f, config)
    pd.testing.assert_frame_equal(_norm(one.shortlist), _norm(sl))
    pd.testing.assert_frame_equal(_norm(one.opportunities), _norm(op))
    if cap:
        assert one.shortlist.groupby("profile").size().max() <= cap


def test_worker_processes_real_embeddings_and_fallback(monkeypatch):
    """384-dimension embeddings, column blocks too (positions split between blocks); more
    workers than row blocks; and where processes cannot be forked, the same in-process."""
    f = synthetic_features(120, 70, seed=4)
    config = Config().replace(ranking={"top_k": 4, "top_k_opportunities": 5, "min_score": 0.3,
                                       "max_shortlists_per_profile": 2})
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", 30)  # 1 profile x 30 positions: 3 column blocks
    one = rank(f, config, workers=1)
    _assert_same_ranking(one, rank(f, config, workers=2))
    _assert_same_ranking(one, rank(f, config, workers=500))
    monkeypatch.setattr(rank_mod, "_can_fork", lambda: False)
    _assert_same_ranking(one, rank(f, config, workers=2))


def test_workers_resolution():
    assert rank_mod._resolve_processes(None, 1000, 10) == 1
    assert rank_mod._resolve_processes(None, rank_mod.PARALLEL_MIN_PAIRS + 1, 10) == min(
        rank_mod._workers(), rank_mod.AUTO_MAX_PROCESSES)
    assert rank_mod._resolve_processes(4, 10**9, 3) == (3 if rank_mod._can_fork() else 1)
    with pytest.raises(ValueError):
        rank_mod._resolve_processes(0, 1000, 10)
