"""Build the engine's compact taxonomy (data/taxonomy/) from the public reference data.

Usage::

    python data/scripts/build_taxonomy.py [--reference ../shared/reference] [--out data/taxonomy]

Sources (see data/taxonomy/NOTICE.md for licences and attributions): ROME 4.0 (France
Travail, Licence Ouverte 2.0), ESCO v1.1.2 French labels (European Commission), the official
ROME <-> ESCO crosswalk V1.4, the State's digital emplois-référence (rmfp_numerique, MIT).

Outputs (UTF-8 CSV, gzip where large; ``|`` separates list values):

- ``skills.csv.gz``            concept_id, source, source_id, label, kind, collections, alt_labels
- ``rome_skills.csv.gz``       code_rome, concept_id, core
- ``occupations.csv.gz``       code_rome, label, domain, domain_label, grand_domain, family, digital
- ``appellations.csv.gz``      code_ogr, code_rome, label, label_short, main, digital
- ``esco_occupations.csv.gz``  uri, label, alt_labels, isco
- ``esco_occupation_skills.csv.gz`` esco_uri, concept_id, relation
- ``crosswalk.csv.gz``         code_ogr, code_rome, esco_uri, relation
- ``mobility.csv.gz``          code_rome, target, order
- ``digital_families.csv``     emploi_reference, family, code_rome
- ``manifest.json``            version, sources, row counts, sha256 of every file

``acronyms.csv``, ``ambiguous_labels.csv`` and ``NOTICE.md`` are maintained by hand and only hashed here.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import time
from pathlib import Path

import pandas as pd

TAXONOMY_VERSION = "2025.09-rome60-esco1.1.2-r1"

# Digital job family (rmfp_numerique's 10 families) for the ROME information-systems codes.
ROME_FAMILY: dict[str, str] = {
    "M1801": "Infrastructure", "M1802": "Serveur / Cloud", "M1803": "Gestion",
    "M1804": "Infrastructure", "M1805": "Développement", "M1806": "Autres",
    "M1807": "Infrastructure", "M1810": "Infrastructure", "M1811": "Données",
    "M1812": "Sécurité", "M1813": "Développement", "M1814": "Projet / Produit",
    "M1815": "Développement", "M1816": "Infrastructure", "M1817": "Sécurité",
    "M1818": "Développement", "M1819": "Sécurité", "M1820": "Autres",
    "M1821": "Développement", "M1822": "Serveur / Cloud", "M1823": "Autres",
    "M1824": "Données", "M1825": "Projet / Produit", "M1826": "Infrastructure",
    "M1827": "Serveur / Cloud", "M1828": "Projet / Produit", "M1829": "Infrastructure",
    "M1830": "Serveur / Cloud", "M1831": "Développement", "M1832": "Développement",
    "M1833": "Sécurité", "M1834": "Serveur / Cloud", "M1835": "Architecture",
    "M1836": "Architecture", "M1837": "Développement", "M1838": "Architecture",
    "M1839": "Architecture", "M1840": "Gestion", "M1841": "Développement",
    "M1842": "Autres", "M1843": "Serveur / Cloud", "M1844": "Sécurité",
    "M1845": "Architecture", "M1846": "Sécurité", "M1847": "Infrastructure",
    "M1848": "Développement", "M1849": "Serveur / Cloud", "M1850": "Architecture",
    "M1851": "Données", "M1852": "Développement", "M1853": "Projet / Produit",
    "M1854": "Serveur / Cloud", "M1855": "Développement", "M1856": "Sécurité",
    "M1857": "Architecture", "M1858": "Projet / Produit", "M1859": "Projet / Produit",
    "M1860": "Architecture", "M1861": "Développement", "M1862": "Infrastructure",
    "M1863": "Sécurité", "M1864": "Projet / Produit", "M1865": "Développement",
    "M1866": "Sécurité", "M1867": "Gestion", "M1868": "Données", "M1869": "Support",
    "M1870": "Gestion", "M1871": "Infrastructure", "M1872": "Données", "M1873": "Données",
    "M1874": "Support", "M1875": "Projet / Produit", "M1876": "Serveur / Cloud",
    "M1877": "Développement", "M1878": "Infrastructure", "M1879": "Serveur / Cloud",
    "M1880": "Autres", "M1881": "Projet / Produit", "M1882": "Sécurité",
    "M1883": "Sécurité", "M1884": "Serveur / Cloud", "M1885": "Infrastructure",
    "M1886": "Projet / Produit", "M1887": "Développement", "M1889": "Données",
    "M1892": "Développement", "M1894": "Données", "K1906": "Autres",
}

# Closest ROME code of each digital emploi-référence (hand-checked against ROME labels).
RMFP_ROME: dict[str, str] = {
    "Architecte technique": "M1839",
    "Conceptrice / Concepteur": "M1836",
    "Urbaniste des systèmes d’information": "M1838",
    "Développeuse / Développeur": "M1805",
    "Intégratrice / Intégrateur logiciel": "M1813",
    "Administratrice / Administratrice de bases de données": "M1894",
    "Analyste de données": "M1851",
    "Data engineer": "M1811",
    "Data Scientist": "M1811",
    "Chief Digital Officer": "M1803",
    "Directrice / Directeur de projets SI": "M1870",
    "Directrice / Directeur des systèmes d’information": "M1803",
    "Responsable d’entité": "M1867",
    "Gestionnaire des systèmes applicatifs": "M1871",
    "Intégratrice / Intégrateur d’exploitation": "M1810",
    "Responsable d’exploitation": "M1878",
    "Responsable réseaux et télécoms": "M1885",
    "Technicienne / Technicien d’exploitation et maintenance 1er niveau": "M1810",
    "Technicienne / Technicien réseaux, télécoms et/ou Multimédias et maintenance": "M1816",
    "Cheffe / Chef de projet maitrise d’œuvre SI": "M1859",
    "Cheffe / Chef de projet maitrise d'ouvrage SI": "M1881",
    "Product Owner": "M1864",
    "Administratrice / Administrateur d’outils, de systèmes, de réseaux et/ou de télécoms": "M1801",
    "Spécialiste outils, systèmes d’exploitation, réseaux et télécoms": "M1802",
    "Analyste en détection d'intrusions": "M1883",
    "Auditrice / Auditrice en sécurité des systèmes d'information": "M1863",
    "Pilote en détection d'intrusion": "M1883",
    "Responsable Sécurité des Systèmes d’Information - RSSI": "M1812",
    "Analyste en traitement d'incidents informatiques": "M1844",
    "Chargée / Chargé de relation sur l'offre de services SI": "M1806",
    "Pilote en traitement d'incidents informatiques": "M1844",
    "Technicienne / Technicien poste de travail et maintenance": "M1869",
    "Technicienne / Technicien support utilisateurs": "M1874",
    "Assistante / Assistant fonctionnel": "M1806",
    "Chargée / Chargé de référencement": "M1825",
    "Conseillère / Conseiller en systèmes d’information": "M1806",
    "Déléguée / Délégué à la protection des données numériques": "K1906",
    "Responsable d’applications": "M1871",
    "Responsable d’études SI": "M1853",
    "Responsable du système d’information « métier »": "M1867",
    "Spécialiste méthode et outils / qualité / sécurité": "M1820",
}

ESCO_SKILL_FILES = {
    "digital": "digitalSkillsCollection_fr.csv",
    "transversal": "transversalSkillsCollection_fr.csv",
    "digcomp": "digCompSkillsCollection_fr.csv",
    "research": "researchSkillsCollection_fr.csv",
    "green": "greenSkillsCollection_fr.csv",
    "language": "languageSkillsCollection_fr.csv",
}

ROME_KIND = {"1": "savoir_faire", "2": "savoir_etre", "3": "savoir"}


def _read(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)


def _clean(text: str) -> str:
    return " ".join(str(text).replace("''", "'").split())


def _alts(cell: str) -> list[str]:
    out = []
    for part in str(cell).replace("|", "\n").split("\n"):
        part = _clean(part)
        if part and part not in out:
            out.append(part)
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    data = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if path.suffix == ".gz":
        buf = io.BytesIO()
        # mtime=0 makes the archive bytes reproducible, so the sha256 manifest is stable
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as fh:
            fh.write(data)
        data = buf.getvalue()
    path.write_bytes(data)


def build(reference: Path, out: Path) -> dict:
    t0 = time.perf_counter()
    rome = reference / "rome4"
    esco = reference / "esco_fr"
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    # --- skills: ROME items -------------------------------------------------------------
    items = _read(rome / "unix_item_v460_utf8.csv")
    comp = _read(rome / "unix_referentiel_competence_v460_utf8.csv")
    sav = _read(rome / "unix_referentiel_savoir_v460_utf8.csv")
    digital_ogr = set(comp.loc[comp.transition_num == "O", "code_ogr"]) | set(
        sav.loc[sav.transition_num == "O", "code_ogr_savoir"]
    )
    rome_skills = pd.DataFrame(
        {
            "concept_id": "rome:" + items.code_ogr,
            "source": "ROME",
            "source_id": items.code_ogr,
            "label": items.libelle.map(_clean),
            "kind": items.code_rubrique.map(ROME_KIND).fillna("savoir_faire"),
            "collections": items.code_ogr.map(lambda c: "numerique" if c in digital_ogr else ""),
            "alt_labels": "",
        }
    )
    rome_skills = rome_skills[rome_skills.label != ""].drop_duplicates("concept_id")

    # --- skills: ESCO collections ---------------------------------------------------------
    esco_rows: dict[str, dict] = {}
    for coll, fname in ESCO_SKILL_FILES.items():
        df = _read(esco / fname)
        for r in df.itertuples(index=False):
            uri = r.conceptUri
            label = _clean(r.preferredLabel)
            if not label:
                continue
            row = esco_rows.get(uri)
            if row is None:
                kind = "esco_knowledge" if r.skillType == "knowledge" else "esco_skill"
                row = esco_rows[uri] = {
                    "concept_id": "esco:" + uri.rsplit("/", 1)[-1],
                    "source": "ESCO",
                    "source_id": uri,
                    "label": label,
                    "kind": kind,
                    "collections": [],
                    "alt_labels": [a for a in _alts(r.altLabels) if a != label],
                }
            row["collections"].append(coll)
    esco_skills = pd.DataFrame(
        [
            {**r, "collections": "|".join(r["collections"]), "alt_labels": "|".join(r["alt_labels"])}
            for r in esco_rows.values()
        ]
    )
    skills = pd.concat([rome_skills, esco_skills], ignore_index=True)
    _write_csv(skills, out / "skills.csv.gz")
    counts["skills"] = len(skills)

    # --- ROME code -> skill items (coherence) ------------------------------------------
    coh = _read(rome / "unix_coherence_item_v460_utf8.csv")
    known = set(rome_skills.source_id)
    coh = coh[coh.code_ogr.isin(known)]
    rome_links = pd.DataFrame(
        {
            "code_rome": coh.code_rome,
            "concept_id": "rome:" + coh.code_ogr,
            "core": (coh.coeur_metier == "Principale").astype(int),
        }
    ).drop_duplicates(["code_rome", "concept_id"])
    _write_csv(rome_links, out / "rome_skills.csv.gz")
    counts["rome_skills"] = len(rome_links)

    # --- occupations (ROME codes) -----------------------------------------------------
    codes = _read(rome / "unix_referentiel_code_rome_v460_utf8.csv")
    dom = _read(rome / "unix_cr_gd_dp_v460_utf8.csv")
    occ = codes[["code_rome", "libelle_rome", "transition_num"]].merge(
        dom[["code_rome", "code_domaine_professionel", "libelle_domaine_professionel", "code_grand_domaine"]],
        on="code_rome",
        how="left",
    )
    occupations = pd.DataFrame(
        {
            "code_rome": occ.code_rome,
            "label": occ.libelle_rome.map(_clean),
            "domain": occ.code_domaine_professionel,
            "domain_label": occ.libelle_domaine_professionel.map(_clean),
            "grand_domain": occ.code_grand_domaine,
            "family": occ.code_rome.map(ROME_FAMILY).fillna(""),
            "digital": ((occ.transition_num == "O") | (occ.code_domaine_professionel == "M18")).astype(int),
        }
    ).sort_values("code_rome")
    _write_csv(occupations, out / "occupations.csv.gz")
    counts["occupations"] = len(occupations)

    app = _read(rome / "unix_referentiel_appellation_v460_utf8.csv")
    appellations = pd.DataFrame(
        {
            "code_ogr": app.code_ogr,
            "code_rome": app.code_rome,
            "label": app.libelle_appellation_long.map(_clean),
            "label_short": app.libelle_appellation_court.map(_clean),
            "main": (app.classification == "PRINCIPALE").astype(int),
            "digital": (app.transition_num == "O").astype(int),
        }
    )
    appellations.loc[appellations.label_short == appellations.label, "label_short"] = ""
    _write_csv(appellations, out / "appellations.csv.gz")
    counts["appellations"] = len(appellations)

    mob = _read(rome / "unix_rubrique_mobilite_v460_utf8.csv")
    mobility = pd.DataFrame(
        {"code_rome": mob.code_rome, "target": mob.code_rome_cible, "order": mob.numero_ordre.astype(int)}
    ).drop_duplicates(["code_rome", "target"])
    _write_csv(mobility, out / "mobility.csv.gz")
    counts["mobility"] = len(mobility)

    # --- ESCO occupations ---------------------------------------------------------------
    eocc = _read(esco / "occupations_fr.csv")
    eocc = eocc[eocc.conceptType == "Occupation"]
    esco_occ = pd.DataFrame(
        {
            "uri": eocc.conceptUri,
            "label": eocc.preferredLabel.map(_clean),
            "alt_labels": [
                "|".join(a for a in _alts(alts) if a != _clean(pref))
                for alts, pref in zip(eocc.altLabels, eocc.preferredLabel)
            ],
            "isco": eocc.iscoGroup,
        }
    )
    _write_csv(esco_occ, out / "esco_occupations.csv.gz")
    counts["esco_occupations"] = len(esco_occ)

    rel = pd.read_csv(esco / "occupationSkillRelations_v1.1.1.csv.gz", dtype=str, keep_default_na=False)
    uri_to_cid = dict(zip(esco_skills.source_id, esco_skills.concept_id))
    rel = rel[rel.skillUri.isin(uri_to_cid.keys()) & rel.occupationUri.isin(set(esco_occ.uri))]
    esco_links = pd.DataFrame(
        {"esco_uri": rel.occupationUri, "concept_id": rel.skillUri.map(uri_to_cid), "relation": rel.relationType}
    )
    _write_csv(esco_links, out / "esco_occupation_skills.csv.gz")
    counts["esco_occupation_skills"] = len(esco_links)

    # --- crosswalk ROME <-> ESCO ---------------------------------------------------------
    raw = (reference / "crosswalk_rome_esco" / "FR_20230607_mapping_esco_rome.csv").read_text(encoding="utf-8")
    lines = raw.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("classification 1 ID"))
    cw = pd.read_csv(io.StringIO("\n".join(lines[start:])), dtype=str, keep_default_na=False)
    cw.columns = ["esco_uri", "esco_label", "code_ogr", "rome_label", "relation"]
    ogr_to_rome = dict(zip(appellations.code_ogr, appellations.code_rome))
    crosswalk = pd.DataFrame(
        {
            "code_ogr": cw.code_ogr,
            "code_rome": cw.code_ogr.map(ogr_to_rome).fillna(""),
            "esco_uri": cw.esco_uri,
            "relation": cw.relation.str.replace("skos:", "", regex=False).str.replace("Match", "", regex=False),
        }
    )
    _write_csv(crosswalk, out / "crosswalk.csv.gz")
    counts["crosswalk"] = len(crosswalk)

    # --- State digital emplois-référence ---------------------------------------------
    fam = _read(reference / "rmfp_numerique" / "rmfp_numerique_to_dinum_family.csv")
    families = pd.DataFrame(
        {
            "emploi_reference": fam.rmfp_emploi_reference.map(_clean),
            "family": fam.famille_metiers_numeriques.map(_clean),
            "code_rome": fam.rmfp_emploi_reference.map(lambda s: RMFP_ROME.get(_clean(s), "")),
        }
    )
    _write_csv(families, out / "digital_families.csv")
    counts["digital_families"] = len(families)

    # --- manifest ---------------------------------------------------------------------
    version_txt = (rome / "version.txt").read_text(encoding="utf-8", errors="replace")
    files = {}
    for path in sorted(out.iterdir()):
        if path.name == "manifest.json" or not path.is_file():
            continue
        files[path.name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "bytes": path.stat().st_size,
        }
    manifest = {
        "version": TAXONOMY_VERSION,
        "sources": {
            "rome": " ".join(version_txt.split("\n")[0].split()) + " (ROME 4.0, France Travail)",
            "esco": "ESCO v1.1.2 (fr)",
            "crosswalk": "ROME <-> ESCO V1.4",
            "rmfp_numerique": "rmfp_numerique_to_dinum_family.csv",
        },
        "counts": counts,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
    return manifest


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=here.parent / "shared" / "reference")
    parser.add_argument("--out", type=Path, default=here / "data" / "taxonomy")
    args = parser.parse_args(argv)
    if not args.reference.is_dir():
        print(f"reference folder not found: {args.reference}", file=sys.stderr)
        return 2
    manifest = build(args.reference, args.out)
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(f"taxonomy {manifest['version']} built in {manifest['build_seconds']} s, {total / 1e6:.2f} MB")
    for name, n in manifest["counts"].items():
        print(f"  {name}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
