"""The benchmark's shape (no timing is asserted: the machine is shared)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matching.bench import naive_memory_mb, render_bench, run_bench, synthetic_features


def test_score_stage_json_shape():
    r = run_bench(300, 120, stage="score")
    json.dumps(r)  # JSON-ready
    assert set(r) >= {"stages", "reference", "blas_kernel"}
    st = r["stages"]["score_topk"]
    assert st["seconds"] >= 0 and st["peak_rss_mb"] > 0
    assert r["reference"]["matmul_seconds"] >= 0
    assert r["reference"]["naive_seconds"] is not None  # small enough to run
    assert isinstance(r["blas_kernel"], str)
    text = render_bench(r)
    assert "score_topk" in text and "matmul" in text


def test_naive_skipped_above_limit():
    r = run_bench(200, 50, stage="score", naive_limit_mb=0.0)
    assert r["reference"]["naive_seconds"] is None


def test_allocation_stage():
    r = run_bench(0, 0, stage="allocate")
    assert "allocation" in r and "seconds" in r["allocation"]


def test_bad_stage():
    with pytest.raises(ValueError, match="stage"):
        run_bench(10, 10, stage="nope")


def test_synthetic_features_are_deterministic_and_aligned():
    a, b = synthetic_features(50, 20, seed=3), synthetic_features(50, 20, seed=3)
    assert a.n_profiles == 50 and a.n_positions == 20
    np.testing.assert_array_equal(a.profiles.emb, b.profiles.emb)
    assert a.profiles.skills.shape[0] == 50 and a.positions.required.shape[0] == 20
    assert naive_memory_mb(1000, 1000) > 7


def _hold_memory(mb, ready, done):
    block = np.ones(mb * 2**20, dtype=np.uint8)  # written: private pages of the child
    ready.set()
    done.wait(30)
    return int(block[0])


def test_memory_sampler_counts_child_processes():
    """The ranking's worker processes are forked: their own pages count in the peak."""
    import multiprocessing as mp

    from matching.bench import _RssSampler

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    ready, done = ctx.Event(), ctx.Event()
    with _RssSampler(children_every=0.0) as sampler:
        base = sampler.rss()
        child = ctx.Process(target=_hold_memory, args=(200, ready, done))
        child.start()
        try:
            assert ready.wait(30)
            # 200 MiB written by the child; the parent's own pages may shrink meanwhile on a loaded machine
            assert sampler.rss() - base > 100 * 2**20
        finally:
            done.set()
            child.join(30)


def test_score_stage_says_which_kernel_ran_and_how_many_pairs_it_recomputed():
    """Small batches take the numpy reference path; a forced fused kernel reports the share
    of pairs whose float32 cosine it had to recompute exactly (some at least: the pools
    start empty, so every early pair could matter)."""
    from matching.config import Config

    small = run_bench(120, 40, stage="score", references=False)["stages"]["score_topk"]
    assert small["kernel"] == "numpy" and "recomputed_pairs" not in small
    cfg = Config().replace(compute={"kernel": "fused"})
    fused = run_bench(120, 40, stage="score", config=cfg, references=False)["stages"]["score_topk"]
    assert fused["kernel"] == "fused"
    assert 0 < fused["recomputed_pairs"] <= 120 * 40
    assert fused["recomputed_share"] == round(fused["recomputed_pairs"] / (120 * 40), 6)
