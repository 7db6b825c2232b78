"""The "normalise" stage of a batch: skills and occupations of every profile and position.

Skills written in the files (``name:level``) are mapped to taxonomy concepts by the
:class:`matching.skills.SkillNormalizer`; skills mentioned in free text (summaries,
descriptions, the profile sought by a Place de l'emploi public offer) are extracted too.
A skill the taxonomy does not know is kept as free text (key ``free:<normalised text>``),
so that two sides writing the same unknown skill still meet.

Occupations come from titles and skills together: the :class:`matching.titles.TitleNormalizer`
ranks ROME occupations for the current post / the position title, and the skills vote for
the ROME occupations they belong to, through both taxonomies: ROME occupation-skill links,
and ESCO occupation-skill links carried to ROME codes by the official crosswalk. Each skill's
vote is weighted by how specific it is (IDF over occupations), see :class:`OccupationIndex`.
Occupations are "adjacent" through an official ROME mobility link.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd

from matching.config import Config

__all__ = ["Normalized", "normalize_entities", "related_skills", "occupation_index", "occupation_votes", "expand_for_embedding", "TITLE_SHARE", "MAX_EXTRACTED"]

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
    #: skill a position lists -> skills some profile holds that are close to it (cosine of
    #: the labels' embeddings at least ``scoring.related_skill_similarity``), best first;
    #: empty when ``scoring.related_skill_credit`` is 0
    related_skills: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


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
    """ROME-only vote (core link 1, other link 0.5): kept as the reference of the first
    engine versions; :func:`occupation_votes` is what the engine uses."""
    votes: Counter = Counter()
    for cid in skills:
        for code, core in rome_index.get(cid, ()):
            votes[code] += 1.0 if core else 0.5
    return votes


#: weight of a skill link to an occupation: ROME core / other, ESCO essential / optional
LINK_WEIGHTS = {"rome_core": 1.0, "rome_other": 0.5, "essential": 1.0, "optional": 0.5}


@dataclass(frozen=True)
class OccupationIndex:
    """Skill -> ROME occupations, from both taxonomies, with the specificity of each skill.

    ``links[c]``: (ROME code, link weight x IDF of ``c``) for every occupation skill ``c``
    is linked to, through the ROME coherence items and through the ESCO occupation-skill
    relations of the ESCO occupations the crosswalk maps to ROME codes (when the crosswalk
    is used). IDF = ln(occupations / occupations linked to ``c``), so a skill shared by half
    the occupations weighs ln 2 ~ 0.7 and one specific to a single trade ~ ln(1500) ~ 7.3.
    ``norm[code]``: Euclidean norm of the occupation's weighted skill vector; a vote is the
    sum over the entity's skills divided by the square root of that norm, so occupations
    listing many skills do not win by their size alone, without favouring the smallest ones
    as a full cosine does (checked on the taxonomy itself: the skills of an ESCO occupation
    put one of its crosswalk ROME codes in the top 3 for 86% of them, 83% with the cosine).
    """

    links: dict[str, tuple[tuple[str, float], ...]]
    norm: dict[str, float]
    #: ROME code -> ISCO unit groups (ESCO occupations mapped exactly / closely by the
    #: crosswalk); not a job-fit level (as "adjacent" it lowered every benchmark)
    isco: dict[str, frozenset[str]]


def build_occupation_index(taxonomy, *, use_crosswalk: bool = True) -> OccupationIndex:
    """The :class:`OccupationIndex` of a taxonomy (pure; see :func:`occupation_index`)."""
    import math

    raw: dict[str, dict[str, float]] = {}  # concept -> code -> link weight (max over sources)

    def add(cid: str, code: str, w: float) -> None:
        d = raw.setdefault(cid, {})
        if w > d.get(code, 0.0):
            d[code] = w

    rs = taxonomy.rome_skills
    for code, cid, core in zip(rs.code_rome, rs.concept_id, rs.core):
        add(cid, code, LINK_WEIGHTS["rome_core" if core else "rome_other"])
    isco: dict[str, set[str]] = {}
    if use_crosswalk:
        to_rome = taxonomy.esco_to_rome
        es = taxonomy.esco_occupation_skills
        for uri, cid, rel in zip(es.esco_uri, es.concept_id, es.relation):
            for code in to_rome.get(uri, ()):
                add(cid, code, LINK_WEIGHTS.get(rel, 0.5))
        isco_of = dict(zip(taxonomy.esco_occupations.uri, taxonomy.esco_occupations.isco))
        cw = taxonomy.crosswalk
        for code, uri, rel in zip(cw.code_rome, cw.esco_uri, cw.relation):
            g = str(isco_of.get(uri, "") or "")
            if code and rel in ("exact", "close") and len(g) == 4:
                isco.setdefault(code, set()).add(g)
    n_occ = max(2, len({code for d in raw.values() for code in d}))
    links: dict[str, tuple[tuple[str, float], ...]] = {}
    sq: dict[str, float] = {}
    for cid, d in raw.items():
        idf = math.log(n_occ / len(d))
        if idf <= 0:
            continue
        links[cid] = tuple(sorted((code, w * idf) for code, w in d.items()))
        for code, v in links[cid]:
            sq[code] = sq.get(code, 0.0) + v * v
    return OccupationIndex(
        links=links,
        norm={c: math.sqrt(v) for c, v in sq.items()},
        isco={c: frozenset(g) for c, g in isco.items()},
    )


def occupation_index(taxonomy, *, use_crosswalk: bool = True) -> OccupationIndex:
    """:func:`build_occupation_index`, built once per (taxonomy object, crosswalk switch)
    and kept on that taxonomy object (instance state, not a module-level cache)."""
    memo = getattr(taxonomy, "_occupation_index", None)
    if memo is None:
        memo = {}
        try:
            taxonomy._occupation_index = memo
        except AttributeError:  # pragma: no cover - a taxonomy without a __dict__
            pass
    if use_crosswalk not in memo:
        memo[use_crosswalk] = build_occupation_index(taxonomy, use_crosswalk=use_crosswalk)
    return memo[use_crosswalk]


def occupation_votes(skills: Iterable[str], index: OccupationIndex) -> Counter:
    """Vote of an entity's skills for each ROME occupation: sum over the skills of (link
    weight x IDF), divided by the square root of the occupation's norm (see
    :class:`OccupationIndex`)."""
    votes: Counter = Counter()
    for cid in sorted(set(skills)):
        for code, v in index.links.get(cid, ()):
            votes[code] += v
    return Counter({c: v / index.norm[c] ** 0.5 for c, v in votes.items() if index.norm.get(c, 0) > 0})


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


#: close skills kept per listed skill
RELATED_PER_SKILL = 3


def related_skills(
    needed: Sequence[Mapping[str, int]],
    held: Sequence[Mapping[str, int]],
    labels: Mapping[str, str],
    encoder,
    *,
    threshold: float,
    per_skill: int = RELATED_PER_SKILL,
) -> dict[str, list[tuple[str, float]]]:
    """For every skill some position lists, the (at most ``per_skill``) other skills some
    profile holds whose labels' embeddings have a cosine of at least ``threshold`` with
    its label, best first (ties by key). The shipped taxonomy has no skill hierarchy or
    groups, so closeness is read in the embedding space."""
    import numpy as np

    need = sorted({k for d in needed for k in d})
    have = sorted({k for d in held for k in d})
    if not need or not have:
        return {}
    texts = sorted({labels.get(k, k) for k in need} | {labels.get(k, k) for k in have})
    emb = np.asarray(encoder.encode(texts, role="passage"), dtype=np.float32)
    row = {t: i for i, t in enumerate(texts)}
    A = emb[[row[labels.get(k, k)] for k in need]]
    B = emb[[row[labels.get(k, k)] for k in have]]
    out: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(need), 1024):
        sims = A[start : start + 1024] @ B.T
        for i, srow in enumerate(sims):
            c = need[start + i]
            idx = np.nonzero(srow >= threshold)[0]
            cand = sorted(
                ((have[j], round(float(srow[j]), 4)) for j in idx if have[j] != c),
                key=lambda kv: (-kv[1], kv[0]),
            )[:per_skill]
            if cand:
                out[c] = cand
    return out


def skill_store(encoder):
    """The skill normalisation cache beside the encoder's embedding cache (same folder, same
    discipline: ``[model] cache_dir``, else ``$MATCHING_CACHE_DIR``, else the user's cache
    folder), or None when the embeddings are not cached either (``[model] use_cache = false``)."""
    from pathlib import Path

    from matching.skillcache import SkillCache, skill_cache_beside

    path = getattr(encoder, "path", None)
    return SkillCache(skill_cache_beside(path)) if isinstance(path, Path) else None


def normalize_entities(
    profiles: pd.DataFrame,
    positions: pd.DataFrame,
    taxonomy,
    config: Config,
    *,
    encoder=None,
    progress: Progress = lambda s, d, t: None,
    store=None,
) -> Normalized:
    """Skills and occupations of every profile and position (see :class:`Normalized`).

    Each distinct skill string and each distinct free text is normalised once, and only when
    ``store`` (a :class:`matching.skillcache.SkillCache`; None: :func:`skill_store` of the
    encoder; False: none) does not hold it yet. With ``compute.backend = "dask"``, the strings missing
    from it are resolved by chunks on the cluster (:func:`matching.skills.resolve_chunk`).
    The result is the same with or without the store, cold or warm, local or on a cluster.
    """
    store = skill_store(encoder) if store is None else (store or None)
    try:
        return _normalize_entities(profiles, positions, taxonomy, config, encoder, progress, store)
    finally:
        if store is not None:
            store.close()


def _normalize_entities(profiles, positions, taxonomy, config: Config, encoder, progress: Progress, store) -> Normalized:
    from matching.skills import SkillNormalizer, resolve_chunk
    from matching.titles import TitleNormalizer

    nc, sc = config.normalization, config.scoring
    skills = SkillNormalizer(taxonomy, encoder=encoder, config=nc, store=store)
    if config.compute.backend == "dask":
        from matching.compute import remote_normalizer

        skills.remote = remote_normalizer(resolve_chunk, config)
    titles = TitleNormalizer(taxonomy, encoder=encoder, use_crosswalk=nc.use_crosswalk)
    labels: dict[str, str] = {}
    total = len(profiles) + len(positions)
    done = 0
    progress("normalize", 0, total)

    occ_index = occupation_index(taxonomy, use_crosswalk=nc.use_crosswalk)

    # one batched call for every distinct skill string of the batch (fuzzy and semantic
    # steps run once over all of them); the per-entity calls below then hit the cache
    all_texts = sorted(
        {str(t) for items in profiles.get("skills", []) for t, _ in (items or []) if str(t).strip()}
        | {str(t) for col in ("required_skills", "desired_skills") for items in positions.get(col, []) for t, _ in (items or []) if str(t).strip()}
    )
    if all_texts:
        skills.normalize_matches(all_texts)

    # what each entity's skills come from: (items, free texts to extract from, extract?) for
    # the profile / the required and the desired skills of a position
    p_plan = [
        (getattr(row, "skills", []) or [], [getattr(row, "summary", "")] if nc.extract_from_text else [], nc.extract_from_text)
        for row in profiles.itertuples(index=False)
    ]
    q_plan = []
    for row in positions.itertuples(index=False):
        req_items = getattr(row, "required_skills", []) or []
        des_items = getattr(row, "desired_skills", []) or []
        sought = getattr(row, "profile_sought", "") or ""
        desc = getattr(row, "description", "") or ""
        # no skill column: the profile sought (or failing that the description) says what is required
        req = (req_items, [], False) if req_items else ([], [sought or desc], True)
        if des_items:
            des = (des_items, [], False)
        elif nc.extract_from_text and not req_items and sought:
            des = ([], [desc], True)
        else:
            des = None
        q_plan.append((req, des))
    # every distinct free text read once (from the store when it holds it)
    skills.extract_many(
        [t for _, texts, ex in p_plan if ex for t in texts]
        + [t for plan in q_plan for part in plan if part is not None and part[2] for t in part[1]]
    )

    p_skills, p_src = [], []
    for items, extract_from, extract in p_plan:
        m, s = _skill_map(items, extract_from, skills, sc.default_skill_level, labels, extract=extract)
        p_skills.append(m)
        p_src.append(s)
        done += 1
        if done % 50 == 0:
            progress("normalize", done, total)

    q_req, q_des, q_src = [], [], []
    for req_plan, des_plan in q_plan:
        req, s1 = _skill_map(*req_plan[:2], skills, sc.default_skill_level, labels, extract=req_plan[2])
        if des_plan is not None:
            des, s2 = _skill_map(*des_plan[:2], skills, sc.default_skill_level, labels, extract=des_plan[2])
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
    p_occ = [_occupations(tm, occupation_votes(sk, occ_index), len(sk), top) for tm, sk in zip(p_titles, p_skills)]
    q_occ = [
        _occupations(tm, occupation_votes({**r, **d}, occ_index), len(r) + len(d), top)
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

    related = (
        related_skills(q_req + q_des, p_skills, labels, encoder, threshold=sc.related_skill_similarity)
        if sc.related_skill_credit > 0 and encoder is not None
        else {}
    )

    # sorted: the batch state (and so a replay's etat/) never depends on set iteration order
    codes = sorted({c for occ in p_occ + q_occ for c, _ in occ})
    # adjacent: an official ROME mobility link. (The same ISCO unit group, OccupationIndex.isco,
    # was tried as adjacent too: job fit alone lost nDCG@10 on all four benchmarks.)
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
        related_skills=related,
    )
