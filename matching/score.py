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

from matching.config import COMPONENTS, Config

__all__ = ["RULES", "BlockScores", "score_block", "rule_names"]

#: Hard rules, their bit in the exclusion mask, and the French sentence that states them.
RULES: dict[str, tuple[int, str]] = {
    "not_open_to_mobility": (1, "l'ingénieur n'est pas ouvert à la mobilité"),
    "corps_eligibility": (2, "le corps de l'ingénieur ne figure pas parmi les corps éligibles au poste"),
    "grade_min": (4, "le grade de l'ingénieur est inférieur au grade minimal du poste"),
    "availability": (8, "l'ingénieur est disponible trop tard pour la date de prise de poste"),
    "clearance": (16, "l'habilitation de l'ingénieur est inférieure à celle requise"),
    "same_position": (32, "l'ingénieur occupe déjà ce poste"),
}

UNKNOWN_INT = np.iinfo(np.int32).min  # marker for an unknown date / grade in int arrays


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


def _level_credit(p_levels: sparse.csr_matrix, required_level: int, gap_credit: float) -> sparse.csr_matrix:
    """Credit of each held skill for a requirement at ``required_level``.

    Held at or above the level: 1; one level under: ``gap_credit``; two under: its square...
    """
    out = p_levels.copy().astype(np.float64)
    gap = np.maximum(required_level - out.data, 0.0)
    out.data = np.power(gap_credit, gap)
    return out


def skill_coverage(
    p_levels: sparse.csr_matrix,
    q_levels: sparse.csr_matrix,
    *,
    gap_credit: float,
) -> np.ndarray:
    """Share of each position's skills that each profile holds, with partial credit by level.

    ``p_levels`` (profiles x concepts) and ``q_levels`` (positions x concepts) hold levels 1-4
    (0 = absent). Returns (profiles, positions) in [0, 1], NaN where the position lists none.
    """
    n_req = np.asarray((q_levels > 0).sum(axis=1)).ravel().astype(np.float64)
    total = np.zeros((p_levels.shape[0], q_levels.shape[0]), dtype=np.float64)
    for level in (1, 2, 3, 4):
        q_at = (q_levels == level).astype(np.float64)
        if q_at.nnz == 0:
            continue
        credit = _level_credit(p_levels, level, gap_credit)
        total += _dense(credit @ q_at.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = total / n_req[None, :]
    cov[:, n_req == 0] = np.nan
    return np.clip(cov, 0.0, 1.0)


def score_block(f, rows: slice | np.ndarray, cols: slice | np.ndarray, config: Config) -> BlockScores:
    """Score the pairs (profiles ``rows``) x (positions ``cols``) of the features ``f``.

    ``f`` is a :class:`matching.features.Features`; ``rows``/``cols`` select profiles and
    positions (slices or integer arrays). Pure: depends only on its arguments.
    """
    P, Q, sc = f.profiles, f.positions, config.scoring
    comps: dict[str, np.ndarray] = {}

    # semantic similarity, rescaled from the model's cosine range to [0, 1]
    cos = P.emb[rows] @ Q.emb[cols].T
    comps["semantic"] = np.clip(
        (cos.astype(np.float64) - sc.semantic_floor) / (sc.semantic_ceiling - sc.semantic_floor), 0.0, 1.0
    )

    # skills
    p_sk = P.skills[rows]
    comps["required_skills"] = skill_coverage(p_sk, Q.required[cols], gap_credit=sc.level_gap_credit)
    comps["desired_skills"] = skill_coverage(p_sk, Q.desired[cols], gap_credit=sc.level_gap_credit)

    # job fit: same occupation > adjacent occupation (official mobility link) > same family
    same = np.clip(_dense(P.occ[rows] @ Q.occ[cols].T), 0.0, 1.0)
    adjacent = np.clip(_dense(P.occ_adj[rows] @ Q.occ[cols].T), 0.0, 1.0) * sc.adjacent_occupation
    family = np.clip(_dense(P.fam[rows] @ Q.fam[cols].T), 0.0, 1.0) * sc.same_family
    job = np.maximum(np.maximum(same, adjacent), family)
    known = P.has_occ[rows][:, None] & Q.has_occ[cols][None, :]
    comps["job_fit"] = np.where(known, job, np.nan)

    # wishes: mean over the kinds of wish the engineer expressed; neutral when none
    q_min = Q.ministry_idx[cols]
    q_loc = Q.location_idx[cols]
    parts = []
    has = []
    wm = P.wish_ministry[rows]
    parts.append(_dense(wm[:, q_min]) if q_min.size else np.zeros((wm.shape[0], 0)))
    has.append(P.has_wish_ministry[rows])
    wl = P.wish_location[rows]
    parts.append(_dense(wl[:, q_loc]) if q_loc.size else np.zeros((wl.shape[0], 0)))
    has.append(P.has_wish_location[rows])
    parts.append(np.clip(_dense(P.wish_family[rows] @ Q.fam[cols].T), 0.0, 1.0))
    has.append(P.has_wish_family[rows])
    num = np.zeros_like(same)
    den = np.zeros(same.shape[0])
    for part, h in zip(parts, has):
        num += part * h[:, None]
        den += h
    with np.errstate(invalid="ignore", divide="ignore"):
        wishes = num / den[:, None]
    comps["wishes"] = np.where(den[:, None] > 0, wishes, sc.wish_neutral)

    # experience: years against the years the position asks (or a full-credit default)
    years = P.years[rows][:, None]
    need = Q.years_required[cols][None, :]
    need = np.where(np.isnan(need) | (need <= 0), sc.experience_full_years, need)
    comps["experience"] = np.clip(years / need, 0.0, 1.0)  # NaN years stay NaN

    # weights as applied: configured weights of applicable components, rescaled to sum 1
    base = config.weights.as_dict()
    raw = {c: np.where(np.isnan(comps[c]), 0.0, base[c]) for c in COMPONENTS}
    total_w = sum(raw.values())
    total_w = np.where(total_w > 0, total_w, 1.0)
    weights = {c: raw[c] / total_w for c in COMPONENTS}
    score = sum(np.nan_to_num(comps[c]) * weights[c] for c in COMPONENTS)
    score = np.round(score, 6)

    excluded = rule_mask(f, rows, cols, config)
    return BlockScores(components=comps, weights=weights, score=score, excluded=excluded)


def rule_mask(f, rows, cols, config: Config) -> np.ndarray:
    """Bitmask (uint8) of the hard rules excluding each pair of the block."""
    P, Q, rc = f.profiles, f.positions, config.rules
    n = P.open[rows].shape[0]
    m = Q.start_day[cols].shape[0]
    mask = np.zeros((n, m), dtype=np.uint8)
    if rc.not_open_to_mobility:
        mask |= np.where(~P.open[rows], RULES["not_open_to_mobility"][0], 0).astype(np.uint8)[:, None]
    if rc.corps_eligibility:
        restricted = Q.corps_restricted[cols]
        if restricted.any():
            ok = _dense(P.corps[rows] @ Q.corps[cols].T) > 0
            bad = restricted[None, :] & ~ok
            mask |= np.where(bad, RULES["corps_eligibility"][0], 0).astype(np.uint8)
    if rc.grade_min:
        need = Q.grade_min[cols][None, :]
        have = P.grade[rows][:, None]
        bad = (need != UNKNOWN_INT) & ((have == UNKNOWN_INT) | (have < need))
        mask |= np.where(bad, RULES["grade_min"][0], 0).astype(np.uint8)
    if rc.availability:
        start = Q.start_day[cols][None, :].astype(np.int64)
        avail = P.available_day[rows][:, None].astype(np.int64)
        bad = (start != UNKNOWN_INT) & (avail != UNKNOWN_INT) & (avail > start + rc.availability_tolerance_days)
        mask |= np.where(bad, RULES["availability"][0], 0).astype(np.uint8)
    if rc.clearance:
        bad = P.clearance[rows][:, None] < Q.clearance[cols][None, :]
        mask |= np.where(bad, RULES["clearance"][0], 0).astype(np.uint8)
    if rc.same_position:
        pk = P.current_key[rows][:, None]
        bad = (pk >= 0) & (pk == Q.key[cols][None, :])
        mask |= np.where(bad, RULES["same_position"][0], 0).astype(np.uint8)
    return mask
