"""The fused tile kernel (matching.fused) against the numpy reference path.

Both finish the same tiles: the fused kernel must give bit-identical scores (the same float32
operations in the same order per pair), the same exclusions, the same counts and histogram,
and so the same rankings, for random configurations (zero weights, the missing weight spread
or handed to the semantic similarity, rules switched on and off) and inputs full of ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.rank as rank_mod
from matching.bench import synthetic_features
from matching.components import COMPONENTS, RULES
from matching.config import Config
from matching.rank import rank, score_pairs, use_fused
from matching.score import kernel_for
from tests.test_rank_exact import _assert_same_ranking, _tie_heavy

fused = pytest.importorskip("matching.fused")


def _config(weights, missing, rules, top_k, min_score, kernel):
    return Config().replace(
        weights=dict(zip(COMPONENTS, weights)),
        scoring={"missing_weight": missing},
        rules=dict(zip(RULES, rules)),
        ranking={"top_k": top_k, "top_k_opportunities": top_k, "min_score": min_score},
        compute={"kernel": kernel},
    )


def _numpy_tile(kern, T, rows, cols):
    """The reference: ScoringKernel.finish, then -1 where a rule excludes the pair."""
    kern.finish(rows, cols, T)
    bad = np.zeros(T.shape, dtype=bool)
    kern.excluded(rows, cols, bad)
    T[bad] = -1.0
    return T


weights_st = st.lists(st.sampled_from([0.0, 0.0, 0.1, 0.25, 0.5, 1.0]), min_size=len(COMPONENTS),
                      max_size=len(COMPONENTS)).filter(lambda w: sum(w) > 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 45),
    m=st.integers(1, 35),
    seed=st.integers(0, 10_000),
    weights=weights_st,
    missing=st.sampled_from(["spread", "semantic"]),
    rules=st.lists(st.booleans(), min_size=len(RULES), max_size=len(RULES)),
    top_k=st.integers(1, 5),
    min_score=st.sampled_from([0.0, 0.15, 0.3]),
    block_pairs=st.integers(10, 500),
    tile_pairs=st.integers(3, 150),
    tie_heavy=st.booleans(),
)
def test_fused_ranking_equals_numpy(n, m, seed, weights, missing, rules, top_k, min_score, block_pairs, tile_pairs,
                                    tie_heavy, monkeypatch):
    """Same shortlists, opportunities and statistics (counts per rule, eligible pairs per
    position and per profile, histogram), whatever the blocks and tiles."""
    f = _tie_heavy(n, m, seed=seed) if tie_heavy else synthetic_features(n, m, seed=seed)
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", block_pairs)
    monkeypatch.setattr(rank_mod, "TILE_PAIRS", tile_pairs)
    monkeypatch.setattr(rank_mod, "SAMPLE_STEP", 2)
    ref = rank(f, _config(weights, missing, rules, top_k, min_score, "numpy"))
    got = rank(f, _config(weights, missing, rules, top_k, min_score, "fused"))
    _assert_same_ranking(ref, got)


@pytest.mark.parametrize("missing", ["spread", "semantic"])
@pytest.mark.parametrize("seed", [0, 1])
def test_fused_tile_scores_are_bit_identical(missing, seed):
    """Every pair of a tile: the fused score is the numpy path's float32, bit for bit; the
    survivors are exactly the pairs over their thresholds, with the ranking's keys."""
    f = synthetic_features(70, 60, seed=seed)
    config = Config().replace(scoring={"missing_weight": missing})
    kern = kernel_for(f, config)
    rows, cols = slice(5, 45), slice(0, 60)
    T0 = kern.cosine(rows, cols)
    want = _numpy_tile(kern, T0.copy(), rows, cols)
    rng = np.random.default_rng(seed)
    thr = rng.uniform(0.2, 0.6, 60).astype(np.float32)
    lo = rng.uniform(0.0, 0.5, 40).astype(np.float32)
    p_order, q_order = rng.permutation(70), rng.permutation(60)
    T = T0.copy()
    scratch = fused.FusedScratch(T.size, 60, 3)
    n_bad, per_col, per_row, hist, c_new, o_new, _ = fused.score_tile(
        kern, T, rows, cols, thr=thr, thr_min=np.float32(0.3), lo=lo, step=0, k_opp=3,
        p_order=p_order, q_order=q_order, bins=50, scratch=scratch)
    np.testing.assert_array_equal(T.view(np.int32), want.view(np.int32))
    bad = want == -1.0
    assert 0 < n_bad == int(bad.sum()) < bad.size  # the synthetic rules exclude some pairs, not all
    np.testing.assert_array_equal(per_col, (want >= np.float32(0.3)).sum(axis=0))
    np.testing.assert_array_equal(per_row, (want >= np.float32(0.3)).sum(axis=1))
    np.testing.assert_array_equal(hist, np.bincount(np.minimum(np.floor(want[~bad] * np.float32(50)), 49).astype(int),
                                                    minlength=50))
    q = np.rint(want.astype(np.float64) * 1e6).astype(np.int64)
    r, c = np.nonzero(want >= thr[None, :])
    assert sorted(zip(c_new[0].tolist(), c_new[1].tolist())) == sorted(
        zip(c.tolist(), ((q[r, c] << 32) | (0xFFFFFFFF - p_order[r + 5])).tolist()))
    r, c = np.nonzero(want >= lo[:, None])
    assert sorted(zip(o_new[0].tolist(), o_new[1].tolist())) == sorted(
        zip((r + 5).tolist(), ((q[r, c] << 32) | (0xFFFFFFFF - q_order[c])).tolist()))


def test_score_pairs_give_the_fused_rankings_scores():
    """Explanations (score_block through score_pairs) show exactly the scores the fused
    ranking used, for the shortlists and the opportunities."""
    f = synthetic_features(80, 50, seed=5)
    config = Config().replace(ranking={"min_score": 0.0}, compute={"kernel": "fused"})
    got = rank(f, config)
    for frame in (got.shortlist, got.opportunities):
        sp = score_pairs(f, frame["profile"].to_numpy(), frame["position"].to_numpy(), config)
        np.testing.assert_array_equal(sp["score"].to_numpy(), frame["score"].to_numpy())
        assert (sp["excluded"] == 0).all()


def test_fused_in_forked_workers(monkeypatch):
    """Forked processes run the compiled kernel too: the same ranking as the numpy path in
    one process."""
    f = _tie_heavy(90, 40, seed=3)
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", 400)
    monkeypatch.setattr(rank_mod, "TILE_PAIRS", 80)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 4, "min_score": 0.1,
                                       "max_shortlists_per_profile": 2})
    ref = rank(f, config.replace(compute={"kernel": "numpy"}), workers=1)
    _assert_same_ranking(ref, rank(f, config.replace(compute={"kernel": "fused"}), workers=2))


def test_kernel_choice_changes_neither_hash_nor_saved_config():
    """compute.kernel says how a batch is computed, not what: out of the batch id."""
    base = Config()
    for kernel in ("fused", "numpy", "auto"):
        other = base.replace(compute={"kernel": kernel})
        assert other.hash() == base.hash()
        assert other.to_toml() == base.to_toml()
    assert use_fused(base, rank_mod.FUSED_MIN_PAIRS) and not use_fused(base, rank_mod.FUSED_MIN_PAIRS - 1)
    assert use_fused(base.replace(compute={"kernel": "fused"}), 1)
    assert not use_fused(base.replace(compute={"kernel": "numpy"}), 10**12)


def test_unknown_kernel_is_a_french_configuration_error():
    from matching.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        Config().replace(compute={"kernel": "gpu"})
    assert "compute.kernel" in str(exc.value) or "kernel" in str(exc.value)


def test_empty_and_single_pair_batches():
    for n, m in [(1, 1), (1, 7), (9, 1)]:
        f = synthetic_features(n, m, seed=n * 10 + m)
        config = Config().replace(ranking={"min_score": 0.0})
        a = rank(f, config.replace(compute={"kernel": "numpy"}))
        b = rank(f, config.replace(compute={"kernel": "fused"}))
        pd.testing.assert_frame_equal(a.shortlist, b.shortlist)
        pd.testing.assert_frame_equal(a.opportunities, b.opportunities)


@settings(max_examples=25, deadline=None)
@given(
    dim=st.sampled_from([1, 7, 64, 384, 1024, 4096]),
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["gauss", "equal", "spiky", "cancel"]),
)
def test_float32_cosine_error_bound_holds(dim, seed, kind):
    """The bound the fused kernel settles pairs with: float32 BLAS products of unit vectors
    (random, all coordinates equal, one large coordinate among tiny ones, sums that cancel)
    are within cosine_error_bound of the exact product, whatever BLAS's summation order."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((9, dim))
    b = rng.standard_normal((11, dim))
    if kind == "equal":  # every coordinate equal (same sign): the largest rounding growth
        a[:] = 1.0
        b[:] = 1.0 + rng.uniform(0, 1e-3, (11, 1))
    elif kind == "spiky":
        a[:, 0] *= 1e4
        b[:, 0] *= 1e4
    elif kind == "cancel" and dim > 1:  # b almost orthogonal to a: exact product tiny, roundings not
        b[:9] = b[:9] - (np.sum(a * b[:9], axis=1) / np.sum(a * a, axis=1))[:, None] * a
    a = (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)
    b = (b / np.linalg.norm(b, axis=1, keepdims=True)).astype(np.float32)
    exact = a.astype(np.float64) @ b.astype(np.float64).T
    na = float(np.linalg.norm(a.astype(np.float64), axis=1).max())
    nb = float(np.linalg.norm(b.astype(np.float64), axis=1).max())
    bound = fused.cosine_error_bound(dim, na, nb)
    # the same products by other BLAS calls and row orders (other summation orders)
    for got, ref in ((a @ b.T, exact), ((b @ a.T).T, exact), (a[::-1] @ b.T, exact[::-1]),
                     (np.dot(a[0], b[0]), exact[0, 0])):
        assert np.abs(np.float64(got) - ref).max() <= bound if np.ndim(got) == 0 else \
            np.abs(got.astype(np.float64) - ref).max() <= bound
    assert bound < 1e-3 * max(1.0, dim / 1000)  # and it stays small enough to settle pairs


def test_fused_recomputes_the_pairs_near_a_threshold():
    """The tile from the float32 BLAS product (approximate cosines) with every threshold put
    exactly on pairs' exact scores (each position's on one of its pairs, each profile's on
    one of its, the minimum score on one pair, ties included): survivors, keys, counts and
    histogram are the reference's, and the survivors' scores are the exact ones."""
    f = synthetic_features(60, 50, seed=4)
    kern = kernel_for(f, Config())
    rows, cols = slice(0, 60), slice(0, 50)
    C64 = kern.cosine(rows, cols)
    C32 = kern.p_emb[rows] @ kern.q_emb[cols].T
    assert np.any(C32 != C64)  # the product is approximate: a settled pair could be wrong
    want = _numpy_tile(kern, C64.copy(), rows, cols)
    ok = want >= 0
    rng = np.random.default_rng(4)
    thr = np.array([rng.choice(want[ok[:, c], c]) if ok[:, c].any() else 0.5 for c in range(50)], np.float32)
    lo = np.array([rng.choice(want[r, ok[r]]) if ok[r].any() else 0.5 for r in range(60)], np.float32)
    thr_min = np.float32(np.median(want[ok]))
    thr = np.maximum(thr, thr_min)
    p_order, q_order = rng.permutation(60), rng.permutation(50)
    T = C32.copy()
    n_bad, per_col, per_row, hist, c_new, o_new, n_rec = fused.score_tile(
        kern, T, rows, cols, thr=thr, thr_min=thr_min, lo=lo, step=0, k_opp=3, p_order=p_order,
        q_order=q_order, bins=50, scratch=fused.FusedScratch(T.size, 50, 3), delta=fused.score_delta(kern))
    assert 0 < n_rec < int(ok.sum())  # some pairs settled without their exact cosine, not all
    assert n_bad == int((~ok).sum())
    np.testing.assert_array_equal(per_col, (want >= thr_min).sum(axis=0))
    np.testing.assert_array_equal(per_row, (want >= thr_min).sum(axis=1))
    np.testing.assert_array_equal(hist, np.bincount(np.minimum(np.floor(want[ok] * np.float32(50)), 49).astype(int),
                                                    minlength=50))
    q = np.rint(want.astype(np.float64) * 1e6).astype(np.int64)
    r, c = np.nonzero(want >= thr[None, :])
    assert sorted(zip(c_new[0].tolist(), c_new[1].tolist())) == sorted(
        zip(c.tolist(), ((q[r, c] << 32) | (0xFFFFFFFF - p_order[r])).tolist()))
    r, c = np.nonzero(want >= lo[:, None])
    assert sorted(zip(o_new[0].tolist(), o_new[1].tolist())) == sorted(
        zip(r.tolist(), ((q[r, c] << 32) | (0xFFFFFFFF - q_order[c])).tolist()))
    survivors = (want >= thr[None, :]) | (want >= lo[:, None])
    np.testing.assert_array_equal(T[survivors].view(np.int32), want[survivors].view(np.int32))
    # taken at face value, the approximate scores would publish other keys
    plain = fused.score_tile(kern, C32.copy(), rows, cols, thr=thr, thr_min=thr_min, lo=lo, step=0, k_opp=3,
                             p_order=p_order, q_order=q_order, bins=50, scratch=fused.FusedScratch(T.size, 50, 3))
    assert sorted(plain[4][1].tolist()) != sorted(c_new[1].tolist()) or sorted(plain[5][1].tolist()) != sorted(
        o_new[1].tolist()) or not np.array_equal(plain[1], per_col)
