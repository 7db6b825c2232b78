"""Blockwise exact top-k in both directions, without ever holding the full score matrix.

Blocks of (profiles x positions) are scored by :func:`matching.score.score_block`; each block is
immediately reduced to the running top-k of every position (candidates) and of every profile
(opportunities). Ordering is total and deterministic: score (rounded to 6 decimals) descending,
then identifier ascending — so the result does not depend on the block size or on the order of
the input rows. The block size is derived from ``compute.memory_budget_mb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from matching.config import COMPONENTS, Config
from matching.score import RULES, BlockScores, score_block

__all__ = ["Ranking", "rank", "block_shape", "score_pairs", "BYTES_PER_PAIR", "REFILL_FACTOR"]

#: Working memory of one scored pair (components, weights, score, masks, temporaries).
BYTES_PER_PAIR = 224
#: With a cap on shortlists per engineer, each position keeps this many times k candidates
#: so that places freed by the cap can be refilled with the next ones.
REFILL_FACTOR = 5
SCORE_HIST_BINS = 50


def block_shape(n_profiles: int, n_positions: int, memory_budget_mb: int) -> tuple[int, int]:
    """(profiles, positions) per block so that one block fits in the memory budget."""
    pairs = max(1, int(memory_budget_mb * 1024 * 1024 // BYTES_PER_PAIR))
    cols = max(1, min(n_positions, 4096, pairs))
    rows = max(1, min(n_profiles, pairs // cols))
    return rows, cols


@dataclass
class Ranking:
    """Indices of the selected pairs (into the features' profiles / positions) and statistics."""

    shortlist: pd.DataFrame  # position, profile, rank, score
    opportunities: pd.DataFrame  # profile, position, rank, score
    stats: dict = field(default_factory=dict)


class _TopK:
    """Running top-k per column of a stream of (rows x columns) blocks, exact with ties.

    Order: score descending, then ``order`` (a global rank of the row identifier) ascending.
    """

    def __init__(self, n_cols: int, k: int):
        self.k = k
        self.score = np.full((k, n_cols), -np.inf)
        self.order = np.full((k, n_cols), np.iinfo(np.int64).max, dtype=np.int64)
        self.row = np.full((k, n_cols), -1, dtype=np.int64)

    def push(self, cols: slice, scores: np.ndarray, rows: np.ndarray, order: np.ndarray) -> None:
        """Merge a block: ``scores`` (len(rows), n cols), -inf = not a candidate."""
        k = self.k
        S = np.vstack([self.score[:, cols], scores])
        O = np.vstack([self.order[:, cols], np.broadcast_to(order[:, None], scores.shape)])
        R = np.vstack([self.row[:, cols], np.broadcast_to(rows[:, None], scores.shape)])
        if S.shape[0] > k:
            kth = np.partition(S, S.shape[0] - k, axis=0)[S.shape[0] - k]
            keep = (S >= kth[None, :]) & (S > -np.inf)
        else:
            keep = S > -np.inf
        r_idx, c_idx = np.nonzero(keep)
        s, o = S[r_idx, c_idx], O[r_idx, c_idx]
        sort = np.lexsort((o, -s, c_idx))
        r_idx, c_idx, s, o = r_idx[sort], c_idx[sort], s[sort], o[sort]
        # position of each kept entry within its column
        starts = np.searchsorted(c_idx, np.arange(S.shape[1]))
        pos = np.arange(c_idx.size) - starts[c_idx]
        sel = pos < k
        ns = np.full((k, S.shape[1]), -np.inf)
        no = np.full((k, S.shape[1]), np.iinfo(np.int64).max, dtype=np.int64)
        nr = np.full((k, S.shape[1]), -1, dtype=np.int64)
        ns[pos[sel], c_idx[sel]] = s[sel]
        no[pos[sel], c_idx[sel]] = o[sel]
        nr[pos[sel], c_idx[sel]] = R[r_idx[sel], c_idx[sel]]
        self.score[:, cols], self.order[:, cols], self.row[:, cols] = ns, no, nr

    def frame(self, col_name: str, row_name: str) -> pd.DataFrame:
        k_idx, c_idx = np.nonzero(self.row >= 0)
        df = pd.DataFrame(
            {
                col_name: c_idx,
                row_name: self.row[k_idx, c_idx],
                "rank": k_idx + 1,
                "score": self.score[k_idx, c_idx],
            }
        )
        return df.sort_values([col_name, "rank"], kind="stable").reset_index(drop=True)


def _id_order(ids: np.ndarray) -> np.ndarray:
    """Global rank of each identifier in lexicographic order (the tie-breaker)."""
    order = np.empty(len(ids), dtype=np.int64)
    order[np.argsort(np.asarray(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    return order


def rank(f, config: Config, *, progress: Callable[[int, int], None] | None = None) -> Ranking:
    """Top-k candidates per position and top-k positions per profile, blockwise and exact."""
    n, m = f.n_profiles, f.n_positions
    rk = config.ranking
    k_pos = rk.top_k * (REFILL_FACTOR if rk.max_shortlists_per_profile else 1)
    k_pos = min(k_pos, max(n, 1))
    k_opp = min(rk.top_k_opportunities, max(m, 1))
    p_order = _id_order(f.profiles.ids)
    q_order = _id_order(f.positions.ids)
    cand = _TopK(m, k_pos)
    opp = _TopK(n, k_opp)
    rule_counts = {name: 0 for name in RULES}
    excluded_pairs = 0
    eligible_per_position = np.zeros(m, dtype=np.int64)
    eligible_per_profile = np.zeros(n, dtype=np.int64)
    hist = np.zeros(SCORE_HIST_BINS, dtype=np.int64)
    bi, bj = block_shape(n, m, config.compute.memory_budget_mb)
    blocks = [(i, j) for i in range(0, n, bi) for j in range(0, m, bj)]
    for b, (i0, j0) in enumerate(blocks):
        rows, cols = slice(i0, min(i0 + bi, n)), slice(j0, min(j0 + bj, m))
        bs = score_block(f, rows, cols, config)
        ok = bs.excluded == 0
        excluded_pairs += int((~ok).sum())
        for name, (bit, _) in RULES.items():
            rule_counts[name] += int(np.count_nonzero(bs.excluded & bit))
        above = ok & (bs.score >= rk.min_score)
        eligible_per_position[cols] += above.sum(axis=0)
        eligible_per_profile[rows] += above.sum(axis=1)
        hist += np.histogram(bs.score[ok], bins=SCORE_HIST_BINS, range=(0.0, 1.0))[0]
        row_ids = np.arange(rows.start, rows.stop)
        col_ids = np.arange(cols.start, cols.stop)
        cand.push(cols, np.where(above, bs.score, -np.inf), row_ids, p_order[rows])
        opp.push(rows, np.where(ok, bs.score, -np.inf).T, col_ids, q_order[cols])
        if progress is not None:
            progress(b + 1, len(blocks))

    shortlist = cand.frame("position", "profile")
    if rk.max_shortlists_per_profile:
        shortlist = _apply_cap(shortlist, rk.top_k, rk.max_shortlists_per_profile, p_order, q_order)
    opportunities = opp.frame("profile", "position")
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
    return Ranking(shortlist=shortlist, opportunities=opportunities, stats=stats)


def _apply_cap(cands: pd.DataFrame, k: int, cap: int, p_order: np.ndarray, q_order: np.ndarray) -> pd.DataFrame:
    """Greedy cap: pairs taken by descending score (ties: position id, then profile id); a pair
    enters when its position has fewer than k and its engineer fewer than ``cap`` lines."""
    df = cands.assign(_po=q_order[cands["position"].to_numpy()], _pr=p_order[cands["profile"].to_numpy()])
    df = df.sort_values(["score", "_po", "_pr"], ascending=[False, True, True], kind="stable")
    per_pos: dict[int, int] = {}
    per_prof: dict[int, int] = {}
    keep = []
    for pos, prof in zip(df["position"].to_numpy(), df["profile"].to_numpy()):
        if per_pos.get(pos, 0) < k and per_prof.get(prof, 0) < cap:
            per_pos[pos] = per_pos.get(pos, 0) + 1
            per_prof[prof] = per_prof.get(prof, 0) + 1
            keep.append(True)
        else:
            keep.append(False)
    out = df[np.array(keep, dtype=bool)].sort_values(["position", "score", "_pr"], ascending=[True, False, True])
    out = out.assign(rank=out.groupby("position").cumcount() + 1)
    return out.drop(columns=["_po", "_pr"]).reset_index(drop=True)


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
    uniq_pos = np.unique(positions)
    for c0 in range(0, len(uniq_pos), chunk):
        cols = uniq_pos[c0 : c0 + chunk]
        sel = np.nonzero(np.isin(positions, cols))[0]
        rows = np.unique(profiles[sel])
        bs: BlockScores = score_block(f, rows, cols, config)
        ri = np.searchsorted(rows, profiles[sel])
        ci = np.searchsorted(cols, positions[sel])
        for c in COMPONENTS:
            out[c][sel] = bs.components[c][ri, ci]
            out[f"w_{c}"][sel] = bs.weights[c][ri, ci]
        out["score"][sel] = bs.score[ri, ci]
        out["excluded"][sel] = bs.excluded[ri, ci]
    return pd.DataFrame(out)
