"""Capacity-aware what-if allocation on top of a finished batch's shortlists.

Every position has ``openings`` places, every engineer takes at most one, and only the
pairs of the batch's shortlists are acceptable. Two methods:

- ``"stable"``: deferred acceptance (Gale-Shapley with capacities). Engineers rank their
  acceptable positions by ``wishes`` (desc), then ``score`` (desc); positions rank their
  candidates by ``score`` (desc), then the shortlist ``rank`` (asc). Remaining ties are
  broken by a seeded random permutation of the sorted identifiers, used as the last sort
  key, so the result depends only on the set of pairs and the seed, never on row order.
  Engineer-proposing by default (best stable outcome for every engineer), or
  position-proposing.
- ``"max-score"``: the maximum total score under the capacities, solved exactly with
  scipy's sparse assignment solver (LAPJVsp) on a capacity-expanded graph with one
  "unplaced" column per engineer, so leaving an engineer unplaced is always allowed.

The core functions (:func:`stable_matching`, :func:`max_score_matching`,
:func:`preference_table`) are pure; :func:`allocate` reads an output folder, writes the
``allocation-*`` files and records its summary (with the seed) in ``manifest.json``.

The result is a proposal for advisors, never a decision: every file says so.
"""

from __future__ import annotations

import hashlib
import heapq
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matching.errors import InputFileError
from matching.io.batch_folder import BatchFolder

__all__ = [
    "NOTICE",
    "METHODS",
    "AllocationError",
    "AllocationResult",
    "allocate",
    "bench_allocation",
    "max_score_matching",
    "preference_table",
    "random_instance",
    "stable_matching",
]

NOTICE = "Proposition indicative : les conseillers décident ; aucune affectation automatique."
NOTICE_PLACEMENT = "colonne « note » de chaque fichier allocation-*.csv et clé « notice » des résumés JSON"
METHODS = ("stable", "max-score")
PROPOSING = ("engineers", "positions")
TIE_BREAK = (
    "last sort key: a random permutation of the sorted identifiers drawn with "
    "numpy.random.default_rng(seed) (positions first, then engineers)"
)

RESULT_COLUMNS = [
    "position_id",
    "profile_id",
    "score",
    "wishes",
    "position_rank_of_engineer",
    "engineer_rank_of_position",
]
ALLOCATION_COLUMNS = [
    "position_id",
    "profile_id",
    "ministry",
    "position_title",
    "score",
    "position_rank_of_engineer",
    "engineer_rank_of_position",
    "wishes",
    "note",
]
UNFILLED_COLUMNS = [
    "position_id",
    "ministry",
    "position_title",
    "openings",
    "places_filled",
    "places_left",
    "candidates",
    "candidates_placed_elsewhere",
    "reason",
    "note",
]
UNPLACED_COLUMNS = [
    "profile_id",
    "shortlists",
    "best_position_id",
    "best_score",
    "reason",
    "note",
]
SHORTLIST_COLUMNS = ("position_id", "profile_id", "score", "wishes", "rank", "openings")

# (indicator, French label) of the comparison table, in display order
INDICATORS = [
    ("total_score", "Score total des propositions"),
    ("mean_score", "Score moyen d'une proposition"),
    ("engineers", "Ingénieurs présents sur au moins une liste restreinte"),
    ("placed", "Ingénieurs placés"),
    ("placed_rate", "Part des ingénieurs placés"),
    ("first_wish", "Ingénieurs placés sur leur premier choix (vœux, puis score)"),
    ("first_wish_rate_placed", "Part des placés ayant leur premier choix"),
    ("first_wish_rate_all", "Part de tous les ingénieurs ayant leur premier choix"),
    ("places", "Places ouvertes"),
    ("places_filled", "Places pourvues"),
    ("fill_rate", "Taux de places pourvues"),
    ("unfilled_positions", "Postes gardant au moins une place vacante"),
]

# French reasons written in the unfilled / unplaced files
R_NO_CANDIDATE = "aucun candidat dans la liste restreinte"
R_LIST_TOO_SHORT = "liste restreinte plus courte que le nombre de places : tous ses candidats sont proposés ici"
R_ALL_ELSEWHERE = "tous les candidats de la liste restreinte sont proposés sur d'autres postes"
R_OTHERS_ELSEWHERE = "les autres candidats de la liste restreinte sont proposés sur d'autres postes"
R_FREE_NOT_KEPT = "des candidats de la liste restent libres mais la méthode ne les retient pas (score nul, sans gain pour le total)"
R_NO_PLACE = "aucun des postes où il figure n'a de place ouverte"
R_STABLE_FULL = "tous les postes où il figure sont pourvus par des candidats que ces postes classent devant lui"
R_MAXSCORE_FULL = "tous les postes où il figure sont pourvus : la répartition au score total maximal en retient d'autres"
R_MAXSCORE_FREE = "non retenu bien qu'une place reste libre : score nul, sans gain pour le total"


class AllocationError(InputFileError, ValueError):
    """The pairs, the capacities or the output folder cannot be allocated; says why."""


@dataclass(frozen=True)
class AllocationResult:
    """What :func:`allocate` computed and wrote."""

    method: str
    seed: int
    assignments: pd.DataFrame  # ALLOCATION_COLUMNS
    unfilled: pd.DataFrame  # UNFILLED_COLUMNS
    unplaced: pd.DataFrame  # UNPLACED_COLUMNS
    summary: dict[str, Any]  # also stored in manifest.json under "allocations"
    comparison: pd.DataFrame  # indicator, label, one column per method run, note
    files: list[Path] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Instance preparation (pure)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Instance:
    pos_ids: np.ndarray  # sorted unique position ids (object)
    eng_ids: np.ndarray  # sorted unique profile ids (object)
    pi: np.ndarray  # position code of each pair (pairs in canonical order)
    ei: np.ndarray  # engineer code of each pair
    score: np.ndarray
    wishes: np.ndarray
    rank: np.ndarray  # shortlist rank (or position order when absent)
    cap: np.ndarray  # capacity per position code
    e_order: np.ndarray  # pair indices sorted by engineer, then engineer preference
    e_start: np.ndarray  # n_eng + 1 offsets into e_order
    p_order: np.ndarray  # pair indices sorted by position, then position preference
    p_start: np.ndarray  # n_pos + 1 offsets into p_order
    erank: np.ndarray  # 1-based rank of the position in the engineer's order, per pair
    prank: np.ndarray  # 1-based rank of the engineer in the position's order, per pair


def _ids(series: pd.Series, name: str) -> np.ndarray:
    if series.isna().any():
        raise AllocationError(f"pairs: column '{name}' has missing values")
    return series.astype(str).to_numpy(dtype=object)


def _floats(series: pd.Series, name: str, *, default: float | None = None) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        if default is None:
            raise AllocationError(f"pairs: column '{name}' must be numeric, got {int(bad.sum())} invalid value(s)")
        values = np.where(bad, default, values)
    return values


def _groups(order: np.ndarray, codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of each code's block in ``order`` and the 1-based position inside the block."""
    counts = np.bincount(codes, minlength=n)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    within = np.empty(len(order), dtype=np.int64)
    within[order] = np.arange(len(order)) - np.repeat(start[:-1], counts) + 1
    return start, within


def _prepare(pairs: pd.DataFrame, capacities: Mapping[str, int], seed: int) -> _Instance:
    if not isinstance(pairs, pd.DataFrame):
        raise AllocationError(f"pairs must be a pandas DataFrame, got {type(pairs).__name__}")
    missing = [c for c in ("position_id", "profile_id", "score") if c not in pairs.columns]
    if missing:
        raise AllocationError(f"pairs: missing column(s) {', '.join(missing)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AllocationError(f"the 'seed' parameter must be an integer >= 0, got {seed!r}")

    pos = _ids(pairs["position_id"], "position_id")
    eng = _ids(pairs["profile_id"], "profile_id")
    score = _floats(pairs["score"], "score")
    wishes = _floats(pairs["wishes"], "wishes") if "wishes" in pairs.columns else np.zeros(len(pairs))
    has_rank = "rank" in pairs.columns
    rank = _floats(pairs["rank"], "rank") if has_rank else np.zeros(len(pairs))

    pos_ids = np.array(sorted(set(pos)), dtype=object)
    eng_ids = np.array(sorted(set(eng)), dtype=object)
    pi = np.searchsorted(pos_ids, pos).astype(np.int64) if len(pos) else np.zeros(0, np.int64)
    ei = np.searchsorted(eng_ids, eng).astype(np.int64) if len(eng) else np.zeros(0, np.int64)
    n_pos, n_eng = len(pos_ids), len(eng_ids)

    # canonical order of the pairs: by position, then engineer (independent of row order)
    canon = np.lexsort((ei, pi))
    pi, ei, score, wishes, rank = pi[canon], ei[canon], score[canon], wishes[canon], rank[canon]
    if len(pi) > 1:
        dup = (pi[1:] == pi[:-1]) & (ei[1:] == ei[:-1])
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            raise AllocationError(
                f"pairs: {int(dup.sum())} duplicated (position_id, profile_id) pair(s), "
                f"e.g. ({pos_ids[pi[k]]}, {eng_ids[ei[k]]})"
            )

    cap = np.zeros(n_pos, dtype=np.int64)
    problems = []
    for j, pid in enumerate(pos_ids):
        value = capacities.get(pid)
        if value is None:
            problems.append(f"no capacity for position {pid!r}")
            continue
        if isinstance(value, bool) or not float(value).is_integer() or value < 0:
            problems.append(f"the capacity of position {pid!r} must be an integer >= 0, got {value!r}")
            continue
        cap[j] = int(value)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; … ({len(problems)} problems)" if len(problems) > 5 else "")
        raise AllocationError(f"capacities: {shown}")

    rng = np.random.default_rng(int(seed))
    pos_key = rng.permutation(n_pos)
    eng_key = rng.permutation(n_eng)

    e_order = np.lexsort((pos_key[pi], -score, -wishes, ei))
    e_start, erank = _groups(e_order, ei, n_eng)
    p_order = np.lexsort((eng_key[ei], rank, -score, pi))
    p_start, prank = _groups(p_order, pi, n_pos)
    if not has_rank:
        rank = prank.astype(float)
    return _Instance(pos_ids, eng_ids, pi, ei, score, wishes, rank, cap,
                     e_order, e_start, p_order, p_start, erank, prank)


def _result(inst: _Instance, chosen: np.ndarray) -> pd.DataFrame:
    chosen = np.asarray(chosen, dtype=np.int64)
    chosen = chosen[np.lexsort((inst.prank[chosen], inst.pi[chosen]))]
    out = pd.DataFrame(
        {
            "position_id": pd.array(inst.pos_ids[inst.pi[chosen]].astype(str), dtype="str"),
            "profile_id": pd.array(inst.eng_ids[inst.ei[chosen]].astype(str), dtype="str"),
            "score": inst.score[chosen],
            "wishes": inst.wishes[chosen],
            "position_rank_of_engineer": inst.rank[chosen].astype(np.int64),
            "engineer_rank_of_position": inst.erank[chosen],
        }
    )
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Core functions (pure)
# --------------------------------------------------------------------------------------
def preference_table(pairs: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Both sides' strict preference orders, as used by the methods.

    Returns one row per pair (sorted by ``position_id, profile_id``) with
    ``engineer_order`` (1 = the engineer's preferred acceptable position: wishes desc,
    score desc, seeded tie-break) and ``position_order`` (1 = the position's preferred
    candidate: score desc, shortlist rank asc, seeded tie-break).
    """
    capacities = {str(p): 1 for p in pairs["position_id"]} if "position_id" in pairs else {}
    inst = _prepare(pairs, capacities, seed)
    return pd.DataFrame(
        {
            "position_id": pd.array(inst.pos_ids[inst.pi].astype(str), dtype="str"),
            "profile_id": pd.array(inst.eng_ids[inst.ei].astype(str), dtype="str"),
            "engineer_order": inst.erank,
            "position_order": inst.prank,
        }
    )


def stable_matching(
    pairs: pd.DataFrame,
    capacities: Mapping[str, int],
    *,
    proposing: Literal["engineers", "positions"] = "engineers",
    seed: int = 0,
) -> pd.DataFrame:
    """Stable many-to-one matching by deferred acceptance.

    ``pairs`` has columns ``position_id, profile_id, score`` and optionally ``wishes``
    (missing = no preference) and ``rank`` (the shortlist rank); one row per acceptable
    pair. ``capacities`` maps every position id to its number of places (>= 0).
    Returns the matched pairs, columns ``position_id, profile_id, score, wishes,
    position_rank_of_engineer`` (the shortlist rank) ``, engineer_rank_of_position``
    (1 = the engineer's first choice), sorted by position then rank.
    """
    if proposing not in PROPOSING:
        raise AllocationError(f"the 'proposing' parameter must be one of {PROPOSING}, got {proposing!r}")
    inst = _prepare(pairs, capacities, seed)
    if proposing == "engineers":
        chosen = _deferred_acceptance_engineers(inst)
    else:
        chosen = _deferred_acceptance_positions(inst)
    return _result(inst, chosen)


def _deferred_acceptance_engineers(inst: _Instance) -> list[int]:
    e_order = inst.e_order.tolist()
    e_end = inst.e_start[1:].tolist()
    ptr = inst.e_start[:-1].tolist()
    pi = inst.pi.tolist()
    ei = inst.ei.tolist()
    prank = inst.prank.tolist()
    cap = inst.cap.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in cap]  # max-heap on position rank
    free = list(range(len(e_end) - 1, -1, -1))
    while free:
        e = free.pop()
        while ptr[e] < e_end[e]:
            k = e_order[ptr[e]]
            ptr[e] += 1
            p = pi[k]
            c = cap[p]
            if c == 0:
                continue
            heap = held[p]
            if len(heap) < c:
                heapq.heappush(heap, (-prank[k], k))
                break
            if -heap[0][0] > prank[k]:  # the position prefers e to its worst held candidate
                _, out = heapq.heapreplace(heap, (-prank[k], k))
                free.append(ei[out])
                break
    return [k for heap in held for _, k in heap]


def _deferred_acceptance_positions(inst: _Instance) -> list[int]:
    p_order = inst.p_order.tolist()
    p_end = inst.p_start[1:].tolist()
    ptr = inst.p_start[:-1].tolist()
    pi = inst.pi.tolist()
    ei = inst.ei.tolist()
    erank = inst.erank.tolist()
    slots = inst.cap.tolist()
    held = [-1] * len(inst.eng_ids)  # pair index held by each engineer
    queue = deque(p for p in range(len(slots)) if slots[p] > 0)
    queued = [slots[p] > 0 for p in range(len(slots))]
    while queue:
        p = queue.popleft()
        queued[p] = False
        while slots[p] > 0 and ptr[p] < p_end[p]:
            k = p_order[ptr[p]]
            ptr[p] += 1
            e = ei[k]
            cur = held[e]
            if cur == -1:
                held[e] = k
                slots[p] -= 1
            elif erank[k] < erank[cur]:  # the engineer prefers p to the offer held
                held[e] = k
                slots[p] -= 1
                q = pi[cur]
                slots[q] += 1
                if not queued[q]:
                    queued[q] = True
                    queue.append(q)
    return [k for k in held if k != -1]


def max_score_matching(
    pairs: pd.DataFrame,
    capacities: Mapping[str, int],
    *,
    seed: int = 0,
) -> pd.DataFrame:
    """Assignment of maximum total score under the capacities (same columns as
    :func:`stable_matching`).

    Every engineer takes at most one position, each position at most its capacity, only
    the given pairs are allowed and leaving an engineer unplaced is allowed (a pair with
    a negative score is never used). Solved exactly by
    ``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` on a graph where each
    position has one column per place and each engineer one private "unplaced" column.
    ``seed`` only fixes ``engineer_rank_of_position`` when the engineer's order has ties.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    inst = _prepare(pairs, capacities, seed)
    n_eng, n_pairs = len(inst.eng_ids), len(inst.pi)
    if n_pairs == 0:
        return _result(inst, np.zeros(0, np.int64))
    counts = np.bincount(inst.pi, minlength=len(inst.pos_ids))
    eff_cap = np.minimum(inst.cap, counts)  # more places than candidates is useless
    slot_start = np.zeros(len(eff_cap) + 1, dtype=np.int64)
    np.cumsum(eff_cap, out=slot_start[1:])
    n_slots = int(slot_start[-1])

    # one edge per (pair, place of its position); costs are positive (LAPJVsp needs non-zero)
    big = max(float(inst.score.max()), 0.0) + 1.0
    reps = eff_cap[inst.pi]
    k_rep = np.repeat(np.arange(n_pairs), reps)
    offsets = np.arange(len(k_rep)) - np.repeat(np.cumsum(reps) - reps, reps)
    rows = np.concatenate([inst.ei[k_rep], np.arange(n_eng)])
    cols = np.concatenate([slot_start[inst.pi[k_rep]] + offsets, n_slots + np.arange(n_eng)])
    cost = np.concatenate([big - inst.score[k_rep], np.full(n_eng, big)])
    graph = csr_array((cost, (rows, cols)), shape=(n_eng, n_slots + n_eng))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)

    placed = col_ind < n_slots
    e_sel = row_ind[placed]
    p_sel = np.searchsorted(slot_start, col_ind[placed], side="right") - 1
    keys = inst.pi.astype(np.int64) * n_eng + inst.ei  # sorted: pairs are in canonical order
    chosen = np.searchsorted(keys, p_sel * n_eng + e_sel)
    return _result(inst, chosen)


# --------------------------------------------------------------------------------------
# Output folder
# --------------------------------------------------------------------------------------
def _write_csv(df: pd.DataFrame, path: Path) -> str:
    """Write ``df`` atomically (formula-like text cells guarded); return its sha256.

    UTF-8 with a byte-order mark so that Excel shows the French reasons' accents.
    """
    BatchFolder(path.parent).write_csv(path.name, df, bom=True)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(outdir: Path) -> dict[str, Any]:
    from matching.manifest import ManifestError, read_manifest

    try:
        return read_manifest(outdir / "manifest.json")
    except ManifestError as exc:
        raise AllocationError(str(exc)) from None


def _read_shortlists(outdir: Path) -> tuple[pd.DataFrame, str]:
    path = outdir / "shortlists.csv"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AllocationError(f"{path}: no shortlists; is this a finished batch's output folder?") from None
    digest = hashlib.sha256(raw).hexdigest()
    text_cols = {"batch_id": str, "ministry": str, "position_id": str, "position_title": str, "profile_id": str}
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=text_cols, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise AllocationError(f"{path}: cannot read the shortlists ({exc})") from None
    missing = [c for c in SHORTLIST_COLUMNS if c not in frame.columns]
    if missing:
        raise AllocationError(f"{path}: missing column(s) {', '.join(missing)}")
    from matching.io.writers import unneutralize_cell

    for col in ("ministry", "position_id", "position_title", "profile_id"):
        if col not in frame.columns:
            frame[col] = ""
        # the batch wrote text cells with a formula guard; ours are guarded again on write
        frame[col] = frame[col].map(unneutralize_cell).astype("str")
    problems = []
    for col in ("score", "wishes", "rank", "openings"):
        values = pd.to_numeric(frame[col].replace("", np.nan), errors="coerce")
        bad = values.isna()
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            problems.append(f"column '{col}' has {int(bad.sum())} non-numeric value(s), first on line {line}")
        frame[col] = values
    if problems:
        raise AllocationError(f"{path}: " + "; ".join(problems))
    openings = frame.groupby("position_id", sort=False)["openings"].nunique()
    if (openings > 1).any():
        pid = openings.index[openings.to_numpy() > 1][0]
        raise AllocationError(f"{path}: position {pid!r} has different 'openings' on different lines")
    return frame, digest


def _json_float(value: float) -> float:
    return round(float(value), 6)


def _summary(
    method: str,
    *,
    proposing: str | None,
    seed: int,
    shortlists: pd.DataFrame,
    capacities: Mapping[str, int],
    result: pd.DataFrame,
    unfilled: pd.DataFrame,
    digest: str,
    files: dict[str, str],
) -> dict[str, Any]:
    n_eng = int(shortlists["profile_id"].nunique())
    placed = len(result)
    places = int(sum(capacities.values()))
    first = int((result["engineer_rank_of_position"] == 1).sum())
    total = float(result["score"].sum())
    summary: dict[str, Any] = {
        "method": method,
        "seed": int(seed),
        "tie_break": TIE_BREAK,
        "engineer_preferences": "wishes desc, then score desc, then tie-break",
        "position_preferences": "score desc, then shortlist rank asc, then tie-break",
        "acceptable_pairs": "shortlist pairs only",
        "positions": int(len(capacities)),
        "engineers": n_eng,
        "places": places,
        "places_filled": placed,
        "fill_rate": _json_float(placed / places) if places else 0.0,
        "placed": placed,
        "placed_rate": _json_float(placed / n_eng) if n_eng else 0.0,
        "first_wish": first,
        "first_wish_rate_placed": _json_float(first / placed) if placed else 0.0,
        "first_wish_rate_all": _json_float(first / n_eng) if n_eng else 0.0,
        "total_score": _json_float(total),
        "mean_score": _json_float(total / placed) if placed else 0.0,
        "unfilled_positions": int(len(unfilled)),
        "unplaced": n_eng - placed,
        "shortlists_sha256": digest,
        "files_sha256": files,
        "notice": NOTICE,
        "notice_placement": NOTICE_PLACEMENT,
    }
    if proposing is not None:
        summary["proposing"] = proposing
    return summary


def _positions_without_candidate(folder: BatchFolder, listed: pd.DataFrame) -> pd.DataFrame:
    """The batch's positions that no shortlist line names (from the batch's saved state), as
    rows of ``listed``'s shape: they are vacant places of any allocation."""
    if not folder.exists("etat/state.json"):
        return listed.iloc[0:0]
    data = folder.read_json("etat/state.json")["positions"]["data"]
    ids = [str(v) for v in data["position_id"]["values"]]
    frame = pd.DataFrame(
        {
            "ministry": data["ministry"]["values"],
            "position_title": data["title"]["values"],
            "openings": data.get("openings", {"values": [1] * len(ids)})["values"],
        },
        index=pd.Index(ids, name="position_id"),
    )
    return frame[~frame.index.isin(listed.index)]


def _unfilled(
    shortlists: pd.DataFrame, info: pd.DataFrame, capacities: Mapping[str, int], result: pd.DataFrame
) -> pd.DataFrame:
    placed_at = dict(zip(result["profile_id"], result["position_id"]))
    filled = result["position_id"].value_counts()
    rows = []
    groups = dict(tuple(shortlists.groupby("position_id", sort=True)))
    for pid in info.index:  # every position of the batch, those without any candidate too
        group = groups.get(pid, shortlists.iloc[0:0])
        openings = int(capacities[pid])
        here = int(filled.get(pid, 0))
        left = openings - here
        if left <= 0:
            continue
        others = [e for e in group["profile_id"] if placed_at.get(e) != pid]
        elsewhere = sum(1 for e in others if e in placed_at)
        if len(group) == 0:
            reason = R_NO_CANDIDATE
        elif not others:
            reason = R_LIST_TOO_SHORT
        elif elsewhere == len(others):
            reason = R_ALL_ELSEWHERE if here == 0 else R_OTHERS_ELSEWHERE
        else:
            reason = R_FREE_NOT_KEPT
        rows.append([pid, info.at[pid, "ministry"], info.at[pid, "position_title"], openings,
                     here, left, len(group), elsewhere, reason, NOTICE])
    return pd.DataFrame(rows, columns=UNFILLED_COLUMNS).astype(
        {"openings": "int64", "places_filled": "int64", "places_left": "int64",
         "candidates": "int64", "candidates_placed_elsewhere": "int64"}
    )


def _unplaced(
    method: str, shortlists: pd.DataFrame, capacities: Mapping[str, int], result: pd.DataFrame
) -> pd.DataFrame:
    placed = set(result["profile_id"])
    filled = result["position_id"].value_counts()
    rows = []
    rest = shortlists[~shortlists["profile_id"].isin(placed)]
    for eid, group in rest.groupby("profile_id", sort=True):
        best = group.sort_values(["score", "position_id"], ascending=[False, True]).iloc[0]
        open_positions = [p for p in group["position_id"] if capacities[p] > 0]
        if not open_positions:
            reason = R_NO_PLACE
        elif all(filled.get(p, 0) >= capacities[p] for p in open_positions):
            reason = R_STABLE_FULL if method == "stable" else R_MAXSCORE_FULL
        else:
            reason = R_MAXSCORE_FREE
        rows.append([eid, len(group), best["position_id"], float(best["score"]), reason, NOTICE])
    return pd.DataFrame(rows, columns=UNPLACED_COLUMNS).astype({"shortlists": "int64", "best_score": "float64"})


def _comparison(allocations: Mapping[str, Any], digest: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    methods = [m for m in METHODS if isinstance(allocations.get(m), dict)
               and allocations[m].get("shortlists_sha256") == digest]
    rows = []
    for key, label in INDICATORS:
        rows.append({"indicator": key, "label": label,
                     **{m: allocations[m].get(key) for m in methods}, "note": NOTICE})
    # object columns: integers stay integers in the CSV ("5000", not "5000.0")
    table = pd.DataFrame(rows, columns=["indicator", "label", *methods, "note"], dtype=object)
    payload = {
        "notice": NOTICE,
        "notice_placement": NOTICE_PLACEMENT,
        "methods": {m: allocations[m] for m in methods},
        "indicators": [{"indicator": k, "label": lbl, **{m: allocations[m].get(k) for m in methods}}
                       for k, lbl in INDICATORS],
    }
    return table, payload


def allocate(
    outdir: str | Path,
    *,
    method: Literal["stable", "max-score"],
    seed: int | None = None,
    proposing: Literal["engineers", "positions"] = "engineers",
) -> AllocationResult:
    """Run one allocation method over a finished batch's output folder.

    Reads ``shortlists.csv`` and ``manifest.json``; writes ``allocation-<method>.csv``,
    ``allocation-<method>-unfilled.csv``, ``allocation-<method>-unplaced.csv`` and
    ``allocation-comparison.csv`` / ``.json`` (the methods run on these same shortlists);
    records the summary (with the seed) in ``manifest.json`` under ``"allocations"``.
    ``seed`` defaults to the batch's ``config["compute"]["seed"]`` (0 if absent).
    ``proposing`` only applies to ``method="stable"``.
    """
    outdir = Path(outdir)
    if method not in METHODS:
        raise AllocationError(f"the 'method' parameter must be one of {METHODS}, got {method!r}")
    if proposing not in PROPOSING:
        raise AllocationError(f"the 'proposing' parameter must be one of {PROPOSING}, got {proposing!r}")
    manifest = _read_manifest(outdir)
    if seed is None:
        config = manifest.get("config")
        compute = config.get("compute") if isinstance(config, dict) else None
        seed = compute.get("seed", 0) if isinstance(compute, dict) else 0
    shortlists, digest = _read_shortlists(outdir)

    info = shortlists.groupby("position_id", sort=True)[["ministry", "position_title", "openings"]].first()
    info = pd.concat([info, _positions_without_candidate(BatchFolder(outdir), info)]).sort_index(kind="stable")
    capacities = {str(p): int(v) if float(v).is_integer() else float(v) for p, v in info["openings"].items()}
    pairs = shortlists[["position_id", "profile_id", "score", "wishes", "rank"]]
    if method == "stable":
        result = stable_matching(pairs, capacities, proposing=proposing, seed=seed)
    else:
        result = max_score_matching(pairs, capacities, seed=seed)

    assignments = result.assign(
        ministry=info.loc[result["position_id"], "ministry"].to_numpy(),
        position_title=info.loc[result["position_id"], "position_title"].to_numpy(),
        note=NOTICE,
    )[ALLOCATION_COLUMNS]
    unfilled = _unfilled(shortlists, info, capacities, result)
    unplaced = _unplaced(method, shortlists, capacities, result)

    with BatchFolder(outdir).lock():  # one allocation at a time, never during a run into the folder
        names = [f"allocation-{method}.csv", f"allocation-{method}-unfilled.csv",
                 f"allocation-{method}-unplaced.csv", "allocation-comparison.csv", "allocation-comparison.json"]
        hashes = {name: _write_csv(df, outdir / name) for name, df in zip(names, (assignments, unfilled, unplaced))}
        summary = _summary(method, proposing=proposing if method == "stable" else None, seed=int(seed),
                           shortlists=shortlists, capacities=capacities, result=result,
                           unfilled=unfilled, digest=digest, files=hashes)

        folder = BatchFolder(outdir)
        payload_box: dict[str, Any] = {}

        def record(manifest: dict[str, Any]) -> None:
            allocations = manifest.get("allocations")
            if not isinstance(allocations, dict):
                allocations = {}
            allocations[method] = summary
            manifest["allocations"] = allocations
            payload_box["comparison"], payload_box["payload"] = _comparison(allocations, digest)

        folder.update_manifest(record)  # re-read, changed and written back as a whole
        _write_csv(payload_box["comparison"], outdir / names[3])
        folder.write_json(names[4], payload_box["payload"])
    comparison = payload_box["comparison"]

    return AllocationResult(
        method=method, seed=int(seed), assignments=assignments, unfilled=unfilled,
        unplaced=unplaced, summary=summary, comparison=comparison,
        files=[outdir / n for n in names] + [outdir / "manifest.json"],
    )


# --------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------
def random_instance(
    n_profiles: int = 5000, n_positions: int = 2000, list_len: int = 50, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, int]]:
    """A random instance: each position's shortlist of ``list_len`` distinct engineers,
    scores and wishes on a coarse grid (so that ties occur), capacities 1-3."""
    rng = np.random.default_rng(seed)
    list_len = min(list_len, n_profiles)
    # list_len distinct engineers per position: the smallest keys of a random matrix row
    chosen = np.empty((n_positions, list_len), dtype=np.int64)
    block = max(1, 2_000_000 // max(n_profiles, 1))
    for lo in range(0, n_positions, block):
        keys = rng.random((min(block, n_positions - lo), n_profiles))
        chosen[lo:lo + len(keys)] = np.argpartition(keys, list_len - 1, axis=1)[:, :list_len]
    pos = np.repeat(np.arange(n_positions), list_len)
    eng = chosen.ravel()
    score = np.round(rng.uniform(0.3, 1.0, len(pos)), 3)
    wishes = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], len(pos))
    pairs = pd.DataFrame(
        {
            "position_id": [f"P{p:06d}" for p in pos],
            "profile_id": [f"E{e:06d}" for e in eng],
            "score": score,
            "wishes": wishes,
        }
    )
    pairs["rank"] = (
        pairs.sort_values(["position_id", "score", "profile_id"], ascending=[True, False, True])
        .groupby("position_id").cumcount().reindex(pairs.index) + 1
    )
    caps = rng.integers(1, 4, n_positions)
    capacities = {f"P{p:06d}": int(c) for p, c in enumerate(caps)}
    return pairs, capacities


def bench_allocation(
    n_profiles: int = 5000, n_positions: int = 2000, list_len: int = 50, seed: int = 0
) -> dict[str, Any]:
    """Time both methods (and position-proposing stable) on a random instance."""
    pairs, capacities = random_instance(n_profiles, n_positions, list_len, seed)
    out: dict[str, Any] = {
        "n_profiles": n_profiles,
        "n_positions": n_positions,
        "list_len": list_len,
        "pairs": len(pairs),
        "places": int(sum(capacities.values())),
        "engineers_on_a_list": int(pairs["profile_id"].nunique()),
        "seconds": {},
        "placed": {},
        "total_score": {},
        "first_wish": {},
    }
    runs = {
        "stable": lambda: stable_matching(pairs, capacities, seed=seed),
        "stable-positions": lambda: stable_matching(pairs, capacities, proposing="positions", seed=seed),
        "max-score": lambda: max_score_matching(pairs, capacities, seed=seed),
    }
    for name, run in runs.items():
        t0 = time.perf_counter()
        result = run()
        out["seconds"][name] = round(time.perf_counter() - t0, 3)
        out["placed"][name] = len(result)
        out["total_score"][name] = round(float(result["score"].sum()), 3)
        out["first_wish"][name] = int((result["engineer_rank_of_position"] == 1).sum())
    return out
