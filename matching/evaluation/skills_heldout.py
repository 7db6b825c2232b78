"""Skill normalisation measured on held-out alternative labels of ESCO's French digital skills.

A seeded share of the digital skills' alternative labels is removed from the normaliser's
dictionary; each removed label is then normalised and counted correct when it maps back to
its own concept (top-1). The same held-out labels are matched, in the same run, by
rapidfuzz alone (``process.extractOne`` with its default WRatio scorer and processor) over
the same remaining dictionary labels.
"""

from __future__ import annotations

import random
import time
from typing import Any

__all__ = ["evaluate_skills_heldout"]


def evaluate_skills_heldout(
    *,
    taxonomy: Any = None,
    encoder: Any = None,
    share: float = 0.2,
    seed: int = 0,
    config: Any = None,
    limit: int | None = None,
) -> dict:
    """Top-1 accuracy on held-out ESCO digital alt labels, full normaliser vs rapidfuzz alone.

    ``share`` of the digital concepts that have alternative labels are drawn (seeded); all
    of their alternative labels are held out (the preferred label stays, so the concept is
    still reachable). Labels that are, after normalisation, identical to a remaining label
    of the same concept are not counted (they would be trivial). Returns a dict with
    ``{"full": {"top1", "known", "precision", "by_method"}, "rapidfuzz": {"top1"}, "n", ...}``;
    ``top1`` counts a label left unknown as wrong, ``known`` is the coverage and ``precision``
    the accuracy of the labels actually mapped.
    """
    from rapidfuzz import process, utils

    from matching.skills import SkillNormalizer
    from matching.taxonomy import Taxonomy
    from matching.textnorm import key

    if not 0.0 < share < 1.0:
        raise ValueError(f"the 'share' parameter must be a float in ]0, 1[, got {share!r}")
    t0 = time.perf_counter()
    tax = taxonomy if taxonomy is not None else Taxonomy.default()
    skills = tax.skills
    digital = skills[skills.collections.str.contains("digital") & (skills.alt_labels != "")]
    concepts = sorted(digital.concept_id)
    rng = random.Random(seed)
    held_concepts = set(rng.sample(concepts, max(1, int(round(share * len(concepts))))))
    labels = tax.skill_labels
    held = labels[labels.concept_id.isin(held_concepts) & ~labels.preferred]
    exclude = set(zip(held.concept_id, held.label))
    # remaining dictionary (what both methods may use)
    keep = labels[[(c, lab) not in exclude for c, lab in zip(labels.concept_id, labels.label)]]
    remaining_keys = {(c, key(lab)) for c, lab in zip(keep.concept_id, keep.label)}
    cases = [
        (c, lab) for c, lab in zip(held.concept_id, held.label) if (c, key(lab)) not in remaining_keys and key(lab)
    ]
    cases = sorted(set(cases))
    if limit is not None:
        cases = cases[:limit]

    norm = SkillNormalizer(tax, encoder=encoder, config=config, exclude=exclude)
    matches = norm.normalize_matches([lab for _, lab in cases])
    ok_full = [m.concept_id == c for (c, _), m in zip(cases, matches)]
    by_method: dict[str, list[int]] = {}
    for m, ok in zip(matches, ok_full):
        by_method.setdefault(m.method, [0, 0])
        by_method[m.method][0] += int(ok)
        by_method[m.method][1] += 1

    choices = list(keep.label)
    choice_cids = list(keep.concept_id)
    processed = [utils.default_process(x) for x in choices]
    ok_rf = []
    for c, lab in cases:
        hit = process.extractOne(utils.default_process(lab), processed, processor=None)
        ok_rf.append(hit is not None and choice_cids[hit[2]] == c)
    n = max(1, len(cases))
    return {
        "n": len(cases),
        "held_out_concepts": len(held_concepts),
        "share": share,
        "seed": seed,
        "full": {
            "top1": round(sum(ok_full) / n, 4),
            "known": round(sum(m.known for m in matches) / n, 4),
            # of the labels mapped to a concept (not left as free text), the share mapped right
            "precision": round(sum(ok for m, ok in zip(matches, ok_full) if m.known) / max(1, sum(m.known for m in matches)), 4),
            "by_method": {k: {"correct": v[0], "count": v[1]} for k, v in sorted(by_method.items())},
        },
        "rapidfuzz": {"top1": round(sum(ok_rf) / n, 4)},
        "encoder": getattr(encoder, "name", None) if encoder is not None else None,
        "seconds": round(time.perf_counter() - t0, 1),
    }
