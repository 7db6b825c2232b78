"""The "normalise" stage of a batch: skills and occupations of every profile and position.

Skills written in the files (``name:level``) are mapped to taxonomy concepts by the
:class:`matching.skills.SkillNormalizer`; skills mentioned in free text (summaries,
descriptions, the profile sought by a Place de l'emploi public offer) are extracted too.
A skill the taxonomy does not know is kept as free text (key ``free:<normalised text>``),
so that two sides writing the same unknown skill still meet.

Occupations come from titles and skills together: the :class:`matching.titles.TitleNormalizer`
ranks ROME occupations for the current post / the position title, and the skills vote for
the ROME occupations they belong to (ROME occupation-skill links).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd

from matching.config import Config

__all__ = ["Normalized", "normalize_entities", "expand_for_embedding", "TITLE_SHARE", "MAX_EXTRACTED"]

#: share of the title in the occupation inference (the skills' vote has the rest)
TITLE_SHARE = 0.7
#: at most this many skills extracted from the free text of one entity
MAX_EXTRACTED = 15
#: occupations whose combined weight is under this share of the best are dropped
OCC_MIN_RELATIVE = 0.5

Progress = Callable[[str, int, int], None]


@dataclass
class Normalized:
    """Skills and occupations of every entity, after the normalisers.

    ``*_skills``: per entity a mapping concept key -> level (1-4). ``*_occupations``: per
    entity a list of (ROME code, weight in (0, 1]) best first. ``*_families``: per entity the
    digital job families. ``adjacency``: ROME code -> codes reachable by an official
    mobility link.
    """

    profile_skills: list[dict[str, int]]
    position_required: list[dict[str, int]]
    position_desired: list[dict[str, int]]
    profile_occupations: list[list[tuple[str, float]]]
    position_occupations: list[list[tuple[str, float]]]
    profile_families: list[set[str]]
    position_families: list[set[str]]
    adjacency: Mapping[str, Iterable[str]] = field(default_factory=dict)
    concept_labels: dict[str, str] = field(default_factory=dict)  # concept key -> French label
    occupation_labels: dict[str, str] = field(default_factory=dict)  # ROME code -> label
    #: per entity, how each skill was recognised: concept key -> (input text, method, confidence)
    profile_skill_sources: list[dict[str, tuple[str, str, float]]] = field(default_factory=list)
    position_skill_sources: list[dict[str, tuple[str, str, float]]] = field(default_factory=list)


def _acronyms(taxonomy):
    """The acronym dictionary of a taxonomy, built once and kept on that taxonomy object
    (instance state, not a module-level cache)."""
    found = getattr(taxonomy, "_acronym_dictionary", None)
    if found is None:
        from matching.skills import AcronymDictionary

        found = AcronymDictionary(taxonomy.acronyms)
        try:
            taxonomy._acronym_dictionary = found
        except AttributeError:  # pragma: no cover - a taxonomy without a __dict__
            pass
    return found


def expand_for_embedding(text: str, taxonomy) -> str:
    """Acronyms (RSSI, DPO, SRE...) expanded from the engine's dictionary: embedding models do
    not know them. The acronym is kept beside its expansion."""
    expanded, found = _acronyms(taxonomy).expand(text)
    return expanded if not found else f"{expanded} ({', '.join(sorted(set(found)))})"


def _free_key(text: str) -> str:
    from matching.textnorm import key

    return "free:" + key(text)


def _skill_map(
    items: Sequence[tuple[str, int | None]],
    extracted_texts: Sequence[str],
    normalizer,
    default_level: int,
    labels: dict[str, str],
    *,
    extract: bool,
) -> tuple[dict[str, int], dict[str, tuple[str, str, float]]]:
    """concept key -> level, and concept key -> (input text, method, confidence)."""
    out: dict[str, int] = {}
    src: dict[str, tuple[str, str, float]] = {}
    texts = [str(t) for t, _ in items if str(t).strip()]
    levels = [lv for t, lv in items if str(t).strip()]
    matches = normalizer.normalize_matches(texts) if texts else []
    for text, level, m in zip(texts, levels, matches):
        if m.known and m.concept_id:
            key_, label = m.concept_id, m.label
        else:
            key_, label = _free_key(text), text.strip()
        if key_ == "free:":
            continue
        lv = level or m.level or default_level
        if lv > out.get(key_, 0):
            out[key_] = int(lv)
            src[key_] = (text, m.method, float(m.confidence))
        labels.setdefault(key_, label)
    if extract:
        found: dict[str, tuple[int, str, float, str]] = {}
        for t in extracted_texts:
            if not t:
                continue
            for m in normalizer.extract(t):
                if not (m.known and m.concept_id) or m.concept_id in out:
                    continue
                prev = found.get(m.concept_id)
                if prev is None or m.confidence > prev[2]:
                    found[m.concept_id] = (m.level or default_level, m.text, float(m.confidence), m.label)
        best = sorted(found.items(), key=lambda kv: (-kv[1][2], kv[0]))[:MAX_EXTRACTED]
        for cid, (lv, text, conf, label) in best:
            out[cid] = int(lv)
            src[cid] = (text, "texte libre", conf)
            labels.setdefault(cid, label)
    return out, src


def _skill_votes(skills: dict[str, int], rome_index: dict[str, list[tuple[str, bool]]]) -> Counter:
    votes: Counter = Counter()
    for cid in skills:
        for code, core in rome_index.get(cid, ()):
            votes[code] += 1.0 if core else 0.5
    return votes


def _occupations(title_matches, votes: Counter, n_skills: int, top: int) -> list[tuple[str, float]]:
    combined: Counter = Counter()
    for m in title_matches or []:
        combined[m.code_rome] += TITLE_SHARE * float(m.score)
    if votes and n_skills:
        best = max(votes.values())
        for code, v in votes.items():
            combined[code] += (1 - TITLE_SHARE) * v / best
    if not combined:
        return []
    ranked = sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))
    top_w = ranked[0][1]
    return [(c, round(w / top_w, 4)) for c, w in ranked[:top] if w >= OCC_MIN_RELATIVE * top_w]


def normalize_entities(
    profiles: pd.DataFrame,
    positions: pd.DataFrame,
    taxonomy,
    config: Config,
    *,
    encoder=None,
    progress: Progress = lambda s, d, t: None,
) -> Normalized:
    from matching.skills import SkillNormalizer
    from matching.titles import TitleNormalizer

    nc, sc = config.normalization, config.scoring
    skills = SkillNormalizer(taxonomy, encoder=encoder, config=nc)
    titles = TitleNormalizer(taxonomy, encoder=encoder, use_crosswalk=nc.use_crosswalk)
    labels: dict[str, str] = {}
    total = len(profiles) + len(positions)
    done = 0
    progress("normalize", 0, total)

    rome_index: dict[str, list[tuple[str, bool]]] = {}
    for code, cid, core in zip(taxonomy.rome_skills.code_rome, taxonomy.rome_skills.concept_id, taxonomy.rome_skills.core):
        rome_index.setdefault(cid, []).append((code, bool(core)))

    # one batched call for every distinct skill string of the batch (fuzzy and semantic
    # steps run once over all of them); the per-entity calls below then hit the cache
    all_texts = sorted(
        {str(t) for items in profiles.get("skills", []) for t, _ in (items or []) if str(t).strip()}
        | {str(t) for col in ("required_skills", "desired_skills") for items in positions.get(col, []) for t, _ in (items or []) if str(t).strip()}
    )
    if all_texts:
        skills.normalize_matches(all_texts)

    p_skills, p_src = [], []
    for row in profiles.itertuples(index=False):
        extract_from = [getattr(row, "summary", "")] if nc.extract_from_text else []
        m, s = _skill_map(getattr(row, "skills", []) or [], extract_from, skills, sc.default_skill_level, labels, extract=nc.extract_from_text)
        p_skills.append(m)
        p_src.append(s)
        done += 1
        if done % 50 == 0:
            progress("normalize", done, total)

    q_req, q_des, q_src = [], [], []
    for row in positions.itertuples(index=False):
        req_items = getattr(row, "required_skills", []) or []
        des_items = getattr(row, "desired_skills", []) or []
        sought = getattr(row, "profile_sought", "") or ""
        desc = getattr(row, "description", "") or ""
        if req_items:
            req, s1 = _skill_map(req_items, [], skills, sc.default_skill_level, labels, extract=False)
        else:
            # no skill column: the profile sought (or failing that the description) says what is required
            req, s1 = _skill_map([], [sought or desc], skills, sc.default_skill_level, labels, extract=True)
        if des_items:
            des, s2 = _skill_map(des_items, [], skills, sc.default_skill_level, labels, extract=False)
        elif nc.extract_from_text and not req_items and sought:
            des, s2 = _skill_map([], [desc], skills, sc.default_skill_level, labels, extract=True)
        else:
            des, s2 = {}, {}
        des = {k: v for k, v in des.items() if k not in req}
        q_req.append(req)
        q_des.append(des)
        q_src.append({**s2, **s1})
        done += 1
        if done % 50 == 0:
            progress("normalize", done, total)

    top = sc.occupations_per_entity
    p_titles = titles.normalize([str(t or "") for t in profiles.get("current_position", pd.Series([""] * len(profiles)))], top=top)
    q_titles = titles.normalize([str(t or "") for t in positions["title"]], top=top)
    p_occ = [_occupations(tm, _skill_votes(sk, rome_index), len(sk), top) for tm, sk in zip(p_titles, p_skills)]
    q_occ = [
        _occupations(tm, _skill_votes({**r, **d}, rome_index), len(r) + len(d), top)
        for tm, r, d in zip(q_titles, q_req, q_des)
    ]

    fam_of_ref = taxonomy.family_of_reference
    from matching.textnorm import key as text_key

    p_fams = [{taxonomy.family(c) for c, _ in occ[:1] if taxonomy.family(c)} for occ in p_occ]
    q_fams = []
    for row, occ in zip(positions.itertuples(index=False), q_occ):
        fams = set()
        jf = str(getattr(row, "job_family", "") or "").strip()
        if jf:
            fams.add(jf)
        ref = str(getattr(row, "rmfp_reference", "") or "")
        if ref and text_key(ref) in fam_of_ref:
            fams.add(fam_of_ref[text_key(ref)][0])
        if not fams:
            fams |= {taxonomy.family(c) for c, _ in occ[:1] if taxonomy.family(c)}
        q_fams.append(fams)

    codes = {c for occ in p_occ + q_occ for c, _ in occ}
    adjacency = {c: taxonomy.adjacent(c) for c in codes}
    occ_labels = {c: taxonomy.occupation_label(c) for c in codes}
    progress("normalize", total, total)
    return Normalized(
        profile_skills=p_skills,
        position_required=q_req,
        position_desired=q_des,
        profile_occupations=p_occ,
        position_occupations=q_occ,
        profile_families=p_fams,
        position_families=q_fams,
        adjacency=adjacency,
        concept_labels=labels,
        occupation_labels=occ_labels,
        profile_skill_sources=p_src,
        position_skill_sources=q_src,
    )
