"""Explanations in French: one sentence per shortlist line, and the full account of any pair.

The full account answers what French law on public algorithms (CRPA L311-3-1, R311-3-1-2)
gives a person the right to know: the degree and mode of the algorithm's contribution, the
data used and their sources, the parameters and their weights as applied to the person, and
the operations performed. It is available for every (engineer, position) pair, shortlisted
or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    "line_sentence",
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
    shown as matched with the close skill named: "Kubernetes (proche : Docker)"."""
    matched, missing = [], []
    for key, (status, have, close) in required_skill_status(profile_skills, required, related, labels).items():
        label = labels.get(key, key)
        need = required[key]
        if status == "close":
            matched.append(f"{label} (proche : {labels.get(close, close)})")
        elif status == "missing":
            missing.append(label)
        elif status == "lower":
            matched.append(f"{label} (niveau {have} pour {need} requis)")
        else:
            matched.append(label)
    return matched, missing


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
    """One French sentence with the main reasons of a shortlist line."""
    contrib = {c: (0.0 if np.isnan(components[c]) else components[c]) * weights[c] for c in COMPONENTS}
    top = [c for c in sorted(COMPONENTS, key=lambda c: (-contrib[c], COMPONENTS.index(c))) if contrib[c] > 0][:2]
    reasons = [f"{SHORT_LABELS[c]} {_fmt(components[c])}" for c in top]
    parts = [f"Score {_fmt(score)}, porté surtout par : " + " et ".join(reasons) if reasons else f"Score {_fmt(score)}"]
    n_req = len(matched) + len(missing)
    if n_req:
        shown = ", ".join(matched[:3]) + ("…" if len(matched) > 3 else "")
        parts.append(f"{len(matched)} compétence(s) requise(s) sur {n_req} détenue(s)" + (f" ({shown})" if matched else ""))
    if missing:
        shown = ", ".join(missing[:3]) + ("…" if len(missing) > 3 else "")
        parts.append(f"manque : {shown}")
    if occupation_note:
        parts.append(occupation_note)
    return " ; ".join(parts) + "."


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
