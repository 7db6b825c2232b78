"""Writes the user-test files of issue 13 from the hand-written content below.

Every person is fictional (names marked « (fictif) », e-mails @exemple.invalid). For each
profile and each position the content is written twice by hand: as an HR export or a
ministry would type it (``typed``), and as the README data contract asks (``canon``).
Run from the repository root: ``python tests/data/usertest/build_files.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------
# Profiles. typed fields: nom, prenom, corps, grade, min (ministère d'affectation), poste,
# lieu, exp, comp (compétences as typed), resume, souhaits, lieux, dispo, habil, mob.
# canon fields: corps, grade, ministry, years, skills (list), wished, available, clearance,
# open.
# --------------------------------------------------------------------------------------
P = []


def prof(pid, typed, canon):
    P.append((pid, typed, canon))


prof("ING-101", dict(
    nom="MARCHAND (fictif)", prenom="Claire", corps="Mines", grade="ICM",
    min="Bercy", poste="RSSI ministérielle adjointe", lieu="Paris 12e (Bercy)", exp="15+",
    comp="Sécurité des systèmes d'information (expert), EBIOS RM, Homologation de sécurité, Pilotage de prestataires, Gestion de crise cyber",
    resume="X-Mines. 15 ans dans la cyber : ANSSI (audit) puis RSSI adjointe aux ministères économiques. A piloté l'homologation de 40 SI sensibles. Souhaite un poste de RSSI ou de direction cyber dans un ministère régalien.",
    souhaits="MI, Minarm, SPM", lieux="Paris", dispo="Immédiate",
    habil="Habilitée Secret (renouvelée en 2024)", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Ministères économiques et financiers", years=15,
         skills=[("Sécurité des systèmes d'information", 4), ("EBIOS RM", None), ("Homologation de sécurité", None), ("Pilotage de prestataires", None), ("Gestion de crise cyber", None)],
         wished=["Ministère de l'Intérieur", "Ministère des Armées", "Services du Premier ministre"], wished_loc=["Paris"],
         available="2026-12-01", clearance="secret", open=True))

prof("ING-102", dict(
    nom="LEROY-BASTIDE (fictif)", prenom="Antoine", corps="Armement", grade="ICA",
    min="Minarm", poste="Chef de la division audit du COMCYBER", lieu="Paris 15e (Balard)", exp="18 ans",
    comp="• Audit de sécurité\n• Tests d'intrusion\n• Management d'équipe\n• Cybersécurité\n• Cryptographie",
    resume="Ingénieur de l'armement, DGA Maîtrise de l'information (Bruz) puis COMCYBER. Dirige 25 auditeurs. Veut rejoindre l'ANSSI ou une direction cyber interministérielle.",
    souhaits="SPM (ANSSI), Minarm", lieux="Paris, Rennes", dispo="septembre 2027",
    habil="Très secret", mob="oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur en chef de l'armement", ministry="Ministère des Armées", years=18,
         skills=[("Audit de sécurité", None), ("Tests d'intrusion", None), ("Management d'équipe", None), ("Cybersécurité", None), ("Cryptographie", None)],
         wished=["Services du Premier ministre", "Ministère des Armées"], wished_loc=["Paris", "Rennes"],
         available="2027-09-01", clearance="tres_secret", open=True))

prof("ING-103", dict(
    nom="NGUYEN (fictif)", prenom="Thomas", corps="Armement", grade="IPA",
    min="Ministère des Armées", poste="Architecte infrastructures, DGA MI", lieu="Bruz (35)", exp="9",
    comp="Cloud computing, Kubernetes, Architecture des systèmes d'information, DevOps, Sécurité des infrastructures",
    resume="Ingénieur principal de l'armement. Conçoit les infrastructures de cloud de confiance de la DGA. Expérience OpenStack et Kubernetes en environnement classifié.",
    souhaits="Minarm, MI", lieux="Paris, Bretagne", dispo="dès maintenant",
    habil="Secret défense", mob="Oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur principal de l'armement", ministry="Ministère des Armées", years=9,
         skills=[("Cloud computing", None), ("Kubernetes", None), ("Architecture des systèmes d'information", None), ("DevOps", None), ("Sécurité des infrastructures", None)],
         wished=["Ministère des Armées", "Ministère de l'Intérieur"], wished_loc=["Paris", "Bretagne"],
         available="2026-12-01", clearance="secret", open=True))

prof("ING-104", dict(
    nom="BERTRAND (fictif)", prenom="Inès", corps="Armement", grade="IA",
    min="Armées", poste="Experte cryptographie, DGA MI", lieu="Bruz", exp="5",
    comp="Cryptographie : expert\nÉvaluation de produits de sécurité (Critères communs)\nRecherche\nPython",
    resume="Docteure en cryptographie (thèse sur les primitives post-quantiques). Évalue des produits de chiffrement pour l'agrément. Publie en conférence.",
    souhaits="Minarm", lieux="Bruz, Rennes", dispo="Immédiate",
    habil="TS", mob="Oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur de l'armement", ministry="Ministère des Armées", years=5,
         skills=[("Cryptographie", 4), ("Évaluation de produits de sécurité (Critères communs)", None), ("Recherche", None), ("Python", None)],
         wished=["Ministère des Armées"], wished_loc=["Bruz", "Rennes"],
         available="2026-12-01", clearance="tres_secret", open=True))

prof("ING-105", dict(
    nom="FOURNIER (fictif)", prenom="Léa", corps="Corps des mines", grade="IM",
    min="SPM (DINUM)", poste="Data scientist, Etalab", lieu="Paris 7e", exp="6 ans",
    comp="Python : maîtrise, Machine learning, Data science, Traitement automatique du langage, Open data",
    resume="Ingénieure des mines. Data scientist à Etalab (outils d'IA pour les agents publics), auparavant à la DGE sur l'économie de la donnée. Cherche un poste d'encadrement sur l'IA ou la donnée.",
    souhaits="Bercy, SPM", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur des mines", ministry="Services du Premier ministre", years=6,
         skills=[("Python", 3), ("Machine learning", None), ("Data science", None), ("Traitement automatique du langage", None), ("Open data", None)],
         wished=["Ministères économiques et financiers", "Services du Premier ministre"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-106", dict(
    nom="MOREAU (fictif)", prenom="Julien", corps="INSEE", grade="Administrateur HC",
    min="MEFSIN", poste="Chef de la mission data, DGDDI", lieu="Montreuil", exp="14",
    comp="Statistique publique; Économétrie; Machine learning; Python; Management d'équipe; Ciblage et analyse de risque",
    resume="Administrateur de l'Insee. Monte à la douane une équipe de 12 data scientists qui cible les contrôles. Auparavant à la DARES.",
    souhaits="Bercy", lieux="Paris, Montreuil", dispo="01/03/2027",
    habil="non", mob="Oui"),
    dict(corps="Corps des administrateurs de l'INSEE", grade="administrateur hors classe de l'INSEE", ministry="Ministères économiques et financiers", years=14,
         skills=[("Statistique publique", None), ("Économétrie", None), ("Machine learning", None), ("Python", None), ("Management d'équipe", None), ("Ciblage et analyse de risque", None)],
         wished=["Ministères économiques et financiers"], wished_loc=["Paris", "Montreuil"],
         available="2027-03-01", clearance="none", open=True))

prof("ING-107", dict(
    nom="GIRAUD (fictif)", prenom="Sophie", corps="Administrateurs de l'INSEE", grade="administratrice de l'Insee",
    min="Insee", poste="Cheffe de projet recensement, Insee", lieu="Montrouge", exp="7",
    comp="Statistique publique\nRecensement de la population\nArchitecture de données\nConduite du changement",
    resume="Administratrice de l'Insee, cheffe de projet sur la refonte de la collecte du recensement. Souhaite prendre la responsabilité d'un programme.",
    souhaits="Bercy", lieux="Montrouge, Paris", dispo="Immédiate",
    habil="", mob="Oui"),
    dict(corps="Corps des administrateurs de l'INSEE", grade="administrateur de l'INSEE", ministry="Ministères économiques et financiers", years=7,
         skills=[("Statistique publique", None), ("Recensement de la population", None), ("Architecture de données", None), ("Conduite du changement", None)],
         wished=["Ministères économiques et financiers"], wished_loc=["Montrouge", "Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-108", dict(
    nom="ROUSSEL (fictif)", prenom="Marc", corps="Mines", grade="Ingénieur en chef des mines depuis 2019",
    min="MTE", poste="Chef du service risques, DREAL Auvergne-Rhône-Alpes", lieu="Lyon (DREAL ARA)", exp="16",
    comp="Prévention des risques industriels\nRéglementation ICPE (SEVESO)\nManagement d'équipe\nGestion de crise\nInspection des installations classées",
    resume="Ingénieur en chef des mines. Dirige 80 inspecteurs des installations classées en DREAL ; a géré deux crises industrielles majeures. Souhaite revenir en administration centrale.",
    souhaits="MTE", lieux="Paris, La Défense", dispo="septembre 2027",
    habil="Confidentiel défense", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Ministère de la Transition écologique", years=16,
         skills=[("Prévention des risques industriels", None), ("Réglementation ICPE (SEVESO)", None), ("Management d'équipe", None), ("Gestion de crise", None), ("Inspection des installations classées", None)],
         wished=["Ministère de la Transition écologique"], wished_loc=["Paris", "La Défense"],
         available="2027-09-01", clearance="confidentiel", open=True))

prof("ING-109", dict(
    nom="PETIT (fictif)", prenom="Hélène", corps="IPEF", grade="ICPEF",
    min="Ministère de la Transition écologique", poste="Directrice adjointe, DDT de l'Hérault", lieu="Montpellier", exp="17",
    comp="- Prévention des risques naturels, technologiques et miniers\n- Hydrologie\n- Gestion de crise\n- Management d'équipe",
    resume="Ingénieure en chef des ponts, des eaux et des forêts. Plans de prévention des inondations, gestion des crues cévenoles, direction de 150 agents.",
    souhaits="MTE", lieux="Toulouse, Montpellier, Paris", dispo="à partir de janvier 2027",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur en chef des ponts, des eaux et des forêts", ministry="Ministère de la Transition écologique", years=17,
         skills=[("Prévention des risques naturels, technologiques et miniers", None), ("Hydrologie", None), ("Gestion de crise", None), ("Management d'équipe", None)],
         wished=["Ministère de la Transition écologique"], wished_loc=["Toulouse", "Montpellier", "Paris"],
         available="2027-01-01", clearance="none", open=True))

prof("ING-110", dict(
    nom="LAMBERT (fictif)", prenom="François", corps="Corps des mines", grade="IGM",
    min="MTE / DGEC", poste="Sous-directeur du système électrique et des énergies renouvelables", lieu="La Défense", exp="20+",
    comp="Économie de l'énergie, Régulation, Marchés de l'électricité, Négociation européenne, Réseaux électriques",
    resume="Ingénieur général des mines. Sous-directeur à la DGEC, ancien directeur à la CRE. A négocié la réforme européenne du marché de l'électricité.",
    souhaits="MTE, Bercy", lieux="Paris, La Défense", dispo="Immédiate",
    habil="Confidentiel", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur général des mines", ministry="Ministère de la Transition écologique", years=20,
         skills=[("Économie de l'énergie", None), ("Régulation", None), ("Marchés de l'électricité", None), ("Négociation européenne", None), ("Réseaux électriques", None)],
         wished=["Ministère de la Transition écologique", "Ministères économiques et financiers"], wished_loc=["Paris", "La Défense"],
         available="2026-12-01", clearance="confidentiel", open=True))

prof("ING-111", dict(
    nom="CHEVALIER (fictif)", prenom="Nadia", corps="Mines", grade="ICM",
    min="CRE (AAI)", poste="Cheffe du département réseaux électriques, CRE", lieu="Paris 8e", exp="11",
    comp="Réseaux électriques; Régulation; Économie de l'énergie; Analyse tarifaire",
    resume="Ingénieure en chef des mines, à la Commission de régulation de l'énergie. Tarifs d'accès aux réseaux, raccordement des énergies renouvelables.",
    souhaits="MTE", lieux="Paris, La Défense", dispo="01/01/2027",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Institutions et autorités indépendantes", years=11,
         skills=[("Réseaux électriques", None), ("Régulation", None), ("Économie de l'énergie", None), ("Analyse tarifaire", None)],
         wished=["Ministère de la Transition écologique"], wished_loc=["Paris", "La Défense"],
         available="2027-01-01", clearance="none", open=True))

prof("ING-112", dict(
    nom="DUBOIS (fictif)", prenom="Paul", corps="Ponts", grade="IPEF",
    min="SPM", poste="Intrapreneur, beta.gouv (DINUM)", lieu="Paris 7e", exp="4",
    comp="Gestion de produit, Méthodes agiles, Conception centrée utilisateur, Analyse de données",
    resume="IPEF, passé par beta.gouv comme intrapreneur d'un service numérique pour les collectivités. Veut devenir directeur de produit.",
    souhaits="SPM, MTE", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur des ponts, des eaux et des forêts", ministry="Services du Premier ministre", years=4,
         skills=[("Gestion de produit", None), ("Méthodes agiles", None), ("Conception centrée utilisateur", None), ("Analyse de données", None)],
         wished=["Services du Premier ministre", "Ministère de la Transition écologique"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-113", dict(
    nom="ROBIN (fictif)", prenom="Chloé", corps="Contractuelle (CDI)", grade="",
    min="Services du Premier ministre", poste="Directrice de produit, incubateur DINUM", lieu="Paris", exp="10-12 ans",
    comp="• Gestion de produit (expert)\n• Méthodes agiles\n• Conception centrée utilisateur\n• Management d'équipe",
    resume="Contractuelle en CDI. Dix ans de produit numérique dans le privé puis à la DINUM, a lancé trois services publics numériques. Souhaite rester dans l'écosystème beta.gouv.",
    souhaits="SPM", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Agents contractuels (hors corps)", grade="", ministry="Services du Premier ministre", years=10,
         skills=[("Gestion de produit", 4), ("Méthodes agiles", None), ("Conception centrée utilisateur", None), ("Management d'équipe", None)],
         wished=["Services du Premier ministre"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-114", dict(
    nom="FAURE (fictif)", prenom="Olivier", corps="Mines", grade="ICM",
    min="MI", poste="Directeur de programme, Agence nationale des titres sécurisés", lieu="Paris 13e", exp="13",
    comp="Identité numérique, Pilotage de grands projets SI, Cybersécurité, Relations industrielles",
    resume="Ingénieur en chef des mines. Dirige à l'ANTS le programme de la carte d'identité électronique. Souhaite un poste de directeur de projet plus large sur l'identité numérique.",
    souhaits="MI, SPM", lieux="Paris", dispo="Immédiate",
    habil="Confidentiel défense", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Ministère de l'Intérieur", years=13,
         skills=[("Identité numérique", None), ("Pilotage de grands projets SI", None), ("Cybersécurité", None), ("Relations industrielles", None)],
         wished=["Ministère de l'Intérieur", "Services du Premier ministre"], wished_loc=["Paris"],
         available="2026-12-01", clearance="confidentiel", open=True))

prof("ING-115", dict(
    nom="GAUTHIER (fictif)", prenom="Isabelle", corps="Armement", grade="ICA",
    min="Minarm", poste="Directrice de programme, DGA", lieu="Balard", exp="16",
    comp="Conduite de programme d'armement\nIngénierie système\nRelations industrielles\nAchats publics complexes",
    resume="Ingénieure en chef de l'armement. Directrice d'un programme de drones, 300 M€ par an. Ouverte à un poste de direction de projet hors Armées.",
    souhaits="Minarm, MI", lieux="Paris, Toulon", dispo="Immédiate",
    habil="Secret défense", mob="Oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur en chef de l'armement", ministry="Ministère des Armées", years=16,
         skills=[("Conduite de programme d'armement", None), ("Ingénierie système", None), ("Relations industrielles", None), ("Achats publics complexes", None)],
         wished=["Ministère des Armées", "Ministère de l'Intérieur"], wished_loc=["Paris", "Toulon"],
         available="2026-12-01", clearance="secret", open=True))

prof("ING-116", dict(
    nom="BLANC (fictif)", prenom="Yann", corps="Armement", grade="IPA",
    min="Minarm", poste="Architecte système, DGA Techniques navales", lieu="Toulon", exp="10",
    comp="Ingénierie système, Architecture système, Gestion de la configuration, Systèmes navals",
    resume="Ingénieur principal de l'armement, architecte système sur le programme de frégates. Veut rester à Toulon.",
    souhaits="Minarm", lieux="Toulon", dispo="Immédiate",
    habil="Secret", mob="Oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur principal de l'armement", ministry="Ministère des Armées", years=10,
         skills=[("Ingénierie système", None), ("Architecture système", None), ("Gestion de la configuration", None), ("Systèmes navals", None)],
         wished=["Ministère des Armées"], wished_loc=["Toulon"],
         available="2026-12-01", clearance="secret", open=True))

prof("ING-117", dict(
    nom="MERCIER (fictif)", prenom="Agathe", corps="IPEF", grade="ICPEF",
    min="Agri", poste="Directrice départementale de la protection des populations (DDPP) du Rhône", lieu="Lyon", exp="15+",
    comp="Santé animale, Sécurité sanitaire des aliments, Gestion de crise, Management d'équipe",
    resume="Ingénieure en chef des ponts, des eaux et des forêts. Directrice de DDPP, a géré l'épizootie d'influenza aviaire de 2022. Souhaite rejoindre la DGAL.",
    souhaits="Agriculture", lieux="Paris", dispo="septembre 2027",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur en chef des ponts, des eaux et des forêts", ministry="Ministère de l'Agriculture", years=15,
         skills=[("Santé animale", None), ("Sécurité sanitaire des aliments", None), ("Gestion de crise", None), ("Management d'équipe", None)],
         wished=["Ministère de l'Agriculture"], wished_loc=["Paris"],
         available="2027-09-01", clearance="none", open=True))

prof("ING-118", dict(
    nom="LEFEVRE (fictif)", prenom="Baptiste", corps="IPEF", grade="IPEF",
    min="MASA", poste="Adjoint au chef de bureau, DGAL", lieu="Paris 15e", exp="3",
    comp="Sécurité sanitaire des aliments; Santé animale; Réglementation européenne",
    resume="IPEF sortant d'école, deuxième poste à la DGAL sur les contrôles sanitaires à l'importation.",
    souhaits="Agriculture", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur des ponts, des eaux et des forêts", ministry="Ministère de l'Agriculture", years=3,
         skills=[("Sécurité sanitaire des aliments", None), ("Santé animale", None), ("Réglementation européenne", None)],
         wished=["Ministère de l'Agriculture"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-119", dict(
    nom="GARNIER (fictif)", prenom="Michel", corps="Ingénieurs des ponts, des eaux et des forêts", grade="IGPEF",
    min="Agriculture", poste="Chargé de mission au CGAAER", lieu="Paris 7e", exp="28",
    comp="Politiques agricoles, Forêt, Management, Gestion de crise, Santé animale",
    resume="Ingénieur général des ponts, des eaux et des forêts. Ancien directeur régional de l'agriculture, a piloté la gestion de la fièvre catarrhale ovine. Inspecteur au CGAAER.",
    souhaits="Agri, MTE", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur général des ponts, des eaux et des forêts", ministry="Ministère de l'Agriculture", years=28,
         skills=[("Politiques agricoles", None), ("Forêt", None), ("Management", None), ("Gestion de crise", None), ("Santé animale", None)],
         wished=["Ministère de l'Agriculture", "Ministère de la Transition écologique"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-120", dict(
    nom="ROUX (fictif)", prenom="Camille", corps="IPEF", grade="ICPEF",
    min="MTE", poste="Chef du département données et mobilités, Cerema", lieu="Lyon", exp="12",
    comp="Ingénierie des données, Open data, Systèmes d'information géographique (SIG), Python, Données de mobilité",
    resume="Ingénieure en chef des ponts. Au Cerema, a construit le point d'accès national aux données de transport. Souhaite un poste en administration centrale.",
    souhaits="MTE, Santé", lieux="Paris, Lyon", dispo="01/04/2027",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur en chef des ponts, des eaux et des forêts", ministry="Ministère de la Transition écologique", years=12,
         skills=[("Ingénierie des données", None), ("Open data", None), ("Systèmes d'information géographique (SIG)", None), ("Python", None), ("Données de mobilité", None)],
         wished=["Ministère de la Transition écologique", "Ministère de la Santé et des Solidarités"], wished_loc=["Paris", "Lyon"],
         available="2027-04-01", clearance="none", open=True))

prof("ING-121", dict(
    nom="DAVID (fictif)", prenom="Sarah", corps="Mines", grade="IM",
    min="Santé", poste="Cheffe de projet interopérabilité, ARS Île-de-France", lieu="Saint-Denis", exp="5",
    comp="Interopérabilité des données de santé (HL7 FHIR), Architecture de données, RGPD, Pilotage de projet",
    resume="Ingénieure des mines, à l'ARS sur l'espace numérique de santé et l'interopérabilité des logiciels hospitaliers.",
    souhaits="Ministère de la Santé", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur des mines", ministry="Ministère de la Santé et des Solidarités", years=5,
         skills=[("Interopérabilité des données de santé (HL7 FHIR)", None), ("Architecture de données", None), ("RGPD", None), ("Pilotage de projet", None)],
         wished=["Ministère de la Santé et des Solidarités"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-122", dict(
    nom="BONNET (fictif)", prenom="Lucas", corps="IPEF", grade="ICPEF",
    min="MTE", poste="Prévisionniste hydrologue senior, SCHAPI", lieu="Toulouse", exp="13",
    comp="Hydrologie : expert, Modélisation hydrologique, Prévision des crues, Gestion de crise",
    resume="Ingénieur en chef des ponts, des eaux et des forêts. Développe les modèles de prévision des crues du réseau Vigicrues.",
    souhaits="MTE", lieux="Toulouse", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur en chef des ponts, des eaux et des forêts", ministry="Ministère de la Transition écologique", years=13,
         skills=[("Hydrologie", 4), ("Modélisation hydrologique", None), ("Prévision des crues", None), ("Gestion de crise", None)],
         wished=["Ministère de la Transition écologique"], wished_loc=["Toulouse"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-123", dict(
    nom="FRANCOIS (fictif)", prenom="Émilie", corps="Mines", grade="ICM",
    min="Bercy", poste="Cheffe du bureau de l'économie numérique, DGE", lieu="Ivry-sur-Seine", exp="12",
    comp="Intelligence artificielle, Politique industrielle, Économie numérique, Négociation européenne",
    resume="Ingénieure en chef des mines. A négocié le règlement européen sur l'IA pour la France. Souhaite prendre un bureau ou une sous-direction sur l'IA.",
    souhaits="Bercy, SPM", lieux="Paris, Ivry", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Ministères économiques et financiers", years=12,
         skills=[("Intelligence artificielle", None), ("Politique industrielle", None), ("Économie numérique", None), ("Négociation européenne", None)],
         wished=["Ministères économiques et financiers", "Services du Premier ministre"], wished_loc=["Paris", "Ivry"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-124", dict(
    nom="MULLER (fictif)", prenom="Hugo", corps="Mines", grade="IM",
    min="Bercy", poste="Chargé de mission IA, DGE", lieu="Ivry-sur-Seine", exp="4",
    comp="Intelligence artificielle, Politique industrielle, Économie numérique",
    resume="Ingénieur des mines, chargé de mission IA à la DGE depuis un an. Ne souhaite pas bouger avant 2028.",
    souhaits="Bercy", lieux="Paris", dispo="",
    habil="Aucune", mob="Non"),
    dict(corps="Corps des mines", grade="ingénieur des mines", ministry="Ministères économiques et financiers", years=4,
         skills=[("Intelligence artificielle", None), ("Politique industrielle", None), ("Économie numérique", None)],
         wished=["Ministères économiques et financiers"], wished_loc=["Paris"],
         available="", clearance="none", open=False))

prof("ING-125", dict(
    nom="HENRY (fictif)", prenom="Karim", corps="ITPE", grade="ITPE divisionnaire",
    min="MTE", poste="Chef de projet SIG, DREAL Occitanie", lieu="Toulouse", exp="14",
    comp="Systèmes d'information géographique (SIG), Ingénierie des données, Python, Open data",
    resume="Ingénieur divisionnaire des travaux publics de l'État, administrateur de données géographiques en DREAL.",
    souhaits="MTE", lieux="Toulouse, Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des travaux publics de l'État", grade="ingénieur divisionnaire des travaux publics de l'État", ministry="Ministère de la Transition écologique", years=14,
         skills=[("Systèmes d'information géographique (SIG)", None), ("Ingénierie des données", None), ("Python", None), ("Open data", None)],
         wished=["Ministère de la Transition écologique"], wished_loc=["Toulouse", "Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-126", dict(
    nom="ROCHE (fictif)", prenom="Bernard", corps="Armement", grade="IGA 2e cl.",
    min="Minarm", poste="Directeur d'unité de management, DGA", lieu="Balard", exp="25",
    comp="Direction de programmes, Ingénierie système, Management, Relations industrielles",
    resume="Ingénieur général de l'armement. Dirige une unité de management de programmes navals. Disponible après la livraison du programme en cours.",
    souhaits="Minarm", lieux="Paris, Toulon", dispo="janvier 2028",
    habil="Secret défense", mob="Oui"),
    dict(corps="Corps des ingénieurs de l'armement", grade="ingénieur général de 2e classe de l'armement", ministry="Ministère des Armées", years=25,
         skills=[("Direction de programmes", None), ("Ingénierie système", None), ("Management", None), ("Relations industrielles", None)],
         wished=["Ministère des Armées"], wished_loc=["Paris", "Toulon"],
         available="2028-01-01", clearance="secret", open=True))

prof("ING-127", dict(
    nom="LEMAIRE (fictif)", prenom="Anne", corps="INSEE", grade="administratrice générale de l'Insee",
    min="Insee", poste="Directrice régionale de l'Insee Hauts-de-France", lieu="Lille", exp="22",
    comp="Statistique publique, Pilotage de programme, Conduite du changement, Management d'équipe, Recensement de la population",
    resume="Administratrice générale de l'Insee, directrice régionale. A conduit la régionalisation de la collecte du recensement. Souhaite revenir à la direction générale.",
    souhaits="Bercy", lieux="Paris, Montrouge", dispo="1er trimestre 2027",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des administrateurs de l'INSEE", grade="administrateur général de l'INSEE", ministry="Ministères économiques et financiers", years=22,
         skills=[("Statistique publique", None), ("Pilotage de programme", None), ("Conduite du changement", None), ("Management d'équipe", None), ("Recensement de la population", None)],
         wished=["Ministères économiques et financiers"], wished_loc=["Paris", "Montrouge"],
         available="2027-01-01", clearance="none", open=True))

prof("ING-128", dict(
    nom="LAURENT (fictif)", prenom="Mathieu", corps="Mines", grade="ICM",
    min="MI", poste="DSI adjoint, secrétariat général du ministère de l'Intérieur", lieu="Paris 8e", exp="12",
    comp="Cloud computing, Architecture des systèmes d'information, Kubernetes, Pilotage de prestataires, Pilotage de grands projets SI",
    resume="Ingénieur en chef des mines, DSI adjoint. A migré 200 applications vers le cloud interne de l'État.",
    souhaits="MI, Minarm", lieux="Paris", dispo="Immédiate",
    habil="En cours d'habilitation (Secret)", mob="Oui"),
    dict(corps="Corps des mines", grade="ingénieur en chef des mines", ministry="Ministère de l'Intérieur", years=12,
         skills=[("Cloud computing", None), ("Architecture des systèmes d'information", None), ("Kubernetes", None), ("Pilotage de prestataires", None), ("Pilotage de grands projets SI", None)],
         wished=["Ministère de l'Intérieur", "Ministère des Armées"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-129", dict(
    nom="CARON (fictif)", prenom="Élodie", corps="INSEE", grade="administratrice hors classe",
    min="DGFiP", poste="Responsable de la data science, mission requêtes et valorisation, DGFiP", lieu="Paris 12e", exp="13",
    comp="Data science, Machine learning, Ciblage et analyse de risque, Management d'équipe, Python",
    resume="Administratrice hors classe de l'Insee. Pilote les modèles de ciblage de la fraude fiscale à la DGFiP. Souhaite prendre la tête du bureau.",
    souhaits="Bercy", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des administrateurs de l'INSEE", grade="administrateur hors classe de l'INSEE", ministry="Ministères économiques et financiers", years=13,
         skills=[("Data science", None), ("Machine learning", None), ("Ciblage et analyse de risque", None), ("Management d'équipe", None), ("Python", None)],
         wished=["Ministères économiques et financiers"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

prof("ING-130", dict(
    nom="PERRIN (fictif)", prenom="Julie", corps="Ingénieurs des ponts, des eaux et des forêts", grade="ingénieure des ponts, des eaux et des forêts",
    min="Santé", poste="Cheffe de projet santé-environnement, DGS", lieu="Paris 7e", exp="7",
    comp="Santé environnementale, Analyse de données, Pilotage de projet, RGPD",
    resume="IPEF à la direction générale de la santé. A piloté l'entrepôt de données santé-environnement. Intéressée par le numérique en santé.",
    souhaits="Ministère de la Santé, MTE", lieux="Paris", dispo="Immédiate",
    habil="Aucune", mob="Oui"),
    dict(corps="Corps des ingénieurs des ponts, des eaux et des forêts", grade="ingénieur des ponts, des eaux et des forêts", ministry="Ministère de la Santé et des Solidarités", years=7,
         skills=[("Santé environnementale", None), ("Analyse de données", None), ("Pilotage de projet", None), ("RGPD", None)],
         wished=["Ministère de la Santé et des Solidarités", "Ministère de la Transition écologique"], wished_loc=["Paris"],
         available="2026-12-01", clearance="none", open=True))

# --------------------------------------------------------------------------------------
# Positions.
# --------------------------------------------------------------------------------------
Q = []


def post(pid, typed, canon):
    Q.append((pid, typed, canon))


post("PST-01", dict(
    titre="RSSI ministériel adjoint (H/F)", min="MI", dir="Direction du numérique (DNUM)", lieu="Paris 8e",
    req="Maîtrise de la sécurité des systèmes d'information. Gestion des risques (EBIOS RM). Expérience de l'homologation de sécurité. Capacité à piloter des prestataires.",
    souh="Gestion de crise cyber",
    corps="Ingénieurs des mines, de l'armement, IPEF", grade="ingénieur en chef", date="01/03/2027", habil="Secret",
    desc="Au sein de la DNUM, le RSSI adjoint anime la filière SSI du ministère (300 correspondants), conduit les homologations des systèmes sensibles et prépare la réponse aux crises cyber.", n="1"),
    dict(ministry="Ministère de l'Intérieur", req=[("Sécurité des systèmes d'information", None), ("EBIOS RM", None), ("Homologation de sécurité", None), ("Pilotage de prestataires", None)],
         desired=[("Gestion de crise cyber", None)], corps=["Corps des mines", "Corps des ingénieurs de l'armement", "Corps des ingénieurs des ponts, des eaux et des forêts"],
         grade="ingénieur en chef", date="2027-03-01", clearance="secret", openings=1))

post("PST-02", dict(
    titre="Architecte cloud et infrastructures souveraines", min="Minarm", dir="DGA – Maîtrise de l'information", lieu="Bruz (35)",
    req="• Cloud computing\n• Kubernetes\n• Architecture des systèmes d'information\n• Sécurité des infrastructures",
    souh="• DevOps",
    corps="Armement", grade="IPA", date="dès que possible", habil="Secret défense",
    desc="Concevoir et faire évoluer le cloud de confiance de la DGA pour les systèmes classifiés ; encadrer une équipe de 8 ingénieurs.", n="1"),
    dict(ministry="Ministère des Armées", req=[("Cloud computing", None), ("Kubernetes", None), ("Architecture des systèmes d'information", None), ("Sécurité des infrastructures", None)],
         desired=[("DevOps", None)], corps=["Corps des ingénieurs de l'armement"],
         grade="ingénieur principal de l'armement", date="2026-12-01", clearance="secret", openings=1))

post("PST-03", dict(
    titre="Chef(fe) du bureau data science et ciblage de la fraude", min="Bercy", dir="DGFiP – Service de la sécurité juridique et du contrôle fiscal", lieu="Paris 12e",
    req="Data science, Machine learning, Python, Management d'équipe",
    souh="Ciblage et analyse de risque, Statistique publique",
    corps="Administrateurs de l'INSEE, corps des mines", grade="ICM ou administrateur HC", date="01/04/2027", habil="",
    desc="Le bureau (20 data scientists) conçoit les modèles de ciblage des contrôles fiscaux. Le chef de bureau fixe la feuille de route, encadre l'équipe et rend compte à la direction.", n="1"),
    dict(ministry="Ministères économiques et financiers", req=[("Data science", None), ("Machine learning", None), ("Python", None), ("Management d'équipe", None)],
         desired=[("Ciblage et analyse de risque", None), ("Statistique publique", None)], corps=["Corps des administrateurs de l'INSEE", "Corps des mines"],
         grade="ingénieur en chef", date="2027-04-01", clearance="none", openings=1))

post("PST-04", dict(
    titre="Chef du service des risques technologiques", min="MTE", dir="DGPR", lieu="La Défense",
    req="Prévention des risques industriels, Réglementation ICPE (SEVESO), Management d'équipe, Gestion de crise",
    souh="Inspection des installations classées",
    corps="IPEF, Ingénieurs des mines", grade="ICM", date="01/09/2027", habil="Confidentiel défense",
    desc="Le chef de service définit la politique nationale de prévention des risques industriels, anime les DREAL et gère les crises (accidents industriels).", n="1"),
    dict(ministry="Ministère de la Transition écologique", req=[("Prévention des risques industriels", None), ("Réglementation ICPE (SEVESO)", None), ("Management d'équipe", None), ("Gestion de crise", None)],
         desired=[("Inspection des installations classées", None)], corps=["Corps des ingénieurs des ponts, des eaux et des forêts", "Corps des mines"],
         grade="ingénieur en chef des mines", date="2027-09-01", clearance="confidentiel", openings=1))

post("PST-05", dict(
    titre="Adjoint(e) au sous-directeur du système électrique", min="Ministère de la Transition énergétique", dir="DGEC", lieu="La Défense",
    req="Économie de l'énergie\nRéseaux électriques\nRégulation\nNégociation européenne",
    souh="Marchés de l'électricité",
    corps="Mines, IPEF", grade="ingénieur en chef", date="15/01/2027", habil="",
    desc="Piloter la régulation du système électrique, suivre les gestionnaires de réseau et représenter la France dans les négociations européennes.", n="1"),
    dict(ministry="Ministère de la Transition énergétique", req=[("Économie de l'énergie", None), ("Réseaux électriques", None), ("Régulation", None), ("Négociation européenne", None)],
         desired=[("Marchés de l'électricité", None)], corps=["Corps des mines", "Corps des ingénieurs des ponts, des eaux et des forêts"],
         grade="ingénieur en chef", date="2027-01-15", clearance="none", openings=1))

post("PST-06", dict(
    titre="Directeur·rice de produit numérique", min="SPM", dir="DINUM – beta.gouv.fr", lieu="Paris 7e",
    req="Gestion de produit, méthodes agiles, conception centrée utilisateur",
    souh="Analyse de données, Management d'équipe",
    corps="Tous corps", grade="", date="Immédiate", habil="",
    desc="Porter la vision de plusieurs services numériques publics de l'incubateur, animer les équipes produit et mesurer l'impact pour les usagers.", n="2"),
    dict(ministry="Services du Premier ministre", req=[("Gestion de produit", None), ("Méthodes agiles", None), ("Conception centrée utilisateur", None)],
         desired=[("Analyse de données", None), ("Management d'équipe", None)], corps=[],
         grade="", date="2026-12-01", clearance="none", openings=2))

post("PST-07", dict(
    titre="Responsable du programme de modernisation du recensement", min="MEFSIN", dir="Insee – Direction de la démographie et des conditions de vie", lieu="Montrouge",
    req="Statistique publique, Pilotage de programme, Architecture de données, Conduite du changement",
    souh="Recensement de la population",
    corps="Administrateurs de l'INSEE, Mines", grade="administrateur hors classe", date="01/02/2027", habil="",
    desc="Diriger le programme pluriannuel de refonte du recensement (collecte par internet, nouvelles sources administratives) et ses 60 agents.", n="1"),
    dict(ministry="Ministères économiques et financiers", req=[("Statistique publique", None), ("Pilotage de programme", None), ("Architecture de données", None), ("Conduite du changement", None)],
         desired=[("Recensement de la population", None)], corps=["Corps des administrateurs de l'INSEE", "Corps des mines"],
         grade="administrateur hors classe de l'INSEE", date="2027-02-01", clearance="none", openings=1))

post("PST-08", dict(
    titre="Chef(fe) de la mission des urgences sanitaires", min="Agri", dir="DGAL", lieu="Paris 15e",
    req="Santé animale, Sécurité sanitaire des aliments, Gestion de crise, Management d'équipe",
    souh="Réglementation européenne",
    corps="IPEF", grade="ICPEF", date="septembre 2027", habil="",
    desc="Préparer et conduire la réponse de l'État aux crises sanitaires animales et alimentaires (épizooties, alertes produits), coordonner les DDPP.", n="1"),
    dict(ministry="Ministère de l'Agriculture", req=[("Santé animale", None), ("Sécurité sanitaire des aliments", None), ("Gestion de crise", None), ("Management d'équipe", None)],
         desired=[("Réglementation européenne", None)], corps=["Corps des ingénieurs des ponts, des eaux et des forêts"],
         grade="ingénieur en chef des ponts, des eaux et des forêts", date="2027-09-01", clearance="none", openings=1))

post("PST-09", dict(
    titre="Chef de projet données de mobilité et open data", min="MTE", dir="DGITM", lieu="La Défense",
    req="Ingénierie des données, Open data, Systèmes d'information géographique (SIG), Python",
    souh="Données de mobilité",
    corps="IPEF, ITPE, Mines", grade="", date="01/04/2027", habil="",
    desc="Piloter la plateforme nationale des données de transport et leur ouverture, en lien avec les autorités organisatrices de la mobilité.", n="1"),
    dict(ministry="Ministère de la Transition écologique", req=[("Ingénierie des données", None), ("Open data", None), ("Systèmes d'information géographique (SIG)", None), ("Python", None)],
         desired=[("Données de mobilité", None)], corps=["Corps des ingénieurs des ponts, des eaux et des forêts", "Corps des ingénieurs des travaux publics de l'État", "Corps des mines"],
         grade="", date="2027-04-01", clearance="none", openings=1))

post("PST-10", dict(
    titre="Expert(e) en cryptographie et évaluation de produits de sécurité", min="Minarm", dir="DGA Maîtrise de l'information", lieu="Bruz",
    req="Cryptographie, Évaluation de produits de sécurité (Critères communs), Cybersécurité",
    souh="Recherche",
    corps="Armement, Mines", grade="IA", date="septembre 2027", habil="Très secret",
    desc="Évaluer les mécanismes cryptographiques des produits gouvernementaux, préparer la transition post-quantique.", n="1"),
    dict(ministry="Ministère des Armées", req=[("Cryptographie", None), ("Évaluation de produits de sécurité (Critères communs)", None), ("Cybersécurité", None)],
         desired=[("Recherche", None)], corps=["Corps des ingénieurs de l'armement", "Corps des mines"],
         grade="ingénieur de l'armement", date="2027-09-01", clearance="tres_secret", openings=1))

post("PST-11", dict(
    titre="Directeur de projet France Identité numérique", min="Ministère de l'Intérieur", dir="Secrétariat général – programme France Identité", lieu="Paris 8e",
    req="Identité numérique, Pilotage de grands projets SI, Cybersécurité",
    souh="Relations industrielles",
    corps="Mines / Armement / IPEF", grade="Ingénieur en chef (ou équivalent)", date="01/02/2027", habil="Confidentiel",
    desc="Diriger le programme interministériel d'identité numérique régalienne : feuille de route, industriels, sécurité, relations avec l'ANSSI et la CNIL.", n="1"),
    dict(ministry="Ministère de l'Intérieur", req=[("Identité numérique", None), ("Pilotage de grands projets SI", None), ("Cybersécurité", None)],
         desired=[("Relations industrielles", None)], corps=["Corps des mines", "Corps des ingénieurs de l'armement", "Corps des ingénieurs des ponts, des eaux et des forêts"],
         grade="ingénieur en chef", date="2027-02-01", clearance="confidentiel", openings=1))

post("PST-12", dict(
    titre="Responsable de l'interopérabilité des données de santé", min="Min. Santé", dir="Délégation au numérique en santé (DNS)", lieu="Paris 14e",
    req="Interopérabilité des données de santé (HL7 FHIR), Architecture de données, RGPD",
    souh="Pilotage de projet",
    corps="", grade="IPEF", date="Immédiate", habil="",
    desc="Définir et faire appliquer le cadre d'interopérabilité des systèmes d'information de santé, animer les éditeurs.", n="1"),
    dict(ministry="Ministère de la Santé et des Solidarités", req=[("Interopérabilité des données de santé (HL7 FHIR)", None), ("Architecture de données", None), ("RGPD", None)],
         desired=[("Pilotage de projet", None)], corps=[],
         grade="ingénieur des ponts, des eaux et des forêts", date="2026-12-01", clearance="none", openings=1))

post("PST-13", dict(
    titre="Chef du bureau intelligence artificielle", min="Bercy", dir="DGE – Service de l'économie numérique", lieu="Ivry-sur-Seine",
    req="Intelligence artificielle, Politique industrielle, Économie numérique, Négociation européenne",
    souh="",
    corps="Corps des mines", grade="IM", date="01/06/2027", habil="",
    desc="Mettre en œuvre la stratégie nationale pour l'IA et le règlement européen, suivre les entreprises du secteur, préparer les arbitrages.", n="1"),
    dict(ministry="Ministères économiques et financiers", req=[("Intelligence artificielle", None), ("Politique industrielle", None), ("Économie numérique", None), ("Négociation européenne", None)],
         desired=[], corps=["Corps des mines"],
         grade="ingénieur des mines", date="2027-06-01", clearance="none", openings=1))

post("PST-14", dict(
    titre="Chef du pôle modélisation et prévision des crues", min="MTE", dir="DGPR – SCHAPI", lieu="Toulouse",
    req="Hydrologie, Modélisation hydrologique, Prévision des crues, Management d'équipe",
    souh="Gestion de crise",
    corps="IPEF, ITPE", grade="ICPEF", date="01/01/2027", habil="",
    desc="Encadrer les prévisionnistes et les modélisateurs du service central d'hydrométéorologie ; faire évoluer les modèles de Vigicrues.", n="1"),
    dict(ministry="Ministère de la Transition écologique", req=[("Hydrologie", None), ("Modélisation hydrologique", None), ("Prévision des crues", None), ("Management d'équipe", None)],
         desired=[("Gestion de crise", None)], corps=["Corps des ingénieurs des ponts, des eaux et des forêts", "Corps des ingénieurs des travaux publics de l'État"],
         grade="ingénieur en chef des ponts, des eaux et des forêts", date="2027-01-01", clearance="none", openings=1))

post("PST-15", dict(
    titre="Architecte système d'armes navales", min="Minarm", dir="DGA Techniques navales", lieu="Toulon",
    req="Ingénierie système, Architecture système, Gestion de la configuration",
    souh="Conduite de programme d'armement, Systèmes navals",
    corps="Armement", grade="IPA", date="01/03/2027", habil="Secret",
    desc="Porter l'architecture système des frégates de nouvelle génération, arbitrer les interfaces entre sous-systèmes avec les industriels.", n="1"),
    dict(ministry="Ministère des Armées", req=[("Ingénierie système", None), ("Architecture système", None), ("Gestion de la configuration", None)],
         desired=[("Conduite de programme d'armement", None), ("Systèmes navals", None)], corps=["Corps des ingénieurs de l'armement"],
         grade="ingénieur principal de l'armement", date="2027-03-01", clearance="secret", openings=1))

post("PST-16", dict(
    titre="Chef(fe) de la division audit et inspection", min="Services du PM (SGDSN)", dir="ANSSI", lieu="Paris 7e",
    req="• Audit de sécurité\n• Tests d'intrusion\n• Management d'équipe\n• Cybersécurité",
    souh="Cryptographie",
    corps="Armement, Mines", grade="ICA", date="01/09/2027", habil="Secret",
    desc="Diriger les auditeurs de l'ANSSI qui inspectent les systèmes d'information des opérateurs d'importance vitale et des ministères.", n="1"),
    dict(ministry="Services du Premier ministre", req=[("Audit de sécurité", None), ("Tests d'intrusion", None), ("Management d'équipe", None), ("Cybersécurité", None)],
         desired=[("Cryptographie", None)], corps=["Corps des ingénieurs de l'armement", "Corps des mines"],
         grade="ingénieur en chef de l'armement", date="2027-09-01", clearance="secret", openings=1))


# --------------------------------------------------------------------------------------
def skills_cell(items):
    return "; ".join(f"{n}:{lv}" if lv else n for n, lv in items)


def write_xlsx(path, title_row, headers, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Vivier"
    if title_row:
        ws.append([title_row])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)


def main():
    typed_headers = ["Matricule", "Nom", "Prénom", "Courriel", "Corps", "Grade", "Ministère d'affectation", "Poste actuel",
                     "Lieu d'affectation", "Années d'expérience", "Compétences", "Résumé du parcours", "Ministères souhaités",
                     "Lieux souhaités", "Disponibilité", "Habilitation", "Ouvert à la mobilité"]
    rows = []
    for pid, t, c in P:
        email = f"{t['prenom'].lower()}.{t['nom'].split(' ')[0].lower()}@exemple.invalid"
        disp = t["dispo"]
        if "/" in disp and disp[:2].isdigit():  # typed dates are real Excel dates
            d, m, y = map(int, disp.split("/"))
            disp = dt.datetime(y, m, d)
        rows.append([pid, t["nom"], t["prenom"], email, t["corps"], t["grade"], t["min"], t["poste"], t["lieu"], t["exp"],
                     t["comp"], t["resume"], t["souhaits"], t["lieux"], disp, t["habil"], t["mob"]])
    write_xlsx(HERE / "profils_tels_que_saisis.xlsx", "Export SIRH – vivier des ingénieurs des corps techniques – extraction du 15/11/2026", typed_headers, rows)

    canon_headers = ["profile_id", "full_name", "email", "corps", "grade", "current_ministry", "current_position", "location",
                     "years_experience", "skills", "summary", "wished_ministries", "wished_locations", "available_from",
                     "clearance", "open_to_mobility"]
    rows = []
    for pid, t, c in P:
        email = f"{t['prenom'].lower()}.{t['nom'].split(' ')[0].lower()}@exemple.invalid"
        rows.append([pid, f"{t['prenom']} {t['nom']}", email, c["corps"], c["grade"], c["ministry"], t["poste"], t["lieu"],
                     c["years"], skills_cell(c["skills"]), t["resume"], "; ".join(c["wished"]), "; ".join(c["wished_loc"]),
                     c["available"], c["clearance"], "yes" if c["open"] else "no"])
    write_xlsx(HERE / "profils_reecrits.xlsx", None, canon_headers, rows)

    typed_headers = ["Référence", "Intitulé du poste", "Ministère", "Direction", "Lieu", "Compétences requises",
                     "Compétences souhaitées", "Corps éligibles", "Grade minimum", "Date de prise de poste",
                     "Habilitation requise", "Description du poste", "Nombre de postes"]
    with open(HERE / "fiches_de_poste_telles_que_saisies.csv", "w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(typed_headers)
        for pid, t, c in Q:
            w.writerow([pid, t["titre"], t["min"], t["dir"], t["lieu"], t["req"], t["souh"], t["corps"], t["grade"], t["date"],
                        t["habil"], t["desc"], t["n"]])

    canon_headers = ["position_id", "ministry", "employer", "title", "description", "required_skills", "desired_skills",
                     "location", "eligible_corps", "grade_min", "start_date", "clearance_required", "openings"]
    with open(HERE / "fiches_de_poste_reecrites.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=",", lineterminator="\n")
        w.writerow(canon_headers)
        for pid, t, c in Q:
            w.writerow([pid, c["ministry"], t["dir"], t["titre"], t["desc"], skills_cell(c["req"]), skills_cell(c["desired"]),
                        t["lieu"], "; ".join(c["corps"]), c["grade"], c["date"], c["clearance"], c["openings"]])


if __name__ == "__main__":
    main()
