#!/usr/bin/env python3
"""Build the shipped demonstration sample in data/sample/ (deterministic, seeded).

    python data/scripts/build_sample.py [--reference DIR] [--out DIR] [--seed N] [--profiles N]

Inputs (read-only, see ../shared/reference/README.md): ROME 4.0 (rome4/), ESCO French
labels (esco_fr/), the Place de l'emploi public offers (pep_offres_2021/) and the
RMFP -> digital family mapping (rmfp_numerique/). Outputs:

- positions.csv  : the real PEP offers converted to the positions contract, plus the
                   hand-written illustrative senior positions of senior_positions.py
- profiles.csv   : fictional engineer profiles generated from ROME / ESCO
- provenance.csv : for each fictional profile, the ROME trade it was generated from and,
                   when seeded for one, the illustrative position it was seeded for
                   (useful to evaluate occupation inference; never read by the engine)

Running it twice with the same inputs and seed gives byte-identical files. No network,
standard library + pandas only.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
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

DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_OUT = REPO / "data" / "sample"
DEFAULT_SEED = 20260
DEFAULT_N_PROFILES = 240

REQUIRED_FILES = [
    "rome4/unix_referentiel_code_rome_v460_utf8.csv",
    "rome4/unix_referentiel_appellation_v460_utf8.csv",
    "rome4/unix_item_v460_utf8.csv",
    "rome4/unix_coherence_item_v460_utf8.csv",
    "rome4/unix_texte_v460_utf8.csv",
    "rome4/unix_referentiel_savoir_v460_utf8.csv",
    "esco_fr/digitalSkillsCollection_fr.csv",
    "esco_fr/transversalSkillsCollection_fr.csv",
    "pep_offres_2021/pep_offres_2021.jsonl",
    "rmfp_numerique/rmfp_numerique_to_dinum_family.csv",
]

# --------------------------------------------------------------------------- ministries
# Raw PEP `ministere` -> clean, short, stable label. Offers whose ministry is empty or is
# not a State ministry get a label from `versant` / `organisme` (see ministry_label()).
MINISTRY_LABELS = {
    "Ministère de l'Education Nationale de la Jeunesse et des Sports – Ministère de l'Enseignement Supérieur, de la Recherche et de l'Innovation":
        "Éducation nationale et Enseignement supérieur",
    "Ministère de l'Intérieur": "Ministère de l'Intérieur",
    "Ministères des Solidarités et de la santé": "Ministère de la Santé et des Solidarités",
    "Ministère de la Justice": "Ministère de la Justice",
    "Ministère de la Transition Ecologique et Solidaire": "Ministère de la Transition écologique",
    # shares its secrétariat général with the Transition écologique (one ministerial pole)
    "Ministère de la Cohésion des Territoires": "Ministère de la Transition écologique",
    "Ministères Economiques et Financiers": "Ministères économiques et financiers",
    "Ministère de la Culture": "Ministère de la Culture",
    "Ministère des Armées": "Ministère des Armées",
    "Ministère de l'Agriculture et de l'Alimentation": "Ministère de l'Agriculture",
    "Ministère du travail, de l'emploi et de l'insertion": "Ministère du Travail et de l'Emploi",
    "Premier Ministre": "Services du Premier ministre",
    "Institutions et Organismes indépendants": "Institutions et autorités indépendantes",
    "Centres Hospitaliers": "Fonction publique hospitalière",
    "Structures de santé (autres)": "Fonction publique hospitalière",
    "Mairie de Paris": "Fonction publique territoriale",
}
STATE_MINISTRIES = [
    "Ministère des Armées", "Ministère de l'Intérieur", "Ministères économiques et financiers",
    "Ministère de la Transition écologique", "Ministère de l'Agriculture",
    "Ministère de la Santé et des Solidarités", "Ministère de la Culture", "Ministère de la Justice",
    "Éducation nationale et Enseignement supérieur", "Services du Premier ministre",
    "Ministère du Travail et de l'Emploi",
]

REGION_FIX = {
    "Ile-de-France": "Île-de-France", "Hauts de France": "Hauts-de-France",
    "Nouvelle Aquitaine": "Nouvelle-Aquitaine", "Centre-Val deLoire": "Centre-Val de Loire",
    "Pays de La Loire": "Pays de la Loire", "DOM": "Outre-mer",
}
CATEGORY_CODES = {
    "Catégorie A+ (Encadrement supérieur)": "A+", "Catégorie A (cadre)": "A",
    "Catégorie B (profession intermédiaire)": "B", "Catégorie C (employé)": "C",
}
EXPERIENCE_YEARS = {"Débutant": 0, "Confirmé": 3, "Expert": 8}

DIGITAL_FAMILIES = ["Architecture", "Développement", "Données", "Gestion", "Infrastructure",
                    "Projet / Produit", "Serveur / Cloud", "Sécurité", "Support", "Autres"]

# ------------------------------------------------------------------------ trade groups
# Each ROME trade belongs to a group; the group gives the engineer-style vocabulary,
# matching ESCO skills, typical ministries, corps mix, families, clearances and the
# phrases of the generated summaries. Weights: relative frequency of the trade among
# the profiles that are NOT seeded from a senior position.
CORPS_GRADES = {
    "INSEE": ["administrateur", "administrateur hors classe", "administrateur général"],
    "_eng": ["ingénieur", "ingénieur en chef", "ingénieur général"],
}

GROUPS = {
    "cyber": dict(
        trades={"M1812": 3, "M1856": 3, "M1844": 2, "M1882": 2, "M1883": 1, "M1863": 1},
        corps={"Armement": 35, "Mines": 30, "Télécommunications": 8, "IPEF": 7, "Contractuel": 20},
        ministries={"Ministère des Armées": 4, "Services du Premier ministre": 3, "Ministère de l'Intérieur": 3,
                    "Ministères économiques et financiers": 2, "Ministère de la Santé et des Solidarités": 1},
        families=["Sécurité", "Infrastructure", "Architecture"],
        clearance={"none": 30, "confidentiel": 20, "secret": 40, "tres_secret": 10},
        terms=[("EBIOS RM", ["EBIOS RM", "EBIOS Risk Manager"]), ("ISO 27001", ["ISO 27001", "ISO/IEC 27001"]),
               ("SOC", ["SOC", "Security Operations Center"]), ("Homologation de sécurité", ["Homologation de sécurité", "homologation RGS"]),
               ("Gestion de crise cyber", ["Gestion de crise cyber", "crisis management"]), ("PSSI", ["PSSI"]),
               ("Pentest", ["Pentest", "tests d'intrusion"]), ("SecNumCloud", ["SecNumCloud"]),
               ("Threat intelligence", ["Threat intelligence", "CTI"]), ("Python", ["Python", "python"]),
               ("RSSI", ["RSSI"]), ("Cryptographie appliquée", ["crypto", "Cryptographie appliquée"])],
        esco=['cybersécurité', 'appliquer des politiques de sécurité liées aux TIC', 'identifier les risques de sécurité des TIC', 'effectuer des tests de sécurité des TIC', 'gérer la conformité en matière de sécurité des TIC', 'mesures de lutte contre les cyberattaques', 'évaluation des risques et des menaces', 'stratégie de sécurité de l’information', 'normes de sécurité des TIC', 'législation sur la sécurité des TIC', 'outil de test d’intrusion', 'établir un plan de sécurité des TIC'],
        state_titles=["RSSI adjoint", "Chef de la division sécurité des SI", "Expert SSI au CERT ministériel",
                      "Chef de projet homologation", "Officier de sécurité des systèmes d'information"],
        achievements=["conduit l'homologation d'une vingtaine de systèmes sensibles",
                      "coordonné la réponse à une cyberattaque par rançongiciel",
                      "mis en place un centre opérationnel de sécurité mutualisé",
                      "piloté une campagne d'audits et le plan de remédiation associé"],
        aspirations=["prendre la responsabilité de la sécurité numérique d'un ministère",
                     "rejoindre une équipe d'expertise de haut niveau en cybersécurité",
                     "élargir son champ vers l'architecture et le cloud sécurisé"]),
    "cloud": dict(
        trades={"M1860": 3, "M1839": 3, "M1827": 3, "M1879": 1, "M1878": 2, "M1822": 2, "M1843": 1},
        corps={"Mines": 30, "Armement": 20, "IPEF": 15, "Télécommunications": 5, "INSEE": 3, "Contractuel": 27},
        ministries={"Ministères économiques et financiers": 3, "Services du Premier ministre": 2, "Ministère des Armées": 2,
                    "Ministère de l'Intérieur": 2, "Ministère de la Justice": 1, "Ministère de la Transition écologique": 1},
        families=["Serveur / Cloud", "Infrastructure", "Architecture"],
        clearance={"none": 70, "confidentiel": 18, "secret": 10, "tres_secret": 2},
        terms=[("Kubernetes", ["Kubernetes", "k8s", "K8s"]), ("Terraform", ["Terraform"]), ("Ansible", ["Ansible"]),
               ("CI/CD", ["CI/CD", "GitLab CI"]), ("Linux", ["Linux", "GNU/Linux", "RHEL"]), ("Docker", ["Docker", "conteneurs"]),
               ("OpenStack", ["OpenStack"]), ("SRE", ["SRE", "Site Reliability Engineering"]), ("Observabilité", ["Observabilité", "Prometheus/Grafana"]),
               ("FinOps", ["FinOps"]), ("Virtualisation", ["Virtualisation", "VMware"]), ("ITIL", ["ITIL", "ITIL v4"])],
        esco=['DevOps', 'créer une architecture en nuage', 'déployer des ressources en nuage', 'automatiser les tâches en nuage', 'concevoir des réseaux en nuage', 'gérer des environnements TIC de virtualisation', 'concevoir un réseau informatique', 'analyser la configuration et les performances du réseau', 'mettre en œuvre la sécurité et le respect des règles en matière d’informatique en nuage', 'sécurité et conformité du nuage', 'gérer les données et le stockage dans l’informatique en nuage', 'routage de réseau'],
        state_titles=["Chef du bureau de la production informatique", "Architecte technique au SI ministériel",
                      "Responsable de la plateforme d'hébergement", "Chef du pôle infrastructures"],
        achievements=["migré une centaine d'applications vers un cloud interne",
                      "automatisé le déploiement des environnements avec une chaîne CI/CD",
                      "conçu une plateforme de conteneurs utilisée par plusieurs directions",
                      "réduit de moitié le nombre de centres de données à exploiter"],
        aspirations=["diriger une offre d'infrastructure mutualisée à l'échelle interministérielle",
                     "prendre un poste de directeur technique", "travailler sur un cloud souverain qualifié"]),
    "dev": dict(
        trades={"M1805": 2, "M1861": 2, "M1853": 1, "M1855": 1},
        corps={"Mines": 25, "Armement": 15, "IPEF": 10, "INSEE": 5, "Contractuel": 45},
        ministries={"Services du Premier ministre": 2, "Ministères économiques et financiers": 2, "Ministère de l'Intérieur": 1,
                    "Éducation nationale et Enseignement supérieur": 1, "Ministère de la Justice": 1},
        families=["Développement", "Projet / Produit", "Architecture"],
        clearance={"none": 85, "confidentiel": 10, "secret": 5, "tres_secret": 0},
        terms=[("Python", ["Python", "Python 3"]), ("Java", ["Java", "Java/Spring"]), ("TypeScript", ["TypeScript", "React"]),
               ("Git", ["Git"]), ("API REST", ["API REST", "API"]), ("PostgreSQL", ["PostgreSQL", "Postgres"]),
               ("CI/CD", ["CI/CD"]), ("Tests automatisés", ["Tests automatisés", "TDD"]), ("Docker", ["Docker"])],
        esco=['Python (programmation informatique)', 'Java (programmation informatique)', 'JavaScript', 'SQL', 'PostgreSQL', 'développement par méthode agile', 'définir l’architecture logicielle', 'modèles d’architecture logicielle', 'NoSQL', 'DevOps'],
        state_titles=["Développeur senior dans une startup d'État", "Tech lead d'un produit numérique public",
                      "Chef de projet développement"],
        achievements=["développé un service en ligne utilisé par plusieurs millions d'usagers",
                      "publié en source ouverte une bibliothèque reprise par d'autres administrations",
                      "encadré une équipe de six développeurs"],
        aspirations=["devenir responsable technique d'un produit numérique d'envergure",
                     "évoluer vers l'architecture logicielle"]),
    "data": dict(
        trades={"M1811": 3, "M1405": 3, "M1423": 2, "M1889": 3, "M1419": 1, "M1873": 1},
        corps={"Mines": 25, "INSEE": 22, "IPEF": 13, "Armement": 15, "Télécommunications": 3, "Contractuel": 22},
        ministries={"Ministères économiques et financiers": 3, "Services du Premier ministre": 2, "Ministère des Armées": 2,
                    "Ministère de la Santé et des Solidarités": 1, "Ministère de la Justice": 1, "Ministère de la Transition écologique": 1},
        families=["Données", "Développement", "Projet / Produit"],
        clearance={"none": 75, "confidentiel": 12, "secret": 12, "tres_secret": 1},
        terms=[("Python", ["Python", "Python (pandas, scikit-learn)"]), ("SQL", ["SQL"]), ("Spark", ["Spark", "PySpark"]),
               ("Machine learning", ["Machine learning", "ML", "apprentissage automatique"]), ("MLOps", ["MLOps"]),
               ("PyTorch", ["PyTorch"]), ("LLM", ["LLM", "IA générative"]), ("Airflow", ["Airflow"]), ("dbt", ["dbt"]),
               ("Gouvernance des données", ["Gouvernance des données", "data governance"]), ("Data engineering", ["Data engineering"]),
               ("Traitement automatique du langage", ["NLP", "Traitement automatique du langage"])],
        esco=['apprentissage automatique', 'utiliser l’apprentissage automatique', 'analyser des mégadonnées', 'exploration de données', 'entrepôt de données', 'effectuer un nettoyage de données', 'normaliser les données', 'principes de l’intelligence artificielle', 'réseaux neuronaux artificiels', 'créer des traitements de données', 'gérer l’architecture des données TIC', 'appliquer des techniques d’analyse statistique', 'Python (programmation informatique)', 'SQL'],
        state_titles=["Data scientist senior au laboratoire de données", "Chef du pôle data", "Administrateur ministériel des données adjoint",
                      "Responsable de la plateforme de données"],
        achievements=["mis en production un modèle de ciblage des contrôles",
                      "construit l'entrepôt de données de sa direction",
                      "lancé un service d'IA générative pour les agents",
                      "ouvert une dizaine de jeux de données de référence"],
        aspirations=["prendre la responsabilité de la stratégie des données d'une direction",
                     "diriger une équipe d'IA appliquée à l'action publique", "rapprocher la donnée des décideurs"]),
    "digital_mgmt": dict(
        trades={"M1803": 3, "M1870": 3, "M1426": 2, "M1838": 2, "M1864": 2, "M1881": 1, "M1867": 1},
        corps={"Mines": 30, "IPEF": 22, "Armement": 20, "Télécommunications": 5, "INSEE": 5, "Contractuel": 18},
        ministries={"Ministère de l'Intérieur": 2, "Ministères économiques et financiers": 2, "Ministère de la Transition écologique": 2,
                    "Ministère des Armées": 2, "Ministère de la Justice": 1, "Ministère de la Culture": 1,
                    "Ministère de l'Agriculture": 1, "Éducation nationale et Enseignement supérieur": 1,
                    "Services du Premier ministre": 1, "Ministère du Travail et de l'Emploi": 1},
        families=["Gestion", "Projet / Produit", "Architecture"],
        clearance={"none": 60, "confidentiel": 25, "secret": 13, "tres_secret": 2},
        terms=[("Pilotage de projet", ["Pilotage de projet", "gestion de projet"]), ("Management d'équipe", ["Management d'équipe", "management"]),
               ("Schéma directeur SI", ["Schéma directeur SI"]), ("Agilité", ["Agile", "SAFe", "Scrum"]),
               ("Marchés publics", ["Marchés publics", "commande publique"]), ("TOGAF", ["TOGAF"]), ("ITIL", ["ITIL"]),
               ("Conduite du changement", ["Conduite du changement", "change management"]), ("Product management", ["Product management"]),
               ("Budget", ["Pilotage budgétaire", "budget IT"]), ("Cloud", ["Cloud"])],
        esco=['gestion de projets TIC', 'gestion de projets par méthode Agile', 'méthodes de gestion de projets TIC', "cadres d'architecture TIC", 'architecture de l’information', 'stratégie de sécurité de l’information', 'gestion de projets par la méthode PRINCE2', 'tenir à jour un répertoire central de projets', 'stratégies de planification des capacités TIC'],
        state_titles=["Directeur de projet SI", "Adjoint au directeur du numérique", "Chef du département des projets applicatifs",
                      "Responsable de programme de transformation numérique", "DSI adjoint"],
        achievements=["piloté la refonte d'un système d'information de gestion de 20 M€",
                      "conduit le schéma directeur du numérique de sa direction",
                      "organisé le passage de ses équipes en mode produit",
                      "rationalisé le portefeuille applicatif en supprimant un tiers des applications"],
        aspirations=["prendre la direction du numérique d'une administration",
                     "diriger un grand programme de transformation", "exercer des fonctions de CTO ou de CDO"]),
    "telecom": dict(
        trades={"M1804": 3, "M1885": 1, "M1847": 1, "I1104": 1},
        corps={"Mines": 45, "Télécommunications": 25, "Armement": 15, "Contractuel": 15},
        ministries={"Ministère de l'Intérieur": 2, "Ministère des Armées": 2, "Ministères économiques et financiers": 1,
                    "Services du Premier ministre": 1},
        families=["Infrastructure", "Gestion"],
        clearance={"none": 55, "confidentiel": 20, "secret": 22, "tres_secret": 3},
        terms=[("5G", ["5G", "4G/5G"]), ("Fibre optique", ["Fibre optique", "FTTH"]), ("Spectre radioélectrique", ["Gestion du spectre", "fréquences"]),
               ("IP/MPLS", ["IP/MPLS"]), ("SD-WAN", ["SD-WAN"]), ("Réseaux radio", ["Réseaux radio", "PMR"])],
        esco=['concepts des télécommunications', 'génie des télécommunications', 'gestion des liaisons de télécommunication', 'analyser les besoins en bande passante réseau', 'concevoir un réseau informatique', 'mettre en place un réseau privé virtuel', 'routage de réseau', 'équipement d’interconnexion réseau'],
        state_titles=["Chef du bureau des réseaux", "Chef de projet réseau radio", "Responsable des réseaux et télécommunications"],
        achievements=["déployé un réseau radio sur l'ensemble d'un territoire régional",
                      "conduit l'attribution de bandes de fréquences", "renouvelé le réseau étendu d'un ministère"],
        aspirations=["piloter un programme de réseau critique", "rejoindre une direction du numérique"]),
    "stats": dict(
        trades={"M1414": 4, "M1403": 3, "M1422": 2, "M1409": 2, "K2403": 1},
        corps={"INSEE": 70, "IPEF": 10, "Mines": 8, "Contractuel": 12},
        ministries={"Ministères économiques et financiers": 4, "Ministère de la Santé et des Solidarités": 1,
                    "Ministère du Travail et de l'Emploi": 1, "Ministère de la Transition écologique": 1,
                    "Éducation nationale et Enseignement supérieur": 1, "Ministère de l'Agriculture": 1},
        families=["Statistique et études économiques", "Données"],
        clearance={"none": 92, "confidentiel": 6, "secret": 2, "tres_secret": 0},
        terms=[("R", ["R", "R (tidyverse)"]), ("SAS", ["SAS"]), ("Python", ["Python"]), ("Économétrie", ["Économétrie"]),
               ("Sondages", ["Théorie des sondages", "enquêtes par sondage"]), ("Comptabilité nationale", ["Comptabilité nationale"]),
               ("Séries temporelles", ["Séries temporelles"]), ("Statistique publique", ["Statistique publique"]),
               ("Secret statistique", ["Secret statistique"]), ("Évaluation des politiques publiques", ["Évaluation des politiques publiques"])],
        esco=['appliquer des techniques d’analyse statistique', "logiciel de système d'analyse statistique", 'développer des logiciels de statistique', 'effectuer une analyse de données', 'exploration de données', 'gérer des données quantitatives', 'effectuer un nettoyage de données', 'analyser des mégadonnées'],
        state_titles=["Chef de division à l'INSEE", "Chef du bureau des études statistiques", "Adjoint au chef de département",
                      "Économiste statisticien"],
        achievements=["refondu la méthode d'une enquête nationale",
                      "publié des études reprises dans le débat public",
                      "modernisé une chaîne de production statistique en R",
                      "dirigé une équipe de douze chargés d'études"],
        aspirations=["diriger un service statistique ministériel", "rejoindre une équipe de science des données",
                     "exercer des responsabilités d'encadrement plus larges"]),
    "industry": dict(
        trades={"H1206": 3, "H1218": 3, "H1102": 2, "H1241": 1, "H1502": 1, "H2502": 1, "M1892": 2},
        corps={"Mines": 50, "Armement": 30, "IPEF": 8, "Contractuel": 12},
        ministries={"Ministères économiques et financiers": 3, "Ministère des Armées": 3, "Services du Premier ministre": 1,
                    "Éducation nationale et Enseignement supérieur": 1},
        families=["Politique industrielle", "Programmes d'armement", "Recherche et innovation"],
        clearance={"none": 55, "confidentiel": 20, "secret": 22, "tres_secret": 3},
        terms=[("Politique industrielle", ["Politique industrielle"]), ("Aides d'État", ["Aides d'État"]),
               ("Analyse de filières industrielles", ["Analyse de filières", "analyse de filières industrielles"]),
               ("France 2030", ["France 2030"]), ("Ingénierie système", ["Ingénierie système", "systems engineering"]),
               ("Supply chain", ["Supply chain"]), ("Semi-conducteurs", ["Semi-conducteurs"]), ("Négociation", ["Négociation avec les industriels"])],
        esco=['ingénierie des systèmes basée sur des modèles', 'identifier les besoins technologiques', 'technologie de l’automatisation', 'appliquer la rétro-ingénierie', 'ingénierie d’instrumentation'],
        state_titles=["Chargé de mission filières industrielles", "Chef du bureau des industries de santé", "Ingénieur de programme",
                      "Chef du pôle développement économique en DREETS"],
        achievements=["accompagné l'implantation d'une usine de batteries",
                      "instruit une vingtaine de dossiers d'aides à l'investissement industriel",
                      "conduit une revue de programme jusqu'à la décision de lancement",
                      "suivi la restructuration d'un sous-traitant stratégique"],
        aspirations=["prendre la direction d'un service de politique industrielle",
                     "piloter un programme d'investissement d'avenir", "rejoindre la DGE"]),
    "defence": dict(
        trades={"H1218": 2, "H1206": 2, "M1892": 2, "M1870": 1},
        corps={"Armement": 80, "Mines": 10, "Contractuel": 10},
        ministries={"Ministère des Armées": 8, "Services du Premier ministre": 1},
        families=["Programmes d'armement", "Gestion"],
        clearance={"none": 5, "confidentiel": 15, "secret": 65, "tres_secret": 15},
        terms=[("Conduite de programme d'armement", ["Conduite de programme", "conduite de programme d'armement"]),
               ("Ingénierie système", ["Ingénierie système"]), ("Maîtrise des risques programme", ["Maîtrise des risques programme", "risk management"]),
               ("MCO", ["MCO", "maintien en condition opérationnelle"]), ("Essais", ["Essais et expertise", "essais"]),
               ("Négociation avec les industriels", ["Négociation avec les industriels"]), ("Systèmes de drones", ["Drones", "systèmes de drones"])],
        esco=['ingénierie des systèmes basée sur des modèles', 'acquérir des composants système', 'traitement du signal', 'technologie de transmission', 'cybersécurité'],
        state_titles=["Manager de programme à la DGA", "Architecte système à la DGA", "Chef de projet essais",
                      "Adjoint au directeur d'unité de management"],
        achievements=["conduit le lancement en réalisation d'un programme de missiles",
                      "dirigé une campagne d'essais en vol", "négocié un avenant majeur avec un maître d'œuvre industriel"],
        aspirations=["devenir directeur de programme", "rejoindre une coopération européenne d'armement"]),
    "energy_risk": dict(
        trades={"H1301": 3, "H1304": 2, "H1306": 2, "H1237": 3, "F1113": 2, "H1523": 1},
        corps={"Mines": 55, "IPEF": 32, "Armement": 5, "Contractuel": 8},
        ministries={"Ministère de la Transition écologique": 6, "Ministères économiques et financiers": 1,
                    "Ministère de l'Intérieur": 1},
        families=["Environnement et prévention des risques", "Énergie"],
        clearance={"none": 60, "confidentiel": 28, "secret": 10, "tres_secret": 2},
        terms=[("Installations classées (ICPE)", ["ICPE", "Installations classées (ICPE)"]),
               ("Risques technologiques", ["Risques technologiques", "risques industriels"]), ("Directive Seveso", ["Seveso"]),
               ("Sûreté nucléaire", ["Sûreté nucléaire"]), ("Réseaux électriques", ["Réseaux électriques", "système électrique"]),
               ("Hydrogène", ["Hydrogène"]), ("Marchés de l'électricité", ["Marchés de l'électricité"]),
               ("Inspection", ["Inspection des installations classées"]), ("Transition énergétique", ["Transition énergétique"])],
        esco=['gérer un système de management environnemental', 'évaluation des risques et des menaces', 'politique de gestion interne des risques', 'cartographier des risques'],
        state_titles=["Chef d'unité départementale en DREAL", "Inspecteur des installations classées",
                      "Chef du bureau de la sûreté des installations", "Chargé de mission énergies renouvelables"],
        achievements=["dirigé une unité départementale d'inspection des installations classées",
                      "géré les suites d'un accident industriel majeur",
                      "instruit les appels d'offres pour l'éolien en mer",
                      "élaboré un plan de prévention des risques technologiques"],
        aspirations=["prendre la direction adjointe d'une DREAL", "rejoindre une direction générale d'administration centrale",
                     "travailler sur la planification énergétique"]),
    "environment": dict(
        trades={"A1312": 2, "A1313": 2, "A1307": 3, "A1303": 2, "A1306": 2, "F1124": 1, "M1888": 1},
        corps={"IPEF": 78, "Mines": 8, "Contractuel": 14},
        ministries={"Ministère de l'Agriculture": 4, "Ministère de la Transition écologique": 4,
                    "Éducation nationale et Enseignement supérieur": 1},
        families=["Agriculture et forêts", "Environnement et prévention des risques"],
        clearance={"none": 90, "confidentiel": 8, "secret": 2, "tres_secret": 0},
        terms=[("SIG", ["SIG", "QGIS"]), ("Gestion de l'eau", ["Gestion de l'eau", "politique de l'eau"]),
               ("Biodiversité", ["Biodiversité"]), ("Politique agricole commune", ["PAC", "Politique agricole commune"]),
               ("Forêt", ["Filière bois", "gestion forestière"]), ("Adaptation au changement climatique", ["Adaptation au changement climatique"]),
               ("Évaluation environnementale", ["Évaluation environnementale"]), ("Télédétection", ["Télédétection"])],
        esco=["systèmes d'information géographique", "utiliser des systèmes d'information géographique", 'analyser des données écologiques', 'compiler les données d’un SIG', 'rédiger des rapports avec un SIG', 'faire des recherches sur les technologies de télédétection', 'gérer un système de management environnemental'],
        state_titles=["Chef du service eau et biodiversité en DDT", "Chef du service forêt en DRAAF", "Chargé de mission PAC",
                      "Adjoint au sous-directeur de la forêt"],
        achievements=["piloté un plan régional de renouvellement forestier",
                      "conduit la révision d'un schéma d'aménagement et de gestion des eaux",
                      "instruit la programmation régionale des aides de la PAC"],
        aspirations=["prendre une sous-direction en administration centrale", "travailler sur l'adaptation au changement climatique",
                     "rejoindre un service déconcentré en région"]),
    "health": dict(
        trades={"M1880": 2, "H1105": 1, "K1414": 1, "H1216": 1},
        corps={"IPEF": 15, "Mines": 20, "INSEE": 15, "Contractuel": 50},
        ministries={"Ministère de la Santé et des Solidarités": 5, "Ministère du Travail et de l'Emploi": 1},
        families=["Santé publique", "Projet / Produit", "Données"],
        clearance={"none": 92, "confidentiel": 6, "secret": 2, "tres_secret": 0},
        terms=[("Interopérabilité", ["HL7 FHIR", "interopérabilité"]), ("SNDS", ["SNDS"]), ("HDS", ["HDS"]),
               ("Données de santé", ["Données de santé"]), ("RGPD", ["RGPD"])],
        esco=['protéger des données à caractère personnel et la vie privée', 'effectuer une analyse de données', 'analyser des mégadonnées', 'gestion de projets TIC'],
        state_titles=["Chef de projet numérique en santé en ARS", "Chargé de mission données de santé", "Responsable SI de santé"],
        achievements=["déployé un service numérique dans les établissements d'une région",
                      "piloté un entrepôt de données de santé"],
        aspirations=["rejoindre la délégation au numérique en santé", "piloter un projet national de données de santé"]),
    "public_mgmt": dict(
        trades={"K1401": 3, "K1422": 1, "M1402": 2, "M1429": 1, "K1404": 2},
        corps={"IPEF": 35, "Mines": 28, "Armement": 12, "INSEE": 15, "Contractuel": 10},
        ministries={"Ministère de la Transition écologique": 2, "Ministères économiques et financiers": 2,
                    "Ministère de l'Agriculture": 1, "Ministère de l'Intérieur": 1, "Services du Premier ministre": 1,
                    "Ministère du Travail et de l'Emploi": 1},
        families=["Gestion", "Politique industrielle"],
        clearance={"none": 70, "confidentiel": 20, "secret": 9, "tres_secret": 1},
        terms=[("Pilotage budgétaire", ["Pilotage budgétaire (LOLF)", "LOLF"]), ("Management", ["Management", "management d'équipe"]),
               ("Conduite du changement", ["Conduite du changement"]), ("Dialogue social", ["Dialogue social"]),
               ("Légistique", ["Légistique"]), ("Négociation", ["Négociation"]), ("Politiques publiques", ["Politiques publiques"])],
        esco=['gestion de projets par méthode Agile', 'gestion de projets TIC', 'définir une stratégie d’intégration', 'gérer des données, des informations et des contenus numériques'],
        state_titles=["Secrétaire général adjoint de préfecture", "Directeur départemental adjoint des territoires",
                      "Conseiller technique en cabinet ministériel", "Sous-directeur adjoint"],
        achievements=["dirigé une direction départementale de deux cents agents",
                      "conduit une réorganisation de services", "conseillé un ministre sur les sujets industriels"],
        aspirations=["prendre la direction d'un service déconcentré", "exercer des fonctions de chef de service",
                     "revenir à des sujets plus techniques"]),
    "intel": dict(
        trades={"M1420": 1, "M1424": 1},
        corps={"Mines": 40, "Armement": 40, "Télécommunications": 10, "INSEE": 10},
        ministries={"Services du Premier ministre": 2, "Ministères économiques et financiers": 2, "Ministère des Armées": 1},
        families=["Politique industrielle"],
        clearance={"none": 20, "confidentiel": 20, "secret": 50, "tres_secret": 10},
        terms=[("Sécurité économique", ["Sécurité économique"]), ("Contrôle des investissements étrangers", ["Contrôle IEF"]),
               ("Intelligence économique", ["Intelligence économique"])],
        esco=['effectuer une analyse de données', 'évaluation des risques et des menaces', 'stratégie de sécurité de l’information', 'collecter des données en matière de cyberdéfense'],
        state_titles=["Délégué à l'information stratégique et à la sécurité économiques", "Chargé de mission sécurité économique"],
        achievements=["instruit des dossiers de contrôle des investissements étrangers"],
        aspirations=["conseiller les autorités sur les technologies stratégiques"]),
    # engineers in trades that none of the illustrative senior posts asks for: they keep
    # the shortlists honest (not every profile fits somewhere)
    "other": dict(
        trades={"F1111": 2, "K1807": 2, "M1809": 1, "N2202": 1, "K2402": 2, "F1127": 1, "K2407": 1, "F1106": 1, "I1102": 1},
        corps={"IPEF": 50, "Mines": 15, "Armement": 10, "Contractuel": 25},
        ministries={"Ministère de la Transition écologique": 4, "Éducation nationale et Enseignement supérieur": 2,
                    "Ministère de l'Agriculture": 1, "Ministère des Armées": 1},
        families=["Transports et infrastructures", "Recherche et innovation", "Environnement et prévention des risques"],
        clearance={"none": 85, "confidentiel": 10, "secret": 5, "tres_secret": 0},
        terms=[("BIM", ["BIM"]), ("Maîtrise d'ouvrage", ["Maîtrise d'ouvrage publique"]), ("Aménagement", ["Aménagement du territoire"]),
               ("Recherche", ["Recherche appliquée"]), ("Modélisation", ["Modélisation numérique"])],
        esco=["systèmes d'information géographique", "utiliser des systèmes d'information géographique", 'modélisation des données du bâtiment', 'utiliser des outils logiciels pour la modélisation de sites', 'gestion de projets TIC'],
        state_titles=["Chef du service aménagement en DDT", "Chef de projet routier en DIR", "Ingénieur de recherche dans un établissement public",
                      "Chef de la subdivision aéroportuaire"],
        achievements=["conduit la maîtrise d'ouvrage d'une opération routière de 80 M€",
                      "publié des travaux de recherche appliquée", "piloté un plan local d'urbanisme intercommunal"],
        aspirations=["continuer dans son domaine technique en région", "prendre un poste d'encadrement dans son service"]),
}

TRANSVERSAL_ESCO = [
    "travailler en équipe", "diriger d’autres personnes", "prendre des décisions", "résoudre les problèmes",
    "réfléchir de manière analytique", "négocier des compromis", "s’adresser à un auditoire", "penser de manière innovante",
    "s'adapter au changement", "planifier", "déléguer des responsabilités", "faire preuve d’initiative",
    "penser de manière critique", "construire un esprit d’équipe", "gérer le temps",
]

FIRST_NAMES = {
    "F": ["Camille", "Claire", "Julie", "Sophie", "Marion", "Léa", "Anne", "Hélène", "Pauline", "Sarah", "Laure",
          "Chloé", "Émilie", "Charlotte", "Inès", "Clémence", "Mathilde", "Nadia", "Élise", "Agathe"],
    "M": ["Thomas", "Nicolas", "Julien", "Antoine", "Pierre", "Guillaume", "Maxime", "Alexandre", "Romain", "Karim",
          "Vincent", "Mathieu", "Hugo", "Olivier", "Benoît", "Adrien", "Yann", "Louis", "Paul", "Étienne"],
}
NAME_HEADS = ["Bel", "Mar", "Vau", "Ker", "Lan", "Dur", "Fon", "Gar", "Mor", "Tes", "Rou", "Vil", "Cas", "Lor",
              "Bra", "Sal", "Pel", "Cor", "Dam", "Jou", "Lem", "Ner", "Quen", "Tal"]
NAME_TAILS = ["andel", "elin", "ivier", "otte", "acq", "eron", "oux", "ardin", "ennec", "ignac", "ault", "esse",
              "ombe", "ilhac", "uzet", "anrey", "orel", "ival"]

LOCATIONS = {  # profile location -> weight ("Département (NN), Région", same format as positions)
    "Paris (75), Île-de-France": 48, "Hauts-de-Seine (92), Île-de-France": 8, "Yvelines (78), Île-de-France": 3,
    "Essonne (91), Île-de-France": 2, "Rhône (69), Auvergne-Rhône-Alpes": 7, "Haute-Garonne (31), Occitanie": 6,
    "Ille-et-Vilaine (35), Bretagne": 5, "Gironde (33), Nouvelle-Aquitaine": 4, "Nord (59), Hauts-de-France": 3,
    "Bouches-du-Rhône (13), Provence-Alpes-Côte d'Azur": 4, "Bas-Rhin (67), Grand Est": 3,
    "Loire-Atlantique (44), Pays de la Loire": 3, "Loiret (45), Centre-Val de Loire": 2, "Moselle (57), Grand Est": 2,
}
WISHED_PLACES = ["Paris", "Île-de-France", "Rhône", "Auvergne-Rhône-Alpes", "Occitanie", "Bretagne",
                 "Nouvelle-Aquitaine", "Hauts-de-France", "Provence-Alpes-Côte d'Azur", "Grand Est",
                 "Pays de la Loire", "Centre-Val de Loire"]
LEVEL_WORDS = {1: "notions", 2: "intermédiaire", 3: "avancé", 4: "expert"}


# ============================================================================ helpers
def fail(msg: str) -> None:
    print(f"build_sample: error: {msg}", file=sys.stderr)
    raise SystemExit(2)


def unescape(s):
    return s.replace("''", "'") if isinstance(s, str) else s


def clean_ws(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def clean_text(s: str) -> str:
    s = (s or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    s = "\n".join(line.rstrip() for line in s.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", s).strip()


def skill_name(s: str) -> str:
    """A skill name that cannot break the 'a:1; b:2' list syntax."""
    return clean_ws(s.replace(";", ",").replace(":", " -"))


def fmt_skills(items) -> str:
    out = []
    for name, level in items:
        out.append(f"{name}:{level}" if level else name)
    return "; ".join(out)


def ascii_slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", s)


def norm_key(s: str) -> str:
    s = unicodedata.normalize("NFKC", s or "").replace("’", "'").lower()
    s = re.sub(r"\s*/\s*", "/", s)
    return clean_ws(s)


def wchoice(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def iso_from_fr(s: str) -> str:
    s = (s or "").strip()
    if not s:
        return ""
    return dt.datetime.strptime(s.split(" ")[0], "%d/%m/%Y").date().isoformat()


def words(s: str) -> int:
    return len(re.findall(r"\w+", s))


# ======================================================================== reference
class Reference:
    def __init__(self, root: Path):
        missing = [f for f in REQUIRED_FILES if not (root / f).is_file()]
        if not root.is_dir():
            fail(f"reference folder not found: {root}\n"
                 "  (expected the public reference data, see ../shared/reference/README.md; "
                 "pass --reference DIR)")
        if missing:
            fail(f"reference folder {root} is incomplete, missing:\n  " + "\n  ".join(missing))
        self.root = root
        r = lambda f: pd.read_csv(root / f, dtype=str, keep_default_na=False).map(unescape)  # noqa: E731
        self.codes = r("rome4/unix_referentiel_code_rome_v460_utf8.csv").set_index("code_rome")
        self.appellations = r("rome4/unix_referentiel_appellation_v460_utf8.csv")
        items = r("rome4/unix_item_v460_utf8.csv")
        coherence = r("rome4/unix_coherence_item_v460_utf8.csv")
        savoir = r("rome4/unix_referentiel_savoir_v460_utf8.csv")
        self.texts = r("rome4/unix_texte_v460_utf8.csv")
        certs = set(savoir.loc[savoir.categorie_savoir == "Certifications et habilitations", "code_ogr_savoir"])
        m = coherence.merge(items, on="code_ogr", how="left")
        m = m[(m.libelle != "") & ~m.code_ogr.isin(certs)]
        # drop diploma-like labels that slip through as 'savoirs'
        m = m[~m.libelle.str.contains(r"^(?:Master|Licence|Diplôme|BTS|DUT|Titre|Certificat)\b|diplômé", regex=True)]
        m = m.sort_values(["code_rome", "code_ogr"], kind="mergesort")
        self.items = m
        self.digital = r("esco_fr/digitalSkillsCollection_fr.csv")
        self.transversal = r("esco_fr/transversalSkillsCollection_fr.csv")
        self.rmfp = r("rmfp_numerique/rmfp_numerique_to_dinum_family.csv")
        with open(root / "pep_offres_2021/pep_offres_2021.jsonl", encoding="utf-8") as fh:
            self.pep = [json.loads(line) for line in fh if line.strip()]

    def check_code(self, code: str) -> None:
        if code not in self.codes.index:
            fail(f"ROME code {code} used by the sample definitions is not in the reference")

    def label(self, code: str) -> str:
        return self.codes.at[code, "libelle_rome"]

    def trade_items(self, code: str):
        g = self.items[self.items.code_rome == code]
        core = [skill_name(x) for x in g.loc[g.coeur_metier == "Principale", "libelle"]]
        other = [skill_name(x) for x in g.loc[(g.coeur_metier != "Principale") & g.code_rubrique.isin(["1", "3"]), "libelle"]]
        soft = [skill_name(x) for x in g.loc[(g.coeur_metier != "Principale") & (g.code_rubrique == "2"), "libelle"]]
        return core, other, soft

    def definitions(self, code: str):
        t = self.texts[(self.texts.code_rome == code) & (self.texts.libelle_type_texte == "definition")]
        t = t.assign(pos=t.position_phrase.astype(int)).sort_values("pos")
        return [clean_ws(x) for x in t.libelle_texte]

    def trade_titles(self, code: str):
        a = self.appellations[(self.appellations.code_rome == code) & (self.appellations.peu_usite != "O")]
        titles = [clean_ws(x) for x in a.libelle_appellation_court]
        return sorted(dict.fromkeys(titles)) or [self.label(code)]


# ========================================================================= positions
def ministry_label(o: dict) -> str:
    raw = clean_ws(o.get("ministere", ""))
    if raw in MINISTRY_LABELS:
        return MINISTRY_LABELS[raw]
    if raw:
        fail(f"unknown PEP ministry {raw!r}: add it to MINISTRY_LABELS")
    versant = (o.get("versant") or o.get("versant_libelle") or "").lower()
    org = (o.get("organisme") or "").lower()
    if "hospital" in versant:
        return "Fonction publique hospitalière"
    if "territorial" in versant:
        return "Fonction publique territoriale"
    if re.search(r"école|ecole|université|universite|enseignement|recherche", org):
        return "Éducation nationale et Enseignement supérieur"
    return "Autres employeurs publics"


def clearance_from_text(text: str) -> str:
    t = text.lower()
    if re.search(r"habilitation[^.\n]{0,40}secret|secret[- ]défense|habilitable au secret|très secret", t):
        return "secret"
    if re.search(r"habilitation[^.\n]{0,40}confidentiel|confidentiel[- ]défense|habilitable", t):
        return "confidentiel"
    return "none"


POSITION_COLUMNS = ["position_id", "illustrative", "ministry", "employer", "title", "description",
                    "profile_sought", "required_skills", "desired_skills", "job_family", "rmfp_reference",
                    "category", "location", "remote_days", "eligible_corps", "grade_min", "start_date",
                    "experience_years", "clearance_required", "openings"]


def build_positions(ref: Reference, log):
    fam = {norm_key(r.rmfp_emploi_reference): r.famille_metiers_numeriques for r in ref.rmfp.itertuples()}
    rows, seen = [], {}
    duplicates = []
    for o in ref.pep:
        pid = f"PEP-{o['offer_id']}"
        if pid in seen:
            if seen[pid] == o:
                duplicates.append(pid)
                continue  # the source holds an exact duplicate line of this offer
            fail(f"two different PEP offers share the id {pid}")
        seen[pid] = o
        region = REGION_FIX.get(clean_ws(o.get("region")), clean_ws(o.get("region")))
        dep = clean_ws(o.get("departement"))
        location = ", ".join(x for x in (dep, region) if x)
        rmfp = clean_ws(o.get("emploi_reference_rmfp"))
        text = " ".join([o.get("titre", ""), o.get("description_poste", ""), o.get("description_profil", "")])
        rows.append({
            "position_id": pid, "illustrative": "non", "ministry": ministry_label(o),
            "employer": clean_ws(o.get("direction")) or clean_ws(o.get("organisme")),
            "title": clean_ws(o.get("titre")),
            "description": clean_text(o.get("description_poste")),
            "profile_sought": clean_text(o.get("description_profil")),
            "required_skills": "", "desired_skills": "",
            "job_family": fam.get(norm_key(rmfp), ""), "rmfp_reference": rmfp,
            "category": CATEGORY_CODES.get(clean_ws(o.get("categorie")), ""),
            "location": location, "remote_days": "", "eligible_corps": "", "grade_min": "",
            "start_date": iso_from_fr(o.get("date_prise_poste")),
            "experience_years": str(EXPERIENCE_YEARS[o["niveau_experience"]]) if o.get("niveau_experience") in EXPERIENCE_YEARS else "",
            "clearance_required": clearance_from_text(text), "openings": "1",
        })
    log["pep_lines"] = len(ref.pep)
    log["pep_duplicates"] = duplicates
    allowed_fam = set(DIGITAL_FAMILIES) | set(senior_positions.NON_DIGITAL_FAMILIES)
    for p in senior_positions.POSITIONS:
        n = words(p["description"])
        if not 80 <= n <= 200:
            fail(f"illustrative position {p['key']}: description has {n} words (80-200 expected)")
        if p["job_family"] not in allowed_fam:
            fail(f"illustrative position {p['key']}: unknown job family {p['job_family']!r}")
        if p["ministry"] not in STATE_MINISTRIES:
            fail(f"illustrative position {p['key']}: unknown ministry {p['ministry']!r}")
        if not (5 <= len(p["required"]) <= 8 and 2 <= len(p["desired"]) <= 5):
            fail(f"illustrative position {p['key']}: 5-8 required and 2-5 desired skills expected")
        for c in p["trades"]:
            ref.check_code(c)
        rows.append({
            "position_id": f"ILL-{p['key']}", "illustrative": "oui", "ministry": p["ministry"],
            "employer": p["employer"], "title": p["title"], "description": p["description"],
            "profile_sought": "",
            "required_skills": fmt_skills((skill_name(n), l) for n, l in p["required"]),
            "desired_skills": fmt_skills((skill_name(n), l) for n, l in p["desired"]),
            "job_family": p["job_family"], "rmfp_reference": "", "category": "A+",
            "location": p["location"], "remote_days": str(p["remote"]), "eligible_corps": p["corps"],
            "grade_min": p["grade_min"], "start_date": p["start"], "experience_years": "",
            "clearance_required": p["clearance"], "openings": str(p["openings"]),
        })
    return pd.DataFrame(rows, columns=POSITION_COLUMNS)


# ========================================================================== profiles
PROFILE_COLUMNS = ["profile_id", "full_name", "email", "gender", "birth_year", "corps", "grade",
                   "current_ministry", "current_position", "location", "years_experience", "skills",
                   "summary", "wished_ministries", "wished_locations", "wished_families",
                   "available_from", "clearance", "open_to_mobility", "consent_share_identity"]


def group_of(code: str) -> str:
    for g, spec in GROUPS.items():
        if code in spec["trades"]:
            return g
    # trades only named by a senior position: attach them to the closest group
    return {"M1873": "data", "M1883": "cyber", "M1863": "cyber", "M1879": "cloud", "M1878": "cloud",
            "M1822": "cloud", "M1885": "telecom", "M1419": "data", "K2403": "stats", "K1414": "health",
            "M1420": "intel", "M1424": "intel", "M1881": "digital_mgmt"}.get(code, "other")


def level_for(rng, years, core=True):
    base = 1 + (years >= 4) + (years >= 10) + (core and years >= 16)
    lvl = base + rng.choice([-1, 0, 0, 0, 1]) + (1 if core and rng.random() < 0.3 else 0)
    return max(1, min(4, lvl))


def make_skills(rng, ref, code, group, years, esco_pool, seed_pos=None):
    core, other, soft = ref.trade_items(code)
    spec = GROUPS[group]
    picked = []  # (display, level or None)
    if seed_pos and rng.random() < 0.75:
        # a candidate seeded for a post often writes some of the post's skills himself,
        # at a level around (sometimes below) the one asked
        wanted = list(seed_pos["required"]) + list(seed_pos["desired"])
        for name, lvl in rng.sample(wanted, rng.randint(2, 4)):
            picked.append((skill_name(name), max(1, min(4, lvl + rng.choice([-1, -1, 0, 0, 0, 1])))))
    n_core = min(len(core), rng.randint(3, 5))
    for s in rng.sample(core, n_core):
        picked.append((s, level_for(rng, years, True)))
    n_other = min(len(other), rng.randint(1, 3))
    for s in rng.sample(other, n_other):
        picked.append((s, level_for(rng, years, False)))
    if soft and rng.random() < 0.3:
        picked.append((rng.choice(soft), None))
    if esco_pool and rng.random() < 0.8:
        picked.append((rng.choice(esco_pool), level_for(rng, years, False)))
    if rng.random() < 0.5:
        picked.append((rng.choice(TRANSVERSAL_ESCO), level_for(rng, years, False)))
    # engineer-style vocabulary: acronyms, English, "(avancé)" instead of a level
    n_terms = min(len(spec["terms"]), rng.randint(1, 3))
    for _, variants in rng.sample(spec["terms"], n_terms):
        name = rng.choice(variants)
        lvl = level_for(rng, years, True)
        r = rng.random()
        if r < 0.25:
            picked.append((f"{name} ({LEVEL_WORDS[lvl]})", None))
        elif r < 0.35:
            picked.append((name, None))
        else:
            picked.append((name, lvl))
    # unique (case-insensitive), 6-12 items, and some levels dropped at random
    out, seen = [], set()
    for name, lvl in picked:
        k = name.lower()
        if k in seen:
            continue
        seen.add(k)
        if lvl is not None and rng.random() < 0.08:
            lvl = None
        out.append((name, lvl))
    while len(out) < 6 and other:
        s = rng.choice(other)
        if s.lower() not in seen:
            seen.add(s.lower())
            out.append((s, level_for(rng, years, False)))
    out = out[:12]
    rng.shuffle(out)
    return out


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s and not s[:2].isupper() else s


def make_summary(rng, ref, code, group, corps, grade, years, position, ministry, skills, wishes):
    spec = GROUPS[group]
    defs = ref.definitions(code)
    strong = [n for n, _ in skills if len(n) < 60][:3] or [skills[0][0]]
    if corps == "Contractuel":
        who = "Agent contractuel de niveau A+"
    elif corps == "INSEE":
        who = f"{grade.capitalize()} de l'INSEE"
    elif corps == "Télécommunications":
        who = f"{grade.capitalize()} issu du corps des télécommunications (fusionné dans le corps des mines)"
    else:
        who = f"{grade.capitalize()} " + {"IPEF": "des ponts, des eaux et des forêts", "Mines": "des mines",
                                           "Armement": "de l'armement"}.get(corps, f"du corps {corps}")
    pos = position if ("/" in position or position[:2].isupper()) else lower_first(position)
    s1 = rng.choice([
        f"{who}, {years} ans d'expérience, actuellement {pos} ({ministry}).",
        f"{who}, en poste comme {pos} ({ministry}), avec {years} ans d'expérience professionnelle.",
        f"{years} ans d'expérience, dont les dernières années comme {pos} ({ministry}) ; {lower_first(who)}.",
    ])
    sentences = [s1]
    if defs:
        sentences.append(rng.choice(["Métier exercé : ", "Au quotidien : ", "Missions : "]) + defs[0].rstrip(".") + ".")
    sentences.append(f"A notamment {rng.choice(spec['achievements'])}.")
    if len(strong) >= 3 and rng.random() < 0.6:
        sentences.append(f"Points forts : {strong[0]}, {strong[1]} et {strong[2]}.")
    asp = rng.choice(spec["aspirations"])
    if wishes and rng.random() < 0.6:
        sentences.append(f"Souhaite {asp}, de préférence au sein de : {', '.join(wishes)}.")
    else:
        sentences.append(f"Souhaite {asp}.")
    return " ".join(sentences)


def grade_for(rng, corps, years):
    if corps == "Contractuel":
        return ""
    ladder = CORPS_GRADES["INSEE"] if corps == "INSEE" else CORPS_GRADES["_eng"]
    if years < 9:
        return ladder[0]
    if years < 12:
        return ladder[1] if rng.random() < 0.7 else ladder[0]
    if years < 20:
        return ladder[1]
    return ladder[2] if rng.random() < 0.45 else ladder[1]


def random_date(rng, start: dt.date, end: dt.date) -> str:
    return (start + dt.timedelta(days=rng.randint(0, (end - start).days))).isoformat()


def build_profiles(ref: Reference, rng: random.Random, n_total: int, log):
    digital_ok = set(ref.digital.preferredLabel)
    transversal_ok = set(ref.transversal.preferredLabel)
    missing = [t for t in TRANSVERSAL_ESCO if t not in transversal_ok]
    missing += [t for spec in GROUPS.values() for t in spec["esco"] if t not in digital_ok]
    if missing:
        fail(f"ESCO labels used by the sample definitions not found in the reference: {missing}")
    esco_pools = {g: list(spec["esco"]) for g, spec in GROUPS.items()}
    for g, spec in GROUPS.items():
        for c in spec["trades"]:
            ref.check_code(c)

    # plan: 2 profiles seeded per illustrative senior position, the rest drawn from all trades
    plan = []
    for p in senior_positions.POSITIONS:
        for _ in range(2):
            plan.append((rng.choice(p["trades"]), p))
    if len(plan) > n_total:
        fail(f"--profiles must be at least {len(plan)}")
    all_trades = {}
    for g, spec in GROUPS.items():
        for c, w in spec["trades"].items():
            all_trades[c] = all_trades.get(c, 0) + w
    while len(plan) < n_total:
        plan.append((wchoice(rng, all_trades), None))
    rng.shuffle(plan)

    rows, prov = [], []
    used_names = set()
    for i, (code, seed_pos) in enumerate(plan, start=1):
        group = group_of(code)
        spec = GROUPS[group]
        gender = "F" if rng.random() < 0.35 else "M"
        birth_year = rng.randint(1965, 1998)
        years = max(1, 2026 - birth_year - rng.randint(23, 26))
        corps = wchoice(rng, {c: (w * 0.5 if c == "Contractuel" else w) for c, w in spec["corps"].items()})
        if seed_pos and seed_pos["corps"] and rng.random() < 0.7:
            corps = rng.choice([c.strip() for c in seed_pos["corps"].split(";")])
        grade = grade_for(rng, corps, years)
        ministry = wchoice(rng, spec["ministries"])
        if rng.random() < 0.1:
            ministry = rng.choice(STATE_MINISTRIES)
        if rng.random() < 0.55:
            position = rng.choice(ref.trade_titles(code))
        else:
            position = rng.choice(spec["state_titles"])
        location = wchoice(rng, LOCATIONS)
        skills = make_skills(rng, ref, code, group, years, esco_pools[group], seed_pos)
        # wishes
        n_wm = rng.choice([0, 1, 1, 2, 2, 3])
        wm = []
        for _ in range(n_wm):  # mostly ministries where the trade is employed, sometimes any
            m = wchoice(rng, spec["ministries"]) if rng.random() < 0.7 else rng.choice(STATE_MINISTRIES)
            if m not in wm and (m != ministry or rng.random() < 0.3):
                wm.append(m)
        if seed_pos and rng.random() < 0.5 and seed_pos["ministry"] not in wm and seed_pos["ministry"] != ministry:
            wm = ([seed_pos["ministry"]] + wm)[:3]
        n_wl = rng.choice([0, 0, 1, 1, 2])
        wl = rng.sample(WISHED_PLACES, n_wl) if n_wl else []
        n_wf = rng.choice([0, 1, 1, 2])
        wf = rng.sample(spec["families"], min(n_wf, len(spec["families"]))) if n_wf else []
        if seed_pos and rng.random() < 0.5 and seed_pos["job_family"] not in wf:
            wf = ([seed_pos["job_family"]] + wf)[:2]
        clearance = wchoice(rng, spec["clearance"])
        if corps == "Armement" and clearance == "none" and rng.random() < 0.6:
            clearance = "secret"
        if seed_pos and seed_pos["clearance"] != "none" and clearance == "none" and rng.random() < 0.5:
            clearance = seed_pos["clearance"]
        available = random_date(rng, dt.date(2026, 1, 1), dt.date(2027, 9, 30))
        if seed_pos and rng.random() < 0.6:  # mostly available in time for the post it was seeded for
            start = dt.date.fromisoformat(seed_pos["start"])
            available = random_date(rng, dt.date(2026, 6, 1), start)
        summary = make_summary(rng, ref, code, group, corps, grade, years, position, ministry, skills, wm)
        while True:
            first = rng.choice(FIRST_NAMES[gender])
            last = rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        pid = f"ING-{i:04d}"
        rows.append({
            "profile_id": pid, "full_name": f"{first} {last} (fictif)",
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}.{i:04d}@exemple.invalid",
            "gender": gender, "birth_year": str(birth_year), "corps": corps, "grade": grade,
            "current_ministry": ministry, "current_position": position, "location": location,
            "years_experience": str(years), "skills": fmt_skills(skills), "summary": summary,
            "wished_ministries": "; ".join(wm), "wished_locations": "; ".join(wl),
            "wished_families": "; ".join(wf), "available_from": available, "clearance": clearance,
            "open_to_mobility": "oui" if rng.random() < 0.9 else "non",
            "consent_share_identity": "oui" if rng.random() < 0.3 else "non",
        })
        prov.append({"profile_id": pid, "rome_code": code, "rome_label": ref.label(code), "trade_group": group,
                     "seeded_for_position": f"ILL-{seed_pos['key']}" if seed_pos else ""})
    log["seeded"] = sum(1 for _, p in plan if p)
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS), pd.DataFrame(prov)


# ============================================================================ output
def to_csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue().encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                    help=f"public reference folder (default: {DEFAULT_REFERENCE})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    ap.add_argument("--profiles", type=int, default=DEFAULT_N_PROFILES,
                    help=f"number of fictional profiles (default: {DEFAULT_N_PROFILES})")
    args = ap.parse_args(argv)

    ref = Reference(args.reference.resolve())
    rng = random.Random(args.seed)
    log = {}
    positions = build_positions(ref, log)
    profiles, provenance = build_profiles(ref, rng, args.profiles, log)

    for df, key in ((positions, "position_id"), (profiles, "profile_id")):
        if df[key].eq("").any() or df[key].duplicated().any():
            fail(f"empty or duplicate {key}")
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomic(args.out / "positions.csv", to_csv_bytes(positions))
    write_atomic(args.out / "profiles.csv", to_csv_bytes(profiles))
    write_atomic(args.out / "provenance.csv", to_csv_bytes(provenance))

    print(f"positions.csv : {len(positions)} rows ({(positions.illustrative == 'non').sum()} PEP offers from "
          f"{log['pep_lines']} lines, {len(log['pep_duplicates'])} exact duplicate line(s) skipped: "
          f"{', '.join(log['pep_duplicates']) or '-'}; {(positions.illustrative == 'oui').sum()} illustrative)")
    print(f"profiles.csv  : {len(profiles)} rows ({log['seeded']} seeded from the illustrative positions' trades)")
    print("positions per ministry:")
    for m, n in positions.ministry.value_counts().sort_index().items():
        print(f"  {n:4d}  {m}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
