"""Blockwise exact top-k in both directions, without ever holding the full score matrix.

Ordering is total and deterministic: score (rounded to 6 decimals) descending, then
identifier ascending — so the result depends neither on the block size nor on the order of
the input rows.

How a batch is cut (``compute.memory_budget_mb`` is the one documented knob):

* a **block** is (rows profiles) x (cols positions) whose float32 scores take at most the
  memory budget (``BYTES_PER_PAIR`` = 4 bytes per pair): all positions when they fit, so
  that each profile sees every position in one block. The cosines of a block are one BLAS
  product (large blocks keep BLAS efficient: the positions' embeddings are read once per
  block);
* each block is finished **tile** by tile (``matching.score.TILE_PAIRS`` pairs, rows of the
  block), so that the other components, the rules and the selection below work on data in
  the processor's cache. Tiles are finished by a few threads (``_workers()``: the
  processors available, at most ``MAX_WORKERS``; numpy releases the GIL in its array
  loops, the fused kernel for the whole tile); each tile only reads shared state and
  returns what it keeps, merged in tile order, so results never depend on the threads.
  ``compute.kernel`` chooses how a tile is finished: by :meth:`ScoringKernel.finish` and
  numpy passes (the reference), or in one compiled pass by :mod:`matching.fused` (``auto``:
  from ``FUSED_MIN_PAIRS`` pairs), whose block cosines are the float32 BLAS product (about
  half the float64 one's time): a pair is settled from it only when a rigorous error bound
  puts it on one side of every decision, else it is scored again from its exact cosine, so
  the published scores, pools and counts are the reference's (see :func:`matching.fused.score_tile`);
* the profiles can be shared between **processes** (``rank(..., workers=)``; automatic for
  large batches, see :func:`rank`): each forked process takes contiguous row blocks (the
  same blocks as in one process; the features are shared copy-on-write, BLAS runs one
  thread per process), and returns its per-position pool reduced to the top-k over its
  rows, its opportunities (complete for its rows) and its counts; the parent merges the
  pools with the same total order and sums the counts, so the result is the same for any
  number of processes. Most of the per-pair work (sparse skill terms, wishes, rules,
  selection) holds the GIL, which threads cannot share but processes can.

Top-k without sorting: every tile is reduced at once to the pairs that can still enter a
top-k. Each position keeps the key of its current k-th candidate; a pair whose score is
under its position's threshold is dropped by one comparison. For the opportunities of a
profile, a sample of its row (every ``SAMPLE_STEP``-th position) gives a k-th value that
cannot exceed the true one. Survivors go to a pool that is reduced to the exact top-k per
group (key = rounded score, then identifier order) whenever it grows past a bound: one
integer sort of (group, score, identifier order) packed in 63 bits.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from matching.compute import CHUNKS_PER_WORKER, dask_workers, run_chunks, split_chunks
from matching.config import COMPONENTS, Config
from matching.score import RULES, TILE_PAIRS, BlockScores, kernel_for, score_block

__all__ = ["Ranking", "rank", "block_shape", "score_pairs", "use_fused", "BYTES_PER_PAIR", "MAX_BLOCK_PAIRS", "REFILL_FACTOR",
           "SAMPLE_STEP", "FUSED_MIN_PAIRS"]

#: Memory of one pair of a block: its float32 score. (Tiles, pools and features are extra,
#: bounded independently of the block: a few MiB of tiles, pools of O(k x (n + m)).)
BYTES_PER_PAIR = 4
#: With a cap on shortlists per engineer, each position keeps this many times k candidates
#: so that places freed by the cap can be refilled with the next ones.
REFILL_FACTOR = 5
SCORE_HIST_BINS = 50
#: One position in SAMPLE_STEP serves to bound a profile's k-th best score from below.
SAMPLE_STEP = 8
_LOW = np.uint64(0xFFFFFFFF)


#: Upper bound of a block whatever the budget: 8 Mi pairs (32 MiB of float32) stay in a
#: server's last-level cache between the BLAS product and the tiles; larger blocks are not
#: faster, they only fault more pages in.
MAX_BLOCK_PAIRS = 1 << 23


#: Threads finishing the tiles of a block (numpy releases the GIL in its array loops). The
#: cosines of a block are one BLAS product, threaded by BLAS itself.
MAX_WORKERS = 8


def _workers() -> int:
    """Tile threads: the processors this process may run on (at most ``MAX_WORKERS``)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def block_shape(n_profiles: int, n_positions: int, memory_budget_mb: int) -> tuple[int, int]:
    """(profiles, positions) per block so that one block's scores fit in the memory budget
    (and in ``MAX_BLOCK_PAIRS``); all positions per block when the budget allows."""
    pairs = max(1, min(MAX_BLOCK_PAIRS, int(memory_budget_mb * 1024 * 1024 // BYTES_PER_PAIR)))
    cols = max(1, min(n_positions, pairs))
    rows = max(1, min(n_profiles, pairs // cols))
    return rows, cols


@dataclass
class Ranking:
    """Indices of the selected pairs (into the features' profiles / positions) and statistics."""

    shortlist: pd.DataFrame  # position, profile, rank, score
    opportunities: pd.DataFrame  # profile, position, rank, score
    stats: dict = field(default_factory=dict)
    #: pairs the fused kernel scored again from their exact cosine (depends on the tiles'
    #: order and threads: kept out of ``stats``, which a batch saves)
    recomputed_pairs: int = 0


def _q(score32: np.ndarray) -> np.ndarray:
    """The rounded score in millionths, as an integer: ``round(score, 6) == q / 1e6``."""
    return np.rint(score32.astype(np.float64) * 1e6).astype(np.int64)


def _exact_min_threshold(min_score: float) -> np.float32:
    """Smallest float32 score whose rounded value is >= ``min_score`` (bisection over the
    float32 values, in their integer order)."""

    def to_int(x: float) -> int:
        b = int(np.float32(x).view(np.int32))
        return b if b >= 0 else -(b & 0x7FFFFFFF)

    def to_float(i: int) -> np.float32:
        b = i if i >= 0 else (-i) | -0x80000000
        return np.array([b], dtype=np.int32).view(np.float32)[0]

    ok = lambda i: np.round(np.float64(to_float(i)), 6) >= min_score  # noqa: E731
    lo, hi = to_int(min_score - 2e-6), to_int(min_score + 2e-6)  # lo fails, hi passes
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return to_float(hi)


class _Pool:
    """Exact running top-k per group (position or profile) of a stream of (group, key) pairs.

    ``key = q << 32 | (2**32 - 1 - order of the other identifier)``: larger is better, so
    score descending then identifier ascending is a single integer comparison.
    """

    def __init__(self, n_groups: int, k: int):
        self.k = k
        self.n_groups = n_groups
        self.limit = 2 * k * n_groups + (1 << 18)
        self.groups: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.size = 0
        self.kth = np.full(n_groups, -np.inf, dtype=np.float32)  # lower bound to enter

    def add(self, groups: np.ndarray, keys: np.ndarray) -> None:
        if len(keys):
            self.groups.append(groups)
            self.keys.append(keys)
            self.size += len(keys)
            if self.size > self.limit:
                self.reduce()

    def reduce(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keep the k best per group; returns (group, key, rank from 1) sorted by group, rank."""
        g = np.concatenate(self.groups).astype(np.int64) if self.groups else np.zeros(0, np.int64)
        key = np.concatenate(self.keys) if self.keys else np.zeros(0, np.int64)
        g, key = _sort_by_group_then_key(g, key, self.n_groups)
        first = np.searchsorted(g, g, side="left")
        pos = np.arange(len(g)) - first
        keep = pos < self.k
        g, key, pos = g[keep], key[keep], pos[keep]
        self.groups, self.keys, self.size = [g], [key], len(g)
        full = pos == self.k - 1
        # anything scoring less than the k-th's rounded score cannot enter any more
        self.kth[g[full]] = ((key[full] >> 32) - 1).astype(np.float64) / 1e6
        return g, key, pos + 1


_Q_BITS = 21  # rounded scores in millionths: 0 <= q < 2**21 (scores are in [0, 1])


def _sort_by_group_then_key(g: np.ndarray, key: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(group, key) pairs sorted by group ascending, then key descending.

    When group, rounded score and identifier order fit in 63 bits together, one integer
    sort of ``group | (2**21 - 1 - q) | order`` (numpy's vectorised sort, several times
    faster than a two-key lexsort); otherwise a lexsort. Same result either way."""
    if len(g) == 0:
        return g, key
    q = key >> 32
    order = int(_LOW) - (key & int(_LOW))
    o_bits = max(int(order.max()).bit_length(), 1)
    g_bits = max(int(n_groups).bit_length(), 1)
    if o_bits + _Q_BITS + g_bits <= 63 and q.min() >= 0 and q.max() < (1 << _Q_BITS):
        shift = o_bits + _Q_BITS
        c = (g << shift) | (((1 << _Q_BITS) - 1 - q) << o_bits) | order
        c.sort()
        g = c >> shift
        q = (1 << _Q_BITS) - 1 - ((c >> o_bits) & ((1 << _Q_BITS) - 1))
        order = c & ((1 << o_bits) - 1)
        return g, (q << 32) | (int(_LOW) - order)
    idx = np.lexsort((-key, g))
    return g[idx], key[idx]


def _bin_counts(h: np.ndarray, bins: int) -> np.ndarray:
    """Counts of the integer values 0..bins-1 of a float array, two values per counted
    index (``bins * a + b``: half the elements to count, the slow part of a bincount)."""
    half = len(h) // 2
    pair = h[0 : 2 * half : 2] * np.float32(bins)  # exact: small integers in float32
    pair += h[1 : 2 * half : 2]
    c = np.bincount(pair.astype(np.int32), minlength=bins * bins).reshape(bins, bins)
    out = c.sum(axis=1) + c.sum(axis=0)
    if len(h) % 2:
        out[int(h[-1])] += 1
    return out


def _nonzero(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a C-contiguous 2-D array, through its flat form (much faster)."""
    flat = a.reshape(-1).nonzero()[0]
    r = flat // a.shape[1]
    return r, flat - r * a.shape[1]


def _keys(score32: np.ndarray, other_order: np.ndarray) -> np.ndarray:
    return (_q(score32) << 32) | (int(_LOW) - other_order.astype(np.int64))


def _frame(pool: _Pool, order_inverse: np.ndarray, col_name: str, row_name: str) -> pd.DataFrame:
    g, key, rk = pool.reduce()
    other = order_inverse[int(_LOW) - (key & int(_LOW))]
    return pd.DataFrame(
        {col_name: g.astype(np.int64), row_name: other.astype(np.int64), "rank": rk.astype(np.int64),
         "score": (key >> 32).astype(np.float64) / 1e6}
    )


def _id_order(ids: np.ndarray) -> np.ndarray:
    """Global rank of each identifier in lexicographic order (the tie-breaker)."""
    order = np.empty(len(ids), dtype=np.int64)
    order[np.argsort(np.asarray(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    return order


@dataclass
class _Job:
    """What every part of a ranking reads (shared copy-on-write by forked processes)."""

    f: object
    config: Config
    kern: object
    n: int
    m: int
    k_pos: int
    k_opp: int
    p_order: np.ndarray
    q_order: np.ndarray
    thr_min: np.float32
    bi: int
    bj: int
    blocks: list
    threads: int
    fused: bool = False  # tiles finished by matching.fused (else ScoringKernel.finish)


@dataclass
class _Part:
    """What one part of a ranking (a contiguous range of row blocks) keeps: its pools
    reduced to their top-k, and its statistics."""

    cand: tuple[np.ndarray, np.ndarray]  # (position, key): top-k_pos per position over its rows
    opp: tuple[np.ndarray, np.ndarray]  # (profile, key): top-k_opp of each of its profiles
    excluded: int
    per_position: np.ndarray
    rows: slice
    per_profile: np.ndarray  # of the profiles ``rows``
    hist: np.ndarray
    recomputed: int = 0  # pairs the fused kernel scored again from their exact cosine


def _scan(job: _Job, b0: int, b1: int, on_block: Callable[[int], None] | None = None) -> _Part:
    """Blocks ``job.blocks[b0:b1]`` (whole row blocks), each finished tile by tile."""
    f, config, kern = job.f, job.config, job.kern
    n, m, k_opp = job.n, job.m, job.k_opp
    p_order, q_order, thr_min, bi, bj = job.p_order, job.q_order, job.thr_min, job.bi, job.bj
    cand = _Pool(m, job.k_pos)
    opp = _Pool(n, k_opp)
    excluded_pairs = 0
    eligible_per_position = np.zeros(m, dtype=np.int64)
    eligible_per_profile = np.zeros(n, dtype=np.int64)
    hist = np.zeros(SCORE_HIST_BINS, dtype=np.int64)  # eligible pairs only
    S = np.empty(min(bi, n) * min(bj, m) if n and m else 0, dtype=np.float32)
    tile_rows = max(1, min(bi, TILE_PAIRS // max(min(bj, m), 1)))
    tile = tile_rows * min(bj, m)
    local = threading.local()
    semantic = config.weights.semantic != 0
    fused = None
    if job.fused:
        from matching import fused  # numba: imported by the first ranking that uses it

        fused.fused_tables(kern)  # built once, before the tile threads
        # the block's cosines as the float32 BLAS product, pairs near a decision recomputed
        delta = fused.score_delta(kern) if semantic else -1.0
    recomputed = 0

    def fused_tile(block: np.ndarray, i0: int, j0: int, t0: int, cols: slice, whole_rows: bool):
        """:func:`finish_tile` in one compiled pass (:mod:`matching.fused`), same results."""
        if not hasattr(local, "fused"):
            local.fused = fused.FusedScratch(tile, min(bj, m), k_opp)
        nc = cols.stop - cols.start
        t1 = min(t0 + tile_rows, block.shape[0])
        trows = slice(i0 + t0, i0 + t1)
        step = SAMPLE_STEP if whole_rows and nc >= SAMPLE_STEP * k_opp else 0
        n_bad, per_col, per_row, h, c_new, o_new, n_rec = fused.score_tile(
            kern, block[t0:t1], trows, cols, thr=np.maximum(cand.kth[cols], thr_min), thr_min=thr_min,
            lo=np.maximum(opp.kth[trows], 0.0), step=step, k_opp=k_opp, p_order=p_order, q_order=q_order,
            bins=SCORE_HIST_BINS, scratch=local.fused, delta=delta)
        return trows, n_bad, per_col, per_row, h, c_new, o_new, n_rec

    def finish_tile(block: np.ndarray, i0: int, j0: int, t0: int, cols: slice, whole_rows: bool):
        """Score one tile of a block and reduce it to what can still enter a top-k (runs
        in a worker thread: reads the pools' thresholds, never writes shared state)."""
        if not hasattr(local, "scratch"):
            local.scratch = [np.empty(tile, dtype=np.float32) for _ in range(2)]
            local.bools = [np.empty(tile, dtype=bool) for _ in range(2)]
        scratch, bools = local.scratch, local.bools
        nc = cols.stop - cols.start
        t1 = min(t0 + tile_rows, block.shape[0])
        trows = slice(i0 + t0, i0 + t1)
        T = block[t0:t1]
        size = T.size
        kern.finish(trows, cols, T, scratch=scratch)
        bad = kern.excluded(trows, cols, bools[0][:size].reshape(T.shape))
        # excluded pairs score -1, below every threshold: min(score, 2 - 3 * excluded), as
        # scores are in [0, 1] (branch-free; a masked copy is ten times slower)
        n_bad = int(np.count_nonzero(bad))
        if n_bad:
            cap = scratch[1][:size].reshape(T.shape)
            np.multiply(bad, np.float32(-3.0), out=cap)
            np.add(cap, np.float32(2.0), out=cap)
            np.minimum(T, cap, out=T)
        A = np.greater_equal(T, thr_min, out=bools[1][:size].reshape(T.shape))
        per_col = A.sum(axis=0, dtype=np.int32)
        per_row = A.view(np.uint8).sum(axis=1, dtype=np.int32)
        # histogram of eligible scores
        # (clipped to bin 0 with the eligible ones, then taken out of it)
        H = scratch[1][:size].reshape(T.shape)
        np.multiply(T, SCORE_HIST_BINS, out=H)
        np.clip(H, 0.0, SCORE_HIST_BINS - 1, out=H)
        np.floor(H, out=H)
        h = _bin_counts(H.reshape(-1), SCORE_HIST_BINS)
        h[0] -= n_bad

        # candidates of each position: over its threshold and over the minimum score
        thr = np.maximum(cand.kth[cols], thr_min)
        np.greater_equal(T, thr[None, :], out=A)
        r, c = _nonzero(A)
        c_new = (c + j0, _keys(T[r, c], p_order[r + i0 + t0])) if len(r) else None

        # opportunities of each profile: a sample of the row bounds its k-th from below
        lo = np.maximum(opp.kth[trows], 0.0)
        step = SAMPLE_STEP if whole_rows and nc >= SAMPLE_STEP * k_opp else 0
        if step:
            sample = T[:, ::step]
            kth = np.partition(sample, sample.shape[1] - k_opp, axis=1)[:, sample.shape[1] - k_opp]
            # in rounded units: a pair with the same rounded score may still win on its id
            lo = np.maximum(lo, ((_q(kth) - 1) / 1e6).astype(np.float32))
        np.greater_equal(T, lo[:, None], out=A)
        r, c = _nonzero(A)
        o_new = (r + i0 + t0, _keys(T[r, c], q_order[c + j0])) if len(r) else None
        return trows, n_bad, per_col, per_row, h, c_new, o_new, 0

    workers = job.threads
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for b, (i0, j0) in enumerate(job.blocks[b0:b1]):
            rows, cols = slice(i0, min(i0 + bi, n)), slice(j0, min(j0 + bj, m))
            nr, nc = rows.stop - rows.start, cols.stop - cols.start
            block = S[: nr * nc].reshape(nr, nc)
            if semantic and fused is not None:  # approximate: matching.fused.score_tile
                np.matmul(kern.p_emb[rows], kern.q_emb[cols].T, out=block)
            elif semantic:
                kern.cosine(rows, cols, out=block)
            else:
                block.fill(0.0)
            args = [(block, i0, j0, t0, cols, nc == m) for t0 in range(0, nr, tile_rows)]
            run = fused_tile if fused is not None else finish_tile
            results = pool.map(lambda a: run(*a), args) if pool else (run(*a) for a in args)
            # merged in tile order; the pools' results do not depend on the order anyway
            for trows, n_bad, per_col, per_row, h, c_new, o_new, n_rec in results:
                excluded_pairs += n_bad
                recomputed += n_rec
                eligible_per_position[cols] += per_col
                eligible_per_profile[trows] += per_row
                hist += h
                if c_new is not None:
                    cand.add(*c_new)
                if o_new is not None:
                    opp.add(*o_new)
            if on_block is not None:
                on_block(b + 1)
    finally:
        if pool is not None:
            pool.shutdown()
    r0 = job.blocks[b0][0] if b1 > b0 else 0
    r1 = min(job.blocks[b1 - 1][0] + bi, n) if b1 > b0 else 0
    cg, ck, _ = cand.reduce()
    og, ok, _ = opp.reduce()
    return _Part(cand=(cg, ck), opp=(og, ok), excluded=excluded_pairs, per_position=eligible_per_position,
                 rows=slice(r0, r1), per_profile=eligible_per_profile[r0:r1].copy(), hist=hist,
                 recomputed=recomputed)


#: Pairs from which ``compute.kernel = "auto"`` finishes the tiles with the fused kernel
#: (:mod:`matching.fused`): below, loading numba (about a second, more the first time, when
#: it compiles) costs more than the kernel saves. Never changes results.
FUSED_MIN_PAIRS = 1 << 26


def use_fused(config: Config, pairs: int) -> bool:
    """Whether the ranking of ``pairs`` pairs under ``config`` uses the fused kernel."""
    kernel = config.compute.kernel
    return kernel == "fused" or (kernel == "auto" and pairs >= FUSED_MIN_PAIRS)


#: Pairs above which ``rank(..., workers=None)`` splits the profiles between processes.
PARALLEL_MIN_PAIRS = 20_000_000
#: Processes ``rank(..., workers=None)`` uses at most (the processors available, at most this).
AUTO_MAX_PROCESSES = 2

_FORK_JOB: tuple | None = None  # (job, progress counters), set in the parent just before forking


def _can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _resolve_processes(workers: int | None, pairs: int, row_blocks: int) -> int:
    if workers is None:
        workers = min(_workers(), AUTO_MAX_PROCESSES) if pairs > PARALLEL_MIN_PAIRS else 1
    workers = int(workers)
    if workers < 1:
        raise ValueError(f"the 'workers' parameter must be at least 1, got {workers}")
    if workers > 1 and not _can_fork():  # pragma: no cover - Windows, ...
        return 1
    return max(1, min(workers, row_blocks))


def _child(index: int, b0: int, b1: int) -> _Part:
    """One part, in a forked process: one BLAS thread, progress written to a shared slot."""
    from threadpoolctl import threadpool_limits

    job, counters = _FORK_JOB

    def on_block(done: int) -> None:
        counters[index] = done

    with threadpool_limits(limits=1):
        return _scan(job, b0, b1, on_block)


def _run_forked(job: _Job, parts: list[tuple[int, int]], progress) -> list[_Part]:
    """The parts in forked processes (the features are shared copy-on-write); the parent
    waits, relaying the blocks done to ``progress``."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    global _FORK_JOB
    ctx = mp.get_context("fork")
    counters = ctx.Array("q", len(parts), lock=False)
    _FORK_JOB = (job, counters)
    try:
        with ProcessPoolExecutor(max_workers=len(parts), mp_context=ctx) as ex:
            futs = [ex.submit(_child, i, b0, b1) for i, (b0, b1) in enumerate(parts)]
            last = 0
            pending = set(futs)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                for fu in done:
                    if fu.exception() is not None:
                        for other in pending:
                            other.cancel()
                        raise fu.exception()
                if progress is not None:
                    now = int(sum(counters))
                    if now > last:
                        last = now
                        progress(now, len(job.blocks))
            return [fu.result() for fu in futs]
    finally:
        _FORK_JOB = None


def rank(f, config: Config, *, progress: Callable[[int, int], None] | None = None,
         workers: int | None = None, chunks: int | None = None) -> Ranking:
    """Top-k candidates per position and top-k positions per profile, blockwise and exact.

    ``workers``: processes sharing the profiles (contiguous row blocks each, forked so that
    the features are shared; one BLAS thread each). ``None``: the processors available (at
    most ``AUTO_MAX_PROCESSES``) when the batch has more than ``PARALLEL_MIN_PAIRS`` pairs,
    else 1. Where processes cannot be forked, everything runs in this process. The result
    is the same for any number of workers: each part keeps the exact top-k of its rows per
    position, merged here with the same total order.

    The parts are the chunks of :mod:`matching.compute` (contiguous row blocks);
    ``chunks``: at least this many of them (run one after the other in one process), the
    same result. With ``compute.backend = "dask"``, ``CHUNKS_PER_WORKER`` chunks per Dask
    worker run on the cluster (``workers``: the cluster's workers, else ``compute.workers``).
    """
    n, m = f.n_profiles, f.n_positions
    rk = config.ranking
    k_pos = rk.top_k * (REFILL_FACTOR if rk.max_shortlists_per_profile else 1)
    k_pos = min(k_pos, max(n, 1))
    k_opp = min(rk.top_k_opportunities, max(m, 1))
    p_order = _id_order(f.profiles.ids)
    q_order = _id_order(f.positions.ids)
    kern = kernel_for(f, config)
    rule_counts = kern.rule_counts()  # the rule tables, built once before any fork
    bi, bj = block_shape(n, m, config.compute.memory_budget_mb)
    blocks = [(i, j) for i in range(0, n, bi) for j in range(0, m, bj)]
    row_starts = list(range(0, n, bi))
    if workers is None and config.compute.workers:
        workers = config.compute.workers
    dask = config.compute.backend == "dask" and bool(blocks)
    if dask:  # chunks on the workers of a Dask cluster (matching.compute), one thread each
        procs = int(workers) if workers else dask_workers(config)
        n_chunks = procs * CHUNKS_PER_WORKER
    else:
        procs = _resolve_processes(workers, n * m, len(row_starts))
        n_chunks = max(procs, int(chunks or 1))
    job = _Job(f=f, config=config, kern=kern, n=n, m=m, k_pos=k_pos, k_opp=k_opp, p_order=p_order,
               q_order=q_order, thr_min=_exact_min_threshold(rk.min_score), bi=bi, bj=bj, blocks=blocks,
               threads=1 if dask else _workers() if procs == 1 else max(1, _workers() // procs),
               fused=use_fused(config, n * m))
    if job.fused:  # the fused kernel's tables and code, built once before any fork
        from matching.fused import fused_tables, warm_up

        fused_tables(kern)
        warm_up(kern)
    # the chunk contract: contiguous row blocks per chunk, each with all its column blocks
    per_row = len(blocks) // len(row_starts) if row_starts else 0
    parts = [(r0 * per_row, r1 * per_row) for r0, r1 in split_chunks(len(row_starts), n_chunks)]
    if dask:
        results = run_chunks(_scan, job, parts, config, progress=progress)
    elif procs > 1:
        results = _run_forked(job, parts, progress)
    elif len(parts) > 1:  # several chunks in this process, one after the other
        results = []
        for b0, b1 in parts:
            on_block = (lambda done, b0=b0: progress(b0 + done, len(blocks))) if progress is not None else None
            results.append(_scan(job, b0, b1, on_block))
    else:
        on_block = (lambda b: progress(b, len(blocks))) if progress is not None else None
        results = [_scan(job, 0, len(blocks), on_block)]
    if progress is not None and (procs > 1 or dask):
        progress(len(blocks), len(blocks))

    cand = _Pool(m, k_pos)
    opp = _Pool(n, k_opp)
    excluded_pairs = 0
    eligible_per_position = np.zeros(m, dtype=np.int64)
    eligible_per_profile = np.zeros(n, dtype=np.int64)
    hist = np.zeros(SCORE_HIST_BINS, dtype=np.int64)
    recomputed = 0
    for part in results:
        cand.add(*part.cand)
        opp.add(*part.opp)
        excluded_pairs += part.excluded
        eligible_per_position += part.per_position
        eligible_per_profile[part.rows] += part.per_profile
        hist += part.hist
        recomputed += part.recomputed

    inv_p = np.argsort(p_order)
    inv_q = np.argsort(q_order)
    shortlist = _frame(cand, inv_p, "position", "profile")
    # the pool kept eligible pairs >= the minimum score only (thresholds are never lower)
    if rk.max_shortlists_per_profile:
        shortlist = _apply_cap(shortlist, rk.top_k, rk.max_shortlists_per_profile, p_order, q_order)
    opportunities = _frame(opp, inv_q, "profile", "position")
    stats = {
        "pairs_total": n * m,
        "pairs_excluded": excluded_pairs,
        "pairs_excluded_by_rule": rule_counts,
        "block_shape": [bi, bj],
        "blocks": len(blocks),
        "eligible_above_min_per_position": eligible_per_position,
        "eligible_above_min_per_profile": eligible_per_profile,
        "score_histogram": hist,
    }
    return Ranking(shortlist=shortlist, opportunities=opportunities, stats=stats, recomputed_pairs=recomputed)


def _apply_cap(cands: pd.DataFrame, k: int, cap: int, p_order: np.ndarray, q_order: np.ndarray) -> pd.DataFrame:
    """Greedy cap: pairs taken by descending score (ties: position id, then profile id); a pair
    enters when its position has fewer than k and its engineer fewer than ``cap`` lines.

    Vectorised: whether a pair enters depends only on the pairs before it, so the greedy
    choice is the one fixed point of "a pair enters when fewer than k (cap) pairs before it
    entered for its position (engineer)". It is reached by iterating that rule from "all
    enter" (each round settles at least one more pair, in practice a few rounds settle all);
    after ``_CAP_ROUNDS`` rounds the remaining pairs are settled one by one."""
    pos_all = cands["position"].to_numpy(dtype=np.int64)
    prof_all = cands["profile"].to_numpy(dtype=np.int64)
    score_all = cands["score"].to_numpy(dtype=np.float64)
    greedy = np.lexsort((p_order[prof_all], q_order[pos_all], -score_all))
    pos, prof = pos_all[greedy], prof_all[greedy]
    n = len(pos)

    def groups(key):
        by = np.argsort(key, kind="stable")  # greedy order kept inside each group
        ks = key[by]
        first = np.searchsorted(ks, ks, side="left")
        return by, first

    by_pos, first_pos = groups(pos)
    by_prof, first_prof = groups(prof)

    def before(flags, by, first):
        """Number of flagged pairs before each pair in its group (greedy order)."""
        a = flags[by].astype(np.int64)
        c = np.cumsum(a) - a
        out = np.empty(n, dtype=np.int64)
        out[by] = c - c[first]
        return out

    take = np.ones(n, dtype=bool)
    for _ in range(_CAP_ROUNDS):
        new = (before(take, by_pos, first_pos) < k) & (before(take, by_prof, first_prof) < cap)
        if np.array_equal(new, take):
            break
        take = new
    else:  # long chains of decisions: settle the rest pair by pair
        take = _cap_sequential(pos, prof, k, cap)
    keep = np.zeros(n, dtype=bool)
    keep[greedy] = take
    out = cands[keep]
    po = p_order[prof_all[keep]]
    out = out.iloc[np.lexsort((po, -score_all[keep], pos_all[keep]))]
    out = out.assign(rank=out.groupby("position").cumcount() + 1)
    return out.reset_index(drop=True)


#: Rounds of the vectorised cap before settling the remaining pairs one by one.
_CAP_ROUNDS = 64


def _cap_sequential(pos: np.ndarray, prof: np.ndarray, k: int, cap: int) -> np.ndarray:
    """The greedy cap pair by pair (pairs already in greedy order)."""
    per_pos: dict[int, int] = {}
    per_prof: dict[int, int] = {}
    take = np.zeros(len(pos), dtype=bool)
    for i, (a, b) in enumerate(zip(pos.tolist(), prof.tolist())):
        if per_pos.get(a, 0) < k and per_prof.get(b, 0) < cap:
            per_pos[a] = per_pos.get(a, 0) + 1
            per_prof[b] = per_prof.get(b, 0) + 1
            take[i] = True
    return take


def score_pairs(f, profiles: np.ndarray, positions: np.ndarray, config: Config, *, chunk: int = 256) -> pd.DataFrame:
    """Components, applied weights, score and rule mask of the given pairs (any order).

    Pairs are grouped by chunks of positions and scored through :func:`score_block`, the same
    code path as the ranking, so the values are those the ranking saw.
    """
    profiles = np.asarray(profiles, dtype=np.int64)
    positions = np.asarray(positions, dtype=np.int64)
    out = {c: np.full(len(profiles), np.nan) for c in COMPONENTS}
    out.update({f"w_{c}": np.zeros(len(profiles)) for c in COMPONENTS})
    out["score"] = np.zeros(len(profiles))
    out["excluded"] = np.zeros(len(profiles), dtype=np.int64)
    if len(profiles) == 0:
        return pd.DataFrame(out)
    # blocks made in identifier order (not index order), so that the floating-point sums of a
    # pair never depend on the order of the input rows (values are published to 4 decimals)
    p_rank, q_rank = _id_order(f.profiles.ids), _id_order(f.positions.ids)
    uniq_pos = np.unique(positions)
    uniq_pos = uniq_pos[np.argsort(q_rank[uniq_pos], kind="stable")]
    for c0 in range(0, len(uniq_pos), chunk):
        cols = uniq_pos[c0 : c0 + chunk]
        sel = np.nonzero(np.isin(positions, cols))[0]
        rows = np.unique(profiles[sel])
        rows = rows[np.argsort(p_rank[rows], kind="stable")]
        bs: BlockScores = score_block(f, rows, cols, config)
        row_at = np.empty(f.n_profiles, dtype=np.int64)
        row_at[rows] = np.arange(len(rows))
        col_at = np.empty(f.n_positions, dtype=np.int64)
        col_at[cols] = np.arange(len(cols))
        ri, ci = row_at[profiles[sel]], col_at[positions[sel]]
        for c in COMPONENTS:
            out[c][sel] = bs.components[c][ri, ci]
            out[f"w_{c}"][sel] = bs.weights[c][ri, ci]
        out["score"][sel] = bs.score[ri, ci]
        out["excluded"][sel] = bs.excluded[ri, ci]
    return pd.DataFrame(out)
