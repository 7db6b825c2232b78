"""Build the ranking-quality benchmark (``data/benchmarks/ranking/``) from ROME 4.0.

Usage::

    .venv/bin/python data/scripts/build_ranking_bench.py [--rome DIR] [--out DIR] [--seed N]

For each selected ROME occupation (code), one **position** and two **profiles** are written,
each from DIFFERENT material of the same code, so that a profile never repeats its
position's text:

* position: title = one appellation of the code (gender doublet kept, as in job ads);
  description = about half of the code's definition sentences; required skills = 5 core
  savoir-faire items; desired skills = 2 savoirs;
* profile: current position = another appellation of the code (one gendered form, as a
  person writes it); skills = 4 core + 4 non-core items drawn independently of the
  position's (some overlap happens, as in real life), lightly noised (a word dropped,
  lower case) and with levels; summary = the definition sentences the position did NOT
  use (split between the code's two profiles), sometimes the code's access text.

Relevance (``labels.csv``): grade 2 for the profiles of the position's code; grade 1 for the
profiles of a code from which an official ROME mobility link leads to the position's code
(``unix_rubrique_mobilite``: code_rome -> code_rome_cible, i.e. the engineer's trade can move
to the position's trade); 0 otherwise (not listed). The profiles and positions files carry
no ROME code; ``key.csv`` (id -> code) is for analysis only and is never read by the engine.

Occupations: every code of the domains below (digital, management and studies, engineering
and R&D, public policy and control, law, research), plus 50 codes drawn at random from the
rest of ROME as distractors. Codes need at least 3 appellations, 3 definition sentences
and 5 core savoir-faire items. Everything is seeded: the same inputs give the same files.

Source: ROME 4.0 (France Travail), Licence Ouverte / Etalab 2.0.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ROME = Path(__file__).resolve().parents[3] / "shared" / "reference" / "rome4"  # ../shared beside the repository
DEFAULT_OUT = REPO / "data" / "benchmarks" / "ranking"

#: professional domains taken whole (ROME 4.0 ``code_domaine_professionel``)
DOMAINS = ("M18", "M11", "M13", "M14", "M15", "H12", "K14", "K15", "K19", "K24")
N_DISTRACTORS = 50
N_PROFILES_PER_CODE = 2
N_REQUIRED = 5
N_DESIRED = 2
N_PROFILE_CORE = 4
N_PROFILE_OTHER = 4
MINISTRY = "Ministère (banc d'essai)"

# Savoirs that are diplomas or certificates, not skills.
_DIPLOMA = re.compile(
    r"^(?:BTS|BUT|DUT|CAP|BEP|BP|Bac|Baccalauréat|Master|Mastère|Licence|Doctorat|Diplôme|DE |DEUST|"
    r"DEUG|MBA|Titre|Certificat|CQP|Habilitation|Permis|Formation|Brevet|Mention complémentaire)",
    re.IGNORECASE,
)


def _read(rome: Path, name: str) -> pd.DataFrame:
    path = rome / f"{name}_v460_utf8.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in df.columns:
        if col.startswith("libelle"):
            df[col] = df[col].str.replace("''", "'", regex=False).str.strip()
    return df


def _clean_item(label: str) -> str:
    # list cells use ';' between items and ':' before a level
    return " ".join(label.replace(";", ",").replace(":", " -").split())


def one_gender(label: str, rng: random.Random) -> str:
    """'Ingénieur / Ingénieure analyste informatique' -> one of the two gendered forms."""
    if " / " not in label:
        return label
    left, right = label.split(" / ", 1)
    k = len(left.split())
    r_words = right.split()
    fem, rest = r_words[:k], r_words[k:]
    form = left.split() if rng.random() < 0.5 else fem
    return " ".join(form + rest)


def noisy_skill(label: str, rng: random.Random) -> str:
    """A skill as a person writes it: sometimes a word dropped, sometimes in lower case."""
    words = label.split()
    if len(words) >= 4 and rng.random() < 0.3:
        cand = [i for i in range(1, len(words)) if len(words[i]) > 3]
        if cand:
            del words[rng.choice(cand)]
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.lower()
    return text


def _sentences(parts) -> str:
    return " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)


def _with_level(label: str, rng: random.Random, levels=(2, 3, 4), p: float = 0.6) -> str:
    return f"{label}:{rng.choice(levels)}" if rng.random() < p else label


def select_codes(rome: Path, seed: int) -> tuple[list[str], dict]:
    dom = _read(rome, "unix_cr_gd_dp")
    app = _read(rome, "unix_referentiel_appellation")
    txt = _read(rome, "unix_texte")
    coh = _read(rome, "unix_coherence_item")
    item = _read(rome, "unix_item")
    coh = coh.merge(item, on="code_ogr", how="inner")
    coh = coh[coh.code_rubrique.isin(["1", "3"])]
    n_app = app.groupby("code_rome").size()
    n_def = txt[txt.libelle_type_texte == "definition"].groupby("code_rome").size()
    n_core = coh[(coh.code_rubrique == "1") & (coh.coeur_metier == "Principale")].groupby("code_rome").size()
    ok = set(n_app[n_app >= 1 + N_PROFILES_PER_CODE].index) & set(n_def[n_def >= 3].index)
    ok &= set(n_core[n_core >= N_REQUIRED].index)
    in_domains = sorted(c for c in dom.code_rome[dom.code_domaine_professionel.isin(DOMAINS)] if c in ok)
    others = sorted(c for c in ok if c not in set(in_domains))
    rng = random.Random(seed)
    codes = sorted(in_domains + rng.sample(others, N_DISTRACTORS))
    return codes, {"app": app, "txt": txt, "coh": coh, "dom": dom}


def build(rome: Path, out: Path, seed: int = 0) -> dict:
    codes, src = select_codes(rome, seed)
    app, txt, coh = src["app"], src["txt"], src["coh"]
    mob = _read(rome, "unix_rubrique_mobilite")
    version = ""
    if (rome / "version.txt").exists():
        version = (rome / "version.txt").read_text(encoding="utf-8").strip().splitlines()[0].strip()
    rng = random.Random(seed + 1)

    apps = defaultdict(list)
    for code, label, cls in zip(app.code_rome, app.libelle_appellation_long, app.classification):
        apps[code].append((cls != "PRINCIPALE", label))
    defs = defaultdict(list)
    access = defaultdict(list)
    for code, kind, pos, text in zip(txt.code_rome, txt.libelle_type_texte, txt.position_phrase, txt.libelle_texte):
        (defs if kind == "definition" else access)[code].append((int(pos), text))
    items = defaultdict(lambda: {"core_sf": [], "core_other": [], "savoir": [], "other": []})
    for code, label, rub, core in zip(coh.code_rome, coh.libelle, coh.code_rubrique, coh.coeur_metier):
        label = _clean_item(label)
        if not label or (rub == "3" and _DIPLOMA.match(label)):
            continue
        if core == "Principale":
            items[code]["core_sf" if rub == "1" else "core_other"].append(label)
        else:
            items[code]["other"].append(label)
            if rub == "3":
                items[code]["savoir"].append(label)

    positions, profiles, key_rows = [], [], []
    for code in codes:
        titles = [label for _, label in sorted(apps[code])]  # main appellation first
        pick = rng.sample(titles, 1 + N_PROFILES_PER_CODE)
        # unique sentences, list bullets removed (some definitions repeat a line)
        sentences = list(dict.fromkeys(t.lstrip("-•\t ").strip() for _, t in sorted(defs[code])))
        sentences = [t for t in sentences if t]
        rng.shuffle(sentences)
        n_pos = (len(sentences) + 1) // 2
        pos_sent, rest = sentences[:n_pos], sentences[n_pos:]
        it = items[code]
        core_sf = sorted(set(it["core_sf"]))
        required = rng.sample(core_sf, N_REQUIRED)
        savoirs = sorted(set(it["savoir"]) - set(required))
        desired = rng.sample(savoirs, min(N_DESIRED, len(savoirs)))
        positions.append(
            {
                "code": code,
                "title": pick[0],
                "description": _sentences(pos_sent),
                "required_skills": "; ".join(_with_level(s, rng, (2, 3), 0.5) for s in required),
                "desired_skills": "; ".join(desired),
            }
        )
        acc = _sentences(t for _, t in sorted(access[code]))
        core_all = sorted(set(it["core_sf"]) | set(it["core_other"]))
        other = sorted(set(it["other"]) - set(core_all))
        for j in range(N_PROFILES_PER_CODE):
            chosen = rng.sample(core_all, min(N_PROFILE_CORE, len(core_all)))
            chosen += rng.sample(other, min(N_PROFILE_OTHER, len(other)))
            rng.shuffle(chosen)
            mine = rest[j::N_PROFILES_PER_CODE]
            summary = _sentences(mine)
            if acc and (not mine or rng.random() < 0.5):
                summary = (summary + " " + acc).strip()
            profiles.append(
                {
                    "code": code,
                    "current_position": one_gender(pick[1 + j], rng),
                    "skills": "; ".join(_with_level(noisy_skill(s, rng), rng) for s in chosen),
                    "summary": summary,
                }
            )

    # identifiers in random order, so that neither the order nor a tie-break leaks the code
    rng.shuffle(positions)
    rng.shuffle(profiles)
    for i, p in enumerate(positions, 1):
        p["position_id"] = f"POSTE-{i:04d}"
        p["ministry"] = MINISTRY
    for i, p in enumerate(profiles, 1):
        p["profile_id"] = f"PROFIL-{i:04d}"
    targets = defaultdict(set)
    for a, b in zip(mob.code_rome, mob.code_rome_cible):
        targets[a].add(b)
    labels = []
    prof_by_code = defaultdict(list)
    for p in profiles:
        prof_by_code[p["code"]].append(p["profile_id"])
    for q in positions:
        for p in profiles:
            if p["code"] == q["code"]:
                labels.append((q["position_id"], p["profile_id"], 2))
            elif q["code"] in targets[p["code"]]:
                labels.append((q["position_id"], p["profile_id"], 1))
    labels.sort()

    out.mkdir(parents=True, exist_ok=True)
    pos_cols = ["position_id", "ministry", "title", "description", "required_skills", "desired_skills"]
    prof_cols = ["profile_id", "current_position", "skills", "summary"]
    _write_csv(out / "positions.csv", pos_cols, [[p[c] for c in pos_cols] for p in positions])
    _write_csv(out / "profiles.csv", prof_cols, [[p[c] for c in prof_cols] for p in profiles])
    _write_csv(out / "labels.csv", ["position_id", "profile_id", "grade"], labels)
    key_rows = [("position", q["position_id"], q["code"]) for q in positions]
    key_rows += [("profile", p["profile_id"], p["code"]) for p in profiles]
    _write_csv(out / "key.csv", ["kind", "id", "code_rome"], sorted(key_rows))
    info = {
        "source": f"ROME 4.0 ({version}), France Travail, Licence Ouverte / Etalab 2.0",
        "seed": seed,
        "domains": list(DOMAINS),
        "distractor_codes": N_DISTRACTORS,
        "codes": len(codes),
        "positions": len(positions),
        "profiles": len(profiles),
        "labels_grade2": sum(1 for *_, g in labels if g == 2),
        "labels_grade1": sum(1 for *_, g in labels if g == 1),
    }
    (out / "bench.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return info


def _write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rome", type=Path, default=DEFAULT_ROME)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    info = build(args.rome, args.out, args.seed)
    print(json.dumps(info, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
