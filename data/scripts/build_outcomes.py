#!/usr/bin/env python3
"""Build data/sample/outcomes.csv: simulated advisor judgements for the shipped sample.

    python data/scripts/build_outcomes.py [--sample DIR] [--out FILE] [--seed N]

The labels are made WITHOUT the engine: no module of ``matching`` is imported, no score,
no embedding, no taxonomy inference. They come from the sample generator's ground truth
and a simple, stated model of an advisor's judgement:

* the **trade** of each fictional engineer is known (``provenance.csv``: the ROME code the
  profile was generated from); the trades that fit each illustrative position are known
  (``senior_positions.py``, field ``trades``); two trades are **adjacent** when ROME 4.0
  links them by an official mobility link (``data/taxonomy/mobility.csv.gz``, a copy of
  the ROME reference, read here as plain data);
* the **required skills held**: share of the position's required skills that appear in
  the engineer's skill list, by plain word overlap (at least half of the words of the
  required skill, of 4 letters or more, found in one of the engineer's skills);
* **obvious facts an advisor checks**: the engineer is open to mobility, belongs to an
  eligible corps when the position restricts them, holds the clearance required.

Grade (before noise): 0 when a fact rules the engineer out; otherwise 2 ("nommé"-like)
when the trade fits and at least a third of the required skills are held, 1 when the
trade fits with fewer skills or an adjacent trade holds at least a third of them, else 0.
Noise, seeded: a grade 2 becomes 1 with probability 0.15, a grade 1 becomes 0 with
probability 0.10 or 2 with probability 0.05, and a grade 0 of an eligible engineer with
an adjacent trade becomes 1 with probability 0.05 — advisors disagree with any model.

Only the 47 illustrative positions (``ILL-*``) are labelled: they are the only ones whose
fitting trades are known. Each labelled position gets every pair of grade >= 1 and up to
10 pairs of grade 0 drawn at random (the "non adapté" judgements an advisor records).
Columns: position_id, profile_id, grade, basis (a French phrase saying why).
Running it twice gives byte-identical files. Standard library + pandas only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
import senior_positions  # noqa: E402  (data module beside this script)

DEFAULT_SAMPLE = REPO / "data" / "sample"
DEFAULT_MOBILITY = REPO / "data" / "taxonomy" / "mobility.csv.gz"
DEFAULT_SEED = 6
CLEARANCE = {"none": 0, "": 0, "confidentiel": 1, "secret": 2, "tres_secret": 3}
NEGATIVES_PER_POSITION = 10
SKILL_SHARE_FOR_2 = 1 / 3
_STOP = {"dans", "pour", "avec", "des", "les", "une", "sur", "aux", "leur", "leurs", "selon", "entre", "ainsi"}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def words(text: str) -> set[str]:
    return {w for w in fold(text).split() if len(w) >= 4 and w not in _STOP}


def skill_names(cell: str) -> list[str]:
    out = []
    for item in str(cell or "").split(";"):
        item = item.strip()
        if not item:
            continue
        out.append(re.sub(r"\s*(:\s*[1-4]|\([^)]*\))\s*$", "", item))
    return out


def share_held(required: list[str], held: list[str]) -> float:
    if not required:
        return 0.0
    held_words = [words(h) for h in held]
    n = 0
    for r in required:
        rw = words(r)
        if rw and any(len(rw & hw) >= max(1, (len(rw) + 1) // 2) for hw in held_words):
            n += 1
    return n / len(required)


def canon_corps(text: str) -> str:
    f = fold(text)
    for key, canon in (("telecom", "mines"), ("mines", "mines"), ("ponts", "ipef"), ("ipef", "ipef"),
                       ("armement", "armement"), ("insee", "insee")):
        if key in f:
            return canon
    return f


def load_mobility(path: Path) -> dict[str, set[str]]:
    links = pd.read_csv(path, dtype=str)
    adj: dict[str, set[str]] = {}
    for a, b in zip(links["code_rome"], links["target"]):
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    return adj


def build(sample: Path, mobility: Path, seed: int) -> pd.DataFrame:
    profiles = pd.read_csv(sample / "profiles.csv", dtype=str, keep_default_na=False)
    positions = pd.read_csv(sample / "positions.csv", dtype=str, keep_default_na=False)
    prov = pd.read_csv(sample / "provenance.csv", dtype=str, keep_default_na=False)
    trade = dict(zip(prov["profile_id"], prov["rome_code"]))
    adj = load_mobility(mobility)
    trades_of = {f"ILL-{p['key']}": set(p["trades"]) for p in senior_positions.POSITIONS}
    rng = random.Random(seed)
    rows = []
    ill = positions[positions["position_id"].isin(trades_of)].sort_values("position_id")
    for q in ill.itertuples(index=False):
        fits = trades_of[q.position_id]
        near = set().union(*(adj.get(t, set()) for t in fits)) - fits
        required = skill_names(q.required_skills)
        eligible_corps = {canon_corps(c) for c in q.eligible_corps.split(";") if c.strip()}
        need_clearance = CLEARANCE.get(q.clearance_required.strip(), 0)
        graded, zeros = [], []
        for p in profiles.itertuples(index=False):
            t = trade.get(p.profile_id, "")
            share = share_held(required, skill_names(p.skills))
            reasons = []
            if fold(p.open_to_mobility) in ("non", "no", "false", "0"):
                reasons.append("pas ouvert à la mobilité")
            if eligible_corps and canon_corps(p.corps) not in eligible_corps:
                reasons.append("corps non éligible")
            if CLEARANCE.get(p.clearance.strip(), 0) < need_clearance:
                reasons.append("habilitation insuffisante")
            kind = "même métier" if t in fits else "métier proche" if t in near else "autre métier"
            basis = f"{kind}, {share:.0%} des compétences requises"
            if reasons:
                grade, basis = 0, basis + " ; " + ", ".join(reasons)
            elif t in fits:
                grade = 2 if share >= SKILL_SHARE_FOR_2 else 1
            elif t in near and share >= SKILL_SHARE_FOR_2:
                grade = 1
            else:
                grade = 0
            u = rng.random()
            noisy = grade
            if grade == 2 and u < 0.15:
                noisy = 1
            elif grade == 1 and u < 0.10:
                noisy = 0
            elif grade == 1 and u < 0.15:
                noisy = 2
            elif grade == 0 and not reasons and t in near and u < 0.05:
                noisy = 1
            if noisy != grade:
                basis += " (avis divergent du modèle)"
            row = {"position_id": q.position_id, "profile_id": p.profile_id, "grade": noisy, "basis": basis}
            (graded if noisy >= 1 else zeros).append(row)
        rows += graded
        rows += rng.sample(zeros, min(NEGATIVES_PER_POSITION, len(zeros)))
    out = pd.DataFrame(rows, columns=["position_id", "profile_id", "grade", "basis"])
    return out.sort_values(["position_id", "profile_id"], kind="stable").reset_index(drop=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--mobility", type=Path, default=DEFAULT_MOBILITY)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    out = args.out or args.sample / "outcomes.csv"
    labels = build(args.sample, args.mobility, args.seed)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(labels.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    tmp.replace(out)
    counts = labels["grade"].value_counts().sort_index()
    print(f"{out}: {len(labels)} judgements on {labels['position_id'].nunique()} positions "
          f"(grade 0: {counts.get(0, 0)}, 1: {counts.get(1, 0)}, 2: {counts.get(2, 0)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
