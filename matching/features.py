"""Numeric features for scoring, built once per batch from the canonical frames.

Everything the scorer needs is turned here into aligned arrays and sparse matrices, so that
:mod:`matching.score` stays a set of pure array operations. Inputs are the canonical frames
(see ``docs/ARCHITECTURE.md``), the normalised skills and occupations
(:class:`Normalized`) and the embeddings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from matching.config import Config
from matching.components import UNKNOWN_INT
from matching.textnorm import ARTICLES
from matching.normalize import Normalized

__all__ = [
    "Normalized",
    "Features",
    "build_features",
    "fold",
    "grade_level",
    "canon_corps",
    "ministry_key",
    "CLEARANCE_ORDER",
]

CLEARANCE_ORDER = ("none", "confidentiel", "secret", "tres_secret")
_STOP = ARTICLES | {"ministere", "ministeres"}


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces, spaces collapsed."""
    from matching.textnorm import normalize

    return normalize(str(text or ""))


def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in fold(text).split() if t not in _STOP)


def canon_corps(text: str) -> str:
    """A canonical key for a corps name ('Corps des mines', 'Mines', 'Télécom' → 'mines';
    'Ingénieurs de l'industrie et des mines' → 'iim'), from data/reference/corps.csv
    (:mod:`matching.grades`); an unknown corps gives its sorted comparison words."""
    from matching.grades import corps_key

    return corps_key(text)


def grade_level(text: str, corps: str = "") -> int:
    """Cross-corps level of a grade (:mod:`matching.grades`: 1–8, ordered within each corps,
    e.g. IA 4 < IPA 5 < ICA 6 < IGA 7), read with the corps of the same row when given;
    ``UNKNOWN_INT`` when empty or not in the grade table (never a silent lowest level)."""
    from matching.grades import grade_level as _level

    return _level(text, corps, unknown=UNKNOWN_INT)


def ministry_key(text: str) -> str:
    """Comparison key of a ministry (acronyms, short and former names, data/reference/
    ministries.csv via :mod:`matching.ministries`); an unknown ministry gives its folded text."""
    from matching.ministries import ministry_keys

    keys = ministry_keys(text)
    return "+".join(sorted(keys)) if keys else fold(text)


def _day(value) -> int:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return UNKNOWN_INT
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value - dt.date(1970, 1, 1)).days
    return UNKNOWN_INT


@dataclass
class ProfileArrays:
    ids: np.ndarray
    emb: np.ndarray
    skills: sparse.csr_matrix
    occ: sparse.csr_matrix
    occ_adj: sparse.csr_matrix
    has_occ: np.ndarray
    fam: sparse.csr_matrix
    wish_ministry: sparse.csr_matrix  # (profiles, ministries of the positions)
    has_wish_ministry: np.ndarray
    wish_location: sparse.csr_matrix  # (profiles, locations of the positions)
    has_wish_location: np.ndarray
    wish_family: sparse.csr_matrix
    has_wish_family: np.ndarray
    years: np.ndarray
    open: np.ndarray
    corps: sparse.csr_matrix
    grade: np.ndarray
    available_day: np.ndarray
    clearance: np.ndarray
    current_key: np.ndarray
    #: (profiles, concepts): cosine of the closest skill the profile holds to each listed
    #: skill it is close to (see ``Normalized.related_skills``); None = no related skills
    related: sparse.csr_matrix | None = None


@dataclass
class PositionArrays:
    ids: np.ndarray
    emb: np.ndarray
    required: sparse.csr_matrix
    desired: sparse.csr_matrix
    occ: sparse.csr_matrix
    has_occ: np.ndarray
    fam: sparse.csr_matrix
    ministry_idx: np.ndarray
    location_idx: np.ndarray
    years_required: np.ndarray
    corps: sparse.csr_matrix
    corps_restricted: np.ndarray
    grade_min: np.ndarray
    start_day: np.ndarray
    clearance: np.ndarray
    key: np.ndarray


@dataclass
class Features:
    profiles: ProfileArrays
    positions: PositionArrays
    concepts: list[str]  # column keys of the skill matrices
    occupations: list[str]  # column keys of the occupation matrices
    families: list[str]
    #: values as written, for explanations: "grade", "corps" (per profile), "grade_min"
    #: (per position)
    texts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_profiles(self) -> int:
        return len(self.profiles.ids)

    @property
    def n_positions(self) -> int:
        return len(self.positions.ids)


def _vocab(items: Iterable[str]) -> dict[str, int]:
    return {k: i for i, k in enumerate(sorted(set(items)))}


def _csr(rows: Sequence[Mapping[str, float]], vocab: Mapping[str, int], dtype=np.float32) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for r in rows:
        items = sorted((vocab[k], v) for k, v in r.items() if k in vocab)
        indices += [i for i, _ in items]
        data += [v for _, v in items]
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=dtype), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), len(vocab)),
    )


def _col(df: pd.DataFrame, name: str, default):
    if name in df.columns:
        return df[name].tolist()
    return [default] * len(df)


def _empty_list(v) -> list:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    return list(v)


def build_features(
    profiles: pd.DataFrame,
    positions: pd.DataFrame,
    norm: Normalized,
    profile_emb: np.ndarray,
    position_emb: np.ndarray,
    config: Config,
) -> Features:
    """Aligned arrays for :func:`matching.score.score_block` (row i = profiles.iloc[i])."""
    n, m = len(profiles), len(positions)
    sc = config.scoring

    concepts = _vocab(
        [k for d in norm.profile_skills for k in d]
        + [k for d in norm.position_required for k in d]
        + [k for d in norm.position_desired for k in d]
    )
    occ_vocab = _vocab(
        [c for lst in norm.profile_occupations for c, _ in lst]
        + [c for lst in norm.position_occupations for c, _ in lst]
        + [t for targets in norm.adjacency.values() for t in targets]
    )
    position_fams = [set(f) for f in norm.position_families]
    wished_fams = [{fold(x) for x in _empty_list(w)} for w in _col(profiles, "wished_families", [])]
    fam_vocab = _vocab(
        [fold(x) for s in norm.profile_families for x in s]
        + [fold(x) for s in position_fams for x in s]
        + [x for s in wished_fams for x in s]
    )

    # --- positions --------------------------------------------------------------------
    req = _csr([{k: float(v) for k, v in d.items()} for d in norm.position_required], concepts)
    des = _csr([{k: float(v) for k, v in d.items()} for d in norm.position_desired], concepts)
    q_occ = _csr([_occ_weights(lst, sc.occupations_per_entity) for lst in norm.position_occupations], occ_vocab)
    q_fam = _csr([{fold(x): 1.0 for x in s} for s in position_fams], fam_vocab)
    ministries = [str(x) for x in _col(positions, "ministry", "")]
    min_vocab = _vocab(ministries)
    locations = [str(x or "") for x in _col(positions, "location", "")]
    loc_vocab = _vocab(locations)
    corps_lists = [[canon_corps(c) for c in _empty_list(v) if canon_corps(c)] for v in _col(positions, "eligible_corps", [])]
    corps_vocab = _vocab([c for lst in corps_lists for c in lst] + [canon_corps(c) for c in _col(profiles, "corps", "")])
    keys: dict[tuple[str, str], int] = {}
    q_keys = np.array(
        [keys.setdefault((ministry_key(mi), fold(t)), len(keys)) for mi, t in zip(ministries, _col(positions, "title", ""))],
        dtype=np.int64,
    )
    Q = PositionArrays(
        ids=np.asarray([str(x) for x in positions["position_id"]], dtype=object),
        emb=np.ascontiguousarray(position_emb, dtype=np.float32),
        required=req,
        desired=des,
        occ=q_occ,
        has_occ=np.asarray([bool(lst) for lst in norm.position_occupations] or np.zeros(0), dtype=bool),
        fam=q_fam,
        ministry_idx=np.asarray([min_vocab[x] for x in ministries], dtype=np.int64),
        location_idx=np.asarray([loc_vocab[x] for x in locations], dtype=np.int64),
        years_required=np.asarray(_col(positions, "experience_years", np.nan), dtype=np.float64),
        corps=_csr([{c: 1.0 for c in lst} for lst in corps_lists], corps_vocab),
        corps_restricted=np.asarray([bool(lst) for lst in corps_lists] or np.zeros(0), dtype=bool),
        grade_min=np.asarray([grade_level(x) for x in _col(positions, "grade_min", "")], dtype=np.int64),
        start_day=_effective_start(_col(positions, "start_date", None), config.rules.reference_date),
        clearance=np.asarray([_clear(x) for x in _col(positions, "clearance_required", "none")], dtype=np.int8),
        key=q_keys,
    )

    # --- profiles ---------------------------------------------------------------------
    p_occ_rows = [_occ_weights(lst, sc.occupations_per_entity) for lst in norm.profile_occupations]
    p_occ = _csr(p_occ_rows, occ_vocab)
    adj = _csr(
        [{t: 1.0 for t in norm.adjacency.get(code, ())} for code in sorted(occ_vocab, key=occ_vocab.get)],
        occ_vocab,
    )
    p_occ_adj = (p_occ @ adj).tocsr()
    p_occ_adj.data = np.minimum(p_occ_adj.data, 1.0)

    min_names = sorted(min_vocab, key=min_vocab.get)
    min_tok = [_tokens(x) for x in min_names]
    min_keys = [_ministry_keys(x) for x in min_names]
    loc_tok = [_tokens(x) for x in sorted(loc_vocab, key=loc_vocab.get)]
    wish_min_rows, wish_loc_rows = [], []
    for wm, wl in zip(_col(profiles, "wished_ministries", []), _col(profiles, "wished_locations", [])):
        wish_min_rows.append(_ministry_hits(_empty_list(wm), min_keys, min_tok))
        wish_loc_rows.append(_wish_hits(_empty_list(wl), loc_tok))
    p_corps = [canon_corps(c) for c in _col(profiles, "corps", "")]
    P = ProfileArrays(
        ids=np.asarray([str(x) for x in profiles["profile_id"]], dtype=object),
        emb=np.ascontiguousarray(profile_emb, dtype=np.float32),
        skills=_csr([{k: float(v) for k, v in d.items()} for d in norm.profile_skills], concepts),
        occ=p_occ,
        occ_adj=p_occ_adj,
        has_occ=np.asarray([bool(lst) for lst in norm.profile_occupations] or np.zeros(0), dtype=bool),
        fam=_csr([{fold(x): 1.0 for x in s} for s in norm.profile_families], fam_vocab),
        wish_ministry=_idx_csr(wish_min_rows, len(min_vocab)),
        has_wish_ministry=np.asarray([bool(_empty_list(x)) for x in _col(profiles, "wished_ministries", [])] or np.zeros(0), dtype=bool),
        wish_location=_idx_csr(wish_loc_rows, len(loc_vocab)),
        has_wish_location=np.asarray([bool(_empty_list(x)) for x in _col(profiles, "wished_locations", [])] or np.zeros(0), dtype=bool),
        wish_family=_csr([{x: 1.0 for x in s} for s in wished_fams], fam_vocab),
        has_wish_family=np.asarray([bool(s) for s in wished_fams] or np.zeros(0), dtype=bool),
        years=np.asarray(pd.to_numeric(pd.Series(_col(profiles, "years_experience", np.nan)), errors="coerce"), dtype=np.float64),
        open=np.asarray([bool(x) if x is not None else True for x in _col(profiles, "open_to_mobility", True)] or np.zeros(0), dtype=bool),
        corps=_csr([{c: 1.0} if c in corps_vocab else {} for c in p_corps], corps_vocab),
        grade=np.asarray([grade_level(x, c) for x, c in zip(_col(profiles, "grade", ""), _col(profiles, "corps", ""))], dtype=np.int64),
        available_day=np.asarray([_day(x) for x in _col(profiles, "available_from", None)], dtype=np.int64),
        clearance=np.asarray([_clear(x) for x in _col(profiles, "clearance", "none")], dtype=np.int8),
        current_key=np.asarray(
            [
                keys.get((ministry_key(mi), fold(t)), -1) if fold(t) else -1
                for mi, t in zip(_col(profiles, "current_ministry", ""), _col(profiles, "current_position", ""))
            ],
            dtype=np.int64,
        ),
    )
    P.related = _related_rows(norm, concepts)
    if P.emb.shape[0] != n or Q.emb.shape[0] != m:
        raise ValueError("embeddings are not aligned with the frames")
    return Features(
        profiles=P,
        positions=Q,
        concepts=sorted(concepts, key=concepts.get),
        occupations=sorted(occ_vocab, key=occ_vocab.get),
        families=sorted(fam_vocab, key=fam_vocab.get),
        texts={
            "grade": np.asarray([str(x or "") for x in _col(profiles, "grade", "")], dtype=object),
            "corps": np.asarray([str(x or "") for x in _col(profiles, "corps", "")], dtype=object),
            "grade_min": np.asarray([str(x or "") for x in _col(positions, "grade_min", "")], dtype=object),
        },
    )


def _related_rows(norm: Normalized, concepts: Mapping[str, int]) -> sparse.csr_matrix:
    """(profiles, concepts): for each listed skill a profile holds a close skill of, the
    cosine of the closest one it holds (see :func:`matching.normalize.related_skills`)."""
    rel = getattr(norm, "related_skills", None) or {}
    close_to: dict[str, list[tuple[str, float]]] = {}  # held skill -> (listed skill, cosine)
    for c, close in rel.items():
        for b, sim in close:
            close_to.setdefault(b, []).append((c, float(sim)))
    rows = []
    for held in norm.profile_skills:
        row: dict[str, float] = {}
        for b in held:
            for c, sim in close_to.get(b, ()):
                if sim > row.get(c, 0.0):
                    row[c] = sim
        rows.append(row)
    return _csr(rows, concepts)


def _effective_start(dates, reference_date: str) -> np.ndarray:
    """Start day of each position; a start date before the batch's reference date means
    'as soon as possible', i.e. the reference date itself."""
    days = np.asarray([_day(x) for x in dates], dtype=np.int64)
    if reference_date:
        ref = _day(dt.date.fromisoformat(reference_date))
        days = np.where((days != UNKNOWN_INT) & (days < ref), ref, days)
    return days


def _occ_weights(lst: Sequence[tuple[str, float]], top: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for code, w in list(lst)[:top]:
        out[code] = max(out.get(code, 0.0), float(w))
    return out


def _clear(value) -> int:
    v = fold(value).replace(" ", "_") if value else "none"
    return CLEARANCE_ORDER.index(v) if v in CLEARANCE_ORDER else 0


def _wish_hits(wishes: Sequence[str], vocab_tokens: Sequence[frozenset[str]]) -> list[int]:
    """Indices of the vocabulary entries that a wish designates (all its words appear)."""
    hits = []
    wish_toks = [_tokens(w) for w in wishes if _tokens(w)]
    for i, toks in enumerate(vocab_tokens):
        if any(w <= toks for w in wish_toks):
            hits.append(i)
    return hits


def _ministry_keys(text: str) -> frozenset[str]:
    from matching.ministries import ministry_keys

    return ministry_keys(text)


def _ministry_hits(wishes: Sequence[str], vocab_keys: Sequence[frozenset[str]], vocab_tokens: Sequence[frozenset[str]]) -> list[int]:
    """Indices of the positions' ministries that a wish designates: the same ministry in the
    reference table (acronyms, short and former names), else all the wish's words appear."""
    wish_keys = [_ministry_keys(w) for w in wishes]
    known = frozenset().union(*wish_keys) if wish_keys else frozenset()
    loose = [w for w, k in zip(wishes, wish_keys) if not k]
    hits = set(_wish_hits(loose, vocab_tokens)) if loose else set()
    if known:
        hits.update(i for i, keys in enumerate(vocab_keys) if keys & known)
    return sorted(hits)


def _idx_csr(rows: Sequence[Sequence[int]], width: int) -> sparse.csr_matrix:
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.asarray([i for r in rows for i in r], dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), width))
