"""Pure scoring of blocks of (profile, position) pairs.

Nothing here reads files or knows about DataFrames: inputs are the numeric features built by
:mod:`matching.features`, outputs are arrays. Every pair of a block gets

* one value in [0, 1] per component of :data:`matching.config.COMPONENTS`, or NaN when the
  component does not apply to that pair (a position with no required skill, an engineer
  whose experience is unknown, ...);
* the weights *as applied* to that pair: configured weights of the applicable components,
  rescaled to sum to 1 — so the score is a weighted mean and ``sum(contributions) == score``;
* a bitmask of the hard rules that exclude it (0 = eligible).

:func:`score_block` is the one function through which every score is computed: the batch
(blockwise, see :mod:`matching.rank`), ``explain`` (one pair) and the benchmarks all call it,
so a cluster engine can later map it over blocks unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.components import COMPONENTS, RULES, UNKNOWN_INT
from matching.config import Config

__all__ = [
    "RULES", "BlockScores", "ScoringKernel", "kernel_for", "score_block", "rule_names", "round_score",
    "skill_coverage", "TILE_PAIRS", "applied_weight_table",
]



def rule_names(mask: int) -> list[str]:
    """Names of the rules set in an exclusion bitmask, in declaration order."""
    return [name for name, (bit, _) in RULES.items() if int(mask) & bit]


@dataclass(frozen=True)
class BlockScores:
    """Scores of a block of pairs: arrays of shape (profiles in block, positions in block)."""

    components: dict[str, np.ndarray]  # value in [0, 1] or NaN (not applicable)
    weights: dict[str, np.ndarray]  # weight applied to the pair (0 when not applicable)
    score: np.ndarray  # float64, rounded to 6 decimals; NaN never
    excluded: np.ndarray  # uint8 bitmask of RULES

    def contributions(self) -> dict[str, np.ndarray]:
        return {c: np.nan_to_num(self.components[c]) * self.weights[c] for c in COMPONENTS}


def _dense(m) -> np.ndarray:
    return m.toarray() if sparse.issparse(m) else np.asarray(m)


#: Levels a skill can be held or required at.
LEVELS = (1, 2, 3, 4)
#: Pairs in one scoring tile: every float32 temporary of a tile (1 MiB each) stays in the
#: processor's cache. This only affects speed, never results.
TILE_PAIRS = 1 << 18
#: Pairs of one float64 product of :meth:`ScoringKernel.cosine` (a 16 MiB temporary): BLAS
#: is several times slower on products of a few dozen rows. Only affects speed.
COSINE_PAIRS = 1 << 21


def skill_coverage(p_levels, q_levels, *, gap_credit: float, related=None, related_credit: float = 0.0) -> np.ndarray:
    """Share of each position's listed skills that each profile holds, with credit by level:
    the slow, obviously correct reference of the coverage :func:`score_block` computes.

    ``p_levels`` (profiles x concepts) and ``q_levels`` (positions x concepts) hold the level
    (1-4) of each skill held / listed, 0 elsewhere. A listed skill at level ``r`` earns 1 when
    held at ``h >= r``, ``gap_credit ** (r - h)`` when held lower, 0 when not held; a listed
    level other than 1, 2, 3 or 4 counts as listed and earns nothing. ``related``
    (profiles x concepts, > 0 where the profile holds a skill close to that concept): such a
    listed skill earns at least ``related_credit``. Returns float64 (profiles, positions),
    NaN where the position lists no skill.
    """
    P = sparse.csr_matrix(p_levels)
    Q = sparse.csr_matrix(q_levels)
    R = sparse.csr_matrix(related) if related is not None else sparse.csr_matrix(P.shape)
    out = np.full((P.shape[0], Q.shape[0]), np.nan)
    for j in range(Q.shape[0]):
        row = Q.getrow(j)
        need = {int(c): float(r) for c, r in zip(row.indices, row.data) if r > 0}
        if not need:
            continue
        for i in range(P.shape[0]):
            prow = P.getrow(i)
            have = {int(c): float(h) for c, h in zip(prow.indices, prow.data) if h > 0}
            rrow = R.getrow(i)
            close = {int(c) for c, v in zip(rrow.indices, rrow.data) if v > 0}
            credit = 0.0
            for c, r in need.items():
                if r not in LEVELS:
                    continue
                h = have.get(c, 0.0)
                earned = 0.0
                if h >= r:
                    earned = 1.0
                elif h > 0:
                    earned = gap_credit ** (r - h)
                if c in close:
                    earned = max(earned, related_credit)
                credit += earned
            out[i, j] = credit / len(need)
    return out


def _credit_matrix(levels: sparse.csr_matrix, gap_credit: float) -> sparse.csr_matrix:
    """(entities, 4 x concepts): the credit each held skill earns against a requirement at
    each level (column block ``L - 1``): 1 when held at or above ``L``, ``gap_credit`` one
    level under, its square two levels under..."""
    coo = levels.tocoo()
    keep = coo.data > 0
    r, c, h = coo.row[keep], coo.col[keep], coo.data[keep].astype(np.float64)
    k = levels.shape[1]
    rows, cols, vals = [], [], []
    for level in LEVELS:
        rows.append(r)
        cols.append(c + (level - 1) * k)
        vals.append(np.power(gap_credit, np.maximum(level - h, 0.0)))
    out = sparse.csr_matrix(
        (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
        shape=(levels.shape[0], len(LEVELS) * k),
    )
    out.eliminate_zeros()
    out.sort_indices()
    return out


def _with_related(credit: sparse.csr_matrix, related, related_credit: float) -> sparse.csr_matrix:
    """The credit matrix where a listed skill the profile holds a close skill of earns at
    least ``related_credit`` at every level (elementwise maximum with that credit)."""
    rel = sparse.csr_matrix(related, dtype=np.float32, copy=True)
    rel.data = np.where(rel.data > 0, np.float32(related_credit), np.float32(0.0))
    rel.eliminate_zeros()
    block = sparse.hstack([rel] * len(LEVELS), format="csr")
    out = sparse.csr_matrix(credit.maximum(block), dtype=np.float32)
    out.eliminate_zeros()
    out.sort_indices()
    return out


def _requirement_matrix(levels: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """(4 x concepts, positions) with 1/(number of skills listed) at (level block, concept),
    so that ``credit @ requirement`` is the coverage directly; and the count per position."""
    n_req = np.asarray((levels > 0).sum(axis=1)).ravel()
    coo = levels.tocoo()
    lv = np.rint(coo.data).astype(np.int64)
    keep = (lv >= 1) & (lv <= len(LEVELS)) & (coo.data == lv)  # other levels count, earn nothing
    k = levels.shape[1]
    share = (1.0 / np.maximum(n_req, 1)).astype(np.float32)
    out = sparse.csr_matrix(
        (share[coo.row[keep]], ((lv[keep] - 1) * k + coo.col[keep], coo.row[keep])),
        shape=(len(LEVELS) * k, levels.shape[0]),
    )
    out.sort_indices()
    return out, n_req


def _rows_zeroed(m: sparse.csr_matrix, drop: np.ndarray) -> sparse.csr_matrix:
    out = sparse.csr_matrix(m, dtype=np.float32, copy=True)
    if drop.any():
        out = sparse.diags((~drop).astype(np.float32)) @ out
        out = out.tocsr()
        out.eliminate_zeros()
    return _canonical(out)


def _canonical(m) -> sparse.csr_matrix:
    """float32 CSR with sorted, duplicate-free indices (the order products are summed in)."""
    out = sparse.csr_matrix(m, dtype=np.float32, copy=True)
    out.sum_duplicates()
    out.sort_indices()
    return out


def _row_entries(a: sparse.csr_matrix, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row within the selection, column, value) of the stored entries of rows ``rows`` of a
    canonical CSR matrix, row by row and in column order within a row."""
    if isinstance(rows, slice) and rows.step in (None, 1):
        r0, r1, _ = rows.indices(a.shape[0])
        r1 = max(r0, r1)
        ptr = a.indptr[r0 : r1 + 1]
        s, e = int(ptr[0]), int(ptr[-1])
        cols, vals = a.indices[s:e], a.data[s:e]
    else:
        sub = a[rows]
        ptr, cols, vals = sub.indptr, sub.indices, sub.data
    row = np.repeat(np.arange(len(ptr) - 1, dtype=np.intp), np.diff(ptr))
    return row, cols, vals


def _spmm_into(out: np.ndarray, a: sparse.csr_matrix, rows, b: sparse.csr_matrix, *, b_ones: bool = False) -> np.ndarray:
    """``out = a[rows] @ b`` for a dense float32 ``out`` (C-contiguous), without a sparse
    intermediate: every product of a stored entry of ``a`` with a stored entry of ``b`` is
    added in place, in the order of ``a``'s columns. So the value of each pair is the sum of
    its terms in concept order starting from 0, the same whatever block the pair is in
    (and the same order as scipy's CSR product). ``b_ones``: every stored value of ``b`` is
    1 (the products are ``a``'s values, not read from ``b``)."""
    out.fill(0.0)
    row, k, v = _row_entries(a, rows)
    if not len(k):
        return out
    ptr = b.indptr
    start = ptr[k]
    lens = ptr[k + 1] - start
    total = int(lens.sum())
    if total == 0:
        return out
    nc = out.shape[1]
    itype = np.int32 if max(out.size, b.nnz) < 2**31 else np.intp
    # position in b of every term: its entry's start, plus its rank within the entry
    offset = np.cumsum(lens) - lens
    idx = np.arange(total, dtype=itype)
    idx += np.repeat((start - offset).astype(itype), lens)
    flat = np.repeat((row * nc).astype(itype), lens)
    flat += b.indices[idx]
    vals = np.repeat(v, lens)
    if not b_ones:
        vals *= b.data[idx]
    np.add.at(out.reshape(-1), flat, vals)
    return out


def applied_weight_table(w: dict, *, has_req, has_des, has_occ, to_semantic: bool) -> tuple[np.ndarray, np.ndarray]:
    """(semantic weight, total weight), float64 arrays (4 row classes, positions).

    Row class = 2 * (profile has occupations) + (profile's experience known). A pair's
    score is (semantic weight x semantic + sum of the other applicable components x their
    weight) / total weight. A component that does not apply to a pair (no required / desired
    skill listed, occupations unknown on a side, years unknown) either has its weight spread
    over the applicable ones (``to_semantic=False``: total = sum of the applicable weights) or
    handed to the semantic similarity (``to_semantic=True``, when the semantic weight is
    positive: total = sum of every weight), so the texts and not the skill coverage decide
    in its place. Either way the applied weights of a pair add up to 1.
    """
    has_req, has_des, has_occ = (np.asarray(x, bool) for x in (has_req, has_des, has_occ))
    m = len(has_req)
    app = np.empty((4, m), dtype=np.float64)
    base = (w["semantic"] + w["wishes"]) + w["required_skills"] * has_req + w["desired_skills"] * has_des
    for cls in range(4):
        app[cls] = base + w["job_fit"] * has_occ * (cls >= 2) + w["experience"] * (cls % 2)
    sem = np.full((4, m), float(w["semantic"]))
    if to_semantic and w["semantic"] > 0:
        every = float(sum(w[c] for c in COMPONENTS))
        sem = sem + (every - app)
        app = np.full((4, m), every)
    return sem, app


class ScoringKernel:
    """Everything :func:`score_block` needs, precomputed once per (features, configuration).

    The score of a pair is computed in float32 by a fixed sequence of operations on that
    pair's values only (the cosine, sparse products summed in the profile's concept order,
    elementwise operations), so it does not depend on the block the pair is scored in; the
    score is then rounded to 6 decimals in float64 (``q = rint(score * 1e6)``). The only
    exception is the BLAS cosine, whose summation order depends on where the pair sits in
    the matrices (a file's rows shuffled moved float32 cosines by one unit in the last
    place, enough to change a 6th decimal): it is computed in float64 and then rounded to
    float32, so that the order's effect (~1e-16) almost never reaches the float32 value.
    """

    def __init__(self, f, config: Config):
        P, Q, sc = f.profiles, f.positions, config.scoring
        self.f, self.config = f, config
        self.n, self.m = len(P.ids), len(Q.ids)
        w = config.weights.as_dict()
        self.w = {c: np.float32(v) for c, v in w.items()}
        self.p_emb = np.ascontiguousarray(P.emb, dtype=np.float32)
        self.q_emb = np.ascontiguousarray(Q.emb, dtype=np.float32)
        self.floor = np.float32(sc.semantic_floor)
        self.inv_range = np.float32(1.0 / (sc.semantic_ceiling - sc.semantic_floor))

        # skills: coverage = credit (profiles x 4K) @ requirement (4K x positions)
        credit = _credit_matrix(P.skills, sc.level_gap_credit)
        related = getattr(P, "related", None)
        if sc.related_skill_credit > 0 and related is not None and related.nnz:
            credit = _with_related(credit, related, sc.related_skill_credit)
        self.p_credit = _canonical(credit)
        self.q_req_t, n_req = _requirement_matrix(Q.required)
        self.q_des_t, n_des = _requirement_matrix(Q.desired)
        self.q_has_req, self.q_has_des = n_req > 0, n_des > 0

        # job fit; entities without any occupation get empty rows, so unknown pairs give 0
        p_no, q_no = ~np.asarray(P.has_occ, bool), ~np.asarray(Q.has_occ, bool)
        self.p_has_occ, self.q_has_occ = ~p_no, ~q_no
        self.p_occ = _rows_zeroed(P.occ, p_no)
        self.p_adj = _rows_zeroed(P.occ_adj, p_no)
        self.q_occ_t = _canonical(_rows_zeroed(Q.occ, q_no).T)
        self.p_fam = _rows_zeroed(P.fam, p_no)
        self.q_fam_t = _canonical(_rows_zeroed(Q.fam, q_no).T)
        self.adjacent = np.float32(sc.adjacent_occupation)
        self.same_family = np.float32(sc.same_family)

        # wishes: mean over the kinds of wish expressed (row factors), neutral when none
        hm, hl, hf = (np.asarray(x, bool) for x in (P.has_wish_ministry, P.has_wish_location, P.has_wish_family))
        den = hm.astype(np.float64) + hl + hf
        safe = np.where(den > 0, den, 1.0)
        self.a_min = (hm / safe).astype(np.float32)
        self.a_loc = (hl / safe).astype(np.float32)
        self.a_fam = (hf / safe).astype(np.float32)
        self.wish_none = den == 0
        self.wish_neutral = np.float32(sc.wish_neutral)
        self.p_wmin = _canonical(P.wish_ministry)
        self.p_wloc = _canonical(P.wish_location)
        self.p_wfam = _canonical(P.wish_family)
        self.q_min_idx = np.asarray(Q.ministry_idx, dtype=np.intp)
        self.q_loc_idx = np.asarray(Q.location_idx, dtype=np.intp)
        # ministry and location wishes as one product: (a_min * ministries | a_loc * locations)
        # @ one-hot of the positions' ministry and location (one term each, so exact)
        n_min, n_loc = self.p_wmin.shape[1], self.p_wloc.shape[1]
        self.p_wish_ml = _canonical(sparse.hstack([
            sparse.diags(self.a_min) @ self.p_wmin, sparse.diags(self.a_loc) @ self.p_wloc
        ], format="csr"))
        one = np.ones(self.m, dtype=np.float32)
        self.q_wish_ml_t = _canonical(sparse.vstack([
            sparse.csr_matrix((one, (self.q_min_idx, np.arange(self.m))), shape=(n_min, self.m)),
            sparse.csr_matrix((one, (self.q_loc_idx, np.arange(self.m))), shape=(n_loc, self.m)),
        ], format="csr"))
        self.q_famraw_t = _canonical(sparse.csr_matrix(Q.fam, dtype=np.float32).T)

        # experience
        years = np.asarray(P.years, dtype=np.float64)
        self.p_years_known = ~np.isnan(years)
        self.p_years = np.nan_to_num(years, nan=0.0).astype(np.float32)
        need = np.asarray(Q.years_required, dtype=np.float64)
        self.q_need = np.where(np.isnan(need) | (need <= 0), sc.experience_full_years, need).astype(np.float32)

        # applied weights, per row class x position; row class = 2 * (profile has
        # occupations) + (profile's experience known). See applied_weight_table.
        sem_w, tab = applied_weight_table(
            w, has_req=self.q_has_req, has_des=self.q_has_des, has_occ=self.q_has_occ,
            to_semantic=sc.missing_weight == "semantic",
        )
        self.total_w = tab
        self.sem_w = sem_w.astype(np.float32)
        self.inv_total = np.where(tab > 0, 1.0 / np.where(tab > 0, tab, 1.0), 1.0).astype(np.float32)
        self.p_class = (2 * self.p_has_occ + self.p_years_known).astype(np.intp)
        # the semantic weight of every pair when it does not vary (the common case)
        self.sem_uniform = np.float32(w["semantic"]) if np.all(self.sem_w == np.float32(w["semantic"])) else None

        self._rules = None
        self._col_cache: dict = {}
        self.ones = {"family": bool(np.all(self.q_fam_t.data == 1)), "family_all": bool(np.all(self.q_famraw_t.data == 1))}

    def _cols(self, name: str, cols):
        """Columns ``cols`` of a position-side matrix, cached for slices (the ranking asks
        the same column block for every tile)."""
        mat = {"required_skills": self.q_req_t, "desired_skills": self.q_des_t,
               "job_fit": self.q_occ_t, "inv_total": self.inv_total, "sem_w": self.sem_w,
               "family": self.q_fam_t, "family_all": self.q_famraw_t, "wish_ml": self.q_wish_ml_t}[name]
        if not isinstance(cols, slice):
            return mat[:, cols]
        key = (name, cols.start, cols.stop, cols.step)
        if key not in self._col_cache:
            if len(self._col_cache) > 16:
                self._col_cache.clear()
            self._col_cache[key] = mat[:, cols]
        return self._col_cache[key]

    # --- scores ---------------------------------------------------------------------------
    def cosine(self, rows, cols, out: np.ndarray | None = None) -> np.ndarray:
        """Cosine of the embeddings (the BLAS product in float64), rounded to float32; the
        float64 product is made by row chunks of about :data:`COSINE_PAIRS` pairs, so that
        its temporary stays small whatever the block."""
        a = self.p_emb[rows]
        b = self.q_emb[cols].astype(np.float64).T
        if out is None:
            out = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
        step = max(1, COSINE_PAIRS // max(b.shape[1], 1))
        for r0 in range(0, a.shape[0], step):
            np.copyto(out[r0 : r0 + step], a[r0 : r0 + step].astype(np.float64) @ b, casting="same_kind")
        return out

    def finish(self, rows, cols, T: np.ndarray, *, components: dict | None = None, scratch=None) -> np.ndarray:
        """Turn the cosines ``T`` of a block into the final float32 scores, in place.

        With ``components`` (a dict), also store every component (float32, NaN = not
        applicable). ``scratch``: optional float32 buffers of T's shape (flat, two are used).
        """
        w = self.w
        size = T.size
        if scratch is None or scratch[0].size < size:
            scratch = [np.empty(size, dtype=np.float32) for _ in range(2)]
        X, Y = (s[:size].reshape(T.shape) for s in scratch)
        want = components is not None
        n_r = T.shape[0]

        # semantic similarity rescaled from the model's cosine range to [0, 1]
        np.subtract(T, self.floor, out=T)
        np.multiply(T, self.inv_range, out=T)
        np.clip(T, 0.0, 1.0, out=T)
        if want:
            components["semantic"] = T.copy()
        if self.sem_uniform is not None:
            np.multiply(T, self.sem_uniform, out=T)
        else:
            np.take(self._cols("sem_w", cols), self.p_class[rows], axis=0, out=X, mode="clip")
            np.multiply(T, X, out=T)

        # required and desired skills: share of the position's skills held, credit by level
        for name, has in (("required_skills", self.q_has_req), ("desired_skills", self.q_has_des)):
            if w[name] == 0 and not want:
                continue
            _spmm_into(X, self.p_credit, rows, self._cols(name, cols))
            np.clip(X, 0.0, 1.0, out=X)
            if want:
                c = X.copy()
                c[:, ~has[cols]] = np.nan
                components[name] = c
            if w[name] != 0:
                np.multiply(X, w[name], out=X)
                np.add(T, X, out=T)

        # job fit: same occupation > adjacent occupation > same digital family
        if w["job_fit"] != 0 or want:
            _spmm_into(X, self.p_fam, rows, self._cols("family", cols), b_ones=self.ones["family"])
            np.clip(X, 0.0, 1.0, out=X)
            np.multiply(X, self.same_family, out=X)
            q_occ = self._cols("job_fit", cols)
            _spmm_into(Y, self.p_adj, rows, q_occ)
            np.clip(Y, 0.0, 1.0, out=Y)
            np.multiply(Y, self.adjacent, out=Y)
            np.maximum(X, Y, out=X)
            _spmm_into(Y, self.p_occ, rows, q_occ)
            np.clip(Y, 0.0, 1.0, out=Y)
            np.maximum(X, Y, out=X)
            if want:
                c = X.copy()
                c[~(self.p_has_occ[rows][:, None] & self.q_has_occ[cols][None, :])] = np.nan
                components["job_fit"] = c
            if w["job_fit"] != 0:
                np.multiply(X, w["job_fit"], out=X)
                np.add(T, X, out=T)

        # wishes
        if w["wishes"] != 0 or want:
            _spmm_into(X, self.p_wish_ml, rows, self._cols("wish_ml", cols), b_ones=True)
            _spmm_into(Y, self.p_wfam, rows, self._cols("family_all", cols), b_ones=self.ones["family_all"])
            np.clip(Y, 0.0, 1.0, out=Y)
            np.multiply(Y, self.a_fam[rows][:, None], out=Y)
            np.add(X, Y, out=X)
            none = self.wish_none[rows]
            if none.any():
                X[none] = self.wish_neutral
            if want:
                components["wishes"] = X.copy()
            if w["wishes"] != 0:
                np.multiply(X, w["wishes"], out=X)
                np.add(T, X, out=T)

        # experience: years against the years the position asks (or a full-credit default)
        if w["experience"] != 0 or want:
            np.divide(self.p_years[rows][:, None], self.q_need[cols][None, :], out=X)
            np.clip(X, 0.0, 1.0, out=X)
            if want:
                c = X.copy()
                c[~self.p_years_known[rows]] = np.nan
                components["experience"] = c
            if w["experience"] != 0:
                np.multiply(X, w["experience"], out=X)  # unknown years are 0 here
                np.add(T, X, out=T)

        # weighted mean over the applicable components
        np.take(self._cols("inv_total", cols), self.p_class[rows], axis=0, out=X, mode="clip")
        np.multiply(T, X, out=T)
        return T

    def applied_weights(self, rows, cols) -> dict[str, np.ndarray]:
        """Weight applied to each component for each pair (0 when not applicable)."""
        inv = self.inv_total[:, cols][self.p_class[rows]].astype(np.float64)
        cfg = self.config.weights.as_dict()
        shape = inv.shape
        sem = self.sem_w[:, cols][self.p_class[rows]].astype(np.float64)
        app = {
            "semantic": np.ones(shape, bool),
            "required_skills": np.broadcast_to(self.q_has_req[cols][None, :], shape),
            "desired_skills": np.broadcast_to(self.q_has_des[cols][None, :], shape),
            "job_fit": self.p_has_occ[rows][:, None] & self.q_has_occ[cols][None, :],
            "wishes": np.ones(shape, bool),
            "experience": np.broadcast_to(self.p_years_known[rows][:, None], shape),
        }
        out = {c: np.where(app[c], cfg[c] * inv, 0.0) for c in COMPONENTS}
        out["semantic"] = sem * inv
        return out

    # --- hard rules ------------------------------------------------------------------------
    def _rule_tables(self):
        """Per-rule tables over small row classes (the profile's corps, grade level,
        clearance), so that a block's exclusions are row lookups, and exact counts of the
        pairs each rule excludes (computed from the tables, not pair by pair)."""
        if self._rules is not None:
            return self._rules
        f, rc = self.f, self.config.rules
        P, Q = f.profiles, f.positions
        n, m = self.n, self.m
        tables = []  # (row class per profile, table (classes, m) of excluded pairs)
        counts = {name: 0 for name in RULES}
        row_only = np.zeros(n, dtype=bool)
        if rc.not_open_to_mobility:
            closed = ~np.asarray(P.open, bool)
            row_only |= closed
            counts["not_open_to_mobility"] = int(closed.sum()) * m

        def categorical(name, p_cls, table):
            nonlocal tables
            tables.append((name, p_cls, table))
            counts[name] = int((np.bincount(p_cls, minlength=table.shape[0]) * table.sum(axis=1)).sum())

        if rc.corps_eligibility and np.asarray(Q.corps_restricted).any():
            pc = sparse.csr_matrix(P.corps)
            n_corps = pc.shape[1]
            has = np.diff(pc.indptr) > 0
            p_cls = np.full(n, n_corps, dtype=np.intp)  # class n_corps: no known corps
            p_cls[has] = pc.indices[pc.indptr[:-1][has]]
            ok = np.vstack([_dense(Q.corps).T > 0, np.zeros((1, m), bool)])
            categorical("corps_eligibility", p_cls, np.asarray(Q.corps_restricted, bool)[None, :] & ~ok)
        if rc.grade_min:
            grade = np.asarray(P.grade)
            values = np.unique(grade)
            p_cls = np.searchsorted(values, grade)
            need = np.asarray(Q.grade_min)[None, :]
            have = values[:, None]
            categorical("grade_min", p_cls, (need != UNKNOWN_INT) & ((have == UNKNOWN_INT) | (have < need)))
        if rc.clearance:
            cl = np.asarray(P.clearance).astype(np.int64)
            values = np.unique(cl)
            categorical("clearance", np.searchsorted(values, cl), values[:, None] < np.asarray(Q.clearance)[None, :])
        avail = start = None
        if rc.availability:
            a = np.asarray(P.available_day, dtype=np.int64)
            s = np.asarray(Q.start_day, dtype=np.int64)
            big = np.iinfo(np.int64).max
            avail = np.where(a == UNKNOWN_INT, -big, a)  # unknown availability: never late
            start = np.where(s == UNKNOWN_INT, big, s + rc.availability_tolerance_days)
            known = np.sort(a[a != UNKNOWN_INT])
            lim = s[s != UNKNOWN_INT] + rc.availability_tolerance_days
            counts["availability"] = int((len(known) - np.searchsorted(known, lim, side="right")).sum())
        same = None
        if rc.same_position:
            pk, qk = np.asarray(P.current_key), np.asarray(Q.key)
            order = np.argsort(qk, kind="stable")
            lo = np.searchsorted(qk[order], pk, side="left")
            hi = np.searchsorted(qk[order], pk, side="right")
            hi = np.where(pk >= 0, hi, lo)
            rows = np.repeat(np.arange(n), hi - lo)
            cols = order[np.concatenate([np.arange(a_, b_) for a_, b_ in zip(lo, hi)])] if len(rows) else rows
            same = (rows, np.asarray(cols, dtype=np.int64))
            counts["same_position"] = int(len(rows))
        self._rules = (row_only, tables, avail, start, same, counts)
        return self._rules

    def rule_counts(self) -> dict[str, int]:
        """Pairs excluded by each rule (a pair excluded by two rules counts for both)."""
        return dict(self._rule_tables()[-1])

    def _rule_blocks(self, rows, cols, shape):
        """(bit, boolean block) of every active rule for profiles ``rows`` x positions
        ``cols`` (slices or integer arrays): the one definition of what each rule excludes,
        used by the ranking (:meth:`excluded`) and the explanations (:meth:`rule_bits`)."""
        row_only, tables, avail, start, same, _ = self._rule_tables()
        rc = self.config.rules
        if rc.not_open_to_mobility:
            closed = ~np.asarray(self.f.profiles.open, bool)
            yield RULES["not_open_to_mobility"][0], np.broadcast_to(closed[rows][:, None], shape)
        for name, p_cls, table in tables:
            yield RULES[name][0], np.take(table[:, cols], p_cls[rows], axis=0, mode="clip")
        if avail is not None:
            yield RULES["availability"][0], avail[rows][:, None] > start[cols][None, :]
        if same is not None:
            pk = np.asarray(self.f.profiles.current_key)[rows][:, None]
            block = (pk >= 0) & (pk == np.asarray(self.f.positions.key)[cols][None, :])
            yield RULES["same_position"][0], block

    def excluded(self, rows: slice, cols: slice, out: np.ndarray) -> np.ndarray:
        """Boolean exclusion mask of a block (``rows``, ``cols`` are slices)."""
        out[...] = False
        for _, block in self._rule_blocks(rows, cols, out.shape):
            np.logical_or(out, block, out=out)
        return out

    def rule_bits(self, rows, cols) -> np.ndarray:
        """Bitmask (uint8) of the rules excluding each pair of a block."""
        n = np.arange(self.n)[rows].shape[0]
        m = np.arange(self.m)[cols].shape[0]
        mask = np.zeros((n, m), dtype=np.uint8)
        for bit, block in self._rule_blocks(rows, cols, (n, m)):
            mask |= np.where(block, bit, 0).astype(np.uint8)
        return mask


def kernel_for(f, config: Config) -> ScoringKernel:
    """The :class:`ScoringKernel` of (features, configuration), kept on the features object
    while the configuration stays the same (no module-level state)."""
    cached = getattr(f, "_kernel", None)
    if cached is not None and cached[0] == config:
        return cached[1]
    kern = ScoringKernel(f, config)
    try:
        f._kernel = (config, kern)
    except AttributeError:  # pragma: no cover - features without a __dict__
        pass
    return kern


def round_score(score32: np.ndarray) -> np.ndarray:
    """The published score: float64, rounded to 6 decimals."""
    return np.round(np.asarray(score32, dtype=np.float64), 6)


def score_block(f, rows: slice | np.ndarray, cols: slice | np.ndarray, config: Config) -> BlockScores:
    """Score the pairs (profiles ``rows``) x (positions ``cols``) of the features ``f``.

    ``f`` is a :class:`matching.features.Features`; ``rows``/``cols`` select profiles and
    positions (slices or integer arrays). Pure: depends only on its arguments. Computes
    exactly the scores the ranking computes (same :class:`ScoringKernel`).
    """
    kern = kernel_for(f, config)
    comps: dict[str, np.ndarray] = {}
    T = kern.cosine(rows, cols)
    kern.finish(rows, cols, T, components=comps)
    components = {c: comps[c].astype(np.float64) for c in COMPONENTS}
    weights = kern.applied_weights(rows, cols)
    excluded = rule_mask(f, rows, cols, config)
    return BlockScores(components=components, weights=weights, score=round_score(T), excluded=excluded)


def rule_mask(f, rows, cols, config: Config) -> np.ndarray:
    """Bitmask (uint8) of the hard rules excluding each pair of the block (the ranking's
    own rule definitions, see :meth:`ScoringKernel.rule_bits`)."""
    return kernel_for(f, config).rule_bits(rows, cols)
