"""Explanations in French: one sentence per shortlist line, and the full account of any pair.

The full account answers what French law on public algorithms (CRPA L311-3-1, R311-3-1-2)
gives a person the right to know: the degree and mode of the algorithm's contribution, the
data used and their sources, the parameters and their weights as applied to the person, and
the operations performed. It is available for every (engineer, position) pair, shortlisted
or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from matching.components import COMPONENT_SPECS, COMPONENTS
from matching.config import Config
from matching.score import RULES, score_block

__all__ = [
    "COMPONENT_LABELS",
    "METHOD_NOTICE_PATH",
    "ADVISORS_DECIDE",
    "skill_lists",
    "required_skill_status",
    "pair_skill_lists",
    "SkillLists",
    "line_sentence",
    "line_sentences",
    "PairAccount",
    "explain_pair",
    "render_account",
]

COMPONENT_LABELS = {c.name: c.label for c in COMPONENT_SPECS}
SHORT_LABELS = {c.name: c.short_label for c in COMPONENT_SPECS}
METHOD_NOTICE_PATH = "docs/NOTICE_METHODE.md"
ADVISORS_DECIDE = (
    "Ce classement est une aide à la décision produite par un algorithme : les conseillers "
    "décident, le moteur propose. Aucune décision n'est prise automatiquement."
)
LEVEL_NAMES = {1: "notions", 2: "pratique", 3: "maîtrise", 4: "expert"}


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def skill_lists(
    profile_skills: dict[str, int],
    required: dict[str, int],
    labels: dict[str, str],
    related: dict[str, list[tuple[str, float]]] | None = None,
) -> tuple[list[str], list[str]]:
    """(matched, missing) required skills as French labels; a level under the one required is
    shown as matched with its levels; a skill not held, of which the engineer holds a close
    skill (``related``: listed skill -> close skills, best first, as
    ``Normalized.related_skills``; pass it only when the related-skill credit is on), is
    shown as matched with the close skill named: "Kubernetes (proche : Docker)".

    One pair of :func:`pair_skill_lists` (the same texts)."""
    zero = np.zeros(1, dtype=np.int64)
    matched, missing = pair_skill_lists([profile_skills], [required], labels, zero, zero, related).lists()
    return matched[0], missing[0]


@dataclass(frozen=True)
class SkillLists:
    """The matched and missing required skills of many lines, flat: line ``k``'s matched
    texts are ``texts[start[k] : start[k] + n_matched[k]]`` and its missing ones follow
    (``n_missing[k]`` of them), each in the order of their label."""

    texts: np.ndarray  # object array of str
    start: np.ndarray
    n_matched: np.ndarray
    n_missing: np.ndarray

    @classmethod
    def from_lists(cls, matched: Sequence[list[str]], missing: Sequence[list[str]]) -> "SkillLists":
        texts: list[str] = []
        for m, ms in zip(matched, missing):
            texts += m
            texts += ms
        n_m = np.array([len(m) for m in matched], dtype=np.int64)
        n_ms = np.array([len(m) for m in missing], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(n_m + n_ms)[:-1]]).astype(np.int64) if len(n_m) else n_m
        return cls(np.array(texts, dtype=object), start, n_m, n_ms)

    def __len__(self) -> int:
        return len(self.start)

    def lists(self) -> tuple[list[list[str]], list[list[str]]]:
        flat = self.texts.tolist()
        matched, missing = [], []
        for a, m, ms in zip(self.start.tolist(), self.n_matched.tolist(), self.n_missing.tolist()):
            matched.append(flat[a : a + m])
            missing.append(flat[a + m : a + m + ms])
        return matched, missing

    def joined(self, which: str, sep: str, *, limit: int | None = None) -> list[str]:
        """Per line, its ``which`` ("matched" or "missing") texts joined by ``sep`` (the first
        ``limit`` only, when given)."""
        first = self.start if which == "matched" else self.start + self.n_matched
        count = self.n_matched if which == "matched" else self.n_missing
        if limit is not None:
            count = np.minimum(count, limit)
        flat = self.texts.tolist()
        return [sep.join(flat[a:b]) for a, b in zip(first.tolist(), (first + count).tolist())]


def pair_skill_lists(
    profile_skills: Sequence[dict[str, int]],
    position_required: Sequence[dict[str, int]],
    labels: dict[str, str],
    profiles: np.ndarray,
    positions: np.ndarray,
    related: dict[str, list[tuple[str, float]]] | None = None,
) -> SkillLists:
    """The (matched, missing) required skills of every pair ``(profiles[k], positions[k])``
    (indices into ``profile_skills`` / ``position_required``), as :func:`skill_lists` says
    them, computed on flat arrays (one element per required skill of each pair)."""
    profiles = np.asarray(profiles, dtype=np.int64)
    positions = np.asarray(positions, dtype=np.int64)
    related = related or {}
    # concept vocabulary: what the positions require, and the close skills named for them
    vocab: dict[str, int] = {}
    for req in position_required:
        for key in req:
            vocab.setdefault(key, len(vocab))
    for key in list(vocab):
        for b, _ in related.get(key, ()):
            vocab.setdefault(b, len(vocab))
    V = max(len(vocab), 1)
    label_of = np.empty(len(vocab), dtype=object)
    for key, c in vocab.items():
        label_of[c] = labels.get(key, key)
    # each position's required skills in label order, once (CSR: ptr, concept, level needed)
    lens = np.fromiter((len(r) for r in position_required), dtype=np.int64, count=len(position_required))
    req_ptr = np.zeros(len(position_required) + 1, dtype=np.int64)
    np.cumsum(lens, out=req_ptr[1:])
    ordered = [(vocab[k], req[k]) for req in position_required
               for k in sorted(req, key=lambda k: (labels.get(k, k).lower(), k))]
    req_cid = np.array([c for c, _ in ordered], dtype=np.int64)
    req_need = np.array([n for _, n in ordered], dtype=np.int64)
    # the levels held, keyed by profile * V + concept, sorted for binary search
    held = [(i * V + vocab[key], level) for i in np.unique(profiles).tolist()
            for key, level in profile_skills[i].items() if key in vocab]
    hk = np.array([k for k, _ in held], dtype=np.int64)
    order = np.argsort(hk, kind="stable")
    hk, hl = hk[order], np.array([v for _, v in held], dtype=np.int64)[order]

    def level(rows: np.ndarray, concepts: np.ndarray) -> np.ndarray:
        if not len(hk):
            return np.zeros(len(rows), dtype=np.int64)
        want = rows * V + concepts
        at = np.minimum(np.searchsorted(hk, want), len(hk) - 1)
        return np.where(hk[at] == want, hl[at], 0)

    # one element per (pair, required skill), in pair order then label order
    counts = lens[positions]
    total = int(counts.sum())
    pair_of = np.repeat(np.arange(len(positions), dtype=np.int64), counts)
    start = np.cumsum(counts) - counts
    elem = np.repeat(req_ptr[:-1][positions] - start, counts) + np.arange(total, dtype=np.int64)
    cid, need = req_cid[elem], req_need[elem]
    rows = profiles[pair_of]
    have = level(rows, cid)
    absent = have <= 0
    close = np.full(total, -1, dtype=np.int64)
    if related and total:
        # close skills are looked up for required concepts only (all in vocab, added above);
        # a close skill's own neighbours (it may be a desired skill of some position) are not
        rel = [[vocab[b] for b, _ in related.get(key, ()) if b in vocab] for key in vocab]
        rel_len = np.array([len(r) for r in rel], dtype=np.int64)
        table = np.full((len(vocab), max(int(rel_len.max()), 1)), -1, dtype=np.int64)
        for c, lst in enumerate(rel):
            table[c, : len(lst)] = lst
        for d in range(int(rel_len.max())):  # the first close skill held, in the listed order
            todo = np.flatnonzero(absent & (close < 0) & (rel_len[cid] > d))
            b = table[cid[todo], d]
            found = level(rows[todo], b) > 0
            close[todo[found]] = b[found]
    missing = absent & (close < 0)
    texts = label_of[cid] if total else np.empty(0, dtype=object)
    low = np.flatnonzero(~absent & (have < need))
    if len(low):
        texts[low] = [f"{t} (niveau {h} pour {n} requis)"
                      for t, h, n in zip(texts[low].tolist(), have[low].tolist(), need[low].tolist())]
    near = np.flatnonzero(absent & (close >= 0))
    if len(near):
        texts[near] = texts[near] + " (proche : " + label_of[close[near]] + ")"
    # per pair: its matched elements, then its missing ones
    regroup = np.argsort(pair_of * 2 + missing, kind="stable")
    n_missing = np.bincount(pair_of[missing], minlength=len(positions)).astype(np.int64)
    return SkillLists(texts[regroup], start, counts - n_missing, n_missing)


def required_skill_status(
    profile_skills: dict[str, int],
    required: dict[str, int],
    related: dict[str, list[tuple[str, float]]] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, tuple[str, int, str | None]]:
    """Per required skill (in the order of :func:`skill_lists`): ``(status, level held, close
    skill)``, status ``held`` (at the level required or above), ``lower`` (held under it),
    ``close`` (not held, a close skill held, see :func:`skill_lists`) or ``missing``. The one
    definition of matched / missing skills (explanations, shortlists, ``skills_gap.csv``)."""
    labels = labels or {}
    related = related or {}
    out: dict[str, tuple[str, int, str | None]] = {}
    for key in sorted(required, key=lambda k: (labels.get(k, k).lower(), k)):
        need = required[key]
        have = profile_skills.get(key, 0)
        close = next((b for b, _ in related.get(key, ()) if profile_skills.get(b, 0) > 0), None)
        if have <= 0:
            out[key] = ("close", have, close) if close is not None else ("missing", have, None)
        else:
            out[key] = ("lower" if have < need else "held", have, None)
    return out


def line_sentence(
    components: dict[str, float],
    weights: dict[str, float],
    score: float,
    matched: list[str],
    missing: list[str],
    occupation_note: str = "",
) -> str:
    """One French sentence with the main reasons of a shortlist line (one line of
    :func:`line_sentences`)."""
    return line_sentences(
        {c: np.array([components[c]], dtype=np.float64) for c in COMPONENTS},
        {c: np.array([weights[c]], dtype=np.float64) for c in COMPONENTS},
        np.array([score], dtype=np.float64), SkillLists.from_lists([matched], [missing]), [occupation_note],
    )[0]


_TWO_DECIMALS = np.array([f"{k / 100:.2f}".replace(".", ",") for k in range(101)], dtype=object)


def _fmt_many(values: np.ndarray) -> np.ndarray:
    """:func:`_fmt` (2 decimals) of every value, as an object array of str. Values in
    [0, 1] not within 1e-6 of a rounding midpoint come from a table (their rounding cannot
    be in doubt: ``v * 100`` is off by at most an ulp); the others are formatted one by one."""
    v = np.asarray(values, dtype=np.float64)
    t = v * 100.0
    k = np.floor(t)
    frac = t - k
    easy = ~np.signbit(v) & (v <= 1.0) & (np.abs(frac - 0.5) > 1e-6)  # not -0.0: "-0,00"
    k = np.where(easy, k + (frac > 0.5), 0).astype(np.int64)
    out = _TWO_DECIMALS[np.clip(k, 0, 100)]
    hard = np.flatnonzero(~easy)
    if len(hard):
        out[hard] = [_fmt(x) for x in v[hard].tolist()]
    return out


def _ints(values: np.ndarray) -> np.ndarray:
    """str of every (non-negative) integer, as an object array."""
    values = np.asarray(values, dtype=np.int64)
    table = np.array([str(i) for i in range(int(values.max()) + 1 if len(values) else 1)], dtype=object)
    return table[values]


def line_sentences(
    components: Mapping[str, np.ndarray],
    weights: Mapping[str, np.ndarray],
    scores: np.ndarray,
    skills: SkillLists,
    occupation_notes: Sequence[str],
) -> list[str]:
    """The sentence of every line at once, from its components and applied weights (one
    array per component), its score, its required skills (:class:`SkillLists`) and its
    occupation clause. The reasons are the (at most) two components of highest positive
    contribution (value x weight, a missing value counting 0), ties in the components'
    order."""
    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    if n == 0:
        return []
    comp = np.column_stack([np.asarray(components[c], dtype=np.float64) for c in COMPONENTS])
    w = np.column_stack([np.asarray(weights[c], dtype=np.float64) for c in COMPONENTS])
    contrib = np.where(np.isnan(comp), 0.0, comp) * w
    order = np.argsort(-contrib, axis=1, kind="stable")
    rows = np.arange(n)
    names = np.array([SHORT_LABELS[c] + " " for c in COMPONENTS], dtype=object)
    reasons = []
    for r in (0, 1):
        top = order[:, r]
        text = np.full(n, "", dtype=object)
        on = np.flatnonzero(contrib[rows, top] > 0)
        text[on] = (" et " if r else ", porté surtout par : ") + names[top[on]] + _fmt_many(comp[on, top[on]])
        reasons.append(text.tolist())
    n_m, n_ms = skills.n_matched, skills.n_missing
    n_req = n_m + n_ms
    held = np.full(n, "", dtype=object)
    on = np.flatnonzero(n_req > 0)
    held[on] = " ; " + _ints(n_m[on]) + " compétence(s) requise(s) sur " + _ints(n_req[on]) + " détenue(s)"
    shown = np.asarray(skills.joined("matched", ", ", limit=3), dtype=object)
    on = np.flatnonzero(n_m > 0)
    held[on] = held[on] + " (" + shown[on] + np.where(n_m[on] > 3, "…)", ")")
    lacking = np.full(n, "", dtype=object)
    on = np.flatnonzero(n_ms > 0)
    if len(on):
        shown = np.asarray(skills.joined("missing", ", ", limit=3), dtype=object)
        lacking[on] = " ; manque : " + shown[on] + np.where(n_ms[on] > 3, "…", "")
    notes = [" ; " + x if x else "" for x in occupation_notes]
    return [f"Score {s}{a}{b}{h}{m}{o}." for s, a, b, h, m, o in
            zip(_fmt_many(scores).tolist(), reasons[0], reasons[1], held.tolist(), lacking.tolist(), notes)]


@dataclass
class PairAccount:
    """Everything the engine knows about one (engineer, position) pair."""

    profile_id: str
    position_id: str
    components: dict[str, float]
    weights_configured: dict[str, float]
    weights_applied: dict[str, float]
    contributions: dict[str, float]
    score: float
    rules: list[dict[str, Any]]
    excluded: bool
    rank: int | None  # among the eligible candidates of the position (None when excluded)
    eligible_candidates: int
    shortlisted: bool
    shortlist_threshold: float | None  # score of the last shortlisted candidate
    min_score: float
    top_k: int
    needed: list[str] = field(default_factory=list)
    data_used: dict[str, Any] = field(default_factory=dict)
    matched_skills: list[str] = field(default_factory=list)
    missing_skills: list[str] = field(default_factory=list)
    #: « Pour aller plus loin »: the engineer's next steps (skills, mobility paths), as lines
    further: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def explain_pair(
    features,
    normalized,
    profile_index: int,
    position_index: int,
    config: Config,
    *,
    shortlisted_profiles: list[int] | None = None,
    data_used: dict[str, Any] | None = None,
) -> PairAccount:
    """The full account of one pair. ``shortlisted_profiles``: indices of the profiles on the
    position's shortlist as written by the batch (to state whether the pair is on it)."""
    n = features.n_profiles
    col = score_block(features, slice(0, n), np.array([position_index]), config)
    score_col = col.score[:, 0]
    excl_col = col.excluded[:, 0]
    i = profile_index
    comps = {c: float(col.components[c][i, 0]) for c in COMPONENTS}
    applied = {c: float(col.weights[c][i, 0]) for c in COMPONENTS}
    contributions = {c: (0.0 if np.isnan(comps[c]) else comps[c]) * applied[c] for c in COMPONENTS}
    score = float(score_col[i])
    mask = int(excl_col[i])
    rules = []
    for name, (bit, sentence) in RULES.items():
        active = bool(getattr(config.rules, name))
        if name == "grade_min":  # the grade read and its level on both sides
            from matching.grades import grade_rule_statement

            texts = getattr(features, "texts", None) or {}
            text = lambda key, k: str(texts[key][k]) if key in texts else ""  # noqa: E731
            sentence = grade_rule_statement(text("grade", i), text("corps", i), text("grade_min", position_index), sentence)
        rules.append(
            {
                "rule": name,
                "active": active,
                "excludes": bool(mask & bit),
                "statement": sentence,
            }
        )
    # rank among eligible candidates, with the batch's order (score desc, id asc)
    ids = features.profiles.ids
    eligible = np.nonzero(excl_col == 0)[0]
    order = sorted(eligible, key=lambda r: (-score_col[r], str(ids[r])))
    rank = order.index(i) + 1 if mask == 0 else None
    k = config.ranking.top_k
    if shortlisted_profiles is not None:
        shortlisted = i in set(shortlisted_profiles)
        sl_scores = [score_col[r] for r in shortlisted_profiles]
        threshold = float(min(sl_scores)) if sl_scores else None
        full = len(shortlisted_profiles) >= k
    else:
        above = [r for r in order if score_col[r] >= config.ranking.min_score][:k]
        shortlisted = i in above
        threshold = float(score_col[above[-1]]) if above else None
        full = len(above) >= k
    needed = _what_was_needed(
        mask, score, comps, applied, threshold if full else None, config.ranking.min_score, shortlisted
    )
    P, Q = normalized.profile_skills[i], normalized.position_required[position_index]
    related = getattr(normalized, "related_skills", None) if config.scoring.related_skill_credit > 0 else None
    matched, missing = skill_lists(P, Q, normalized.concept_labels, related)
    return PairAccount(
        profile_id=str(ids[i]),
        position_id=str(features.positions.ids[position_index]),
        components=comps,
        weights_configured=config.weights.normalized(),
        weights_applied=applied,
        contributions=contributions,
        score=score,
        rules=rules,
        excluded=mask != 0,
        rank=rank,
        eligible_candidates=int(len(eligible)),
        shortlisted=shortlisted,
        shortlist_threshold=threshold,
        min_score=config.ranking.min_score,
        top_k=k,
        needed=needed,
        data_used=data_used or {},
        matched_skills=matched,
        missing_skills=missing,
    )


def _what_was_needed(mask, score, comps, applied, threshold, min_score, shortlisted) -> list[str]:
    if shortlisted:
        return []
    out = []
    if mask:
        names = [RULES[n][1] for n, (bit, _) in RULES.items() if mask & bit]
        out.append("Le couple est exclu par une règle : " + " ; ".join(names) + ". Aucun score ne peut le faire entrer sur la liste tant que la règle s'applique.")
        return out
    target = max(min_score, threshold if threshold is not None else min_score)
    # strictly above the last shortlisted candidate (a tie goes to the smaller identifier)
    gap = target - score
    if threshold is not None and score <= threshold:
        gap = max(gap, 1e-6)
    out.append(
        f"Il aurait fallu un score d'au moins {_fmt(target, 3)} (score obtenu {_fmt(score, 3)}, écart {_fmt(max(gap, 0), 3)})."
    )
    for c in COMPONENTS:
        w = applied[c]
        v = 0.0 if np.isnan(comps[c]) else comps[c]
        if w <= 0:
            continue
        need_v = v + gap / w
        if need_v <= 1.0:
            out.append(f"- par exemple, {SHORT_LABELS[c]} à {_fmt(need_v)} au lieu de {_fmt(v)}")
    if len(out) == 1:
        out.append("- aucune composante seule ne suffirait : il faudrait progresser sur plusieurs à la fois")
    return out


def render_account(acc: PairAccount, config: Config) -> str:
    """The full account as French text (for the terminal or a letter)."""
    lines = [
        f"Explication du couple ingénieur {acc.profile_id} / poste {acc.position_id}",
        "",
        "1. Contribution de l'algorithme",
        "   " + ADVISORS_DECIDE,
        "",
        "2. Données utilisées et leur source",
    ]
    for key, value in acc.data_used.items():
        lines.append(f"   - {key} : {value}")
    lines += ["", "3. Paramètres, poids et contributions appliqués à ce couple"]
    lines.append(f"   {'composante':<42} {'valeur':>7} {'poids':>7} {'contribution':>13}")
    for c in COMPONENTS:
        v = acc.components[c]
        val = "n. a." if np.isnan(v) else _fmt(v, 3)
        lines.append(
            f"   {SHORT_LABELS[c]:<42} {val:>7} {_fmt(acc.weights_applied[c], 3):>7} {_fmt(acc.contributions[c], 3):>13}"
        )
    lines.append(f"   {'score (somme des contributions)':<42} {'':>7} {'':>7} {_fmt(acc.score, 3):>13}")
    na = [SHORT_LABELS[c] for c in COMPONENTS if np.isnan(acc.components[c])]
    if na:
        lines.append(
            "   Composantes non applicables (n. a.) : "
            + ", ".join(na)
            + " ; leur poids est réparti sur les autres composantes."
        )
    lines.append(f"   Poids configurés (normalisés) : " + ", ".join(f"{SHORT_LABELS[c]} {_fmt(w, 3)}" for c, w in acc.weights_configured.items()))
    if acc.matched_skills or acc.missing_skills:
        lines.append("   Compétences requises détenues : " + (", ".join(acc.matched_skills) or "aucune"))
        lines.append("   Compétences requises manquantes : " + (", ".join(acc.missing_skills) or "aucune"))
    lines += ["", "4. Règles appliquées"]
    for r in acc.rules:
        state = "désactivée" if not r["active"] else ("EXCLUT le couple" if r["excludes"] else "respectée")
        lines.append(f"   - {r['rule']} ({r['statement']}) : {state}")
    lines += ["", "5. Opérations effectuées et résultat"]
    lines.append(
        "   Lecture et validation des fichiers ; normalisation des compétences et des intitulés sur le "
        "référentiel (ROME 4.0, ESCO) ; calcul des composantes ; moyenne pondérée ; application des règles ; "
        f"classement des candidats de chaque poste (les {acc.top_k} meilleurs au-dessus de {_fmt(acc.min_score)})."
    )
    if acc.excluded:
        lines.append("   Rang : aucun (couple exclu par une règle).")
    else:
        lines.append(f"   Rang parmi les {acc.eligible_candidates} candidats éligibles : {acc.rank}.")
    lines.append("   Sur la liste restreinte : " + ("oui" if acc.shortlisted else "non"))
    if acc.shortlist_threshold is not None:
        lines.append(f"   Score du dernier candidat retenu : {_fmt(acc.shortlist_threshold, 3)}")
    if acc.needed:
        lines += ["", "6. Ce qu'il aurait fallu pour entrer sur la liste"]
        lines += ["   " + x for x in acc.needed]
    if acc.further:
        lines += ["", f"{7 if acc.needed else 6}. Pour aller plus loin (pour l'ingénieur, tous postes du lot confondus)"]
        lines += ["   " + x for x in acc.further]
    lines += ["", f"Notice générale de la méthode : {METHOD_NOTICE_PATH}"]
    return "\n".join(lines)
