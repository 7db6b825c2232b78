"""Skills in short supply, and each engineer's next steps (pure computations on a batch's data).

Two questions the shortlists do not answer on their own:

* **which required skills too few engineers hold** (``skills_gap.csv``, the report's
  « Compétences en tension »): per scope (the whole community, ``ensemble``, and each
  ministry), every skill a position of the scope requires, with the positions requiring it,
  the engineers holding it, and the shortlist lines where it is missing — counted with the
  explanations' own matched / missing logic (:func:`matching.explain.required_skill_status`),
  so the table never contradicts a shortlist line;
* **what would open the most doors for one engineer**: the one to three required skills
  that would put the engineer on the most shortlists, each recomputed exactly (the
  engineer's row re-scored against the positions with the skill added at the level
  required, through the ranking's own :class:`matching.score.ScoringKernel`, and compared
  with each position's shortlist threshold), and the occupations reachable through the
  official ROME mobility links from the engineer's inferred occupation, with the positions
  of the batch in them.

The index and the suggestions are described for users in ``docs/NOTICE_METHODE.md``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from matching.config import Config
from matching.explain import required_skill_status
from matching.score import kernel_for, round_score

__all__ = [
    "ENSEMBLE",
    "GAP_COLUMNS",
    "GAP_HEADERS",
    "GAP_SHORT_HEADERS",
    "GAP_SHEET",
    "NEXT_STEP_HEADERS",
    "NEXT_STEP_COLUMNS",
    "MAX_SUGGESTIONS",
    "MAX_PATHS",
    "shortage_index",
    "skills_gap_table",
    "Thresholds",
    "shortlist_thresholds",
    "Suggestion",
    "MobilityPath",
    "NextSteps",
    "next_steps",
    "next_steps_table",
]

#: the scope of the whole community in ``skills_gap.csv``
ENSEMBLE = "ensemble"
GAP_COLUMNS = [
    "scope",
    "skill_label",
    "source_id",
    "positions_requiring",
    "profiles_holding",
    "profiles_holding_lower",
    "shortlist_lines_missing",
    "shortage",
]
#: columns appended to ``opportunities.csv`` (the same values on every line of an engineer)
NEXT_STEP_COLUMNS = ["competences_a_acquerir", "gain_postes", "metiers_accessibles"]
#: French headers of the skills-gap table (workbook sheet, report, ``mobilite skills gap``)
GAP_HEADERS = {
    "scope": "Périmètre",
    "skill_label": "Compétence requise",
    "source_id": "Identifiant (référentiel)",
    "positions_requiring": "Postes qui la requièrent",
    "profiles_holding": "Ingénieurs qui la détiennent au niveau requis",
    "profiles_holding_lower": "Ingénieurs qui la détiennent à un niveau inférieur",
    "shortlist_lines_missing": "Lignes de listes où elle manque",
    "shortage": "Indice de tension",
}
#: short French headers of the same table for the terminal (``mobilite skills gap``)
GAP_SHORT_HEADERS = {
    "scope": "Périmètre",
    "skill_label": "Compétence",
    "source_id": "Identifiant",
    "positions_requiring": "Postes",
    "profiles_holding": "Détenteurs",
    "profiles_holding_lower": "Niveau inférieur",
    "shortlist_lines_missing": "Lignes où elle manque",
    "shortage": "Tension",
}
NEXT_STEP_HEADERS = {
    "competences_a_acquerir": "Compétences à acquérir",
    "gain_postes": "Listes restreintes ouvertes par chacune",
    "metiers_accessibles": "Métiers accessibles (passerelles du ROME)",
}
GAP_SHEET = "Compétences en tension"
MAX_SUGGESTIONS = 3
MAX_PATHS = 3
#: float32 rounding slack of the optimistic bound that selects the positions worth re-scoring
_BOUND_SLACK = 1e-5


def shortage_index(positions_requiring, profiles_holding):
    """Positions requiring a skill per engineer holding it, counting one more holder:
    ``positions_requiring / (profiles_holding + 1)``. Defined when nobody holds the skill
    (it is then the number of positions requiring it), grows with the demand and falls with
    the supply; rounded to 4 decimals."""
    return np.round(np.asarray(positions_requiring, dtype=np.float64) / (np.asarray(profiles_holding, dtype=np.float64) + 1.0), 4)


def _fold_key(text: str) -> str:
    from matching.textnorm import fold

    return fold(str(text))


# --------------------------------------------------------------------------------------
# Skills in short supply
# --------------------------------------------------------------------------------------
def skills_gap_table(
    profile_skills: Sequence[Mapping[str, int]],
    position_required: Sequence[Mapping[str, int]],
    ministries: Sequence[str],
    lines: tuple[np.ndarray, np.ndarray],
    labels: Mapping[str, str],
    *,
    related: Mapping[str, list[tuple[str, float]]] | None = None,
) -> pd.DataFrame:
    """The rows of ``skills_gap.csv`` (columns :data:`GAP_COLUMNS`).

    ``profile_skills`` / ``position_required``: concept key -> level per engineer / position;
    ``ministries``: the ministry of each position; ``lines``: (profile index, position index)
    of every shortlist line; ``related``: the close skills of the related-skill credit (as
    the explanations get it: None when that credit is off).

    One row per (scope, skill required by a position of the scope); scopes are ``ensemble``
    then each ministry. ``positions_requiring`` and ``shortlist_lines_missing`` count the
    scope's positions and their shortlist lines, so the ministries' rows add up to the
    ``ensemble`` row. ``profiles_holding`` / ``profiles_holding_lower`` count engineers of
    the whole community (any engineer can move to any ministry) holding the skill at the
    lowest level one of the scope's positions requires, or at a lower level (a close skill
    only is neither); they are the supply of each scope, not additive. Sorted by scope, then
    shortage descending (ties: positions requiring, lines missing, label, identifier).
    """
    scopes: dict[str, dict[str, list[int]]] = {ENSEMBLE: {}}  # scope -> key -> [positions, min level, lines]
    for j, (req, ministry) in enumerate(zip(position_required, ministries)):
        for scope in (ENSEMBLE, str(ministry)):
            table = scopes.setdefault(scope, {})
            for key, level in req.items():
                entry = table.setdefault(key, [0, int(level), 0])
                entry[0] += 1
                entry[1] = min(entry[1], int(level))
    for i, j in zip(np.asarray(lines[0]).tolist(), np.asarray(lines[1]).tolist()):
        status = required_skill_status(profile_skills[i], position_required[j], related)
        for key, (state, _, _) in status.items():
            if state == "missing":
                scopes[ENSEMBLE][key][2] += 1
                scopes[str(ministries[j])][key][2] += 1
    held: dict[str, list[int]] = defaultdict(list)  # key -> levels held (> 0), one per engineer
    for skills in profile_skills:
        for key, level in skills.items():
            if level > 0:
                held[key].append(int(level))
    held_sorted = {k: np.sort(np.asarray(v)) for k, v in held.items()}

    rows = []
    order = [ENSEMBLE] + sorted((s for s in scopes if s != ENSEMBLE), key=lambda s: (_fold_key(s), s))
    for scope in order:
        part = []
        for key, (n_pos, level, n_lines) in scopes[scope].items():
            levels = held_sorted.get(key, np.zeros(0, dtype=np.int64))
            lower = int(np.searchsorted(levels, level, side="left"))
            part.append({
                "scope": scope,
                "skill_label": str(labels.get(key, key)),
                "source_id": key,
                "positions_requiring": n_pos,
                "profiles_holding": int(len(levels) - lower),
                "profiles_holding_lower": lower,
                "shortlist_lines_missing": n_lines,
            })
        for r in part:
            r["shortage"] = float(shortage_index(r["positions_requiring"], r["profiles_holding"]))
        part.sort(key=lambda r: (-r["shortage"], -r["positions_requiring"], -r["shortlist_lines_missing"],
                                 _fold_key(r["skill_label"]), r["source_id"]))
        rows += part
    table = pd.DataFrame(rows, columns=GAP_COLUMNS)
    for c in ("positions_requiring", "profiles_holding", "profiles_holding_lower", "shortlist_lines_missing"):
        table[c] = table[c].astype(np.int64)
    table["shortage"] = table["shortage"].astype(np.float64)
    return table


# --------------------------------------------------------------------------------------
# Shortlist thresholds
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """What an engineer must beat to enter each position's shortlist (the ranking's order:
    rounded score descending, then identifier ascending)."""

    full: np.ndarray  # bool per position: the shortlist holds top_k lines
    q_last: np.ndarray  # int64: rounded score (millionths) of the last line (full lists)
    order_last: np.ndarray  # int64: identifier order of the last line's engineer (full lists)
    q_min: int  # smallest rounded score (millionths) at or above the minimum score
    members: frozenset  # (profile index, position index) of the current lines
    p_order: np.ndarray  # identifier order of every engineer

    def enters(self, q: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether (engineer ``rows``, position ``cols``) with rounded score ``q`` is on the
        shortlist, the other candidates being those of the current list (elementwise)."""
        q, rows, cols = (np.asarray(x, dtype=np.int64) for x in (q, rows, cols))
        beats_last = (q > self.q_last[cols]) | ((q == self.q_last[cols]) & (self.p_order[rows] < self.order_last[cols]))
        return (q >= self.q_min) & (~self.full[cols] | beats_last)


def _q(score: np.ndarray) -> np.ndarray:
    """A published (6-decimal) score in millionths."""
    return np.rint(np.asarray(score, dtype=np.float64) * 1e6).astype(np.int64)


def _q_min(min_score: float) -> int:
    q = int(np.floor(min_score * 1e6))
    while q / 1e6 < min_score:
        q += 1
    while (q - 1) / 1e6 >= min_score:
        q -= 1
    return q


def shortlist_thresholds(
    n_positions: int, lines: pd.DataFrame, p_order: np.ndarray, config: Config
) -> Thresholds:
    """The :class:`Thresholds` of a batch from its shortlist lines (``lines``: integer
    columns ``profile``, ``position`` and the published ``score``)."""
    k = config.ranking.top_k
    full = np.zeros(n_positions, dtype=bool)
    q_last = np.zeros(n_positions, dtype=np.int64)
    order_last = np.zeros(n_positions, dtype=np.int64)
    if len(lines):
        prof = lines["profile"].to_numpy(dtype=np.int64)
        pos = lines["position"].to_numpy(dtype=np.int64)
        q = _q(lines["score"].to_numpy())
        # last line of each position: lowest score, then largest identifier order
        order = np.lexsort((-p_order[prof], q, pos))
        first = np.unique(pos[order], return_index=True)[1]
        last_pos, last_prof, last_q = pos[order][first], prof[order][first], q[order][first]
        counts = np.bincount(pos, minlength=n_positions)
        full[:] = counts >= k
        q_last[last_pos] = last_q
        order_last[last_pos] = p_order[last_prof]
        members = frozenset(zip(prof.tolist(), pos.tolist()))
    else:
        members = frozenset()
    return Thresholds(full=full, q_last=q_last, order_last=order_last, q_min=_q_min(config.ranking.min_score),
                      members=members, p_order=np.asarray(p_order, dtype=np.int64))


# --------------------------------------------------------------------------------------
# Each engineer's next steps
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """A required skill to acquire (or raise to ``level``), and the positions it opens."""

    key: str
    label: str
    level: int
    held_level: int  # 0 when not held
    gain: int
    positions: tuple[str, ...]  # identifiers of the positions whose shortlist it opens


@dataclass(frozen=True)
class MobilityPath:
    """An occupation reachable by an official ROME mobility link, with the positions of the
    batch in it that no rule closes to the engineer."""

    code: str
    label: str
    positions: tuple[str, ...]


@dataclass(frozen=True)
class NextSteps:
    profile_id: str
    occupation: str  # the inferred occupation the paths start from ("" when none)
    occupation_label: str
    suggestions: tuple[Suggestion, ...]
    paths: tuple[MobilityPath, ...]

    def cells(self) -> dict[str, str]:
        """The :data:`NEXT_STEP_COLUMNS` cells (French lists separated by « ; »)."""
        return {
            "competences_a_acquerir": " ; ".join(_skill_text(s) for s in self.suggestions),
            "gain_postes": " ; ".join(str(s.gain) for s in self.suggestions),
            "metiers_accessibles": " ; ".join(f"{p.code} {p.label} ({len(p.positions)} poste{'s' if len(p.positions) > 1 else ''})".replace("  ", " ")
                                               for p in self.paths),
        }

    def lines(self, *, max_ids: int = 5) -> list[str]:
        """French lines for the account of a pair (« Pour aller plus loin »)."""
        out = []
        if self.suggestions:
            out.append("Compétences qui ouvriraient le plus de listes restreintes (chacune seule, recalcul exact) :")
            for s in self.suggestions:
                ids = ", ".join(s.positions[:max_ids]) + (" …" if len(s.positions) > max_ids else "")
                out.append(f"- {_skill_text(s)} : +{s.gain} poste(s) ({ids})")
        else:
            out.append("Aucune compétence requise ajoutée seule ne ferait entrer l'ingénieur sur une liste de plus.")
        if self.occupation:
            head = f"Métier déduit : {self.occupation} {self.occupation_label}".rstrip()
            if self.paths:
                out.append(head + " ; métiers accessibles par les passerelles de mobilité du ROME :")
                for p in self.paths:
                    ids = ", ".join(p.positions[:max_ids]) + (" …" if len(p.positions) > max_ids else "")
                    out.append(f"- {p.code} {p.label} : {len(p.positions)} poste(s) du lot ({ids})".replace("  ", " "))
            else:
                out.append(head + " ; aucun poste du lot dans les métiers accessibles par les passerelles du ROME.")
        return out


def _skill_text(s: Suggestion) -> str:
    if s.held_level:
        return f"{s.label} (niveau {s.level}, détenue au niveau {s.held_level})"
    return f"{s.label} (niveau {s.level})"


def _take_rows(arrays, idx: np.ndarray):
    """A copy of a :class:`matching.features.ProfileArrays` with the rows ``idx``."""
    values = {}
    for fl in dataclasses.fields(arrays):
        v = getattr(arrays, fl.name)
        if v is None:
            values[fl.name] = None
        elif sparse.issparse(v):
            values[fl.name] = sparse.csr_matrix(v)[idx]
        else:
            values[fl.name] = np.asarray(v)[idx]
    return type(arrays)(**values)


def _with_skills(arrays, rows: np.ndarray, cols: np.ndarray, levels: np.ndarray, related_add) -> object:
    """``arrays`` where row ``rows[t]`` holds concept ``cols[t]`` at least at ``levels[t]``,
    and its related-skill row gains ``related_add`` ((row, concept, cosine) triples)."""
    sk = sparse.csr_matrix(arrays.skills, dtype=np.float32, copy=True)
    add = sparse.csr_matrix((levels.astype(np.float32), (rows, cols)), shape=sk.shape)
    sk = sparse.csr_matrix(sk.maximum(add), dtype=np.float32)
    sk.sort_indices()
    out = dataclasses.replace(arrays, skills=sk)
    if arrays.related is not None and related_add:
        r, c, v = (np.asarray(x) for x in zip(*related_add))
        rel = sparse.csr_matrix(arrays.related, dtype=np.float32, copy=True)
        rel = sparse.csr_matrix(rel.maximum(_max_duplicates(r, c, v, rel.shape)), dtype=np.float32)
        rel.sort_indices()
        out = dataclasses.replace(out, related=rel)
    return out


def _max_duplicates(r, c, v, shape) -> sparse.csr_matrix:
    best: dict[tuple[int, int], float] = {}
    for a, b, x in zip(r.tolist(), c.tolist(), v.tolist()):
        if x > best.get((a, b), 0.0):
            best[(a, b)] = x
    if not best:
        return sparse.csr_matrix(shape, dtype=np.float32)
    (rr, cc), vv = zip(*best.keys()), list(best.values())
    return sparse.csr_matrix((np.asarray(vv, dtype=np.float32), (np.asarray(rr), np.asarray(cc))), shape=shape)


def _scores(kern, rows, cols) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Published scores and components of a block, through the ranking's kernel."""
    comps: dict[str, np.ndarray] = {}
    T = kern.cosine(rows, cols)
    kern.finish(rows, cols, T, components=comps)
    return round_score(T), comps


def next_steps(
    features,
    normalized,
    config: Config,
    lines: pd.DataFrame,
    *,
    rows: Sequence[int] | None = None,
    block_pairs: int = 1 << 18,
) -> list[NextSteps]:
    """The :class:`NextSteps` of the engineers ``rows`` (default: all), in that order.

    ``lines``: the shortlist lines (integer ``profile``, ``position``, published ``score``).
    A position is *opened* by a skill when the engineer, not on its shortlist now, would be
    on it with the skill held at the level required (the other candidates and their scores
    do not change: only that engineer's row does). Candidates: the required skills, not held
    at the required level, of the positions the engineer could still enter with every listed
    skill held (an optimistic bound on the skill components; the other positions can never
    open), each added at the highest level those positions require; each is re-scored with
    the ranking's kernel on a copy of the engineer's row, the text and inferred occupations
    staying those of the batch. Under ``ranking.max_shortlists_per_profile`` the count is of
    thresholds passed (the cap may then keep the engineer off some of those lists).
    """
    f = features
    n, m = f.n_profiles, f.n_positions
    rows = list(range(n)) if rows is None else [int(r) for r in rows]
    from matching.rank import _id_order  # the ranking's tie-breaker order

    p_order = _id_order(f.profiles.ids)
    thr = shortlist_thresholds(m, lines, p_order, config)
    kern = kernel_for(f, config)
    related = getattr(normalized, "related_skills", None) if config.scoring.related_skill_credit > 0 else None
    concept_at = {k: c for c, k in enumerate(f.concepts)}
    close_to: dict[str, list[tuple[str, float]]] = {}  # held skill -> (listed skill, cosine)
    if related and getattr(f.profiles, "related", None) is not None:
        for c, close in related.items():
            for b, sim in close:
                close_to.setdefault(b, []).append((c, float(sim)))
    q_ids = np.asarray(f.positions.ids, dtype=object)
    main_occ = [occ[0][0] if occ else "" for occ in normalized.position_occupations]
    by_occ: dict[str, list[int]] = defaultdict(list)
    for j, code in enumerate(main_occ):
        if code:
            by_occ[code].append(j)

    # 1. current scores: positions each engineer could still open, and open positions per path
    step = max(1, block_pairs // max(m, 1))
    close: dict[int, np.ndarray] = {}
    paths: dict[int, list[MobilityPath]] = {}
    all_cols = slice(0, m)
    for r0 in range(0, len(rows), step):
        chunk = np.asarray(rows[r0 : r0 + step], dtype=np.int64)
        score, comps = _scores(kern, chunk, all_cols)
        w = kern.applied_weights(chunk, all_cols)
        excluded = kern.rule_bits(chunk, all_cols) != 0
        room = np.zeros(score.shape)
        for c in ("required_skills", "desired_skills"):
            room += np.nan_to_num(1.0 - comps[c].astype(np.float64)) * w[c]
        bound = _q(np.minimum(score + room + _BOUND_SLACK, 1.0))
        rr = np.repeat(chunk, m).reshape(score.shape)
        cc = np.broadcast_to(np.arange(m), score.shape)
        can = ~excluded & (room > 0) & thr.enters(bound, rr, cc)
        for t, i in enumerate(chunk.tolist()):
            cols = np.flatnonzero(can[t])
            close[i] = np.asarray([j for j in cols.tolist() if (i, j) not in thr.members], dtype=np.int64)
            paths[i] = _paths(normalized, i, by_occ, ~excluded[t], q_ids)

    # 2. candidates: one virtual row per (engineer, skill), re-scored on its close positions
    owner, cand_key, cand_level, held_level = [], [], [], []
    for i in rows:
        have = normalized.profile_skills[i]
        need: dict[str, int] = {}
        for j in close[i].tolist():
            for key, level in normalized.position_required[j].items():
                if have.get(key, 0) < level and key in concept_at:
                    need[key] = max(need.get(key, 0), int(level))
        for key in sorted(need):
            owner.append(i)
            cand_key.append(key)
            cand_level.append(need[key])
            held_level.append(int(have.get(key, 0)))
    gains: dict[int, list[Suggestion]] = defaultdict(list)
    if owner:
        idx = np.asarray(owner, dtype=np.int64)
        vcols = np.asarray([concept_at[k] for k in cand_key], dtype=np.int64)
        related_add = [(t, concept_at[c], sim) for t, key in enumerate(cand_key)
                       for c, sim in close_to.get(key, ()) if c in concept_at]
        virtual = _with_skills(_take_rows(f.profiles, idx), np.arange(len(idx)), vcols, np.asarray(cand_level), related_add)
        vk = kernel_for(dataclasses.replace(f, profiles=virtual, texts={}), config)
        # groups of virtual rows scored together against the union of their close positions
        # (a position counts for a row only when it is close for that row's engineer)
        is_close = np.zeros(m, dtype=bool)
        for group in _groups(idx, close, block_pairs):
            vr = np.asarray(group, dtype=np.int64)
            cols = np.unique(np.concatenate([close[int(i)] for i in np.unique(idx[vr])]))
            score, _ = _scores(vk, vr, cols)
            opened = thr.enters(_q(score), np.repeat(idx[vr], len(cols)).reshape(score.shape),
                                np.broadcast_to(cols, score.shape))
            for t, v in enumerate(vr.tolist()):
                i = int(idx[v])
                is_close[:] = False
                is_close[close[i]] = True
                hit = cols[opened[t] & is_close[cols]]
                if len(hit):
                    key = cand_key[v]
                    gains[i].append(Suggestion(key=key, label=str(normalized.concept_labels.get(key, key)),
                                               level=cand_level[v], held_level=held_level[v], gain=len(hit),
                                               positions=tuple(sorted(str(q_ids[j]) for j in hit.tolist()))))

    # 3. the engineers' next steps
    out = []
    for i in rows:
        best = sorted(gains.get(i, ()), key=lambda s: (-s.gain, _fold_key(s.label), s.key))[:MAX_SUGGESTIONS]
        occ = normalized.profile_occupations[i]
        code = occ[0][0] if occ else ""
        out.append(NextSteps(profile_id=str(f.profiles.ids[i]), occupation=code,
                             occupation_label=str(normalized.occupation_labels.get(code, "")) if code else "",
                             suggestions=tuple(best), paths=tuple(paths[i])))
    return out


def _groups(owner: np.ndarray, close: Mapping[int, np.ndarray], block_pairs: int):
    """Consecutive virtual rows (one engineer's rows stay together) whose rows x the union
    of their close positions stay near ``block_pairs`` pairs."""
    group: list[int] = []
    cols: set[int] = set()
    start = 0
    while start < len(owner):
        stop = start
        while stop < len(owner) and owner[stop] == owner[start]:
            stop += 1
        mine = close[int(owner[start])]
        if not len(mine):
            start = stop
            continue
        grown = cols | set(mine.tolist())
        if group and (len(group) + stop - start) * len(grown) > block_pairs:
            yield group
            group, grown = [], set(mine.tolist())
        group += list(range(start, stop))
        cols = grown
        start = stop
    if group:
        yield group


def _paths(normalized, i: int, by_occ: Mapping[str, list[int]], allowed: np.ndarray, q_ids) -> list[MobilityPath]:
    """Occupations reachable from engineer ``i``'s first inferred occupation by a ROME mobility
    link, with the positions of the batch (first occupation) no rule closes to the engineer."""
    occ = normalized.profile_occupations[i]
    if not occ:
        return []
    code = occ[0][0]
    out = []
    for target in sorted(set(normalized.adjacency.get(code, ())) - {code}):
        open_ = [j for j in by_occ.get(target, ()) if allowed[j]]
        if open_:
            out.append(MobilityPath(code=target, label=str(normalized.occupation_labels.get(target, "")),
                                    positions=tuple(sorted(str(q_ids[j]) for j in open_))))
    out.sort(key=lambda p: (-len(p.positions), p.code))
    return out[:MAX_PATHS]


def next_steps_table(steps: Sequence[NextSteps]) -> pd.DataFrame:
    """``profile_id`` and the :data:`NEXT_STEP_COLUMNS` cells of each engineer."""
    return pd.DataFrame([{"profile_id": s.profile_id, **s.cells()} for s in steps],
                        columns=["profile_id", *NEXT_STEP_COLUMNS])

