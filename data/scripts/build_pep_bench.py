"""Build the PEP ranking benchmark (``data/benchmarks/pep/``): real offers against ROME profiles.

Usage::

    .venv/bin/python data/scripts/build_pep_bench.py [--reference DIR] [--out DIR] [--seed N] [--limit N]

Same file format as ``data/benchmarks/ranking``; a different procedure:

* positions: the **real** Place de l'emploi public offers (2021 open-data export), with their
  own words: title, missions (``description_poste`` -> ``description``), profile sought
  (``description_profil`` -> ``profile_sought``) and their RMFP emploi-référence
  (``rmfp_reference``, as a PEP export carries it). No skill column: the engine extracts
  skills from the profile sought, as in production;
* profiles: written for the trades the offers belong to, from ROME 4.0 only (never from an
  offer's text). Each offer's emploi-référence is mapped to ROME codes (digital ones through
  the project's ``digital_families.csv``, the others by the hand-checked table
  :data:`REFERENCE_ROME` below). For every such code, three profiles: current position =
  a ROME appellation of the code (one gendered form), skills = 4 core + 4 other ROME items
  (noised, with levels), summary = one third of the code's definition sentences. Distractor
  profiles (two per code) come from the ROME codes an official mobility link joins to a target
  code and from codes drawn in the same professional domains.

Relevance: **2** = the profile's ROME code is one of the offer's emploi-référence codes;
**1** = an official ROME mobility link joins the two codes (either direction), or both are in
the same digital job family (other than "Autres"); 0 otherwise. ``key.csv`` (id -> ROME
codes) is for analysis and the cross-validation's occupation hold-out only.

Sources: Place de l'emploi public (DGAFP), Licence Ouverte 2.0; ROME 4.0 (France Travail),
Licence Ouverte 2.0; RMFP digital emplois-référence (rmfp_numerique, MIT). Seeded.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_ranking_bench import (  # noqa: E402
    _DIPLOMA, _clean_item, _read, _sentences, _with_level, _write_csv, noisy_skill, one_gender,
)

DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"  # ../shared beside the repository
DEFAULT_OUT = REPO / "data" / "benchmarks" / "pep"
FAMILIES = REPO / "data" / "taxonomy" / "digital_families.csv"

#: Non-digital RMFP emplois-référence of the 2021 offers -> ROME 4.0 codes (checked by hand
#: against the ROME labels and appellations).
REFERENCE_ROME: dict[str, tuple[str, ...]] = {
    "Acheteuse publique / Acheteur public": ("M1101",),
    "Archiviste": ("K1601",),
    "Assistante / Assistant de direction": ("M1604",),
    "Chargée / Chargé d'accueil et de service à l'usager": ("M1601",),
    "Chargée / Chargé d'analyses budgétaires": ("M1209", "M1204"),
    "Chargée / Chargé d'ingéniérie de formation": ("K2132",),
    "Chargée / Chargé de communication": ("E1112",),
    "Chargée / Chargé de contrôle interne budgétaire et comptable": ("M1215",),
    "Chargée / Chargé de gestion administrative et/ou de paie": ("M1507", "M1501"),
    "Chargée / Chargé de la gestion prévisionnelle des ressources humaines": ("M1503",),
    "Chargée / Chargé de l’instruction de dossiers administratifs": ("M1602",),
    "Chargée / Chargé de maintenance générale des bâtiments": ("I1203",),
    "Chargée / Chargé de prestations financières": ("M1203",),
    "Chargée / Chargé de prévention et de promotion de la santé": ("K1414",),
    "Chargée / Chargé du pilotage et de la gestion des ressources budgétaires": ("M1222",),
    "Consultante / Consultant juridique": ("K1903",),
    "Contrôleuse / Contrôleur budgétaire externe": ("M1204",),
    "Contrôleuse /Contrôleur de gestion": ("M1204",),
    "Cuisinière / Cuisinier": ("G1606",),
    "Experte / Expert en processus financiers": ("M1202",),
    "Gestionnaire - Coordinatrice / Gestionnaire-coordinateur de dispositifs d’action sociale": ("K1201",),
    "Gestionnaire de ressources documentaires": ("K1601", "K1603"),
    "Gestionnaire logistique": ("N1301",),
    "Journaliste reporter d'image": ("E1106",),
    "Opératrice / Opérateur de maintien en condition opérationnelle": ("K1729",),
    "Responsable budgétaire": ("M1208",),
    "Responsable de centre de services partagés": ("M1223",),
    "Responsable de coordination administrative": ("M1216",),
    "Responsable de la communication": ("E1109",),
    "Responsable des affaires juridiques": ("K1903",),
    "Responsable des ressources humaines": ("M1503",),
    "Rédactrice/ Rédacteur juridique": ("K1903",),
}
N_TARGET_PROFILES = 3
N_DISTRACTORS_PER_CODE = 2
N_CORE, N_OTHER = 4, 4
MINISTRY = "Ministère (banc d'essai)"


def _references(families: Path) -> dict[str, tuple[str, ...]]:
    fam = pd.read_csv(families, dtype=str, keep_default_na=False)
    out = dict(REFERENCE_ROME)
    for ref, code in zip(fam.emploi_reference, fam.code_rome):
        out.setdefault(ref, (code,))
    return out


def build(reference: Path, out: Path, seed: int = 0, limit: int | None = None) -> dict:
    rome = reference / "rome4"
    with open(reference / "pep_offres_2021" / "pep_offres_2021.jsonl", encoding="utf-8") as fh:
        offers = [json.loads(line) for line in fh if line.strip()]
    seen, unique = set(), []
    for o in offers:  # exact duplicate lines of the export
        sig = json.dumps(o, sort_keys=True, ensure_ascii=False)
        if sig not in seen:
            seen.add(sig)
            unique.append(o)
    offers = sorted(unique, key=lambda o: str(o["offer_id"]))
    refs = _references(FAMILIES)
    missing = sorted({o["emploi_reference_rmfp"] for o in offers} - set(refs))
    if missing:
        raise SystemExit(f"emplois-référence without ROME codes: {missing}")
    if limit is not None:
        offers = sorted(random.Random(seed + 7).sample(offers, min(limit, len(offers))), key=lambda o: str(o["offer_id"]))
    fam = pd.read_csv(FAMILIES, dtype=str, keep_default_na=False)
    family_of = {c: f for c, f in zip(fam.code_rome, fam.family) if f != "Autres"}

    app = _read(rome, "unix_referentiel_appellation")
    txt = _read(rome, "unix_texte")
    coh = _read(rome, "unix_coherence_item").merge(_read(rome, "unix_item"), on="code_ogr", how="inner")
    coh = coh[coh.code_rubrique.isin(["1", "3"])]
    dom = _read(rome, "unix_cr_gd_dp")
    mob = _read(rome, "unix_rubrique_mobilite")
    apps = defaultdict(list)
    for code, label in zip(app.code_rome, app.libelle_appellation_long):
        apps[code].append(label)
    defs = defaultdict(list)
    for code, kind, pos, text in zip(txt.code_rome, txt.libelle_type_texte, txt.position_phrase, txt.libelle_texte):
        if kind == "definition":
            defs[code].append((int(pos), text))
    items = defaultdict(lambda: {"core": set(), "other": set()})
    for code, label, rub, core in zip(coh.code_rome, coh.libelle, coh.code_rubrique, coh.coeur_metier):
        label = _clean_item(label)
        if not label or (rub == "3" and _DIPLOMA.match(label)):
            continue
        items[code]["core" if core == "Principale" else "other"].add(label)
    linked = defaultdict(set)
    for a, b in zip(mob.code_rome, mob.code_rome_cible):
        linked[a].add(b)
        linked[b].add(a)
    domain_of = dict(zip(dom.code_rome, dom.code_domaine_professionel))

    def usable(code: str, target: bool = False) -> bool:
        if target:  # every offer's trade must get profiles
            return len(apps[code]) >= 1 and len(items[code]["core"]) >= 2 and bool(defs[code])
        return len(apps[code]) >= 2 and len(items[code]["core"]) >= N_CORE and bool(defs[code])

    targets = sorted({c for o in offers for c in refs[o["emploi_reference_rmfp"]]})
    bad = [c for c in targets if not usable(c, True)]
    if bad:
        raise SystemExit(f"ROME codes without enough material: {bad}")
    rng = random.Random(seed)
    tset = set(targets)
    near = sorted({c for t in targets for c in linked[t]} - tset)
    near = [c for c in near if usable(c)]
    domains = sorted({domain_of.get(t, "")[:3] for t in targets})
    same_dom = sorted(c for c in domain_of if domain_of[c][:3] in domains and c not in tset and usable(c) and c not in near)
    n_dis = N_DISTRACTORS_PER_CODE * len(targets)
    distract = sorted(rng.sample(near, min(len(near), n_dis // 2)))
    distract += sorted(rng.sample(same_dom, min(len(same_dom), n_dis - len(distract))))

    rng = random.Random(seed + 1)
    profiles = []
    for code in targets + distract:
        n = N_TARGET_PROFILES if code in tset else 1
        titles = sorted(set(apps[code]))
        picks = rng.sample(titles, min(n, len(titles)))
        sentences = [t for t in dict.fromkeys(s.lstrip("-•\t ").strip() for _, s in sorted(defs[code])) if t]
        rng.shuffle(sentences)
        core, other = sorted(items[code]["core"]), sorted(items[code]["other"] - items[code]["core"])
        for j in range(n):
            chosen = rng.sample(core, min(N_CORE, len(core))) + rng.sample(other, min(N_OTHER, len(other)))
            rng.shuffle(chosen)
            mine = sentences[j::n] or sentences[:1]
            profiles.append(
                {
                    "code": code,
                    "current_position": one_gender(picks[j % len(picks)], rng),
                    "skills": "; ".join(_with_level(noisy_skill(s, rng), rng) for s in chosen),
                    "summary": _sentences(mine),
                }
            )

    positions = []
    for o in offers:
        positions.append(
            {
                "codes": refs[o["emploi_reference_rmfp"]],
                "offer_id": str(o["offer_id"]),
                "ministry": " ".join(str(o.get("ministere") or "").split()) or MINISTRY,
                "title": " ".join(str(o.get("titre") or "").split()),
                "description": str(o.get("description_poste") or "").strip(),
                "profile_sought": str(o.get("description_profil") or "").strip(),
                "rmfp_reference": o["emploi_reference_rmfp"],
            }
        )
    rng.shuffle(positions)
    rng.shuffle(profiles)
    for i, p in enumerate(positions, 1):
        p["position_id"] = f"POSTE-{i:04d}"
    for i, p in enumerate(profiles, 1):
        p["profile_id"] = f"PROFIL-{i:04d}"

    labels = []
    for q in positions:
        qc = set(q["codes"])
        qf = {family_of[c] for c in qc if c in family_of}
        for p in profiles:
            c = p["code"]
            if c in qc:
                labels.append((q["position_id"], p["profile_id"], 2))
            elif any(c in linked[x] for x in qc) or (family_of.get(c) in qf):
                labels.append((q["position_id"], p["profile_id"], 1))
    labels.sort()

    out.mkdir(parents=True, exist_ok=True)
    pos_cols = ["position_id", "ministry", "title", "description", "profile_sought", "rmfp_reference"]
    prof_cols = ["profile_id", "current_position", "skills", "summary"]
    _write_csv(out / "positions.csv", pos_cols, [[p[c] for c in pos_cols] for p in positions])
    _write_csv(out / "profiles.csv", prof_cols, [[p[c] for c in prof_cols] for p in profiles])
    _write_csv(out / "labels.csv", ["position_id", "profile_id", "grade"], labels)
    key_rows = sorted(
        [("position", q["position_id"], q["offer_id"], "|".join(q["codes"])) for q in positions]
        + [("profile", p["profile_id"], "", p["code"]) for p in profiles]
    )
    _write_csv(out / "key.csv", ["kind", "id", "offer_id", "rome_codes"], key_rows)
    info = {
        "source": "Place de l'emploi public 2021 (DGAFP, Licence Ouverte 2.0); ROME 4.0 (France Travail, Licence Ouverte 2.0)",
        "procedure": "pep-offers-vs-rome-profiles",
        "seed": seed,
        "limit": limit,
        "positions": len(positions),
        "target_codes": len(targets),
        "distractor_codes": len(distract),
        "profiles": len(profiles),
        "labels_grade2": sum(1 for *_, g in labels if g == 2),
        "labels_grade1": sum(1 for *_, g in labels if g == 1),
    }
    (out / "bench.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="keep only this many offers (tests)")
    args = ap.parse_args()
    print(json.dumps(build(args.reference, args.out, args.seed, args.limit), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
