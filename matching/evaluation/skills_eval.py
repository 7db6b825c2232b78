"""Skill normalisation measured on a labelled set of skill strings as CVs and fiches write them.

The set (default ``tests/data/skills_labelled.csv``, built by
``data/scripts/build_skills_labelled.py``; lines starting with ``#`` are comments) has the
columns ``text, expected_source_id, expected_label, origin, heldout_label``:

- ``expected_source_id``: the acceptable concepts (``|``-separated source ids: ESCO URI,
  ROME code_ogr, or ``acronyms:<TERM>`` for a dictionary term without taxonomy concept);
  empty when the taxonomy has no right concept: then "unknown" is the right answer;
- ``heldout_label``: for ``origin = esco_alt_heldout``, the alternative label the string
  comes from; the (concept, label) pair is removed from the normaliser's dictionary, so the
  string has to be found another way (or left unknown).

Measures (an explanation citing a wrong skill is worse than none, so precision comes first):

- ``precision``: among the strings the normaliser maps to a concept (method other than
  ``unknown``), the share mapped to an acceptable concept. A mapping of a string whose
  expected answer is "unknown" counts as wrong.
- ``recall``: among the strings with an acceptable concept, the share mapped to one.
- counts by method (mapped, right), and the list of wrong mappings.

The set is split in two halves by a hash of the text (``tuning``: the half the thresholds
and guards were looked at on; ``heldout``: the other half), reported separately.
"""

from __future__ import annotations

import csv
import hashlib
import time
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SET", "evaluate_skills", "load_labelled", "half_of", "format_report"]

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "skills_labelled.csv"
_COLUMNS = ("text", "expected_source_id", "expected_label", "origin", "heldout_label")


def half_of(text: str) -> str:
    """``"tuning"`` or ``"heldout"``: a stable split by the sha1 of the text."""
    return "tuning" if hashlib.sha1(text.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def load_labelled(path: str | Path | None = None) -> list[dict]:
    """Rows of the labelled set (``#`` lines skipped); raises ValueError on a bad header."""
    path = Path(path) if path is not None else DEFAULT_SET
    if not path.is_file():
        raise FileNotFoundError(f"labelled set not found: {path}")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in ("text", "expected_source_id") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    rows = []
    for r in reader:
        row = {c: (r.get(c) or "").strip() for c in _COLUMNS}
        row["text"] = r.get("text") or ""
        if row["text"].strip():
            rows.append(row)
    return rows


def _summary(items: list[dict]) -> dict:
    mapped = [x for x in items if x["method"] != "unknown"]
    right = [x for x in mapped if x["right"]]
    with_expected = [x for x in items if x["expected"]]
    recall_hits = [x for x in with_expected if x["right"]]
    by_method: dict[str, dict[str, int]] = {}
    for x in items:
        d = by_method.setdefault(x["method"], {"n": 0, "right": 0})
        d["n"] += 1
        d["right"] += int(x["right"] or (x["method"] == "unknown" and not x["expected"]))
    return {
        "n": len(items),
        "mapped": len(mapped),
        "right": len(right),
        "precision": round(len(right) / len(mapped), 4) if mapped else 1.0,
        "with_expected": len(with_expected),
        "recall": round(len(recall_hits) / len(with_expected), 4) if with_expected else 1.0,
        "unknown_expected_kept_unknown": sum(1 for x in items if not x["expected"] and x["method"] == "unknown"),
        "unknown_expected": sum(1 for x in items if not x["expected"]),
        "by_method": dict(sorted(by_method.items())),
    }


def evaluate_skills(
    path: str | Path | None = None,
    *,
    taxonomy: Any = None,
    encoder: Any = None,
    config: Any = None,
) -> dict:
    """Precision / recall of :class:`matching.skills.SkillNormalizer` on the labelled set.

    ``encoder=None`` skips the semantic level. Returns ``{"all": summary, "tuning": ...,
    "heldout": ..., "by_origin": {origin: summary}, "wrong": [...], "n", "encoder",
    "seconds"}``; a summary has ``n, mapped, right, precision, with_expected, recall,
    by_method``.
    """
    from matching.skills import SkillNormalizer
    from matching.taxonomy import Taxonomy

    t0 = time.perf_counter()
    tax = taxonomy if taxonomy is not None else Taxonomy.default()
    rows = load_labelled(path)
    sid_to_cid = dict(zip(tax.skills.source_id, tax.skills.concept_id))
    exclude = set()
    for r in rows:
        if r["origin"] == "esco_alt_heldout" and r["heldout_label"]:
            for s in r["expected_source_id"].split("|")[:1]:
                if s in sid_to_cid:
                    exclude.add((sid_to_cid[s], r["heldout_label"]))
    # the held-out rows need their labels removed; the others are normalised with the full
    # dictionary (as in production)
    full = SkillNormalizer(tax, encoder=encoder, config=config)
    held = SkillNormalizer(tax, encoder=encoder, config=config, exclude=exclude) if exclude else full
    held_rows = [r for r in rows if r["origin"] == "esco_alt_heldout"]
    other_rows = [r for r in rows if r["origin"] != "esco_alt_heldout"]
    results: dict[int, Any] = {}
    for norm, subset in ((held, held_rows), (full, other_rows)):
        if subset:
            for r, m in zip(subset, norm.normalize_matches([r["text"] for r in subset])):
                results[id(r)] = m
    items = []
    for r in rows:
        m = results[id(r)]
        expected = {s for s in r["expected_source_id"].split("|") if s}
        right = m.method != "unknown" and m.source_id in expected
        items.append(
            {
                "text": r["text"],
                "origin": r["origin"] or "?",
                "half": half_of(r["text"]),
                "expected": sorted(expected),
                "expected_label": r["expected_label"],
                "label": m.label if m.method != "unknown" else "",
                "source_id": m.source_id,
                "method": m.method,
                "confidence": m.confidence,
                "right": right,
            }
        )
    wrong = [
        {k: x[k] for k in ("text", "label", "method", "confidence", "expected_label", "origin", "half")}
        for x in items
        if x["method"] != "unknown" and not x["right"]
    ]
    origins = sorted({x["origin"] for x in items})
    return {
        "n": len(items),
        "set": str(Path(path) if path is not None else DEFAULT_SET),
        "all": _summary(items),
        "tuning": _summary([x for x in items if x["half"] == "tuning"]),
        "heldout": _summary([x for x in items if x["half"] == "heldout"]),
        "by_origin": {o: _summary([x for x in items if x["origin"] == o]) for o in origins},
        "wrong": wrong,
        "items": items,
        "encoder": getattr(encoder, "name", None) if encoder is not None else None,
        "taxonomy": tax.version,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def format_report(res: dict) -> list[str]:
    """French lines for the terminal (no rich markup)."""
    lines = [
        f"Jeu étiqueté : {res['set']} ({res['n']} chaînes) ; modèle : {res['encoder'] or 'aucun (sans étape sémantique)'}",
        "précision = part des chaînes rattachées à un concept qui le sont au bon ; "
        "rappel = part des chaînes ayant un bon concept qui y sont rattachées",
    ]
    for name, title in (("all", "ensemble"), ("tuning", "moitié de réglage"), ("heldout", "moitié réservée")):
        s = res[name]
        lines.append(
            f"  {title:<18} précision {s['precision']:.3f} ({s['right']}/{s['mapped']})  "
            f"rappel {s['recall']:.3f}  n={s['n']}  inconnu attendu et rendu {s['unknown_expected_kept_unknown']}/{s['unknown_expected']}"
        )
    lines.append("Par origine :")
    for o, s in res["by_origin"].items():
        lines.append(f"  {o:<20} précision {s['precision']:.3f} ({s['right']}/{s['mapped']})  rappel {s['recall']:.3f}  n={s['n']}")
    lines.append("Par méthode (chaînes, justes) :")
    for m, d in res["all"]["by_method"].items():
        lines.append(f"  {m:<9} {d['n']:>4} {d['right']:>4}")
    lines.append(f"Rattachements faux ({len(res['wrong'])}) :")
    for w in res["wrong"]:
        exp = w["expected_label"] or "inconnu"
        lines.append(f"  « {w['text']} » -> « {w['label']} » [{w['method']} {w['confidence']:.2f}] ; attendu : « {exp} » ({w['origin']}, {w['half']})")
    return lines
