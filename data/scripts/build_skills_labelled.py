"""Build tests/data/skills_labelled.csv: skill strings as CVs and fiches de poste write them,
each with the taxonomy concept a domain expert would accept (or none: "unknown").

Usage::

    python data/scripts/build_skills_labelled.py [--reference ../shared/reference] [--out tests/data/skills_labelled.csv]

Three origins (column ``origin``):

- ``esco_alt_heldout``: one alternative label of seeded ESCO concepts of the digital,
  transversal, digCompt and research collections (read from the ESCO French CSV files of
  ``--reference``), with seeded casing / accent / "connaissance de" noise. The evaluation
  removes the (concept, label) pair from the normaliser's dictionary (column
  ``heldout_label``), so the string must be found by another way, or left unknown.
- ``rome_label_noisy``: ROME 4.0 skill and knowledge labels flagged digital or transversal
  (read from the shipped taxonomy), written with CV noise (lower case, no accents,
  "Maîtrise de", a capital first letter); not held out: case, accents and a leading level
  phrase must never change the concept.
- ``hand_public_sector``: written by hand (below): French public-sector jargon (procurement,
  public finance, cyber security, environment, armament, management) and tool names, each
  with the acceptable concepts of the shipped taxonomy, or none when the taxonomy has no
  right concept (then "unknown" is the right answer and any mapping is wrong).

``expected_source_id`` holds the acceptable source ids (``|``-separated; ESCO URI, ROME
code_ogr, or ``acronyms:<TERM>`` for a term of ``data/taxonomy/acronyms.csv`` that has no
taxonomy concept); empty means "unknown is the right answer". For the first two origins,
concepts whose labels have the same key (``matching.textnorm.key``) as the written label
are also accepted: the taxonomy itself gives them the same name.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE))

SEED = 14
N_ESCO = 140
N_ROME = 60

# (text as written, acceptable concept labels of the shipped taxonomy joined by " || ", or ""
# for "no right concept in the taxonomy"). "acr:TERM" designates a dictionary term.
HAND: list[tuple[str, str]] = [
    # --- public procurement ---
    ("marchés publics", "Réglementation des marchés publics || Code des marchés publics || Procédures de passation des marchés publics || Procédures réglementaires de passation des marchés publics et des contrats"),
    ("Marchés publics", "Réglementation des marchés publics || Code des marchés publics || Procédures de passation des marchés publics || Procédures réglementaires de passation des marchés publics et des contrats"),
    ("MARCHES PUBLICS", "Réglementation des marchés publics || Code des marchés publics || Procédures de passation des marchés publics || Procédures réglementaires de passation des marchés publics et des contrats"),
    ("Connaissance des marchés publics", "Réglementation des marchés publics || Code des marchés publics || Procédures de passation des marchés publics || Procédures réglementaires de passation des marchés publics et des contrats"),
    ("droit des marchés publics", "Réglementation des marchés publics || Code des marchés publics || Appliquer le cadre juridique des marchés publics"),
    ("commande publique", "Réglementation des marchés publics || Code des marchés publics || Procédures de passation des marchés publics"),
    ("Code de la commande publique", "Réglementation des marchés publics || Code des marchés publics"),
    ("achat public", "Réglementation des marchés publics || Procédures de passation des marchés publics || Code des marchés publics"),
    ("Achats publics", "Réglementation des marchés publics || Procédures de passation des marchés publics || Code des marchés publics"),
    ("passation des marchés publics", "Procédures de passation des marchés publics || Procédures réglementaires de passation des marchés publics et des contrats || Réglementation des marchés publics"),
    ("Rédaction de CCTP", ""),
    ("accord-cadre", ""),
    ("UGAP", ""),
    ("marchés de défense et de sécurité", ""),
    # --- public finance ---
    ("LOLF", "Loi Organique Relative aux Lois de Finances (LOLF)"),
    ("lolf", "Loi Organique Relative aux Lois de Finances (LOLF)"),
    ("Connaissance de la LOLF", "Loi Organique Relative aux Lois de Finances (LOLF)"),
    ("finances publiques", "Finances publiques"),
    ("Finances Publiques", "Finances publiques"),
    ("comptabilité publique", "Comptabilité publique || Règles budgétaires et comptables de la comptabilité publique"),
    ("comptabilite publique", "Comptabilité publique || Règles budgétaires et comptables de la comptabilité publique"),
    ("contrôle de gestion", "Contrôle de gestion"),
    ("GBCP", ""),
    ("Chorus", "Chorus"),
    ("dialogue de gestion", ""),
    ("BOP", ""),
    # --- cyber security ---
    ("EBIOS RM", "acr:EBIOS RM"),
    ("Ebios Risk Manager", "acr:EBIOS RM"),
    ("EBIOS", "acr:EBIOS"),
    ("ISO 27001", "Norme ISO/IEC 27001"),
    ("Norme ISO 27001", "Norme ISO/IEC 27001"),
    ("norme iso 27001", "Norme ISO/IEC 27001"),
    ("ISO/IEC 27001", "Norme ISO/IEC 27001"),
    ("ISO 27005", ""),
    ("SecNumCloud", ""),
    ("PSSI", "acr:PSSI || Définir et faire évoluer la politique de sécurité des systèmes d'information du Groupe (PSSI)"),
    ("PSSIE", "acr:PSSIE"),
    ("RGS", "acr:RGS"),
    ("homologation de sécurité", ""),
    ("ANSSI", "acr:ANSSI"),
    ("RGPD", "RGPD || Règlement Général européen sur la Protection des Données (RGPD) || Réglementation de la protection des données (RGPD)"),
    ("rgpd", "RGPD || Règlement Général européen sur la Protection des Données (RGPD) || Réglementation de la protection des données (RGPD)"),
    ("Règlement général sur la protection des données", "RGPD || Règlement Général européen sur la Protection des Données (RGPD) || Réglementation de la protection des données (RGPD)"),
    ("protection des données personnelles", "Protection des données personnelles"),
    ("cybersécurité", "Cybersécurité || cybersécurité"),
    ("Cybersecurite", "Cybersécurité || cybersécurité"),
    ("IGI 1300", ""),
    ("II 901", ""),
    ("NIS 2", ""),
    ("SIEM", "acr:SIEM"),
    ("PKI", "acr:PKI"),
    ("PASSI", "acr:PASSI"),
    ("test d'intrusion", "outil de test d’intrusion"),
    # --- environment, risks, territories ---
    ("ICPE", "Réglementation des Installations Classées pour la Protection de l'Environnement (ICPE)"),
    ("icpe", "Réglementation des Installations Classées pour la Protection de l'Environnement (ICPE)"),
    ("installations classées", "Réglementation des Installations Classées pour la Protection de l'Environnement (ICPE)"),
    ("Réglementation ICPE", "Réglementation des Installations Classées pour la Protection de l'Environnement (ICPE)"),
    ("SEVESO", ""),
    ("directive Seveso", ""),
    ("PPRI", ""),
    ("PPRT", "Plans de Prévention des Risques Technologiques (PPRT)"),
    ("risques technologiques", "Risques technologiques"),
    ("GEMAPI", ""),
    ("gestion des milieux aquatiques", "Réaliser des opérations de gestion des milieux aquatiques || gérer des milieux aquatiques"),
    ("étude d'impact environnemental", "Etude d'impact environnemental || Réaliser une étude d'impact environnemental"),
    ("Etude d impact environnemental", "Etude d'impact environnemental || Réaliser une étude d'impact environnemental"),
    ("loi sur l'eau", ""),
    ("police de l'eau", ""),
    ("Natura 2000", ""),
    ("code de l'urbanisme", ""),
    ("PLU", ""),
    ("droit de l'environnement", "Droit de l'environnement || Droit de l'environnement et du développement durable"),
    ("gestion des risques liés aux inondations", "Gestion des risques liés aux inondations"),
    # --- management and transformation ---
    ("conduite du changement", "Conduite du changement || Techniques de conduite du changement"),
    ("Conduite Du Changement", "Conduite du changement || Techniques de conduite du changement"),
    ("conduite du changement (expert)", "Conduite du changement || Techniques de conduite du changement"),
    ("Maîtrise de la conduite du changement", "Conduite du changement || Techniques de conduite du changement"),
    ("accompagnement du changement", "Conduite du changement || Accompagner le changement auprès des collaborateurs || Techniques de conduite du changement"),
    ("gestion de projet", "Gestion de projet"),
    ("Gestion De Projets", "Gestion de projet"),
    ("gestion de projets", "Gestion de projet"),
    ("gestion des risques projet", "Gestion des risques projet"),
    ("management d'équipe", "Management d'équipe || Compétences en management d'équipe"),
    ("dialogue social", ""),
    ("GPEC", "Méthode de Gestion Prévisionnelle des Emplois et des Compétences (GPEC)"),
    ("animation de réseau", ""),
    ("sens du service public", ""),
    ("légistique", ""),
    ("droit public", "Droit public"),
    ("contentieux administratif", ""),
    # --- armament and engineering ---
    ("Conduite de programmes d'armement", ""),
    ("conduite de programme d'armement", ""),
    ("pilotage de programmes d'armement", ""),
    ("Pilotage de programmes d’armement", ""),
    ("management de programmes d'armement", "Mettre en œuvre les méthodes d'aide au management des programmes d'armement"),
    ("ingénierie système", ""),
    ("Ingénierie des systèmes basée sur des modèles", "ingénierie des systèmes basée sur des modèles"),
    ("MBSE", ""),
    ("maîtrise des risques programme", ""),
    ("soutien logistique intégré", ""),
    ("MCO", "acr:MCO"),
    # --- tools and languages written in a skills cell ---
    ("Python", "Python (programmation informatique) || Programmation en Python"),
    ("python", "Python (programmation informatique) || Programmation en Python"),
    ("PYTHON", "Python (programmation informatique) || Programmation en Python"),
    ("Maîtrise de Python", "Python (programmation informatique) || Programmation en Python"),
    ("Java", "Java || Java (programmation informatique)"),
    ("JavaScript", "JavaScript || Programmation en JavaScript"),
    ("R", "R"),
    ("Spark", "SPARK || Technologies SPARK (Framework)"),
    ("Apache Spark", "SPARK || Technologies SPARK (Framework)"),
    ("Chef", "Chef (outils de gestion de configuration logicielle)"),
    ("Puppet", "Puppet (outils de gestion de configuration logicielle)"),
    ("Ansible", "Ansible"),
    ("Canvas", "Canvas (systèmes de gestion de l’apprentissage)"),
    ("Canva", ""),
    ("Docker", "Docker"),
    ("Kubernetes", "Kubernetes"),
    ("k8s", "Kubernetes"),
    ("GitLab", "GitLab"),
    ("PostgreSQL", "PostgreSQL"),
    ("postgresql", "PostgreSQL"),
    ("Linux", "Système d'exploitation Linux"),
    ("Angular", "Angular || Framework AngularJS"),
    ("Node.js", "Node.js"),
    ("COBOL", "COBOL || Cobol"),
    ("MATLAB", "MATLAB"),
    ("Drupal", "Drupal"),
    ("SAS", "SAS language || Progiciel de gestion SAS Statistiques"),
    ("Excel", "Microsoft Excel || Utilisation de tableurs (Excel, Google Sheets)"),
    ("Power BI", "Business Intelligence (BI) - Informatique décisionnelle"),
    ("QGIS", ""),
    ("Tableau", ""),
    ("Figma", ""),
    ("Azure", ""),
    ("Symfony", "Symfony"),
    ("ServiceNow", ""),
    ("Go", ""),
    ("Golang", ""),
    ("SQL", "SQL"),
    ("ITIL", "Information Technology Infrastructure Library (ITIL)"),
    ("scrum", "Méthodologie Scrum"),
    ("méthodes agiles", "Méthode AGILE || Méthodes de gestion de projet agile"),
    ("urbanisation des SI", "Urbanisation des systèmes d'information"),
    ("Urbanisation des systèmes d'information", "Urbanisation des systèmes d'information"),
    ("TOGAF", ""),
    ("économétrie", "Econométrie"),
    ("Econometrie", "Econométrie"),
    ("data visualisation", "Visualisation de données || Outils de datavisualisation || techniques de présentation visuelle || fournir une présentation visuelle des données"),
    ("open data", ""),
    ("accessibilité numérique", "Technologies de l'accessibilité numérique || Accessibilité web"),
    ("RGAA", "acr:RGAA"),
    ("cloud computing", "Déploiement de services cloud (cloud computing) || technologies de dématérialisation"),
    ("Anglais", "anglais"),
    ("anglais courant", "anglais"),
    ("Anglais (courant)", "anglais"),
    ("Anglais professionnel", "Maîtrise de l'anglais professionnel || anglais"),
    ("anglais technique", "Anglais technique"),
]


# Held-out ESCO rows: concepts a domain expert also accepts, added after reviewing the
# normaliser's outputs (pooled judgement: a different taxonomy concept naming the same skill,
# or, where ESCO files the alternative label under an unrelated concept, the right one).
ESCO_ALSO: dict[str, list[str]] = {
    "évaluer les risques de sécurité des TIC": ["Evaluer les risques liés à la sécurité des systèmes d'information"],
    "concevoir un système de TIC": ["Conception de systèmes informatiques"],
    "référencement naturel": ["Optimisation du référencement naturel (SEO)"],
    "Eclipse": ["Eclipse (environnement de développement intégré)"],
    "micrologiciel": ["programmer un micrologiciel"],
    "principe de l’Internet des objets": ["Internet des objets"],
    "contrôler la performance du système informatique": ["Optimiser les performances des systèmes informatiques"],
    "standards de sécurité des TIC": ["sécurité des TIC"],
    "langage de requête SPARQL": ["SPARQL"],
    "Java Posse": ["Java"],
    "techniques de webmarketing": ["Webmarketing"],
    "méthodes d’évaluation des performances des TIC": ["Evaluation de la performance des SI"],
}


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _noise(text: str, rng: random.Random, *, allow_prefix: bool) -> str:
    from matching.textnorm import strip_accents

    r = rng.random()
    if r < 0.25:
        text = text.lower()
    elif r < 0.45:
        text = text[:1].upper() + text[1:]
    elif r < 0.55:
        text = text.upper()
    if rng.random() < 0.3:
        text = strip_accents(text)
    if allow_prefix and rng.random() < 0.2:
        text = rng.choice(("Connaissance de ", "Maîtrise de ", "Bonne connaissance de ", "Notions de ")) + text
    return text


def build(reference: Path, *, seed: int = SEED, esco_only: bool = False, skip: frozenset = frozenset()) -> list[dict]:
    from matching.taxonomy import Taxonomy
    from matching.textnorm import key

    tax = Taxonomy.default()
    labels = tax.skill_labels
    by_key: dict[str, set[str]] = {}
    for cid, lab in zip(labels.concept_id, labels.label):
        by_key.setdefault(key(lab), set()).add(cid)
    label_to_cids: dict[str, list[str]] = {}
    for cid, lab in zip(tax.skills.concept_id, tax.skills.label):
        label_to_cids.setdefault(lab, []).append(cid)
    sid = tax.skill_source_id
    rows: list[dict] = []
    seen: set[str] = set()

    def add(text, cids, label, origin, heldout=""):
        if text in seen:
            return
        seen.add(text)
        ids = []
        for c in cids:
            ids.append(f"acronyms:{c[4:]}" if c.startswith("acr:") else sid(c))
        rows.append({"text": text, "expected_source_id": "|".join(dict.fromkeys(ids)), "expected_label": label,
                     "origin": origin, "heldout_label": heldout})

    # --- held-out ESCO alternative labels -------------------------------------------------
    rng = random.Random(seed)
    known = set(tax.skills.source_id)
    pool = []
    for name in ("digitalSkillsCollection_fr.csv", "transversalSkillsCollection_fr.csv",
                 "digCompSkillsCollection_fr.csv", "researchSkillsCollection_fr.csv"):
        for r in _read(reference / "esco_fr" / name):
            alts = [a.strip() for a in r["altLabels"].replace("|", "\n").split("\n") if a.strip()]
            if r["conceptUri"] in known and alts:
                pool.append((r["conceptUri"], r["preferredLabel"].strip(), sorted(set(alts))))
    pool = sorted({p[0]: p for p in pool}.values())
    rng.shuffle(pool)
    uri_to_cid = dict(zip(tax.skills.source_id, tax.skills.concept_id))
    n = 0
    for uri, pref, alts in pool:
        cid = uri_to_cid[uri]
        alt = rng.choice(alts)
        if uri in skip:
            continue
        own_other = {key(lab) for c, lab in zip(labels.concept_id, labels.label) if c == cid and lab != alt}
        if key(alt) in own_other or not key(alt) or len(alt) > 80:
            continue  # trivial (another label of the concept has the same key) or a sentence
        others = by_key.get(key(alt), set()) - {cid}
        for lab in ESCO_ALSO.get(alt, ()):
            others |= set(label_to_cids[lab])
        add(_noise(alt, rng, allow_prefix=False), [cid, *sorted(others)], pref, "esco_alt_heldout", alt)
        n += 1
        if n >= N_ESCO:
            break

    if esco_only:
        return rows
    # --- ROME labels with CV noise ---------------------------------------------------------
    sk = tax.skills
    rome = sk[(sk.source == "ROME") & (sk.collections.str.contains("numerique")) & (sk.kind == "savoir")]
    cands = sorted(zip(rome.concept_id, rome.label))
    cands = [c for c in cands if len(c[1]) <= 60]
    rng.shuffle(cands)
    for cid, lab in cands[:N_ROME]:
        add(_noise(lab, rng, allow_prefix=True), sorted(by_key.get(key(lab), set()) | {cid}), lab, "rome_label_noisy")

    # --- hand-written -----------------------------------------------------------------------
    for text, expected in HAND:
        cids: list[str] = []
        for lab in [x.strip() for x in expected.split("||") if x.strip()]:
            if lab.startswith("acr:"):
                cids.append(lab)
                continue
            hit = label_to_cids.get(lab)
            if not hit:
                raise SystemExit(f"hand-written row {text!r}: no concept labelled {lab!r} in the taxonomy")
            cids.extend(hit)
        first = expected.split("||")[0].strip()
        add(text, cids, first.replace("acr:", "") if first else "", "hand_public_sector")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=HERE.parent / "shared" / "reference")
    parser.add_argument("--out", type=Path, default=HERE / "tests" / "data" / "skills_labelled.csv")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the ESCO sample and of the noise")
    parser.add_argument(
        "--fresh-esco", action="store_true",
        help="only held-out ESCO alt labels of concepts absent from the shipped set, without the "
        "reviewed alternatives (an unreviewed check set; ESCO's own answer is the only one accepted)",
    )
    args = parser.parse_args(argv)
    skip: frozenset = frozenset()
    if args.fresh_esco:
        shipped = HERE / "tests" / "data" / "skills_labelled.csv"
        with open(shipped, encoding="utf-8") as fh:
            lines = [line for line in fh if not line.startswith("#")]
        skip = frozenset(r["expected_source_id"].split("|")[0] for r in csv.DictReader(lines) if r["origin"] == "esco_alt_heldout")
        ESCO_ALSO.clear()
    rows = build(args.reference, seed=args.seed, esco_only=args.fresh_esco, skip=skip)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        fh.write("# Labelled skill strings for `mobilite evaluate skills`; built by data/scripts/build_skills_labelled.py\n")
        fh.write("# (origins: ESCO v1.1.2 French alt labels held out, ROME 4.0 labels with CV noise, hand-written jargon;\n")
        fh.write("# expected_source_id: acceptable ids separated by |, empty = no right concept, unknown expected)\n")
        w = csv.DictWriter(fh, fieldnames=["text", "expected_source_id", "expected_label", "origin", "heldout_label"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["origin"]] = counts.get(r["origin"], 0) + 1
    print(f"{len(rows)} rows -> {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
