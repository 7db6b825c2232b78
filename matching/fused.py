"""The fused scoring tile: every component, rule, threshold and top-k emission of a tile of
pairs in one compiled pass (numba), for the ranking (:mod:`matching.rank`).

:meth:`matching.score.ScoringKernel.finish` and ``_rule_blocks`` remain the reference: this
module reads the same precomputed tables (the kernel's CSR credit and requirement matrices,
weight tables, rule tables) and performs, for each pair, the same float32 operations in the
same order — sparse terms summed in the profile's concept order from 0, then clip, weight,
add, in the order of :data:`matching.config.COMPONENTS`, then the weighted mean — so its
scores are bit-identical to the numpy path (``tests/test_fused.py`` proves it on random
inputs with ties). The tile arrives holding the cosines: the reference's (float64 BLAS
product rounded to float32), or, from the ranking, the float32 BLAS product, approximate
and dependent on the pair's place in the matrices; then a pair near a decision is scored
again from its exact cosine, computed here (:func:`score_tile`, :func:`score_delta`).

One tile is processed row by row, while the row stays in the processor's cache: the sparse
terms of a profile are scattered into one accumulator per product (a row of positions); then
simple loops over the row (which the compiler vectorises) add each component to the cosine
in turn, take the weighted mean and apply the rules; a last loop counts the eligible pairs
and the histogram and emits the candidates over each position's threshold, then the
opportunities over the profile's threshold (bounded from below by a sample of the row, as
:mod:`matching.rank` explains). Survivors go to preallocated arrays.

Compiled without ``fastmath`` (results deterministic), with ``nogil`` (the ranking's tile
threads run in parallel) and ``cache`` (numba's on-disk cache: beside this file when its
folder is writable, else numba's user cache folder; ``NUMBA_CACHE_DIR`` overrides both).
This module imports numba: :mod:`matching.rank` imports it on first use only, so that
``import matching`` stays light.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["FusedTables", "fused_tables", "FusedScratch", "score_tile", "score_delta", "cosine_error_bound", "warm_up", "N_ACC"]

#: Accumulators of a row: credit x required, credit x desired, family, adjacent occupation,
#: same occupation, ministry and location wishes, family wishes.
N_ACC = 7

_LOCK = threading.Lock()


def _csr(m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, indices, data) of a canonical CSR matrix, indices as int32 when they fit
    (one compiled specialisation in the common case; no copy when already int32)."""
    it = np.int32 if max(m.nnz, max(m.shape)) < 2**31 - 1 else np.int64
    return (np.ascontiguousarray(m.indptr, dtype=it), np.ascontiguousarray(m.indices, dtype=it),
            np.ascontiguousarray(m.data, dtype=np.float32))


@dataclass
class FusedTables:
    """The profile-side arrays of a :class:`matching.score.ScoringKernel` in the kernel's
    layout, built once per kernel (shared by forked processes copy-on-write)."""

    credit: tuple
    fam: tuple
    adj: tuple
    occ: tuple
    wish_ml: tuple
    wfam: tuple
    a_fam: np.ndarray
    wish_none: np.ndarray
    years: np.ndarray
    p_class: np.ndarray
    closed: np.ndarray
    cat_cls: np.ndarray  # (3, n) row class of each profile in each categorical rule table
    cat_tables: list  # 3 tables (classes, m) of excluded pairs, uint8 (1 x m zeros when off)
    avail: np.ndarray
    start: np.ndarray
    pkey: np.ndarray
    qkey: np.ndarray
    flags: np.ndarray  # int64: see _flags
    weights: np.ndarray  # float32, COMPONENTS order
    params: np.ndarray  # float32: floor, inv_range, same_family, adjacent, wish_neutral, sem_uniform
    cols_cache: dict


# flags[...] indices
_F_REQ, _F_DES, _F_JOB, _F_WISH, _F_EXP, _F_SEM_UNIFORM, _F_AVAIL, _F_SAME, _F_CAT = range(9)


def fused_tables(kern) -> FusedTables:
    """The :class:`FusedTables` of a scoring kernel, cached on it."""
    cached = getattr(kern, "_fused", None)
    if cached is not None:
        return cached
    from matching.components import COMPONENTS

    n, m = kern.n, kern.m
    row_only, tables, avail, start, same, _ = kern._rule_tables()
    rc = kern.config.rules
    closed = (~np.asarray(kern.f.profiles.open, bool)) if rc.not_open_to_mobility else np.zeros(n, bool)
    cat_cls = np.zeros((3, n), dtype=np.int64)
    cat_tables = [np.zeros((1, m), dtype=np.uint8) for _ in range(3)]
    for slot, (_name, p_cls, table) in enumerate(tables):
        cat_cls[slot] = p_cls
        cat_tables[slot] = np.ascontiguousarray(table, dtype=np.uint8)
    w = kern.w
    flags = np.zeros(9, dtype=np.int64)
    flags[_F_REQ] = w["required_skills"] != 0
    flags[_F_DES] = w["desired_skills"] != 0
    flags[_F_JOB] = w["job_fit"] != 0
    flags[_F_WISH] = w["wishes"] != 0
    flags[_F_EXP] = w["experience"] != 0
    flags[_F_SEM_UNIFORM] = kern.sem_uniform is not None
    flags[_F_AVAIL] = avail is not None
    flags[_F_SAME] = same is not None
    flags[_F_CAT] = len(tables)
    big = np.iinfo(np.int64).max
    if rc.same_position:
        pkey = np.asarray(kern.f.profiles.current_key, dtype=np.int64)
        qkey = np.asarray(kern.f.positions.key, dtype=np.int64)
    else:
        pkey, qkey = np.full(n, -1, dtype=np.int64), np.zeros(m, dtype=np.int64)
    out = FusedTables(
        credit=_csr(kern.p_credit), fam=_csr(kern.p_fam), adj=_csr(kern.p_adj), occ=_csr(kern.p_occ),
        wish_ml=_csr(kern.p_wish_ml), wfam=_csr(kern.p_wfam),
        a_fam=np.ascontiguousarray(kern.a_fam, dtype=np.float32),
        wish_none=np.ascontiguousarray(kern.wish_none, dtype=np.uint8),
        years=np.ascontiguousarray(kern.p_years, dtype=np.float32),
        p_class=np.ascontiguousarray(kern.p_class, dtype=np.int64),
        closed=closed.astype(np.uint8), cat_cls=cat_cls, cat_tables=cat_tables,
        avail=np.asarray(avail if avail is not None else np.full(n, -big), dtype=np.int64),
        start=np.asarray(start if start is not None else np.full(m, big), dtype=np.int64),
        pkey=pkey, qkey=qkey, flags=flags,
        weights=np.array([w[c] for c in COMPONENTS], dtype=np.float32),
        params=np.array([kern.floor, kern.inv_range, kern.same_family, kern.adjacent, kern.wish_neutral,
                         kern.sem_uniform if kern.sem_uniform is not None else 0.0], dtype=np.float32),
        cols_cache={},
    )
    try:
        kern._fused = out
    except AttributeError:  # pragma: no cover
        pass
    return out


def _col_tables(kern, t: FusedTables, cols: slice) -> tuple:
    """The position-side arrays of columns ``cols`` (a slice), cached per slice."""
    key = (cols.start, cols.stop)
    got = t.cols_cache.get(key)
    if got is not None:
        return got
    got = (
        _csr(kern._cols("required_skills", cols).tocsr()), _csr(kern._cols("desired_skills", cols).tocsr()),
        _csr(kern._cols("family", cols).tocsr()), _csr(kern._cols("job_fit", cols).tocsr()),
        _csr(kern._cols("wish_ml", cols).tocsr()), _csr(kern._cols("family_all", cols).tocsr()),
        np.ascontiguousarray(kern.sem_w[:, cols], dtype=np.float32),
        np.ascontiguousarray(kern.inv_total[:, cols], dtype=np.float32),
        np.ascontiguousarray(kern.q_need[cols], dtype=np.float32),
        tuple(np.ascontiguousarray(tab[:, cols]) for tab in t.cat_tables),
        np.ascontiguousarray(t.start[cols]), np.ascontiguousarray(t.qkey[cols]),
    )
    with _LOCK:
        if len(t.cols_cache) > 16:
            t.cols_cache.clear()
        t.cols_cache[key] = got
    return got


class FusedScratch:
    """One thread's buffers: the row accumulators and the survivors' arrays of a tile."""

    def __init__(self, tile_pairs: int, cols: int, k_opp: int):
        self.acc = np.zeros((N_ACC, max(cols, 1)), dtype=np.float32)
        self.mark = np.zeros(max(cols, 1), dtype=np.bool_)
        self.c_grp = np.empty(tile_pairs, dtype=np.int64)
        self.c_key = np.empty(tile_pairs, dtype=np.int64)
        self.o_grp = np.empty(tile_pairs, dtype=np.int64)
        self.o_key = np.empty(tile_pairs, dtype=np.int64)
        self.topk = np.empty(max(k_opp, 1), dtype=np.float32)


#: No fastmath: the same IEEE float32 operations as numpy, in the same order.
_JIT = dict(nogil=True, fastmath=False, boundscheck=False, error_model="numpy")


def _jit(fn):
    """``numba.njit`` with numba's on-disk cache; where numba finds no folder it may write
    (package folder read-only and no writable user cache folder), compiled in memory."""
    try:
        return numba.njit(cache=True, **_JIT)(fn)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return numba.njit(cache=False, **_JIT)(fn)


@_jit
def _scatter(acc, a_ptr, a_idx, a_val, i, b_ptr, b_idx, b_val):
    # the sparse product of profile i: terms added in its concept order, as _spmm_into
    for e in range(a_ptr[i], a_ptr[i + 1]):
        k = a_idx[e]
        v = a_val[e]
        for g in range(b_ptr[k], b_ptr[k + 1]):
            acc[b_idx[g]] += v * b_val[g]

@_jit
def _clip01(x):
    zero = np.float32(0.0)
    one = np.float32(1.0)
    return min(max(x, zero), one)

@_jit
def _job_term(a2, a3, a4, same_family, adjacent):
    # the job fit of a pair from its three accumulators, as ScoringKernel.finish
    x = _clip01(a2) * same_family
    y = _clip01(a3) * adjacent
    x = max(x, y)
    y = _clip01(a4)
    return max(x, y)

@_jit
def _exact_cosine(p_emb, q_emb, i, j):
    # float64 dot of two float32 rows (each product exact), summed in a fixed order, rounded
    # to float32: the numpy path's BLAS float64 product rounded to float32, unless the two
    # float64 sums straddle a float32 rounding boundary (~1e-9 per pair, see score_tile)
    a = p_emb[i]
    b = q_emb[j]
    d = a.shape[0]
    # four partial sums (independent chains: four times faster), combined in a fixed order
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    k = 0
    while k + 4 <= d:
        s0 += np.float64(a[k]) * np.float64(b[k])
        s1 += np.float64(a[k + 1]) * np.float64(b[k + 1])
        s2 += np.float64(a[k + 2]) * np.float64(b[k + 2])
        s3 += np.float64(a[k + 3]) * np.float64(b[k + 3])
        k += 4
    while k < d:
        s0 += np.float64(a[k]) * np.float64(b[k])
        k += 1
    s = (s0 + s1) + (s2 + s3)
    return np.float32(s)

@_jit
def _tile(T, r0, j0, flags, weights, params,
         cr_p, cr_i, cr_v, fa_p, fa_i, fa_v, ad_p, ad_i, ad_v, oc_p, oc_i, oc_v,
         wm_p, wm_i, wm_v, wf_p, wf_i, wf_v,
         a_fam, wish_none, years, p_class, closed, cat_cls, avail, pkey, p_order,
         rq_p, rq_i, rq_v, ds_p, ds_i, ds_v, qf_p, qf_i, qf_v, qo_p, qo_i, qo_v,
         qm_p, qm_i, qm_v, qa_p, qa_i, qa_v,
         sem_w, inv_total, q_need, cat0, cat1, cat2, start, qkey, q_order,
         thr, thr_min, lo_in, step, k_opp, p_emb, q_emb, delta,
         acc, mark, c_grp, c_key, o_grp, o_key, topk, per_col, per_row, hist):
    nr, nc = T.shape
    zero = np.float32(0.0)
    minus_one = np.float32(-1.0)
    n_bins = hist.shape[0]
    bins = np.float32(n_bins)
    low = np.int64(0xFFFFFFFF)
    floor_, inv_range = params[0], params[1]
    same_family, adjacent, wish_neutral, sem_u = params[2], params[3], params[4], params[5]
    w_req, w_des, w_job, w_wish, w_exp = weights[1], weights[2], weights[3], weights[4], weights[5]
    use_req, use_des, use_job, use_wish, use_exp = flags[0] != 0, flags[1] != 0, flags[2] != 0, flags[3] != 0, flags[4] != 0
    sem_uniform, use_avail, use_same, n_cat = flags[5] != 0, flags[6] != 0, flags[7] != 0, flags[8]
    neutral_w = wish_neutral * w_wish  # the wishes' weighted term of a profile without wishes
    for a in range(acc.shape[0]):
        for c in range(nc):
            acc[a, c] = zero
    # histograms interleaved by column (independent counters), summed at the end
    hist4 = np.zeros((4, n_bins), dtype=np.int64)
    n_bad = 0
    n_c = 0
    n_o = 0
    n_rec = 0
    approx = delta >= zero  # T holds float32 BLAS cosines: pairs near a decision recomputed
    rel = np.float32(64.0 * 2.0**-24)
    slack = 2.0 * np.float64(delta) if approx else 0.0
    for r in range(nr):
        i = r0 + r
        row = T[r]
        # the sparse products of the profile, scattered over the row's positions
        if use_req:
            _scatter(acc[0], cr_p, cr_i, cr_v, i, rq_p, rq_i, rq_v)
        if use_des:
            _scatter(acc[1], cr_p, cr_i, cr_v, i, ds_p, ds_i, ds_v)
        if use_job:
            _scatter(acc[2], fa_p, fa_i, fa_v, i, qf_p, qf_i, qf_v)
            _scatter(acc[3], ad_p, ad_i, ad_v, i, qo_p, qo_i, qo_v)
            _scatter(acc[4], oc_p, oc_i, oc_v, i, qo_p, qo_i, qo_v)
        if use_wish:
            _scatter(acc[5], wm_p, wm_i, wm_v, i, qm_p, qm_i, qm_v)
            _scatter(acc[6], wf_p, wf_i, wf_v, i, qa_p, qa_i, qa_v)
        cls = p_class[i]
        # each component added to the row in turn (simple loops the compiler vectorises;
        # per pair, the same float32 operations in the same order as ScoringKernel.finish)
        if sem_uniform:
            for c in range(nc):
                row[c] = _clip01((row[c] - floor_) * inv_range) * sem_u
        else:
            sw = sem_w[cls]
            for c in range(nc):
                row[c] = _clip01((row[c] - floor_) * inv_range) * sw[c]
        if use_req:
            a0 = acc[0]
            for c in range(nc):
                row[c] = row[c] + _clip01(a0[c]) * w_req
        if use_des:
            a1 = acc[1]
            for c in range(nc):
                row[c] = row[c] + _clip01(a1[c]) * w_des
        if use_job:
            a2, a3, a4 = acc[2], acc[3], acc[4]
            for c in range(nc):
                row[c] = row[c] + _job_term(a2[c], a3[c], a4[c], same_family, adjacent) * w_job
        if use_wish:
            a5, a6 = acc[5], acc[6]
            if wish_none[i] != 0:
                for c in range(nc):
                    row[c] = row[c] + neutral_w
            else:
                a_f = a_fam[i]
                for c in range(nc):
                    x = a5[c] + _clip01(a6[c]) * a_f
                    row[c] = row[c] + x * w_wish
        if use_exp:
            yrs = years[i]
            for c in range(nc):
                row[c] = row[c] + _clip01(np.float32(yrs / q_need[c])) * w_exp
        it = inv_total[cls]
        for c in range(nc):
            row[c] = row[c] * it[c]
        # hard rules: an excluded pair scores -1, below every threshold (scores are >= 0)
        if closed[i] != 0:
            for c in range(nc):
                row[c] = minus_one
        else:
            if n_cat > 0:
                t0 = cat0[cat_cls[0, i]]
                for c in range(nc):
                    row[c] = minus_one if t0[c] != 0 else row[c]
            if n_cat > 1:
                t1 = cat1[cat_cls[1, i]]
                for c in range(nc):
                    row[c] = minus_one if t1[c] != 0 else row[c]
            if n_cat > 2:
                t2 = cat2[cat_cls[2, i]]
                for c in range(nc):
                    row[c] = minus_one if t2[c] != 0 else row[c]
            if use_avail:
                av = avail[i]
                for c in range(nc):
                    row[c] = minus_one if av > start[c] else row[c]
            if use_same:
                pk = pkey[i]
                if pk >= 0:
                    for c in range(nc):
                        row[c] = minus_one if pk == qkey[c] else row[c]
        # opportunities of the profile: a sample of the row bounds its k-th from below
        lo = lo_in[r]
        if step > 0 and k_opp > 0:
            filled = 0
            for c in range(0, nc, step):
                v = row[c]
                if filled < k_opp:  # insertion into the ascending buffer of the k largest
                    p = filled
                    while p > 0 and topk[p - 1] > v:
                        topk[p] = topk[p - 1]
                        p -= 1
                    topk[p] = v
                    filled += 1
                elif v > topk[0]:
                    p = 0
                    while p + 1 < k_opp and topk[p + 1] < v:
                        topk[p] = topk[p + 1]
                        p += 1
                    topk[p] = v
            # (approximate scores: the sample's k-th is at least its approximate value - delta)
            kth = np.float64(topk[0])
            if approx:
                kth -= slack + 2.0 * np.float64(rel) * abs(kth)
            bound = np.float32((np.int64(np.rint(kth * 1e6)) - 1) / 1e6)
            if bound > lo:
                lo = bound
        if approx:
            # a pair whose approximate score could be on the other side of a decision (its
            # position's threshold, the profile's, the minimum score, a histogram bin edge):
            # its exact cosine, then its exact score, the same float32 operations as the row
            # loops above; the others are settled whatever their exact score
            # (one branch-free loop marks them, conservatively; a second recomputes them)
            for c in range(nc):
                t = row[c]
                dt = delta + t * rel  # the bound, and the score's own roundings
                up = t + dt
                down = max(t - dt, zero)
                near = (up >= thr[c]) | (up >= lo) | ((up >= thr_min) & (down < thr_min))
                near = near | (np.floor(up * bins) != np.floor(down * bins))
                mark[c] = near & (t >= zero)  # excluded by a rule (-1): no cosine needed
            for c in range(nc):
                if mark[c] == 0:
                    continue
                n_rec += 1
                j = j0 + c
                x = _clip01((_exact_cosine(p_emb, q_emb, i, j) - floor_) * inv_range)
                x = x * (sem_u if sem_uniform else sem_w[cls, c])
                if use_req:
                    x = x + _clip01(acc[0, c]) * w_req
                if use_des:
                    x = x + _clip01(acc[1, c]) * w_des
                if use_job:
                    x = x + _job_term(acc[2, c], acc[3, c], acc[4, c], same_family, adjacent) * w_job
                if use_wish:
                    if wish_none[i] != 0:
                        x = x + neutral_w
                    else:
                        x = x + (acc[5, c] + _clip01(acc[6, c]) * a_fam[i]) * w_wish
                if use_exp:
                    x = x + _clip01(np.float32(years[i] / q_need[c])) * w_exp
                row[c] = x * inv_total[cls, c]
        # eligible pairs over the minimum score, per position and for the profile
        count_row = 0
        for c in range(nc):
            ok = np.int32(row[c] >= thr_min)
            per_col[c] += ok
            count_row += ok
        per_row[r] = count_row
        # histogram of the eligible scores; candidates over each position's threshold
        order_i = low - p_order[i]
        for c in range(nc):
            t = row[c]
            if t < zero:
                n_bad += 1
                continue
            h = np.int64(t * bins)  # t * bins >= 0: truncation is the floor
            if h > n_bins - 1:
                h = n_bins - 1
            hist4[c & 3, h] += 1
            if t >= thr[c]:
                c_grp[n_c] = j0 + c
                c_key[n_c] = (np.int64(np.rint(np.float64(t) * 1e6)) << 32) | order_i
                n_c += 1
        for c in range(nc):
            t = row[c]
            if t >= lo:
                o_grp[n_o] = i
                o_key[n_o] = (np.int64(np.rint(np.float64(t) * 1e6)) << 32) | (low - q_order[j0 + c])
                n_o += 1
        for a in range(acc.shape[0]):
            for c in range(nc):
                acc[a, c] = zero
    for b in range(n_bins):
        hist[b] += hist4[0, b] + hist4[1, b] + hist4[2, b] + hist4[3, b]
    return n_bad, n_c, n_o, n_rec


def score_tile(kern, T: np.ndarray, rows: slice, cols: slice, *, thr: np.ndarray, thr_min: np.float32,
               lo: np.ndarray, step: int, k_opp: int, p_order: np.ndarray, q_order: np.ndarray,
               bins: int, scratch: FusedScratch, delta: float = -1.0):
    """Finish the tile ``T`` (cosines of profiles ``rows`` x positions ``cols``, float32,
    C-contiguous rows) in place into the final scores (-1 where a rule excludes the pair),
    and reduce it as :func:`matching.rank._scan` does. ``thr``: each position's threshold
    (float32, its current k-th and the minimum score); ``lo``: each profile's threshold
    before the sample's bound; ``step``: the sample's step (0: no sample); ``bins``: bins
    of the histogram of eligible scores over [0, 1].

    ``delta`` < 0: ``T`` holds the exact cosines (the reference's, :meth:`ScoringKernel.cosine`).
    ``delta`` >= 0 (:func:`score_delta`): ``T`` holds the float32 BLAS product, each score
    within ``delta`` of its exact value (plus its own float32 roundings); a pair whose
    approximate score leaves every decision certain (under its position's threshold, its
    profile's threshold, on one side of the minimum score, inside one histogram bin) is
    settled; any other gets its exact cosine (float64 dot in index order, rounded to
    float32) and its exact score. So survivors, counts and histogram are the reference's,
    except if for one recomputed pair the sequential float64 sum and BLAS's round to
    different float32 (the two float64 sums differ by ~1e-16 relative: probability ~1e-9
    per recomputed pair), where its cosine moves by one float32 ulp. In ``T``, settled pairs
    keep their approximate scores.

    Returns (excluded pairs, eligible pairs >= minimum per position, per profile, histogram,
    (position, key) candidates, (profile, key) opportunities, recomputed pairs)."""
    fn = _tile
    t = fused_tables(kern)
    (rq, ds, qf, qo, qm, qa, sem_w, inv_total, q_need, cats, start, qkey) = _col_tables(kern, t, cols)
    nr, nc = T.shape
    per_col = np.zeros(nc, dtype=np.int32)
    per_row = np.zeros(nr, dtype=np.int32)
    hist = np.zeros(bins, dtype=np.int64)
    if scratch.acc.shape[1] < nc or scratch.c_key.size < T.size:
        raise ValueError("scratch buffers smaller than the tile")
    n_bad, n_c, n_o, n_rec = fn(
        T, rows.start, cols.start, t.flags, t.weights, t.params,
        *t.credit, *t.fam, *t.adj, *t.occ, *t.wish_ml, *t.wfam,
        t.a_fam, t.wish_none, t.years, t.p_class, t.closed, t.cat_cls, t.avail, t.pkey, p_order,
        *rq, *ds, *qf, *qo, *qm, *qa,
        sem_w, inv_total, q_need, cats[0], cats[1], cats[2], start, qkey, q_order,
        np.ascontiguousarray(thr, dtype=np.float32), np.float32(thr_min),
        np.ascontiguousarray(lo, dtype=np.float32), int(step), int(k_opp), kern.p_emb, kern.q_emb,
        np.float32(delta),
        scratch.acc, scratch.mark, scratch.c_grp, scratch.c_key, scratch.o_grp, scratch.o_key, scratch.topk,
        per_col, per_row, hist,
    )
    c_new = (scratch.c_grp[:n_c].copy(), scratch.c_key[:n_c].copy()) if n_c else None
    o_new = (scratch.o_grp[:n_o].copy(), scratch.o_key[:n_o].copy()) if n_o else None
    return int(n_bad), per_col, per_row, hist, c_new, o_new, int(n_rec)


#: Unit roundoff of float32.
U32 = 2.0**-24


def cosine_error_bound(dim: int, norm_a: float, norm_b: float) -> float:
    """A bound on |float32 BLAS a.b - float32(a.b)| for vectors of dimension ``dim`` and
    norms at most ``norm_a``, ``norm_b``: gamma_d ||a|| ||b|| (any summation order, with or
    without FMA: Higham, Accuracy and Stability of Numerical Algorithms, 3.1), plus half a
    float32 ulp of the exact value, times 2 for safety."""
    d = max(int(dim), 1)
    gamma = d * U32 / (1.0 - d * U32)
    return 2.0 * (gamma + U32) * float(norm_a) * float(norm_b)


def score_delta(kern) -> float:
    """A bound on how far a pair's final score moves when its cosine is the float32 BLAS
    product instead of the reference's: the cosine bound (:func:`cosine_error_bound`, norms
    from the data) times the score's largest slope in the cosine (inv_range x semantic
    weight x 1 / total weight, over row classes x positions), plus the roundings of the
    cosine's rescaling (the score's other roundings are relative: :func:`score_tile`)."""
    if kern.n == 0 or kern.m == 0:
        return 0.0
    na = float(np.sqrt(np.max(np.einsum("ij,ij->i", kern.p_emb, kern.p_emb, dtype=np.float64))))
    nb = float(np.sqrt(np.max(np.einsum("ij,ij->i", kern.q_emb, kern.q_emb, dtype=np.float64))))
    na, nb = na * (1 + 1e-6), nb * (1 + 1e-6)
    slope = float(kern.inv_range) * float(np.max(kern.sem_w.astype(np.float64) * kern.inv_total.astype(np.float64)))
    err = cosine_error_bound(kern.p_emb.shape[1], na, nb) + 4 * U32 * (na * nb + abs(float(kern.floor)))
    return slope * err * (1 + 1e-3) + 8 * U32


def warm_up(kern) -> None:
    """Compile the tile function (or load it from numba's cache) on one pair, so that
    forked processes inherit it instead of each compiling it."""
    if kern.n and kern.m:
        T = np.zeros((1, 1), dtype=np.float32)
        score_tile(kern, T, slice(0, 1), slice(0, 1), thr=np.zeros(1, np.float32), thr_min=np.float32(0.0),
                   lo=np.zeros(1, np.float32), step=0, k_opp=1, p_order=np.zeros(kern.n, np.int64),
                   q_order=np.zeros(kern.m, np.int64), bins=1, scratch=FusedScratch(1, 1, 1))
