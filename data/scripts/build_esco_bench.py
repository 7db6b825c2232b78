"""Build the ESCO ranking benchmarks (``data/benchmarks/esco/`` and ``esco_sans_titre/``).

Usage::

    .venv/bin/python data/scripts/build_esco_bench.py [--esco DIR] [--out-dir DIR] [--seed N] [--limit N]

Same file format as ``data/benchmarks/ranking`` (``positions.csv``, ``profiles.csv``,
``labels.csv``, ``key.csv``, ``bench.json``), but a different procedure and source: ESCO
v1.1.2 French labels and its occupation -> skill links (essential / optional).

Occupations: the ESCO occupations of the ISCO groups 25 (ICT professionals), 35 (ICT
technicians), 133 (ICT service managers), 21 (science and engineering professionals), 31
(science and engineering associate professionals), 24 and 242 / 2422 (administration and
policy professionals), 121 (business administration managers), 26 (legal, social and
cultural professionals) that have at least 4 essential skills with a French label, 9 linked
skills in all and 2 alternative labels. ICT groups are kept whole; the others are sampled
(seeded) up to ``N_OCCUPATIONS``. Language skills ("anglais", ...) are left out: they name
no trade.

Per occupation, one **position** and two **profiles**, written from DIFFERENT skills:

* position: title = the preferred label (gender doublet ``X / Y``, sometimes " H/F");
  description = the first two sentences of the ESCO description; required skills = up to
  5 essential skills (some with a level); desired skills = 2 optional skills;
* profile: current position = an alternative label (never the preferred label) typed with
  noise (accents dropped, lower / upper case, one gendered form, "H/F"); skills = 6 skills
  of the same occupation the position does NOT list (its other essential skills and its
  optional ones), with levels; no summary. So a relevant candidate shares no listed skill
  with the position: only the trade links them.

``esco_sans_titre`` holds the same positions, profiles and labels, with the profiles'
``current_position`` left empty (candidates known only by their skills).

Relevance: **2** = same occupation; **1** = an occupation of the same ISCO unit group
(4 digits), or linked by a direct ESCO broader / narrower relation; 0 otherwise.
``key.csv`` (id -> ESCO URI, ISCO group, ROME codes through the official crosswalk) is for
analysis and for the cross-validation's occupation hold-out; the engine never reads it.

Source: ESCO (European Commission), "This service uses the ESCO classification of the
European Commission." Crosswalk ROME <-> ESCO V1.4 (France Travail) from the project's
taxonomy. Everything is seeded: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ESCO = Path(__file__).resolve().parents[3] / "shared" / "reference" / "esco_fr"  # ../shared beside the repository
DEFAULT_OUT_DIR = REPO / "data" / "benchmarks"
CROSSWALK = REPO / "data" / "taxonomy" / "crosswalk.csv.gz"

ICT_GROUPS = ("25", "35", "133")
OTHER_GROUPS = ("21", "31", "24", "121", "26")
N_OCCUPATIONS = 180
MIN_ESSENTIAL = 4
MIN_LINKED = 9
N_REQUIRED = 5
N_DESIRED = 2
N_PROFILE_SKILLS = 6
N_PROFILES = 2
MINISTRY = "Ministère (banc d'essai)"
COLLECTIONS = (
    "digitalSkillsCollection_fr.csv",
    "transversalSkillsCollection_fr.csv",
    "greenSkillsCollection_fr.csv",
    "researchSkillsCollection_fr.csv",
    "digCompSkillsCollection_fr.csv",
)


def _clean(label: str) -> str:
    return " ".join(str(label).replace(";", ",").replace(":", " -").split())


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def doublet(label: str) -> str:
    """'développeur web/développeuse web' -> 'Développeur web / Développeuse web'."""
    parts = [p.strip() for p in label.split("/") if p.strip()]
    text = " / ".join(parts)
    return text[:1].upper() + text[1:]


def noisy_title(label: str, rng: random.Random) -> str:
    """An alternative label as a person or an export types it."""
    parts = [p.strip() for p in label.split("/") if p.strip()]
    text = rng.choice(parts) if parts else label
    r = rng.random()
    if r < 0.25:
        text = strip_accents(text)
    elif r < 0.4:
        text = text.upper()
    elif r < 0.7:
        text = text[:1].upper() + text[1:]
    if rng.random() < 0.3:
        text += rng.choice((" H/F", " (H/F)", " - F/H"))
    return text


def _sentences(text: str, n: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(str(text).split()))
    return " ".join(parts[:n]).strip()


def _with_level(label: str, rng: random.Random, levels=(2, 3, 4), p: float = 0.6) -> str:
    return f"{label}:{rng.choice(levels)}" if rng.random() < p else label


def load(esco: Path):
    labels: dict[str, str] = {}
    for name in COLLECTIONS:
        df = pd.read_csv(esco / name, dtype=str, keep_default_na=False)
        for uri, lab in zip(df.conceptUri, df.preferredLabel):
            lab = _clean(lab)
            if lab:
                labels[uri] = lab
    occ = pd.read_csv(esco / "occupations_fr.csv", dtype=str, keep_default_na=False)
    rel = pd.read_csv(esco / "occupationSkillRelations_v1.1.1.csv.gz", dtype=str, keep_default_na=False)
    rel = rel[rel.skillUri.isin(labels)]
    broader = pd.read_csv(esco / "broaderRelationsOccPillar_fr.csv", dtype=str, keep_default_na=False)
    broader = broader[(broader.conceptType == "Occupation") & (broader.broaderType == "Occupation")]
    return labels, occ, rel, broader


def select(occ: pd.DataFrame, rel: pd.DataFrame, seed: int, limit: int | None) -> list[str]:
    ess = rel[rel.relationType == "essential"].groupby("occupationUri").skillUri.nunique()
    allk = rel.groupby("occupationUri").skillUri.nunique()
    n_alt = occ.altLabels.map(lambda s: len({a.strip() for a in s.split("\n") if a.strip()}))
    ok = occ[
        occ.conceptUri.map(ess).fillna(0).ge(MIN_ESSENTIAL)
        & occ.conceptUri.map(allk).fillna(0).ge(MIN_LINKED)
        & n_alt.ge(2)
    ]
    ict = sorted(u for u, g in zip(ok.conceptUri, ok.iscoGroup) if g.startswith(ICT_GROUPS))
    other = sorted(u for u, g in zip(ok.conceptUri, ok.iscoGroup) if g.startswith(OTHER_GROUPS) and not g.startswith(ICT_GROUPS))
    rng = random.Random(seed)
    n_other = max(0, N_OCCUPATIONS - len(ict))
    chosen = sorted(ict + rng.sample(other, min(n_other, len(other))))
    if limit is not None:
        chosen = sorted(random.Random(seed + 7).sample(chosen, min(limit, len(chosen))))
    return chosen


def build(esco: Path, out_dir: Path, seed: int = 0, limit: int | None = None, names=("esco", "esco_sans_titre")) -> dict:
    labels, occ, rel, broader = load(esco)
    uris = select(occ, rel, seed, limit)
    rng = random.Random(seed + 1)
    info_occ = {u: (p, a, g, d) for u, p, a, g, d in zip(occ.conceptUri, occ.preferredLabel, occ.altLabels, occ.iscoGroup, occ.description)}
    skills = defaultdict(lambda: {"essential": [], "optional": []})
    for o, t, s in zip(rel.occupationUri, rel.relationType, rel.skillUri):
        if t in ("essential", "optional"):
            skills[o][t].append(labels[s])
    cw = pd.read_csv(CROSSWALK, dtype=str, keep_default_na=False)
    rome_of = defaultdict(set)
    for code, uri in zip(cw.code_rome, cw.esco_uri):
        if code:
            rome_of[uri].add(code)

    positions, profiles = [], []
    for u in uris:
        pref, alts, isco, desc = info_occ[u]
        ess = sorted(set(skills[u]["essential"]))
        opt = sorted(set(skills[u]["optional"]) - set(ess))
        required = rng.sample(ess, min(N_REQUIRED, len(ess) - 1))
        desired = rng.sample(opt, min(N_DESIRED, max(0, len(opt) - 3)))
        title = doublet(pref)
        if rng.random() < 0.3:
            title += " H/F"
        positions.append(
            {
                "uri": u,
                "title": title,
                "description": _sentences(desc, 2),
                "required_skills": "; ".join(_with_level(s, rng, (2, 3), 0.5) for s in required),
                "desired_skills": "; ".join(desired),
            }
        )
        pool = sorted((set(ess) | set(opt)) - set(required) - set(desired))
        pref_forms = {p.strip().lower() for p in pref.split("/")} | {pref.strip().lower()}
        alt_list = sorted({a.strip() for a in alts.split("\n") if a.strip() and a.strip().lower() not in pref_forms})
        if not alt_list:
            alt_list = sorted({a.strip() for a in alts.split("\n") if a.strip()})
        picks = rng.sample(alt_list, min(N_PROFILES, len(alt_list)))
        while len(picks) < N_PROFILES:
            picks.append(rng.choice(alt_list))
        for j in range(N_PROFILES):
            chosen = rng.sample(pool, min(N_PROFILE_SKILLS, len(pool)))
            profiles.append(
                {
                    "uri": u,
                    "current_position": noisy_title(picks[j], rng),
                    "skills": "; ".join(_with_level(s, rng) for s in chosen),
                    "summary": "",
                }
            )

    rng.shuffle(positions)
    rng.shuffle(profiles)
    for i, p in enumerate(positions, 1):
        p["position_id"] = f"POSTE-{i:04d}"
        p["ministry"] = MINISTRY
    for i, p in enumerate(profiles, 1):
        p["profile_id"] = f"PROFIL-{i:04d}"

    related = defaultdict(set)
    for a, b in zip(broader.conceptUri, broader.broaderUri):
        related[a].add(b)
        related[b].add(a)
    isco_of = {u: info_occ[u][2] for u in uris}
    labels_rows = []
    for q in positions:
        for p in profiles:
            if p["uri"] == q["uri"]:
                labels_rows.append((q["position_id"], p["profile_id"], 2))
            elif isco_of[p["uri"]] == isco_of[q["uri"]] or p["uri"] in related[q["uri"]]:
                labels_rows.append((q["position_id"], p["profile_id"], 1))
    labels_rows.sort()

    pos_cols = ["position_id", "ministry", "title", "description", "required_skills", "desired_skills"]
    prof_cols = ["profile_id", "current_position", "skills", "summary"]
    key_rows = sorted(
        [("position", q["position_id"], q["uri"], isco_of[q["uri"]], "|".join(sorted(rome_of[q["uri"]]))) for q in positions]
        + [("profile", p["profile_id"], p["uri"], isco_of[p["uri"]], "|".join(sorted(rome_of[p["uri"]]))) for p in profiles]
    )
    result = {}
    for name in names:
        out = out_dir / name
        out.mkdir(parents=True, exist_ok=True)
        no_title = name.endswith("sans_titre")
        _write_csv(out / "positions.csv", pos_cols, [[p[c] for c in pos_cols] for p in positions])
        _write_csv(
            out / "profiles.csv", prof_cols,
            [[("" if (no_title and c == "current_position") else p[c]) for c in prof_cols] for p in profiles],
        )
        _write_csv(out / "labels.csv", ["position_id", "profile_id", "grade"], labels_rows)
        _write_csv(out / "key.csv", ["kind", "id", "occupation", "isco", "rome_codes"], key_rows)
        info = {
            "source": "ESCO v1.1.2 (European Commission); crosswalk ROME <-> ESCO V1.4 (France Travail)",
            "procedure": "esco-essential-vs-other-skills" + ("-no-title" if no_title else ""),
            "seed": seed,
            "limit": limit,
            "isco_groups": list(ICT_GROUPS + OTHER_GROUPS),
            "occupations": len(uris),
            "positions": len(positions),
            "profiles": len(profiles),
            "profile_titles": not no_title,
            "labels_grade2": sum(1 for *_, g in labels_rows if g == 2),
            "labels_grade1": sum(1 for *_, g in labels_rows if g == 1),
        }
        (out / "bench.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        result[name] = info
    return result


def _write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--esco", type=Path, default=DEFAULT_ESCO)
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="keep only this many occupations (tests)")
    args = ap.parse_args()
    info = build(args.esco, args.out_dir, args.seed, args.limit)
    print(json.dumps(info, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
