"""Hand-written ILLUSTRATIVE senior positions for the shipped sample (data only).

These posts are invented for the demonstration sample: they are *not* real vacancies,
even when they name real State directorates (DINUM, ANSSI, DGE, DGA, INSEE...), whose
names are used only to make the sample realistic. `build_sample.py` turns each entry
into one row of data/sample/positions.csv with a position_id "ILL-<key>" and
illustrative = "oui".

Fields of each entry:
- key: stable short id (position_id = "ILL-" + key)
- ministry: one of the normalised ministry labels (see build_sample.MINISTRY_LABELS)
- employer, title, location ("Département (NN), Région"), description (80-200 words)
- job_family: one of the 10 digital families of rmfp_numerique (Architecture,
  Développement, Données, Gestion, Infrastructure, Projet / Produit, Serveur / Cloud,
  Sécurité, Support, Autres) or one of NON_DIGITAL_FAMILIES below
- required / desired: list of (skill name, level 1-4)
- corps: eligible corps ("" = all), grade_min ("" = none), clearance (none,
  confidentiel, secret), openings (1-3), start (ISO date in 2027), remote (days/week)
- trades: ROME 4.0 codes of the trades that fit the post; build_sample.py seeds part
  of the fictional profiles from them so that each post has several plausible
  candidates (the shortlists are then meaningful, not empty).
"""

NON_DIGITAL_FAMILIES = [
    "Politique industrielle",
    "Statistique et études économiques",
    "Environnement et prévention des risques",
    "Énergie",
    "Transports et infrastructures",
    "Programmes d'armement",
    "Agriculture et forêts",
    "Santé publique",
    "Recherche et innovation",
]

PARIS = "Paris (75), Île-de-France"

POSITIONS = [
    # ------------------------------------------------------------------ Armées
    dict(
        key="ARM-01", ministry="Ministère des Armées",
        employer="Direction générale de l'armement (DGA)",
        title="Directeur / Directrice de programme d'armement - systèmes de drones",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Programmes d'armement",
        corps="Armement", grade_min="ingénieur en chef", clearance="secret", openings=1,
        start="2027-01-04", remote=0,
        required=[("Conduite de programme d'armement", 4), ("Ingénierie système", 3),
                  ("Concevoir et coordonner un programme, un projet de recherche", 3),
                  ("Maîtrise des risques programme", 3), ("Elaborer, suivre et piloter un budget", 3),
                  ("Animer, coordonner une équipe", 4), ("Négociation avec les industriels", 3)],
        desired=[("Systèmes de drones", 2), ("Code de la commande publique", 2), ("Anglais", 3)],
        trades=["H1218", "H1206", "M1892", "M1870"],
        description=(
            "Au sein de la direction des opérations de la DGA, vous dirigez une équipe "
            "intégrée d'une trentaine d'ingénieurs et d'experts chargée d'un programme de "
            "systèmes de drones tactiques, de la préparation au stade de réalisation. Vous "
            "êtes responsable de la tenue des objectifs de performance, de coût et de délai "
            "du programme, en lien étroit avec l'état-major des armées et les industriels "
            "titulaires des marchés. Vous conduisez les revues de programme, arbitrez les "
            "compromis techniques, préparez les décisions du comité ministériel d'investissement "
            "et pilotez la maîtrise des risques. Vous représentez la France dans les "
            "coopérations européennes associées. Le poste demande une solide culture "
            "d'ingénierie système, une expérience confirmée de la conduite de grands projets "
            "complexes et un sens aigu de la négociation."),
    ),
    dict(
        key="ARM-02", ministry="Ministère des Armées",
        employer="DGA Maîtrise de l'information",
        title="Chef / Cheffe du département expertise en cryptographie et sécurité des composants",
        location="Ille-et-Vilaine (35), Bretagne", job_family="Sécurité",
        corps="Armement; Mines; Télécommunications", grade_min="ingénieur en chef",
        clearance="secret", openings=1, start="2027-03-01", remote=1,
        required=[("Cryptographie appliquée", 4), ("Gestion de la sécurité des informations", 3),
                  ("Evaluation de la vulnérabilité des systèmes", 3), ("Animer, coordonner une équipe", 4),
                  ("Conduire des travaux d'études et de recherche", 3), ("Cybersécurité", 4)],
        desired=[("Sécurité des systèmes embarqués", 3), ("Python", 2), ("Anglais technique", 3)],
        trades=["M1856", "M1882", "M1863", "K2402"],
        description=(
            "Le centre d'expertise de Bruz conçoit et évalue les moyens de chiffrement et de "
            "sécurité des systèmes d'information des forces. Vous prenez la tête d'un "
            "département d'une cinquantaine d'experts (cryptologues, électroniciens, "
            "évaluateurs) qui analyse la robustesse des composants et des équipements de "
            "chiffrement gouvernementaux, mène des travaux de recherche appliquée avec "
            "l'écosystème académique et rend des avis techniques aux programmes d'armement. "
            "Vous définissez la feuille de route technique du département, arbitrez les "
            "priorités entre expertise et études amont, développez les compétences rares de "
            "vos équipes et représentez le ministère auprès de l'ANSSI et des partenaires "
            "étrangers. Une expérience de la sécurité des systèmes d'information à haut "
            "niveau d'exigence et un goût pour l'animation scientifique sont attendus."),
    ),
    dict(
        key="ARM-03", ministry="Ministère des Armées",
        employer="Direction générale du numérique et des systèmes d'information et de communication (DGNUM)",
        title="Architecte en chef cloud de défense",
        location=PARIS, job_family="Architecture",
        corps="", grade_min="ingénieur en chef", clearance="secret", openings=1,
        start="2027-02-01", remote=1,
        required=[("Architecture de solutions cloud", 4), ("Concevoir l'architecture d'un système, d'un réseau", 4),
                  ("Kubernetes", 3), ("Gérer la sécurité informatique", 3),
                  ("Urbanisation des systèmes d'information", 3), ("Définir la stratégie des systèmes d'informations", 3)],
        desired=[("Terraform", 2), ("SecNumCloud", 2), ("FinOps", 2), ("Homologation de sécurité", 2)],
        trades=["M1860", "M1839", "M1838", "M1827"],
        description=(
            "La DGNUM définit la stratégie numérique du ministère des Armées et conduit la "
            "transformation de ses infrastructures. Rattaché au directeur de la stratégie, vous "
            "êtes l'architecte de référence du cloud de défense, qui doit héberger à la fois "
            "des applications de gestion et des systèmes classifiés. Vous définissez les "
            "principes d'architecture, les socles techniques (conteneurs, orchestration, "
            "stockage, identité) et les trajectoires de migration des applications existantes, "
            "en veillant à la réversibilité, à la sécurité et à la maîtrise des coûts. Vous "
            "animez la communauté des architectes des armées, directions et services, arbitrez "
            "les choix technologiques et accompagnez les démarches d'homologation. Poste "
            "exigeant une forte expérience technique et une capacité à convaincre des "
            "interlocuteurs de haut niveau."),
    ),
    dict(
        key="ARM-04", ministry="Ministère des Armées",
        employer="Agence ministérielle pour l'intelligence artificielle de défense",
        title="Responsable du pôle ingénierie de l'IA et MLOps",
        location="Yvelines (78), Île-de-France", job_family="Données",
        corps="", grade_min="ingénieur", clearance="secret", openings=2,
        start="2027-01-18", remote=1,
        required=[("Exploiter des solutions de Data Science ou d'Intelligence Artificielle", 4),
                  ("Python", 4), ("MLOps", 3), ("Gérer des données massives", 3),
                  ("Apprentissage automatique", 4), ("Animer, coordonner une équipe", 3)],
        desired=[("PyTorch", 3), ("Kubernetes", 2), ("IA embarquée", 2), ("Calcul haute performance", 2)],
        trades=["M1889", "M1405", "M1811", "M1873"],
        description=(
            "L'agence conçoit et industrialise des solutions d'intelligence artificielle au "
            "profit des forces et des services du ministère. Vous dirigez le pôle chargé de "
            "transformer des prototypes en services robustes : chaînes d'entraînement et de "
            "déploiement des modèles, évaluation de leurs performances et de leur robustesse, "
            "supervision en production, y compris sur des réseaux classifiés et des "
            "plateformes embarquées. Vous encadrez une quinzaine d'ingénieurs et de data "
            "scientists, définissez les standards techniques, choisissez les outils et "
            "travaillez avec les équipes de calcul haute performance. Vous êtes l'interlocuteur "
            "technique des programmes d'armement intégrant de l'IA et contribuez à la "
            "doctrine d'emploi d'une IA de confiance. Profil d'ingénieur confirmé, pratiquant."),
    ),
    dict(
        key="ARM-05", ministry="Ministère des Armées",
        employer="Commandement de la cyberdéfense (COMCYBER)",
        title="Adjoint / Adjointe au chef de la division lutte informatique défensive",
        location="Ille-et-Vilaine (35), Bretagne", job_family="Sécurité",
        corps="Armement; Mines; Télécommunications", grade_min="ingénieur", clearance="secret",
        openings=1, start="2027-06-01", remote=0,
        required=[("Gestion des incidents de sécurité", 4), ("Détection des intrusions réseau", 3),
                  ("Analyser les risques de sécurité informatique", 3), ("Gestion de crise cyber", 3),
                  ("Animer, coordonner une équipe", 3), ("SOC", 3)],
        desired=[("Threat intelligence", 2), ("Analyse de malwares", 2), ("Anglais", 3)],
        trades=["M1844", "M1856", "M1883", "M1812"],
        description=(
            "Au sein du commandement de la cyberdéfense, la division lutte informatique "
            "défensive organise la surveillance, la détection et la réponse aux attaques "
            "visant les systèmes du ministère. Adjoint du chef de division, vous coordonnez "
            "les centres opérationnels de sécurité, pilotez la montée en capacité des outils "
            "de détection et dirigez les opérations de réponse à incident majeures. Vous "
            "préparez les exercices de gestion de crise, formalisez les retours d'expérience "
            "et entretenez les relations avec l'ANSSI et les alliés. Vous contribuez à la "
            "définition des besoins capacitaires futurs en lien avec la DGA. Le poste, "
            "exigeant et opérationnel, s'adresse à un ingénieur ayant une solide pratique de "
            "la sécurité opérationnelle et le goût du commandement d'équipes."),
    ),
    # --------------------------------------------------------------- Intérieur
    dict(
        key="INT-01", ministry="Ministère de l'Intérieur",
        employer="Direction du numérique (DNUM)",
        title="Directeur / Directrice de programme - réseau radio haut débit des forces de sécurité",
        location=PARIS, job_family="Gestion",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=1,
        required=[("Diriger des projets de transformation numérique", 4), ("Réseaux de télécommunication", 3),
                  ("Elaborer, suivre et piloter un budget", 3), ("Lancer et gérer un appel d'offres", 3),
                  ("Animer, coordonner une équipe", 4), ("Gestion des risques projet", 3)],
        desired=[("4G/5G", 3), ("Code de la commande publique", 2), ("Conduite du changement", 2)],
        trades=["M1870", "M1804", "M1885", "M1803"],
        description=(
            "La direction du numérique du ministère conduit la modernisation des moyens de "
            "communication des forces de sécurité intérieure et de secours. Vous dirigez le "
            "programme de réseau radio haut débit, qui remplace les réseaux historiques par "
            "un service de communications critiques fondé sur les réseaux mobiles 4G et 5G. "
            "Vous pilotez l'équipe programme, les titulaires des marchés et les opérateurs, "
            "suivez le budget pluriannuel, tenez le calendrier de déploiement sur le "
            "territoire et rendez compte aux instances de gouvernance interministérielles. "
            "Vous veillez à l'adoption du service par la police, la gendarmerie et les "
            "services d'incendie et de secours. Une expérience de la direction de grands "
            "projets techniques et une bonne connaissance des télécommunications sont "
            "indispensables."),
    ),
    dict(
        key="INT-02", ministry="Ministère de l'Intérieur",
        employer="Haut fonctionnaire de défense - service de sécurité numérique",
        title="Adjoint / Adjointe au RSSI ministériel",
        location=PARIS, job_family="Sécurité",
        corps="", grade_min="ingénieur", clearance="secret", openings=1,
        start="2027-02-15", remote=1,
        required=[("Gérer la sécurité informatique", 4),
                  ("Rédiger l'ensemble des documents d'un référentiel (politiques, procédures, normes...)", 3),
                  ("EBIOS RM", 3), ("Homologation de sécurité", 3), ("Gestion de crise", 3),
                  ("Animer, coordonner une équipe", 3)],
        desired=[("ISO 27001", 2), ("Règlement Général européen sur la Protection des Données (RGPD)", 2),
                 ("Cloud", 2)],
        trades=["M1812", "M1856", "M1882", "M1844"],
        description=(
            "Le service de sécurité numérique définit et contrôle la politique de sécurité des "
            "systèmes d'information de l'ensemble des directions du ministère, de la police à "
            "la sécurité civile. Adjoint du responsable ministériel, vous animez la filière "
            "SSI (plus de cent correspondants), pilotez la mise à jour de la politique de "
            "sécurité, organisez les homologations des systèmes sensibles et suivez le plan "
            "de remédiation issu des audits. En cas d'incident majeur, vous coordonnez la "
            "cellule de crise avec les équipes techniques et l'ANSSI. Vous représentez le "
            "ministère dans les instances interministérielles et conseillez les directeurs "
            "de projets numériques sur l'analyse de risques. Le poste requiert une bonne "
            "expérience de la gouvernance de la sécurité et des qualités de pédagogue."),
    ),
    dict(
        key="INT-03", ministry="Ministère de l'Intérieur",
        employer="Agence nationale des titres sécurisés (ANTS)",
        title="Directeur technique / Directrice technique (CTO)",
        location="Paris (75), Île-de-France", job_family="Gestion",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-04-01", remote=1,
        required=[("Définir la stratégie des systèmes d'informations", 4), ("Architecture de solutions cloud", 3),
                  ("Compétences en management d'équipe", 4), ("Gérer les relations avec les prestataires IT", 3),
                  ("Gérer la sécurité informatique", 3), ("Méthodes de gestion de projet agile", 3)],
        desired=[("Identité numérique", 3), ("Product management", 2), ("Gestion du budget IT", 2)],
        trades=["M1803", "M1870", "M1860", "M1426"],
        description=(
            "L'agence produit les titres sécurisés (passeports, cartes d'identité, permis, "
            "certificats d'immatriculation) et les services d'identité numérique associés, "
            "utilisés par des millions d'usagers. Directeur technique, vous êtes responsable "
            "des plateformes, de l'architecture, de l'exploitation et de la sécurité des "
            "services en ligne de l'agence. Vous dirigez une équipe d'environ soixante "
            "agents et pilotez les prestataires d'infogérance. Vous définissez la feuille de "
            "route technique, garantissez la disponibilité des services lors des pics de "
            "demande, conduisez la modernisation des applications et la trajectoire cloud, "
            "et portez l'ouverture de l'identité numérique à de nouveaux usages. Vous êtes "
            "membre du comité de direction et interlocuteur de la DINUM et de l'ANSSI."),
    ),
    dict(
        key="INT-04", ministry="Ministère de l'Intérieur",
        employer="Direction générale de la sécurité civile et de la gestion des crises (DGSCGC)",
        title="Chef / Cheffe de la mission données et systèmes d'information de crise",
        location="Paris (75), Île-de-France", job_family="Données",
        corps="", grade_min="ingénieur", clearance="confidentiel", openings=1,
        start="2027-09-01", remote=1,
        required=[("Collecter et analyser des données, des informations", 3), ("Systèmes d'information géographique", 3),
                  ("Gestion de crise", 3), ("Mettre en place des systèmes de gestion des données", 3),
                  ("Concevoir et gérer un projet", 3), ("SQL", 2)],
        desired=[("Python", 2), ("Risques naturels", 2), ("Visualisation de données", 2)],
        trades=["M1423", "M1811", "M1419", "A1313"],
        description=(
            "La DGSCGC coordonne la réponse de l'État aux catastrophes et aux crises de "
            "sécurité civile. Vous créez et dirigez une mission chargée de rendre les "
            "données utiles à la décision en situation de crise : inventaire et qualité des "
            "sources (secours, météorologie, réseaux, population), plateforme de partage "
            "avec les préfectures et les opérateurs, cartographie dynamique et indicateurs "
            "pour le centre opérationnel de gestion interministérielle des crises. Vous "
            "pilotez une petite équipe d'ingénieurs et de géomaticiens, travaillez avec "
            "Météo-France, les services de prévision des crues et les opérateurs de réseaux, "
            "et conduisez les marchés nécessaires. Vous participez aux exercices nationaux. "
            "Une expérience de la donnée et des systèmes d'information géographique, ainsi "
            "qu'un intérêt pour la gestion des risques, sont attendus."),
    ),
    # ---------------------------------------------- Économie et finances
    dict(
        key="MEF-01", ministry="Ministères économiques et financiers",
        employer="Direction générale des entreprises (DGE)",
        title="Chef / Cheffe du service de l'industrie - filières électronique et semi-conducteurs",
        location=PARIS, job_family="Politique industrielle",
        corps="Mines; IPEF; Armement", grade_min="ingénieur en chef", clearance="confidentiel",
        openings=1, start="2027-01-04", remote=1,
        required=[("Politique industrielle", 4), ("Analyse de filières industrielles", 3),
                  ("Aides d'État", 3), ("Animer, coordonner une équipe", 4),
                  ("Mener des négociations complexes avec des acteurs clés", 3),
                  ("Etablir des prévisions, des évaluations, des recommandations, des perspectives", 3)],
        desired=[("Semi-conducteurs", 3), ("France 2030", 2), ("Anglais", 3), ("Droit européen", 2)],
        trades=["H1206", "H1218", "M1409", "H1102", "K1401"],
        description=(
            "La DGE conçoit et met en œuvre la politique industrielle de l'État. Vous dirigez "
            "le service chargé des filières électronique, semi-conducteurs et composants, "
            "soit une quarantaine d'agents. Vous suivez la situation des entreprises et des "
            "sites industriels, instruisez les grands projets d'investissement et les aides "
            "d'État associées, pilotez la déclinaison des plans nationaux et européens sur "
            "les puces électroniques et animez le dialogue avec les comités stratégiques de "
            "filière. Vous préparez les décisions du ministre sur les dossiers sensibles "
            "(investissements étrangers, difficultés d'entreprises) et représentez la France "
            "dans les instances européennes. Le poste exige une forte culture industrielle "
            "et technologique, un sens politique et une grande capacité d'animation."),
    ),
    dict(
        key="MEF-02", ministry="Ministères économiques et financiers",
        employer="Direction générale des entreprises (DGE)",
        title="Sous-directeur / Sous-directrice de l'économie numérique et de l'intelligence artificielle",
        location=PARIS, job_family="Politique industrielle",
        corps="Mines; Télécommunications; Armement; INSEE", grade_min="ingénieur en chef",
        clearance="none", openings=1, start="2027-02-01", remote=1,
        required=[("Politique industrielle", 3), ("Principes de l'intelligence artificielle", 3),
                  ("Connaissance des politiques publiques", 3), ("Animer, coordonner une équipe", 4),
                  ("Droit du numérique", 3), ("Elaborer des recommandations stratégiques", 3)],
        desired=[("Règlement européen sur l'IA", 3), ("Cloud", 2), ("Économie des plateformes", 2)],
        trades=["M1426", "M1803", "M1889", "M1409", "K1401"],
        description=(
            "Vous dirigez la sous-direction chargée de la stratégie nationale pour "
            "l'intelligence artificielle, du cloud, des données et de la régulation des "
            "plateformes numériques. Avec une trentaine d'agents, vous préparez les "
            "positions françaises dans les négociations européennes, pilotez la mise en "
            "œuvre du règlement sur l'intelligence artificielle, accompagnez les jeunes "
            "entreprises technologiques et animez les programmes d'investissement dans les "
            "infrastructures de calcul. Vous travaillez avec la DINUM, l'ANSSI, l'Arcep et "
            "la CNIL. Le poste demande une compréhension fine des technologies numériques, "
            "de leur économie et de leur régulation, ainsi qu'une expérience confirmée de "
            "l'encadrement."),
    ),
    dict(
        key="MEF-03", ministry="Ministères économiques et financiers",
        employer="Direction générale des finances publiques (DGFiP)",
        title="Administrateur / Administratrice des données (Chief Data Officer)",
        location=PARIS, job_family="Données",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=2,
        required=[("Développer des politiques de gestion des données", 4), ("Animer, coordonner une équipe", 4),
                  ("Mettre en place des systèmes de gestion des données", 3),
                  ("Connaissance des réglementations sur la protection des données", 3),
                  ("Exploiter des solutions de Data Science ou d'Intelligence Artificielle", 3),
                  ("Gouvernance des données", 4)],
        desired=[("Secret fiscal", 2), ("Open data", 2), ("Python", 2)],
        trades=["M1423", "M1811", "M1405", "M1414"],
        description=(
            "La DGFiP gère des données parmi les plus riches de l'État (impôts, cadastre, "
            "comptabilité publique). Administrateur des données, vous définissez et "
            "conduisez la stratégie de la direction en matière de données : gouvernance et "
            "qualité, catalogue, ouverture des données publiques, partage avec les autres "
            "administrations dans le respect du secret fiscal, valorisation par la science "
            "des données et l'intelligence artificielle pour le contrôle fiscal et le "
            "service aux usagers. Vous dirigez l'équipe nationale des données (environ "
            "quarante personnes) et animez un réseau de référents. Vous siégez au comité de "
            "direction du numérique et représentez la DGFiP auprès de l'administrateur "
            "général des données de l'État."),
    ),
    dict(
        key="MEF-04", ministry="Ministères économiques et financiers",
        employer="Direction générale des finances publiques (DGFiP) - service des systèmes d'information",
        title="Responsable de l'offre cloud interne et des plateformes de conteneurs",
        location="Seine-Saint-Denis (93), Île-de-France", job_family="Serveur / Cloud",
        corps="", grade_min="ingénieur", clearance="none", openings=2,
        start="2027-03-01", remote=2,
        required=[("Kubernetes", 4), ("Déploiement de services cloud (cloud computing)", 3),
                  ("Optimiser les performances des systèmes cloud", 3), ("Système d'exploitation Linux", 3),
                  ("CI/CD", 3), ("Animer, coordonner une équipe", 3)],
        desired=[("OpenStack", 2), ("Terraform", 2), ("SRE", 2), ("FinOps", 2)],
        trades=["M1860", "M1827", "M1879", "M1839"],
        description=(
            "Le service des systèmes d'information exploite un cloud interne sur lequel la "
            "DGFiP migre progressivement ses applications. Vous êtes responsable de l'offre "
            "d'hébergement en conteneurs : conception et évolution de la plateforme, "
            "automatisation du déploiement, observabilité, capacité et fiabilité, "
            "accompagnement des équipes de développement qui y basculent. Vous encadrez une "
            "équipe d'une vingtaine d'ingénieurs système et DevOps répartis sur deux sites, "
            "définissez les niveaux de service et suivez les coûts. Vous travaillez avec les "
            "équipes sécurité pour intégrer les exigences de sécurité dès la conception. Le "
            "poste convient à un ingénieur ayant une expérience concrète de l'exploitation de "
            "plateformes Kubernetes en production."),
    ),
    dict(
        key="MEF-05", ministry="Ministères économiques et financiers",
        employer="Institut national de la statistique et des études économiques (INSEE)",
        title="Chef / Cheffe de l'unité innovation et science des données (SSP Lab)",
        location=PARIS, job_family="Données",
        corps="INSEE; Mines; IPEF", grade_min="administrateur", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Réaliser une analyse ou modélisation statistique de données", 4), ("Python", 4),
                  ("Apprentissage automatique", 3), ("Animer, coordonner une équipe", 3),
                  ("Statistique publique", 3), ("Gérer des données massives", 3)],
        desired=[("R", 3), ("Kubernetes", 2), ("Traitement automatique du langage", 3), ("Open source", 2)],
        trades=["M1405", "M1414", "M1889", "M1811"],
        description=(
            "L'unité innovation et science des données de l'INSEE explore l'usage de "
            "nouvelles sources (données de caisse, images satellites, données de téléphonie) "
            "et des méthodes d'apprentissage automatique pour la statistique publique. Vous "
            "dirigez une équipe d'une douzaine de statisticiens et data scientists, animez "
            "les projets expérimentaux avec les divisions de production, maintenez la "
            "plateforme de science des données ouverte au service statistique public et "
            "contribuez aux réseaux européens. Vous veillez à ce que les innovations passent "
            "en production avec une qualité statistique documentée. Le poste demande une "
            "double compétence statistique et informatique, une pratique récente de Python "
            "et un goût affirmé pour le travail ouvert et collaboratif."),
    ),
    dict(
        key="MEF-06", ministry="Ministères économiques et financiers",
        employer="Institut national de la statistique et des études économiques (INSEE)",
        title="Chef / Cheffe du département des comptes nationaux",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Statistique et études économiques",
        corps="INSEE", grade_min="administrateur hors classe", clearance="none", openings=1,
        start="2027-06-01", remote=1,
        required=[("Comptabilité nationale", 4), ("Analyser les tendances économiques", 4),
                  ("Animer, coordonner une équipe", 4), ("Statistique publique", 3),
                  ("Communiquer les résultats des études aux parties prenantes", 3),
                  ("Réaliser un modèle de prévision", 2)],
        desired=[("Économétrie", 3), ("Anglais", 3), ("SAS", 2)],
        trades=["M1403", "M1422", "M1414", "M1409"],
        description=(
            "Le département des comptes nationaux établit les comptes trimestriels et "
            "annuels de la Nation (croissance, revenus, dette), qui éclairent le débat public "
            "et les engagements européens de la France. Vous dirigez ses cinq divisions et "
            "environ cent agents, garantissez la qualité et le calendrier des publications, "
            "préparez le prochain changement de base et la modernisation des chaînes de "
            "production. Vous êtes l'interlocuteur d'Eurostat, du FMI et de l'OCDE, et "
            "présentez les résultats aux médias et aux commissions parlementaires. Une "
            "solide expérience de la macroéconomie et de la production statistique, ainsi "
            "qu'une aptitude confirmée au management, sont indispensables."),
    ),
    dict(
        key="MEF-07", ministry="Ministères économiques et financiers",
        employer="Direction générale du Trésor",
        title="Chef / Cheffe du bureau politique énergétique et climat",
        location=PARIS, job_family="Énergie",
        corps="Mines; IPEF; INSEE", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-09-01", remote=1,
        required=[("Modélisation économique", 3), ("Economie du développement durable", 3),
                  ("Suivre la réglementation en vigueur sur l'énergie", 3),
                  ("Elaborer des recommandations stratégiques", 3), ("Animer, coordonner une équipe", 3)],
        desired=[("Marchés de l'électricité", 3), ("Fiscalité environnementale", 2), ("Anglais", 3)],
        trades=["M1409", "M1403", "F1113", "H1237"],
        description=(
            "Le bureau analyse les politiques énergétiques et climatiques et leurs effets "
            "économiques : prix de l'énergie, marchés de l'électricité et du gaz, tarification "
            "du carbone, financement de la transition. Vous encadrez six économistes et "
            "ingénieurs, préparez les notes au ministre, chiffrez les mesures envisagées et "
            "représentez la direction dans les travaux interministériels sur la "
            "programmation énergétique. Vous suivez les négociations européennes et "
            "internationales et contribuez aux publications de la direction. Le poste "
            "requiert une formation économique ou d'ingénieur, une pratique de la "
            "modélisation et une bonne connaissance du secteur énergétique."),
    ),
    # ------------------------------------------------- Transition écologique
    dict(
        key="TE-01", ministry="Ministère de la Transition écologique",
        employer="Direction générale de la prévention des risques (DGPR)",
        title="Chef / Cheffe du service des risques technologiques",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Environnement et prévention des risques",
        corps="Mines; IPEF", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=1,
        required=[("Risques technologiques", 4), ("Installations classées (ICPE)", 4),
                  ("Cadre réglementaire environnemental", 3), ("Animer, coordonner une équipe", 4),
                  ("Analyser et prévenir les risques", 3), ("Gestion de crise", 3)],
        desired=[("Directive Seveso", 3), ("Droit de l'environnement", 3), ("Sûreté nucléaire", 2)],
        trades=["H1301", "H1304", "H1306", "A1312"],
        description=(
            "Le service des risques technologiques élabore la réglementation des "
            "installations classées, des canalisations, des équipements sous pression et des "
            "produits chimiques, et anime l'inspection des installations classées exercée par "
            "les DREAL. Vous dirigez ses sous-directions (environ quatre-vingts agents), "
            "préparez les textes et les arbitrages ministériels, pilotez les suites des "
            "accidents industriels et la politique de contrôle, et défendez les positions "
            "françaises à Bruxelles. Vous entretenez un dialogue exigeant avec les "
            "fédérations industrielles, les associations et les élus. Le poste s'adresse à "
            "un ingénieur ayant exercé des responsabilités dans l'inspection ou la "
            "prévention des risques, doté d'un solide sens politique."),
    ),
    dict(
        key="TE-02", ministry="Ministère de la Transition écologique",
        employer="DREAL Auvergne-Rhône-Alpes",
        title="Directeur / Directrice adjoint(e) chargé(e) des risques et de l'énergie",
        location="Rhône (69), Auvergne-Rhône-Alpes", job_family="Environnement et prévention des risques",
        corps="Mines; IPEF", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-09-01", remote=1,
        required=[("Installations classées (ICPE)", 3), ("Risques technologiques", 3),
                  ("Diriger et gérer un ensemble, une structure, une organisation", 4),
                  ("Décliner les programmes d'action aux niveaux régionaux, départementaux ou auprès d'établissements publics", 3),
                  ("Energies renouvelables", 2), ("Gestion de crise", 3)],
        desired=[("Risques naturels", 2), ("Dialogue social", 2), ("Hydroélectricité", 2)],
        trades=["H1301", "A1312", "K1401", "H1237", "H1304"],
        description=(
            "Première région industrielle de France, Auvergne-Rhône-Alpes compte de nombreux "
            "sites Seveso, l'essentiel de la production hydroélectrique et plusieurs "
            "centrales nucléaires. Directeur adjoint de la DREAL, vous encadrez les services "
            "chargés de la prévention des risques industriels, naturels et hydrauliques, du "
            "contrôle des ouvrages hydrauliques et du développement des énergies "
            "renouvelables, soit plus de trois cents agents répartis dans les unités "
            "départementales. Vous êtes l'interlocuteur des préfets, des exploitants et des "
            "élus, gérez les situations d'accident et de crise et suivez les dossiers "
            "sensibles d'autorisation. Le poste requiert une expérience confirmée de "
            "l'encadrement et de la prévention des risques."),
    ),
    dict(
        key="TE-03", ministry="Ministère de la Transition écologique",
        employer="Direction générale de l'énergie et du climat (DGEC)",
        title="Sous-directeur / Sous-directrice du système électrique et des énergies renouvelables",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Énergie",
        corps="Mines; IPEF", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-03-01", remote=1,
        required=[("Suivre la réglementation en vigueur sur l'énergie", 4), ("Energies renouvelables", 3),
                  ("Réseaux électriques", 3), ("Animer, coordonner une équipe", 4),
                  ("Concevoir les modalités d'une action publique", 3),
                  ("Réaliser des études de faisabilité technique et économique pour le montage de projets d'énergie renouvelable", 2)],
        desired=[("Marchés de l'électricité", 3), ("Hydrogène", 2), ("Modélisation économique", 2)],
        trades=["H1237", "F1113", "H1241", "M1409", "H1306"],
        description=(
            "La sous-direction élabore la politique de l'électricité : sécurité "
            "d'approvisionnement, organisation du marché, régulation des réseaux, soutien aux "
            "énergies renouvelables (appels d'offres éolien en mer, photovoltaïque, "
            "hydroélectricité) et avenir du parc de production. Vous dirigez quatre bureaux, "
            "préparez la programmation pluriannuelle de l'énergie dans son volet électrique, "
            "suivez les opérateurs de réseau et les grands énergéticiens, et conduisez les "
            "négociations européennes sur le marché de l'électricité. Le poste exige une "
            "forte culture technique et économique du système électrique, une grande "
            "capacité de travail et une aisance dans les relations avec les cabinets "
            "ministériels et les parties prenantes."),
    ),
    dict(
        key="TE-04", ministry="Ministère de la Transition écologique",
        employer="Direction générale de l'aviation civile (DGAC) - direction des services de la navigation aérienne",
        title="Directeur / Directrice de programme - modernisation des systèmes de contrôle aérien",
        location="Essonne (91), Île-de-France", job_family="Transports et infrastructures",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-18", remote=1,
        required=[("Diriger des projets de transformation numérique", 4), ("Ingénierie système", 3),
                  ("Système de suivi de trafic aérien", 3), ("Gestion des risques projet", 3),
                  ("Elaborer, suivre et piloter un budget", 3), ("Animer, coordonner une équipe", 4)],
        desired=[("Sécurité aérienne", 3), ("Anglais", 3), ("Cybersécurité", 2)],
        trades=["M1870", "H1218", "N2202", "M1839"],
        description=(
            "La direction des services de la navigation aérienne modernise les systèmes "
            "techniques utilisés par les contrôleurs aériens dans les centres en route et "
            "les grandes approches. Vous dirigez le programme de déploiement du nouveau "
            "système de traitement des plans de vol et des données radar : coordination des "
            "équipes techniques et opérationnelles, pilotage de l'industriel, préparation des "
            "mises en service sans interruption du trafic, sécurité et cybersécurité des "
            "systèmes. Vous rendez compte au directeur et aux instances européennes du ciel "
            "unique. Le poste requiert une expérience de grands programmes de systèmes "
            "critiques et une capacité à fédérer des équipes aux cultures différentes."),
    ),
    dict(
        key="TE-05", ministry="Ministère de la Transition écologique",
        employer="Direction générale des infrastructures, des transports et des mobilités (DGITM)",
        title="Chef / Cheffe de la mission données et numérique des mobilités",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Données",
        corps="", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-02-01", remote=2,
        required=[("Développer des stratégies de gestion des données", 3), ("Open data", 3),
                  ("Concevoir et gérer un projet", 3), ("API", 2), ("Animer, coordonner une équipe", 3),
                  ("Droit des transports", 2)],
        desired=[("Python", 2), ("Systèmes d'information géographique", 2), ("Véhicule autonome", 2)],
        trades=["M1423", "M1811", "M1864", "K1807"],
        description=(
            "La mission anime la politique publique de la donnée dans les transports : "
            "ouverture des données de mobilité, point d'accès national aux horaires et à "
            "l'offre de transport, billettique, services numériques multimodaux, véhicule "
            "connecté et autonome. Vous dirigez une équipe pluridisciplinaire de huit "
            "personnes, pilotez les produits numériques de la direction avec l'appui de la "
            "DINUM, préparez les textes d'application des règlements européens et animez le "
            "dialogue avec les collectivités et les opérateurs. Le poste convient à un "
            "ingénieur ayant l'expérience des produits numériques et de la donnée, curieux "
            "des questions de mobilité et à l'aise avec les partenaires publics et privés."),
    ),
    dict(
        key="TE-06", ministry="Ministère de la Transition écologique",
        employer="Secrétariat général - service du numérique (SNUM)",
        title="Directeur / Directrice du numérique adjoint(e)",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Gestion",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=1,
        required=[("Définir la stratégie des systèmes d'informations", 4), ("Compétences en management d'équipe", 4),
                  ("Gérer le budget IT de l'entreprise", 3), ("Diriger des projets de transformation numérique", 3),
                  ("Urbanisation des systèmes d'information", 3), ("Gérer les risques de cybersécurité", 2)],
        desired=[("Numérique responsable", 3), ("Code de la commande publique", 2), ("ITIL", 2)],
        trades=["M1803", "M1870", "M1426", "M1838"],
        description=(
            "Le service du numérique conçoit et exploite les systèmes d'information du pôle "
            "ministériel (transition écologique, cohésion des territoires, mer) et "
            "accompagne les directions dans leurs projets. Adjoint du chef de service, vous "
            "pilotez le fonctionnement quotidien d'un service de quatre cents agents : "
            "budget, marchés, ressources humaines, qualité de service. Vous conduisez le "
            "schéma directeur, la rationalisation des hébergements et la démarche de "
            "numérique responsable, et suivez les grands projets applicatifs. Vous remplacez "
            "le chef de service en son absence. Le poste requiert une expérience confirmée "
            "de la direction d'un système d'information et du management d'équipes "
            "nombreuses."),
    ),
    dict(
        key="TE-07", ministry="Ministère de la Transition écologique",
        employer="Service des données et études statistiques (SDES)",
        title="Sous-directeur / Sous-directrice des statistiques de l'énergie",
        location="Hauts-de-Seine (92), Île-de-France", job_family="Statistique et études économiques",
        corps="INSEE; Mines; IPEF", grade_min="administrateur", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Statistique publique", 3), ("Collecter des données statistiques", 3),
                  ("Animer, coordonner une équipe", 4), ("Analyser des données socioéconomiques", 3),
                  ("Energies renouvelables", 2), ("Communiquer les résultats des études aux parties prenantes", 3)],
        desired=[("R", 2), ("Bilan énergétique", 3), ("Anglais", 2)],
        trades=["M1414", "M1403", "M1422", "F1113"],
        description=(
            "Service statistique ministériel, le SDES produit les statistiques officielles de "
            "l'énergie, du logement, des transports et de l'environnement. Vous dirigez la "
            "sous-direction chargée du bilan énergétique de la France, des enquêtes sur la "
            "production et la consommation d'énergie, des prix et des indicateurs de suivi de "
            "la programmation énergétique, soit une trentaine d'agents. Vous garantissez la "
            "qualité et l'indépendance des publications, modernisez les chaînes de "
            "production et répondez aux obligations européennes et internationales. Le poste "
            "convient à un statisticien ou à un ingénieur familier de la production "
            "statistique, intéressé par les enjeux énergétiques."),
    ),
    # ------------------------------------------------------------ Agriculture
    dict(
        key="AGR-01", ministry="Ministère de l'Agriculture",
        employer="Secrétariat général - service du numérique",
        title="Directeur technique / Directrice technique des systèmes d'information",
        location="Paris (75), Île-de-France", job_family="Architecture",
        corps="IPEF", grade_min="ingénieur en chef", clearance="none", openings=1,
        start="2027-01-04", remote=2,
        required=[("Définir la stratégie des systèmes d'informations", 3),
                  ("Urbanisation des systèmes d'information", 4), ("Architecture de solutions cloud", 3),
                  ("Compétences en management d'équipe", 3), ("Gérer la sécurité informatique", 2),
                  ("Gestion de projet informatique", 3)],
        desired=[("Politique agricole commune", 2), ("Open source", 2), ("DevOps", 2)],
        trades=["M1838", "M1803", "M1860", "M1839"],
        description=(
            "Le service du numérique du ministère de l'Agriculture et de la Souveraineté "
            "alimentaire conçoit et opère les systèmes d'information de l'enseignement "
            "agricole, de l'alimentation, de la forêt et des aides. Directeur technique, vous "
            "êtes garant de l'architecture d'ensemble, des socles techniques et des choix "
            "d'hébergement. Vous encadrez les pôles architecture, intégration et exploitation "
            "(soixante-dix agents à Paris et Toulouse), conduisez la trajectoire de "
            "modernisation vers le cloud et les logiciels libres, et arbitrez les choix "
            "techniques des projets. Vous portez les sujets de sécurité avec le RSSI "
            "ministériel. Le poste convient à un ingénieur ayant une solide expérience de "
            "l'architecture et du management technique."),
    ),
    dict(
        key="AGR-02", ministry="Ministère de l'Agriculture",
        employer="Direction générale de la performance économique et environnementale des entreprises (DGPE)",
        title="Sous-directeur / Sous-directrice filières forêt-bois et adaptation au changement climatique",
        location=PARIS, job_family="Agriculture et forêts",
        corps="IPEF", grade_min="ingénieur en chef", clearance="none", openings=1,
        start="2027-02-01", remote=1,
        required=[("Sylviculture", 3),
                  ("Promouvoir et mettre en place une gestion durable de la forêt afin d'optimiser la productivité forestière", 3),
                  ("Droit forestier", 3), ("Animer, coordonner une équipe", 4),
                  ("Concevoir les modalités d'une action publique", 3), ("Adaptation au changement climatique", 3)],
        desired=[("Politique industrielle", 2), ("Négociation européenne", 2), ("Filière bois", 3)],
        trades=["A1307", "A1312", "A1303", "K1401"],
        description=(
            "La sous-direction conduit la politique forestière nationale et le soutien à la "
            "filière bois : gestion durable et adaptation des forêts au changement "
            "climatique, plan de renouvellement forestier, prévention des incendies, "
            "transformation et valorisation du bois. Vous dirigez trois bureaux, assurez la "
            "tutelle de l'Office national des forêts et du Centre national de la propriété "
            "forestière, et animez le dialogue avec les professionnels et les élus. Vous "
            "préparez les arbitrages budgétaires et représentez la France dans les "
            "instances européennes. Le poste demande une expérience du secteur forestier "
            "ou agricole, de solides capacités d'encadrement et un goût pour la négociation."),
    ),
    dict(
        key="AGR-03", ministry="Ministère de l'Agriculture",
        employer="Service de la statistique et de la prospective (SSP)",
        title="Chef / Cheffe du bureau des statistiques sur les productions et les prix agricoles",
        location="Haute-Garonne (31), Occitanie", job_family="Statistique et études économiques",
        corps="INSEE; IPEF", grade_min="", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Collecter des données statistiques", 3), ("Statistique publique", 3),
                  ("Utiliser des logiciels statistiques pour le traitement de données", 3),
                  ("Animer, coordonner une équipe", 3), ("Agronomie", 2)],
        desired=[("R", 3), ("Télédétection", 2), ("Enquêtes par sondage", 3)],
        trades=["M1414", "M1403", "A1303"],
        description=(
            "Service statistique ministériel, le SSP produit les statistiques agricoles "
            "officielles. Implanté à Toulouse, le bureau réalise les enquêtes et estimations "
            "sur les surfaces, les rendements, les productions végétales et animales et les "
            "prix agricoles, et prépare leur transmission à Eurostat. Vous encadrez une "
            "quinzaine de statisticiens, pilotez la refonte des méthodes d'estimation des "
            "récoltes en mobilisant les images satellites et les données administratives, et "
            "coordonnez le réseau des services régionaux. Le poste convient à un ingénieur "
            "ou un administrateur ayant une pratique de la production statistique et un "
            "intérêt pour l'agriculture."),
    ),
    dict(
        key="AGR-04", ministry="Ministère de l'Agriculture",
        employer="Direction générale de l'alimentation (DGAL)",
        title="Chef / Cheffe de la mission des urgences sanitaires et de la donnée de surveillance",
        location=PARIS, job_family="Santé publique",
        corps="IPEF", grade_min="ingénieur", clearance="confidentiel", openings=1,
        start="2027-03-15", remote=1,
        required=[("Gestion de crise", 4), ("Repérer et identifier des risques sanitaires et environnementaux", 3),
                  ("Analyser les données de santé", 2), ("Animer, coordonner une équipe", 3),
                  ("Epidémiosurveillance", 3)],
        desired=[("Systèmes d'information géographique", 2), ("Python", 2), ("Santé animale", 3)],
        trades=["A1306", "A1303", "K1414", "M1423"],
        description=(
            "La mission prépare et coordonne la réponse de l'État aux crises sanitaires "
            "animales et végétales (influenza aviaire, peste porcine, organismes nuisibles) "
            "et aux alertes alimentaires. Vous dirigez une équipe d'une dizaine de personnes, "
            "tenez à jour les plans d'intervention, organisez les exercices et pilotez les "
            "cellules de crise avec les préfectures et les services déconcentrés. Vous "
            "conduisez aussi le projet de valorisation des données de surveillance : "
            "tableaux de bord épidémiologiques, modèles d'aide à la décision, partage avec "
            "les laboratoires et les agences. Le poste convient à un ingénieur "
            "agronome ou vétérinaire ayant le goût de l'action et de la donnée."),
    ),
    # ------------------------------------------------------------------ Santé
    dict(
        key="SAN-01", ministry="Ministère de la Santé et des Solidarités",
        employer="Délégation au numérique en santé (DNS)",
        title="Directeur / Directrice de projet - interopérabilité et services numériques de santé",
        location=PARIS, job_family="Projet / Produit",
        corps="", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-01-04", remote=2,
        required=[("Gérer des projets de développement de systèmes e-santé", 4),
                  ("Connaissance des standards internationaux de santé numérique", 3),
                  ("Diriger des projets de transformation numérique", 3), ("API", 3),
                  ("Appréhender les lois et les réglementations relatives à l'utilisation du numérique en santé et de l'utilisation des données", 3)],
        desired=[("HL7 FHIR", 3), ("Identité numérique", 2), ("Product management", 2)],
        trades=["M1880", "M1870", "M1864", "H1105"],
        description=(
            "La délégation pilote la feuille de route du numérique en santé : dossier médical "
            "partagé, messagerie sécurisée, identité numérique des patients et des "
            "professionnels, référentiels d'interopérabilité. Vous dirigez le projet qui "
            "rend interopérables les logiciels des établissements et des professionnels "
            "libéraux : définition des standards, accompagnement des éditeurs, référencement "
            "et financement de l'équipement, mesure de l'usage. Vous coordonnez l'Agence du "
            "numérique en santé, l'Assurance maladie et les fédérations d'éditeurs et "
            "rendez compte au délégué. Le poste convient à un ingénieur ayant dirigé des "
            "projets numériques d'ampleur, idéalement dans la santé, à l'aise dans un "
            "écosystème d'acteurs nombreux."),
    ),
    dict(
        key="SAN-02", ministry="Ministère de la Santé et des Solidarités",
        employer="Plateforme des données de santé (Health Data Hub)",
        title="Directeur technique / Directrice technique (CTO)",
        location=PARIS, job_family="Serveur / Cloud",
        corps="", grade_min="", clearance="none", openings=1,
        start="2027-04-01", remote=2,
        required=[("Architecture de solutions cloud", 4), ("Sécurité des données", 4),
                  ("Compétences en management d'équipe", 3), ("Gérer des données massives", 3),
                  ("Hébergement de données de santé (HDS)", 3), ("Kubernetes", 2)],
        desired=[("SecNumCloud", 3), ("Python", 2), ("Système national des données de santé (SNDS)", 2)],
        trades=["M1860", "M1803", "M1811", "M1880"],
        description=(
            "La plateforme met à disposition des chercheurs et des autorités sanitaires les "
            "données du système national des données de santé, dans un environnement "
            "technique sécurisé. Directeur technique, vous êtes responsable de la plateforme "
            "(stockage, calcul, outils de science des données), de sa sécurité et de sa "
            "conformité, et conduisez la migration vers un hébergement qualifié "
            "SecNumCloud. Vous encadrez une trentaine d'ingénieurs (infrastructure, data "
            "engineering, sécurité), pilotez les prestataires et définissez la feuille de "
            "route technique avec le comité de direction. Le poste requiert une expérience "
            "de direction technique de plateformes de données sensibles et une forte culture "
            "de la sécurité."),
    ),
    dict(
        key="SAN-03", ministry="Ministère de la Santé et des Solidarités",
        employer="Direction de la recherche, des études, de l'évaluation et des statistiques (DREES)",
        title="Sous-directeur / Sous-directrice de l'observation de la santé et de l'assurance maladie",
        location=PARIS, job_family="Statistique et études économiques",
        corps="INSEE", grade_min="administrateur hors classe", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Statistique publique", 4), ("Analyser les données de santé", 3),
                  ("Animer, coordonner une équipe", 4), ("Réaliser une analyse ou modélisation statistique de données", 3),
                  ("Communiquer les résultats des études aux parties prenantes", 3)],
        desired=[("Système national des données de santé (SNDS)", 3), ("Économétrie", 2), ("R", 2)],
        trades=["M1414", "M1422", "M1403", "K2403"],
        description=(
            "Service statistique ministériel de la santé et des solidarités, la DREES produit "
            "les statistiques et les études qui éclairent les politiques de santé. Vous "
            "dirigez la sous-direction chargée de l'état de santé de la population, des "
            "établissements et des professionnels de santé, et des dépenses de santé, soit "
            "une cinquantaine d'agents. Vous définissez le programme d'études, garantissez "
            "la qualité des publications, développez l'exploitation des grandes bases de "
            "données médico-administratives et représentez la direction auprès des "
            "cabinets, des agences et des chercheurs. Une solide expérience de la "
            "statistique publique et de l'encadrement est attendue."),
    ),
    dict(
        key="SAN-04", ministry="Ministère de la Santé et des Solidarités",
        employer="Direction du numérique des ministères sociaux (DNUM)",
        title="Responsable de la sécurité des systèmes d'information (RSSI) ministériel",
        location=PARIS, job_family="Sécurité",
        corps="", grade_min="ingénieur en chef", clearance="secret", openings=1,
        start="2027-02-01", remote=1,
        required=[("Gérer la sécurité informatique", 4), ("Gérer les risques de cybersécurité", 4),
                  ("Homologation de sécurité", 3), ("Animer, coordonner une équipe", 4),
                  ("Règlement Général européen sur la Protection des Données (RGPD)", 3), ("Gestion de crise", 3)],
        desired=[("EBIOS RM", 3), ("ISO 27001", 2), ("Sécurité des systèmes d'information de santé", 2)],
        trades=["M1812", "M1856", "M1882"],
        description=(
            "Les ministères sociaux (santé, travail, solidarités, sports) et leurs "
            "opérateurs forment un ensemble exposé, comme l'ont montré les attaques visant les "
            "hôpitaux. RSSI ministériel, vous définissez la politique de sécurité, pilotez le "
            "plan de renforcement de la cybersécurité, organisez la détection et la réponse "
            "aux incidents avec le centre opérationnel, et animez la filière des RSSI des "
            "directions, des agences régionales de santé et des opérateurs. Vous conseillez "
            "le haut fonctionnaire de défense et de sécurité et rendez compte aux ministres. "
            "Vous encadrez une équipe d'une quinzaine d'experts. Le poste exige une solide "
            "expérience de la sécurité des systèmes d'information et de la gestion de crise."),
    ),
    # ---------------------------------------------------------------- Culture
    dict(
        key="CUL-01", ministry="Ministère de la Culture",
        employer="Secrétariat général - département de l'innovation numérique",
        title="Chef / Cheffe du département des données et de l'innovation numérique",
        location=PARIS, job_family="Données",
        corps="", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-01-04", remote=2,
        required=[("Développer des stratégies de gestion des données", 3), ("Open data", 3),
                  ("Concevoir et mettre en oeuvre une stratégie digitale", 3), ("Animer, coordonner une équipe", 3),
                  ("Web sémantique", 2), ("Gestion de projet informatique", 3)],
        desired=[("Intelligence artificielle", 2), ("Droit d'auteur", 2), ("Numérisation du patrimoine", 3)],
        trades=["M1423", "M1426", "M1811", "M1864"],
        description=(
            "Le département accompagne la transformation numérique des politiques "
            "culturelles : numérisation et diffusion des collections, référentiels et "
            "données ouvertes du patrimoine, services numériques au public, usages de "
            "l'intelligence artificielle dans la création et la médiation. Vous dirigez une "
            "équipe d'une quinzaine de chefs de projets et de spécialistes des données, "
            "pilotez les appels à projets d'innovation, animez le réseau des établissements "
            "publics (musées, bibliothèques, archives) et portez la stratégie des données du "
            "ministère auprès de l'administrateur général des données. Le poste convient à "
            "un ingénieur ou un cadre expérimenté dans les projets de données, sensible aux "
            "enjeux culturels."),
    ),
    dict(
        key="CUL-02", ministry="Ministère de la Culture",
        employer="Secrétariat général - service du numérique",
        title="Responsable de la sécurité des systèmes d'information (RSSI)",
        location=PARIS, job_family="Sécurité",
        corps="", grade_min="ingénieur", clearance="confidentiel", openings=1,
        start="2027-03-01", remote=2,
        required=[("Gérer la sécurité informatique", 4), ("Analyser les risques de sécurité informatique", 3),
                  ("Homologation de sécurité", 3), ("Sensibiliser un public", 3),
                  ("Rédiger l'ensemble des documents d'un référentiel (politiques, procédures, normes...)", 3)],
        desired=[("EBIOS RM", 2), ("Gestion de crise cyber", 2), ("Cloud", 2)],
        trades=["M1812", "M1856", "M1844"],
        description=(
            "Le ministère de la Culture et ses établissements publics (musées, opéras, "
            "archives, écoles d'art) ont été la cible de plusieurs cyberattaques. RSSI du "
            "ministère, vous mettez à jour la politique de sécurité, pilotez les "
            "homologations, conduisez les audits et le plan de remédiation, et "
            "accompagnez les établissements dans l'élévation de leur niveau de sécurité. "
            "Vous organisez la réponse aux incidents avec le centre opérationnel et l'ANSSI, "
            "animez des campagnes de sensibilisation et conseillez les projets dès leur "
            "conception. Vous encadrez trois experts et animez un réseau de correspondants. "
            "Le poste convient à un ingénieur ayant une expérience solide de la sécurité "
            "des systèmes d'information."),
    ),
    dict(
        key="CUL-03", ministry="Ministère de la Culture",
        employer="Bibliothèque nationale de France (BnF)",
        title="Directeur / Directrice des services et réseaux numériques",
        location=PARIS, job_family="Gestion",
        corps="", grade_min="ingénieur en chef", clearance="none", openings=1,
        start="2027-09-01", remote=1,
        required=[("Définir la stratégie des systèmes d'informations", 3), ("Compétences en management d'équipe", 4),
                  ("Gérer des données massives", 3), ("Diriger des projets de transformation numérique", 3),
                  ("Préservation numérique", 3)],
        desired=[("Web sémantique", 2), ("Intelligence artificielle", 2), ("Archivage électronique", 3)],
        trades=["M1803", "M1870", "M1811", "M1426"],
        description=(
            "La direction conçoit et exploite les systèmes d'information de la bibliothèque, "
            "sa bibliothèque numérique, l'archivage du web français et le stockage pérenne "
            "de plusieurs dizaines de pétaoctets de collections numérisées. Vous dirigez "
            "environ deux cents agents (développement, infrastructures, données, "
            "préservation), conduisez le schéma directeur, la modernisation des chaînes de "
            "numérisation et d'archivage, et les projets d'intelligence artificielle appliquée "
            "aux collections. Vous êtes membre du comité de direction. Le poste requiert une "
            "expérience de la direction d'un système d'information complexe et un intérêt "
            "pour les patrimoines numériques."),
    ),
    # ---------------------------------------------------------------- Justice
    dict(
        key="JUS-01", ministry="Ministère de la Justice",
        employer="Secrétariat général - service du numérique (SNUM)",
        title="Directeur / Directrice de programme - procédure pénale numérique",
        location="Paris (75), Île-de-France", job_family="Gestion",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=1,
        required=[("Diriger des projets de transformation numérique", 4), ("Superviser des responsables de projets ou d'activités", 4),
                  ("Méthodes de gestion de projet agile", 3), ("Elaborer, suivre et piloter un budget", 3),
                  ("Accompagner le changement auprès des collaborateurs", 3)],
        desired=[("Urbanisation des systèmes d'information", 2), ("Procédure pénale", 2), ("API", 2)],
        trades=["M1870", "M1426", "M1864", "M1803"],
        description=(
            "Le programme de procédure pénale numérique vise à dématérialiser la chaîne "
            "pénale de bout en bout, du dépôt de plainte au jugement, entre les forces de "
            "sécurité intérieure et les juridictions. Directeur de programme, vous "
            "coordonnez une dizaine de produits numériques, leurs équipes (plus de cent "
            "personnes, agents et prestataires), le budget pluriannuel et la gouvernance "
            "commune avec le ministère de l'Intérieur. Vous organisez le déploiement dans "
            "les juridictions, mesurez l'usage et portez la conduite du changement auprès "
            "des magistrats et des greffes. Le poste exige une expérience confirmée de la "
            "direction de programmes numériques complexes et un excellent relationnel."),
    ),
    dict(
        key="JUS-02", ministry="Ministère de la Justice",
        employer="Secrétariat général - service du numérique (SNUM)",
        title="Chef / Cheffe du département infrastructures et cloud",
        location="Loiret (45), Centre-Val de Loire", job_family="Infrastructure",
        corps="", grade_min="ingénieur", clearance="confidentiel", openings=1,
        start="2027-02-15", remote=2,
        required=[("Déploiement de services cloud (cloud computing)", 3), ("Réseaux informatiques et télécoms", 3),
                  ("Compétences en management d'équipe", 3), ("Gérer les relations avec les prestataires IT", 3),
                  ("Système d'exploitation Linux", 2), ("ITIL", 2)],
        desired=[("Kubernetes", 2), ("Virtualisation", 3), ("Plan de continuité d'activité", 2)],
        trades=["M1839", "M1860", "M1878", "M1822"],
        description=(
            "Le département exploite les centres de données, le réseau et les plateformes "
            "d'hébergement du ministère de la Justice (juridictions, administration "
            "pénitentiaire, protection judiciaire de la jeunesse). Depuis le pôle technique "
            "d'Orléans, vous encadrez environ soixante ingénieurs et techniciens, pilotez les "
            "contrats d'infogérance et de réseau, conduisez la modernisation des centres de "
            "données et l'ouverture d'une offre de cloud interne, et garantissez la "
            "continuité des services critiques (greffe, détention). Vous travaillez en lien "
            "étroit avec le RSSI. Le poste convient à un ingénieur expérimenté en "
            "production informatique, à l'aise dans la relation avec les prestataires."),
    ),
    dict(
        key="JUS-03", ministry="Ministère de la Justice",
        employer="Secrétariat général - laboratoire de la donnée",
        title="Responsable du laboratoire de la donnée et de l'IA",
        location=PARIS, job_family="Données",
        corps="", grade_min="", clearance="none", openings=1,
        start="2027-03-01", remote=2,
        required=[("Exploiter des solutions de Data Science ou d'Intelligence Artificielle", 3), ("Python", 3),
                  ("Traitement automatique du langage", 3), ("Animer, coordonner une équipe", 3),
                  ("Respecter les normes éthiques et de confidentialité", 3)],
        desired=[("Pseudonymisation", 3), ("Open data", 2), ("LLM", 2)],
        trades=["M1405", "M1889", "M1811", "M1423"],
        description=(
            "Le laboratoire développe des outils fondés sur la donnée et l'intelligence "
            "artificielle au service des juridictions et des directions : pseudonymisation "
            "des décisions de justice pour leur ouverture au public, aide à l'orientation "
            "des procédures, recherche documentaire, tableaux de bord d'activité. Vous "
            "dirigez une équipe de huit data scientists et développeurs, choisissez les cas "
            "d'usage avec les métiers, garantissez une intelligence artificielle explicable "
            "et conforme au droit, et préparez la mise en production avec le service du "
            "numérique. Le poste convient à un profil technique confirmé en science des "
            "données, sensible aux enjeux éthiques."),
    ),
    # --------------------------------------------- Éducation et Recherche
    dict(
        key="EDU-01", ministry="Éducation nationale et Enseignement supérieur",
        employer="Direction du numérique pour l'éducation (DNE)",
        title="Directeur / Directrice de programme - données et services numériques éducatifs",
        location=PARIS, job_family="Projet / Produit",
        corps="", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-01-04", remote=2,
        required=[("Diriger des projets de transformation numérique", 3), ("Développer des politiques de gestion des données", 3),
                  ("Méthodes de gestion de projet agile", 3), ("Animer, coordonner une équipe", 3),
                  ("Règlement Général européen sur la Protection des Données (RGPD)", 3)],
        desired=[("Product management", 3), ("Intelligence artificielle", 2), ("Accessibilité numérique", 2)],
        trades=["M1870", "M1864", "M1423", "M1426"],
        description=(
            "La DNE conçoit les services numériques destinés aux élèves, aux enseignants et "
            "aux familles et définit la politique de la donnée éducative. Vous dirigez le "
            "programme qui fédère les plateformes nationales de ressources, les espaces "
            "numériques de travail et le cadre de confiance des données scolaires : "
            "gouvernance des données, conformité, interopérabilité avec les éditeurs et les "
            "collectivités, évaluation des usages. Vous encadrez une équipe d'une vingtaine "
            "de chefs de produit et de projet et travaillez avec les académies. Le poste "
            "convient à un profil ayant dirigé des produits numériques à grande échelle, "
            "attentif à la protection des données des mineurs."),
    ),
    dict(
        key="EDU-02", ministry="Éducation nationale et Enseignement supérieur",
        employer="Direction générale de la recherche et de l'innovation (DGRI)",
        title="Chef / Cheffe du service de la stratégie de recherche et des programmes d'innovation",
        location=PARIS, job_family="Recherche et innovation",
        corps="Mines; IPEF; Armement", grade_min="ingénieur en chef", clearance="none", openings=1,
        start="2027-09-01", remote=1,
        required=[("Concevoir et coordonner un programme, un projet de recherche", 4),
                  ("Connaissance des politiques publiques", 3), ("Animer, coordonner une équipe", 4),
                  ("Evaluer la mise en œuvre d'un projet, d'un plan d'action", 3), ("France 2030", 3)],
        desired=[("Valorisation de la recherche", 3), ("Programmes européens de recherche", 2), ("Anglais", 3)],
        trades=["K2402", "H1218", "H1206", "K1401"],
        description=(
            "Le service élabore la stratégie nationale de recherche et pilote les "
            "programmes d'innovation financés par l'État : programmes et équipements "
            "prioritaires de recherche, stratégies d'accélération, transfert de technologie "
            "et création d'entreprises issues de la recherche. Vous dirigez trois "
            "départements (une cinquantaine d'agents), préparez les arbitrages avec le "
            "secrétariat général pour l'investissement, assurez le dialogue avec les "
            "organismes de recherche et les universités et représentez la France dans "
            "l'espace européen de la recherche. Le poste demande une connaissance du monde "
            "de la recherche et de l'innovation et une forte capacité de pilotage."),
    ),
    dict(
        key="EDU-03", ministry="Éducation nationale et Enseignement supérieur",
        employer="Direction de l'évaluation, de la prospective et de la performance (DEPP)",
        title="Chef / Cheffe du bureau des études statistiques sur les élèves",
        location=PARIS, job_family="Statistique et études économiques",
        corps="INSEE", grade_min="", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Statistique publique", 3), ("Analyser des données socioéconomiques", 3),
                  ("Utiliser des logiciels statistiques pour le traitement de données", 3),
                  ("Animer, coordonner une équipe", 3), ("Rédiger de l'information", 3)],
        desired=[("R", 3), ("Économétrie", 2), ("Évaluation des politiques publiques", 3)],
        trades=["M1414", "M1403", "M1422"],
        description=(
            "Service statistique ministériel, la DEPP produit les statistiques sur les "
            "élèves, les établissements et les personnels, et évalue les politiques "
            "éducatives. Le bureau suit les parcours des élèves, de l'école au lycée, à "
            "partir des bases de données administratives et des panels. Vous encadrez une "
            "dizaine de statisticiens et chargés d'études, pilotez le programme de "
            "publications, répondez aux demandes du cabinet et des directions et "
            "développez l'appariement des sources dans le respect du secret statistique. "
            "Le poste convient à un administrateur de l'INSEE ou à un statisticien "
            "confirmé intéressé par les politiques éducatives."),
    ),
    # ----------------------------------------------------- Premier ministre
    dict(
        key="PM-01", ministry="Services du Premier ministre",
        employer="Direction interministérielle du numérique (DINUM)",
        title="Directeur / Directrice de l'infrastructure et des opérations interministérielles",
        location=PARIS, job_family="Infrastructure",
        corps="", grade_min="ingénieur en chef", clearance="confidentiel", openings=1,
        start="2027-01-04", remote=1,
        required=[("Réseaux informatiques et télécoms", 3), ("Architecture de solutions cloud", 3),
                  ("Compétences en management d'équipe", 4), ("Gérer les relations avec les prestataires IT", 3),
                  ("Définir la stratégie des systèmes d'informations", 3), ("SRE", 2)],
        desired=[("Kubernetes", 2), ("SecNumCloud", 3), ("Code de la commande publique", 2)],
        trades=["M1839", "M1860", "M1803", "M1878"],
        description=(
            "La DINUM opère des infrastructures communes à toute l'administration : réseau "
            "interministériel de l'État, offres de cloud, outils collaboratifs souverains. "
            "Vous dirigez le département chargé de leur exploitation et de leur évolution, "
            "soit une centaine d'agents et de nombreux prestataires. Vous garantissez la "
            "disponibilité et la sécurité de services utilisés par des centaines de milliers "
            "d'agents, conduisez la modernisation du réseau et le développement d'une offre "
            "de cloud qualifiée, et suivez les coûts et les engagements de service avec les "
            "ministères clients. Le poste requiert une expérience solide de la production "
            "informatique à grande échelle et du management."),
    ),
    dict(
        key="PM-02", ministry="Services du Premier ministre",
        employer="Direction interministérielle du numérique (DINUM)",
        title="Responsable du programme intelligence artificielle pour les agents publics",
        location=PARIS, job_family="Données",
        corps="", grade_min="", clearance="none", openings=2,
        start="2027-02-01", remote=2,
        required=[("LLM", 3), ("Python", 3), ("Exploiter des solutions de Data Science ou d'Intelligence Artificielle", 4),
                  ("Product management", 3), ("Kubernetes", 2)],
        desired=[("MLOps", 3), ("Open source", 3), ("Évaluation des modèles", 2), ("GPU", 2)],
        trades=["M1889", "M1405", "M1864", "M1811"],
        description=(
            "Le programme conçoit et opère des services d'intelligence artificielle "
            "générative ouverts aux agents publics : assistant conversationnel, recherche "
            "documentaire augmentée, synthèse et rédaction, mis à disposition des "
            "ministères sous forme d'interfaces et d'API. Vous dirigez l'équipe produit et "
            "technique (ingénieurs en apprentissage automatique, développeurs, designers), "
            "choisissez et évaluez les modèles ouverts, pilotez l'infrastructure de calcul et "
            "mesurez l'impact auprès des administrations partenaires. Vous publiez le code "
            "en source ouverte et animez la communauté des ministères. Le poste convient à un "
            "profil technique confirmé en IA, doté d'un sens aigu du produit."),
    ),
    dict(
        key="PM-03", ministry="Services du Premier ministre",
        employer="Agence nationale de la sécurité des systèmes d'information (ANSSI)",
        title="Chef / Cheffe de la division expertise en sécurité du cloud et des infrastructures",
        location=PARIS, job_family="Sécurité",
        corps="Armement; Mines; Télécommunications", grade_min="ingénieur", clearance="secret",
        openings=1, start="2027-01-18", remote=1,
        required=[("Sécurité des applications cloud", 4), ("Evaluation de la vulnérabilité des systèmes", 3),
                  ("Architecture de solutions cloud", 3), ("Animer, coordonner une équipe", 3),
                  ("Cryptographie appliquée", 2), ("SecNumCloud", 3)],
        desired=[("Kubernetes", 3), ("Virtualisation", 3), ("Anglais technique", 3)],
        trades=["M1856", "M1882", "M1860", "M1863"],
        description=(
            "L'ANSSI est l'autorité nationale en matière de sécurité et de défense des "
            "systèmes d'information. La division définit les exigences de sécurité des "
            "offres d'informatique en nuage et des infrastructures, instruit les "
            "qualifications de prestataires et conseille les administrations et les "
            "opérateurs d'importance vitale. Vous dirigez une vingtaine d'experts, "
            "arbitrez les positions techniques de l'agence sur la virtualisation, les "
            "conteneurs et le stockage, et représentez l'ANSSI dans les travaux européens de "
            "certification. Le poste exige une expertise technique reconnue en sécurité des "
            "infrastructures et le goût de l'animation d'équipes d'experts."),
    ),
    dict(
        key="PM-04", ministry="Services du Premier ministre",
        employer="Secrétariat général pour l'investissement (SGPI)",
        title="Directeur / Directrice de programme France 2030 - industrie décarbonée et hydrogène",
        location=PARIS, job_family="Politique industrielle",
        corps="Mines; IPEF; Armement", grade_min="ingénieur en chef", clearance="none", openings=1,
        start="2027-03-01", remote=1,
        required=[("France 2030", 3), ("Politique industrielle", 3), ("Hydrogène", 3),
                  ("Evaluer la mise en œuvre d'un projet, d'un plan d'action", 3),
                  ("Mener des négociations complexes avec des acteurs clés", 3), ("Aides d'État", 2)],
        desired=[("Analyse financière de projets", 3), ("Décarbonation de l'industrie", 3), ("Anglais", 2)],
        trades=["H1241", "H1237", "H1218", "H1102", "M1409"],
        description=(
            "Le secrétariat général pour l'investissement coordonne le plan d'investissement "
            "France 2030. Vous pilotez les stratégies relatives à la décarbonation de "
            "l'industrie et à l'hydrogène : conception des appels à projets, sélection des "
            "projets avec les opérateurs (Bpifrance, ADEME), négociation des aides avec les "
            "industriels et la Commission européenne, suivi des engagements et évaluation "
            "des résultats. Vous animez un comité de pilotage interministériel et travaillez "
            "avec la DGE et la DGEC. Le poste convient à un ingénieur ayant une expérience "
            "industrielle ou de politique publique de l'énergie, à l'aise avec l'analyse "
            "économique et financière de projets."),
    ),
    dict(
        key="PM-05", ministry="Services du Premier ministre",
        employer="Secrétariat général de la défense et de la sécurité nationale (SGDSN)",
        title="Conseiller / Conseillère pour la sécurité économique et technologique",
        location=PARIS, job_family="Politique industrielle",
        corps="Mines; Armement; Télécommunications", grade_min="ingénieur en chef", clearance="secret",
        openings=1, start="2027-09-01", remote=0,
        required=[("Intelligence économique", 3), ("Politique industrielle", 3), ("Défense nationale", 3),
                  ("Elaborer des recommandations stratégiques", 3), ("Structurer, synthétiser des informations", 4)],
        desired=[("Contrôle des investissements étrangers", 3), ("Semi-conducteurs", 2), ("Cybersécurité", 2)],
        trades=["M1420", "M1424", "H1206", "K1401"],
        description=(
            "Au sein du SGDSN, vous conseillez le secrétaire général sur la protection des "
            "technologies et des entreprises stratégiques : contrôle des investissements "
            "étrangers, dépendances dans les chaînes d'approvisionnement critiques, "
            "protection du potentiel scientifique et technique, sécurité des technologies "
            "émergentes. Vous préparez les réunions interministérielles, rédigez des notes "
            "de synthèse pour les autorités, coordonnez les travaux des ministères et des "
            "services de renseignement et suivez les initiatives européennes. Le poste "
            "requiert une forte culture industrielle et technologique, une grande capacité "
            "de synthèse et une parfaite discrétion."),
    ),
    # ---------------------------------------------------------------- Travail
    dict(
        key="TRA-01", ministry="Ministère du Travail et de l'Emploi",
        employer="Direction de l'animation de la recherche, des études et des statistiques (DARES)",
        title="Chef / Cheffe du département métiers et qualifications",
        location=PARIS, job_family="Statistique et études économiques",
        corps="INSEE", grade_min="administrateur", clearance="none", openings=1,
        start="2027-09-01", remote=2,
        required=[("Statistique publique", 3), ("Analyser les tendances économiques", 3),
                  ("Animer, coordonner une équipe", 3), ("Réaliser un modèle de prévision", 3),
                  ("Communiquer les résultats des études aux parties prenantes", 3)],
        desired=[("Économétrie", 3), ("Référentiels métiers et compétences", 2), ("R", 2)],
        trades=["M1403", "M1414", "M1422", "M1409"],
        description=(
            "Service statistique ministériel du travail et de l'emploi, la DARES produit "
            "les statistiques et les études sur le marché du travail. Le département "
            "analyse les métiers, les tensions de recrutement, les qualifications et leur "
            "évolution, et publie avec France Travail les projections des métiers à horizon "
            "dix ans. Vous encadrez une douzaine de chargés d'études, pilotez le programme "
            "de travaux, développez l'usage des offres d'emploi en ligne et des référentiels "
            "de compétences, et valorisez les résultats auprès du ministre et des "
            "partenaires sociaux. Le poste convient à un administrateur de l'INSEE ou à un "
            "économiste statisticien confirmé."),
    ),
    dict(
        key="TRA-02", ministry="Ministère du Travail et de l'Emploi",
        employer="Délégation générale à l'emploi et à la formation professionnelle (DGEFP)",
        title="Chef / Cheffe de la mission systèmes d'information et données de l'emploi",
        location=PARIS, job_family="Projet / Produit",
        corps="", grade_min="ingénieur", clearance="none", openings=1,
        start="2027-02-01", remote=2,
        required=[("Diriger des projets de transformation numérique", 3), ("Recueillir et analyser les besoins client", 3),
                  ("Méthodes de gestion de projet agile", 3), ("Développer des stratégies de gestion des données", 2),
                  ("Animer, coordonner une équipe", 3)],
        desired=[("Product management", 2), ("API", 2), ("Politiques de l'emploi", 2)],
        trades=["M1864", "M1870", "M1881", "M1423"],
        description=(
            "La délégation pilote les politiques de l'emploi et de la formation "
            "professionnelle, mises en œuvre par France Travail, les missions locales et les "
            "régions. La mission conçoit les systèmes d'information qui relient ces acteurs : "
            "suivi des parcours, financement de la formation, échanges de données, tableaux "
            "de bord de pilotage. Vous encadrez une équipe de chefs de projet et de produit, "
            "arbitrez la feuille de route avec les sous-directions métier, pilotez les "
            "prestataires et veillez à la protection des données des bénéficiaires. Le poste "
            "convient à un ingénieur ayant l'expérience de la maîtrise d'ouvrage de systèmes "
            "d'information et intéressé par les politiques sociales."),
    ),
]
