"""Generate the corpus of bad and awkward input files, and declare what each must give.

Run ``python tests/inputs/make_corpus.py`` to (re)write the files next to this script;
``tests/test_input_corpus.py`` reads every file and checks its ``CASES`` entry:

* ``error``: the file is unusable; ``InputError`` must list these problems
  ``(row, column, reason substring)`` (row/column ``None`` = the file itself);
* otherwise ``read``/``accepted``/``rejected`` counts, the expected rejects
  ``(row, column, reason substring)``, warnings substrings (file level), ``warns``: cell
  warnings ``(row, column, message substring)`` (the row is kept), ``masked_warns``, detected ``encoding`` /
  ``delimiter``, and ``cells``: ``(frame row index, column, expected value)``.

The data are invented (no real person). Deterministic except the xlsx timestamps.
"""

from __future__ import annotations

import codecs
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

P_HEADER = ["identifiant", "nom", "courriel", "corps", "poste_actuel", "competences", "resume",
            "annees_experience", "disponibilite", "habilitation", "ouvert_mobilite"]


def prow(pid: str, **kw: str) -> list[str]:
    base = {
        "identifiant": pid, "nom": f"Agent {pid}", "courriel": f"{pid.lower()}@exemple.gouv.fr",
        "corps": "IPEF", "poste_actuel": "Cheffe de projet SI", "competences": "Python:3; SQL",
        "resume": "Ingénieure données", "annees_experience": "5", "disponibilite": "01/09/2025",
        "habilitation": "aucune", "ouvert_mobilite": "oui",
    }
    base.update(kw)
    return [base[h] for h in P_HEADER]


def csv_text(rows: list[list[str]], sep: str = ";", eol: str = "\r\n") -> str:
    def q(cell: str) -> str:
        if any(c in cell for c in (sep, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(sep.join(q(c) for c in r) + eol for r in rows)


THREE = [P_HEADER, prow("P001", nom="Hélène Dupré"), prow("P002"), prow("P003")]

Q_HEADER = ["identifiant_poste", "ministere", "direction", "intitule", "competences_requises",
            "localisation", "teletravail", "date_prise_poste", "habilitation_requise", "nombre_postes"]


def qrow(qid: str, **kw: str) -> list[str]:
    base = {
        "identifiant_poste": qid, "ministere": "Ministère de l'Intérieur", "direction": "DNUM",
        "intitule": "Responsable de la sécurité des SI", "competences_requises": "Sécurité:3; ISO:27001",
        "localisation": "Paris", "teletravail": "2", "date_prise_poste": "2025-10-01",
        "habilitation_requise": "secret", "nombre_postes": "1",
    }
    base.update(kw)
    return [base[h] for h in Q_HEADER]


def _xlsx(path: Path, build) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    build(wb)
    wb.save(path)


def _xlsx_merged(wb) -> None:
    ws = wb.active
    ws.title = "Profils"
    ws["A1"] = "Export RH — profils du vivier (mars 2025)"
    ws.merge_cells("A1:F1")
    header = ["Identifiant", "Nom", "Compétences", None, "Résumé", "Disponibilité"]
    for j, h in enumerate(header, start=1):
        if h is not None:
            ws.cell(row=2, column=j, value=h)
    ws.merge_cells("C2:D2")  # "Compétences" spans two columns: both are skills
    ws.append(["P001", "Ana", "Python:3", "SQL:2", "Données", "15/09/2025"])
    ws.append(["P002", "Bob", "Java", None, "", "2025-10-01"])
    ws.append(["P003", "Cid", None, None, "", "bientôt"])


def _xlsx_dates(wb) -> None:
    import datetime as dt

    ws = wb.active
    ws.append(["profile_id", "skills", "available_from", "years_experience", "open_to_mobility", "birth_year"])
    ws.append([1001, "Python", dt.datetime(2025, 9, 1), 5.0, True, 1980])
    ws.append([1002, "Rust", dt.date(2026, 1, 15), 2.5, False, 1991.0])
    ws.append([1003, "Go", 45900, 3, "oui", None])  # an Excel serial date number: 2025-08-31
    ws.append([1004, "C", "32/01/2025", 1, "non", None])


def _xlsx_named_sheet(wb) -> None:
    ws = wb.active
    ws.title = "Notes"
    ws["A1"] = "ne pas lire"
    ws2 = wb.create_sheet("Profils")
    ws2.append(["identifiant", "competences"])
    ws2.append(["P9", "Kubernetes:4"])


def _xlsx_error_cell(wb) -> None:
    ws = wb.active
    ws.append(["identifiant", "competences", "annees_experience"])
    ws.append(["P1", "Python", 3])
    ws.append(["P2", "Java", "#N/A"])
    ws["C3"].data_type = "e"


def _xlsx_formula_text(wb) -> None:
    ws = wb.active
    ws.append(["identifiant", "competences", "resume"])
    ws.append(["P1", "Python", "=1+1"])
    ws["C2"].data_type = "s"  # a text that looks like a formula, stored as text
    ws.append(["P2", "SQL", "@SOMME(A1)"])


def _xlsx_positions_merged_data(wb) -> None:
    ws = wb.active
    ws.append(["Identifiant poste", "Ministère", "Intitulé", "Compétences requises"])
    ws.append(["Q1", "Ministère des Armées", "Architecte cloud", "AWS:3"])
    ws.append(["Q2", None, "Ingénieur DevOps", "Kubernetes"])
    ws.append(["Q3", None, "Data scientist", "Python:4"])
    ws.merge_cells("B2:B4")  # one ministry, merged down over its three positions


def _pep_records() -> list[dict[str, Any]]:
    def rec(oid: int, **kw: Any) -> dict[str, Any]:
        r = {
            "offer_id": oid, "reference": f"2021-{oid}", "titre": "Chef de projet SI H/F",
            "emploi_reference_rmfp": "Cheffe / Chef de projet maîtrise d'œuvre SI",
            "categorie": "Catégorie A (cadre)", "nature_contrat": "Emploi ouvert aux titulaires et aux contractuels",
            "versant_libelle": "Fonction publique de l'Etat", "description_poste": "Piloter les projets.\nEncadrer.",
            "description_profil": "Maîtrise de la conduite de projet.", "versant": "Fonction Publique d'Etat",
            "ministere": "Ministère de la Justice", "direction": "Secrétariat général", "sous_direction": "",
            "organisme": "Ministère de la Justice", "region": "Ile-de-France", "departement": "Paris (75)",
            "niveau_experience": "Confirmé", "niveau_etudes": "", "date_premiere_publication": "27/08/2021 15:21:26",
            "date_prise_poste": "01/09/2021 00:00:00", "date_limite": "",
        }
        r.update(kw)
        return r

    return [
        rec(700001),
        rec(700002, niveau_experience="Débutant", direction="", organisme="Agence X", departement="", region="Bretagne"),
        rec(700001),  # exact duplicate, as in the real 2021 export
        rec(700004, ministere=""),  # a public school: no ministry
        rec(700005, date_prise_poste="31/09/2021 00:00:00"),
    ]


@dataclass
class Case:
    name: str
    kind: str  # "profiles" | "positions"
    content: Any  # bytes | callable(workbook) for xlsx
    expect: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    max_cell_chars: int | None = None


def _cases() -> list[Case]:
    rnd = random.Random(3)
    garbage = bytes(rnd.randrange(256) for _ in range(3000))
    C: list[Case] = []
    ok3 = {"read": 3, "accepted": 3, "rejected": 0}
    # --- encodings and separators ---
    C.append(Case("p_utf8_semicolon.csv", "profiles", csv_text(THREE).encode(), {**ok3, "encoding": "utf-8", "delimiter": ";",
                  "cells": [(0, "full_name", "Hélène Dupré"), (0, "skills", [("Python", 3), ("SQL", None)])]}))
    C.append(Case("p_cp1252_semicolon.csv", "profiles", csv_text(THREE).encode("cp1252"), {**ok3, "encoding": "cp1252",
                  "cells": [(0, "full_name", "Hélène Dupré")]}))
    C.append(Case("p_utf8_bom.csv", "profiles", codecs.BOM_UTF8 + csv_text(THREE).encode(), {**ok3, "encoding": "utf-8-sig",
                  "cells": [(0, "profile_id", "P001")]}))
    C.append(Case("p_comma.csv", "profiles", csv_text(THREE, ",").encode(), {**ok3, "delimiter": ","}))
    C.append(Case("p_tab.tsv", "profiles", csv_text(THREE, "\t").encode(), {**ok3, "delimiter": "\t"}))
    C.append(Case("p_pipe.csv", "profiles", csv_text(THREE, "|").encode(), {**ok3, "delimiter": "|"}))
    C.append(Case("p_utf16_excel_unicode.txt", "profiles", codecs.BOM_UTF16_LE + csv_text(THREE, "\t").encode("utf-16-le"),
                  {**ok3, "encoding": "utf-16", "delimiter": "\t", "cells": [(0, "full_name", "Hélène Dupré")]}))
    C.append(Case("p_latin1_fallback.csv", "profiles", csv_text([P_HEADER, prow("P001", resume="caf\x81é")]).encode("latin-1"),
                  {"read": 1, "accepted": 1, "rejected": 0, "encoding": "latin-1", "cells": [(0, "summary", "café")]}))
    C.append(Case("p_lf_only.csv", "profiles", csv_text(THREE, eol="\n").encode(), ok3))
    C.append(Case("p_comma_with_commas_in_text.csv", "profiles",
                  csv_text([P_HEADER, prow("P001", resume="Data, IA, cloud"), prow("P002", competences="Python, SQL")], ",").encode(),
                  {"read": 2, "accepted": 2, "rejected": 0, "delimiter": ",", "cells": [(0, "summary", "Data, IA, cloud")]}))
    # --- identifiers ---
    C.append(Case("p_duplicate_ids.csv", "profiles", csv_text([P_HEADER, prow("P1"), prow("P2"), prow("P1"), prow("P1")]).encode(),
                  {"read": 4, "accepted": 2, "rejected": 2,
                   "rejects": [(4, "identifiant", "en double : déjà utilisé ligne 2"), (5, "identifiant", "ligne 2")]}))
    C.append(Case("p_empty_id.csv", "profiles", csv_text([P_HEADER, prow("P1"), prow("  "), prow("\u200b")]).encode(),
                  {"read": 3, "accepted": 1, "rejected": 2, "rejects": [(3, "identifiant", "identifiant vide"), (4, "identifiant", "identifiant vide")]}))
    # --- missing columns ---
    C.append(Case("p_missing_id_column.csv", "profiles", csv_text([P_HEADER[1:], prow("P1")[1:]]).encode(),
                  {"error": [(1, "profile_id", "colonne obligatoire absente")]}))
    C.append(Case("p_no_text_columns.csv", "profiles", b"identifiant;nom\r\nP1;Ana\r\n",
                  {"error": [(1, None, "aucune colonne de texte")]}))
    C.append(Case("q_missing_columns.csv", "positions", b"identifiant_poste;direction\r\nQ1;DNUM\r\n",
                  {"error": [(1, "ministry", "colonne obligatoire absente"), (1, "title", "colonne obligatoire absente")]}))
    # two columns for one field: compared row by row, a row where they disagree is rejected
    C.append(Case("p_duplicate_column.csv", "profiles", b"identifiant;nom;nom complet;competences\r\nP1;A;B;Python\r\nP2;Ana;ana;SQL\r\n",
                  {"read": 2, "accepted": 1, "rejected": 1, "rejects": [(2, "nom / nom complet", "valeurs contradictoires pour full_name")],
                   "masked": [(2, "nom / nom complet")], "warnings": ["comparées ligne par ligne"]}))
    C.append(Case("p_two_skill_columns.csv", "profiles", b"identifiant;competences;Comp\xc3\xa9tences\r\nP1;Python:3;SQL\r\n",
                  {"read": 1, "accepted": 1, "rejected": 0, "warnings": ["réunies"], "cells": [(0, "skills", [("Python", 3), ("SQL", None)])]}))
    # --- wrong values ---
    C.append(Case("p_no_usable_text.csv", "profiles",
                  csv_text([P_HEADER, prow("P1"), prow("P2", competences="", resume="", poste_actuel="")]).encode(),
                  {"read": 2, "accepted": 1, "rejected": 1, "rejects": [(3, "competences / resume / poste_actuel", "aucun texte utilisable")]}))
    C.append(Case("p_bad_level.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", competences="Python:7"), prow("P2", competences="CI/CD; https://x.gouv.fr; ISO:27001; Python : maîtrise"),
                            prow("P3", competences="SQL:2.5")]).encode(),
                  {"read": 3, "accepted": 3, "rejected": 0, "warns": [(2, "competences", "niveau « 7 » invalide"), (4, "competences", "niveau « 2.5 »")],
                   "cells": [(0, "skills", [("Python", None)]), (1, "skills", [("CI/CD", None), ("https://x.gouv.fr", None), ("ISO:27001", None), ("Python", 3)]),
                             (2, "skills", [("SQL", None)])]}))
    C.append(Case("p_bad_date.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", disponibilite="31/02/2025"), prow("P2", disponibilite="demain"),
                            prow("P3", disponibilite="01/09/25"), prow("P4", disponibilite="2025-09-01")]).encode(),
                  {"read": 4, "accepted": 4, "rejected": 0,
                   "warns": [(2, "disponibilite", "date impossible"), (3, "disponibilite", "date illisible"), (4, "disponibilite", "année à deux chiffres"),
                             (2, "disponibilite", "champ laissé vide")],
                   "cells": [(0, "available_from", None), (3, "available_from", "2025-09-01")]}))
    C.append(Case("p_bad_clearance.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", habilitation="ultra"), prow("P2", habilitation="Très Secret Défense"),
                            prow("P3", habilitation="CD"), prow("P4", habilitation="")]).encode(),
                  {"read": 4, "accepted": 4, "rejected": 0, "warns": [(2, "habilitation", "habilitation inconnue")],
                   "cells": [(0, "clearance", "none"), (1, "clearance", "tres_secret"), (2, "clearance", "confidentiel"), (3, "clearance", "none")]}))
    C.append(Case("p_bad_bool.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", ouvert_mobilite="peut-être"), prow("P2", ouvert_mobilite="NON"), prow("P3", ouvert_mobilite="x"),
                            prow("P4", ouvert_mobilite="")]).encode(),
                  {"read": 4, "accepted": 4, "rejected": 0, "warns": [(2, "ouvert_mobilite", "oui/non attendu")],
                   "cells": [(0, "open_to_mobility", True), (1, "open_to_mobility", False), (2, "open_to_mobility", True), (3, "open_to_mobility", True)]}))
    C.append(Case("p_bad_numbers.csv", "profiles",
                  b"identifiant;competences;annees_experience;annee_naissance\r\nP1;Python;beaucoup;\r\nP2;Python;-3;\r\nP3;Python;5,5;1980\r\n"
                  b"P4;Python;12 ans;19x5\r\n",
                  {"read": 4, "accepted": 4, "rejected": 0,
                   "warns": [(2, "annees_experience", "nombre attendu"), (3, "annees_experience", "hors limites"), (5, "annee_naissance", "entier")],
                   "masked_warns": [(5, "annee_naissance")], "cells": [(2, "years_experience", 5.5), (2, "birth_year", 1980), (3, "years_experience", 12.0)]}))
    C.append(Case("p_huge_cell.csv", "profiles", csv_text([P_HEADER, prow("P1"), prow("P2", resume="x" * 25_000)]).encode(),
                  {"read": 2, "accepted": 2, "rejected": 0, "warns": [(3, "resume", "cellule trop longue : 25000 caractères")], "value_max": 90,
                   "cells": [(1, "summary", "")]}))
    C.append(Case("p_huge_name_masked.csv", "profiles", csv_text([P_HEADER, prow("P1", nom="Jean " * 30)]).encode(),
                  {"read": 1, "accepted": 1, "rejected": 0, "warns": [(2, "nom", "cellule trop longue")], "masked_warns": [(2, "nom")]}, max_cell_chars=100))
    C.append(Case("p_formula_strings.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", resume='=HYPERLINK("http://evil","clic")'), prow("P2", resume="+33 6 12 34 56 78"),
                            prow("P3", resume="@SOMME(A1)"), prow("P4", resume="'=1+1"), prow("P5", resume="-moins")]).encode(),
                  {"read": 5, "accepted": 5, "rejected": 0,
                   "cells": [(0, "summary", '=HYPERLINK("http://evil","clic")'), (3, "summary", "=1+1"), (4, "summary", "-moins")]}))
    C.append(Case("p_too_many_cells.csv", "profiles", b"identifiant;competences;resume\r\nP1;Python;ok\r\nP2;Python;SQL;Java\r\nP3;Go;\r\n",
                  {"read": 3, "accepted": 2, "rejected": 1, "rejects": [(3, None, "4 cellules mais l'en-tête n'en a que 3")], "problems": 1}))
    C.append(Case("p_all_rejected.csv", "profiles", csv_text([P_HEADER, prow(""), prow("", competences="Go:9")]).encode(),
                  {"read": 2, "accepted": 0, "rejected": 2}))
    # --- unreadable files ---
    C.append(Case("binary_garbage.csv", "profiles", garbage, {"error": [(None, None, "binaire")]}))
    C.append(Case("binary_garbage_no_ext", "profiles", b"\x7fELF\x02\x01\x01" + garbage, {"error": [(None, None, "binaire")]}))
    C.append(Case("empty.csv", "profiles", b"", {"error": [(None, None, "fichier vide")]}))
    C.append(Case("whitespace_only.csv", "profiles", codecs.BOM_UTF8 + b"\r\n  \r\n", {"error": [(None, None, "fichier vide")]}))
    C.append(Case("p_header_only.csv", "profiles", csv_text([P_HEADER]).encode(), {"error": [(None, None, "aucune ligne de données")]}))
    C.append(Case("q_header_only.csv", "positions", csv_text([Q_HEADER, [""] * len(Q_HEADER)]).encode(), {"error": [(None, None, "aucune ligne de données")]}))
    C.append(Case("corrupt.xlsx", "profiles", b"PK\x03\x04" + garbage[:500], {"error": [(None, None, "classeur Excel illisible")]}))
    C.append(Case("old_excel.xls", "profiles", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + garbage[:500], {"error": [(None, None, "Excel 97-2003")]}))
    C.append(Case("p_invalid.json", "profiles", b'[{"identifiant": "P1", "competences": "Python"},\n {"identifiant": "P2",, }]',
                  {"error": [(None, None, "JSON invalide, ligne 2")]}))
    C.append(Case("p_json_not_array.json", "profiles", b'{"foo": 1}', {"error": [(None, None, "tableau d'objets")]}))
    # --- headers ---
    C.append(Case("p_odd_headers.csv", "profiles",
                  ("  IDENTIFIANT ;Nom ;COMPÉTENCES;Résumé;Années d'expérience;Ouvert à la mobilité;Consentement (identité);"
                   "Date de disponibilité;Ministères souhaités\r\nP1;Ana;Python;Data;4;Oui;oui;2025-09-01;Intérieur | Armées\r\n").encode("cp1252"),
                  {"read": 1, "accepted": 1, "rejected": 0, "unknown": [],
                   "cells": [(0, "consent_share_identity", True), (0, "wished_ministries", ["Intérieur", "Armées"]), (0, "years_experience", 4.0)]}))
    C.append(Case("p_unknown_columns.csv", "profiles", "identifiant;competences;Téléphone;Commentaire RH\r\nP1;Python;0601;à revoir\r\n".encode(),
                  {"read": 1, "accepted": 1, "rejected": 0, "unknown": ["Téléphone", "Commentaire RH"], "warnings": ["colonne(s) inconnue(s)"],
                   "cells": [(0, "extra", {"Téléphone": "0601", "Commentaire RH": "à revoir"})]}))
    C.append(Case("q_title_rows.csv", "positions",
                  (csv_text([["Fiches de poste DNUM"], ["extraction du 01/03/2025"]]) + csv_text([Q_HEADER, qrow("Q1")])).encode(),
                  {"read": 1, "accepted": 1, "rejected": 0, "warnings": ["en-tête trouvé ligne 3"], "cells": [(0, "source_row", 4)]}))
    # --- layout ---
    C.append(Case("p_trailing_empty_rows.csv", "profiles", (csv_text(THREE) + ";" * 10 + "\r\n" + ";;;\r\n\r\n").encode(),
                  {**ok3, "warnings": ["ligne(s) vide(s)"]}))
    C.append(Case("p_quoted_newlines.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", resume="Ligne 1\nLigne 2\n\n\n\nFin", competences="Python:3\nSQL:2"), prow("P1")]).encode(),
                  {"read": 2, "accepted": 1, "rejected": 1, "rejects": [(3, "identifiant", "ligne 2")],
                   "cells": [(0, "summary", "Ligne 1\nLigne 2\n\nFin"), (0, "skills", [("Python", 3), ("SQL", 2)])]}))
    C.append(Case("p_unicode_mess.csv", "profiles",
                  csv_text([P_HEADER, prow("P\u200b1", nom="Ele\u0301onore\u00a0 Martin", competences="Python\u00a0:\u00a03;\u200bSQL", resume="a\x07b")]).encode(),
                  {"read": 1, "accepted": 1, "rejected": 0,
                   "cells": [(0, "profile_id", "P1"), (0, "full_name", "Eléonore Martin"), (0, "skills", [("Python", 3), ("SQL", None)]), (0, "summary", "ab")]}))
    # --- xlsx ---
    C.append(Case("p_merged_header.xlsx", "profiles", _xlsx_merged,
                  {"read": 3, "accepted": 2, "rejected": 1, "warnings": ["en-tête trouvé ligne 2"], "rejects": [(5, "Disponibilité", "date illisible")],
                   "cells": [(0, "skills", [("Python", 3), ("SQL", 2)]), (0, "source_row", 3), (1, "available_from", "2025-10-01")]}))
    C.append(Case("p_dates.xlsx", "profiles", _xlsx_dates,
                  {"read": 4, "accepted": 4, "rejected": 0, "warns": [(5, "available_from", "date impossible")],
                   "cells": [(3, "available_from", None), (0, "profile_id", "1001"), (0, "available_from", "2025-09-01"), (1, "available_from", "2026-01-15"),
                             (2, "available_from", "2025-08-31"), (1, "years_experience", 2.5), (1, "open_to_mobility", False), (1, "birth_year", 1991)]}))
    C.append(Case("p_named_sheet.xlsx", "profiles", _xlsx_named_sheet, {"read": 1, "accepted": 1, "rejected": 0, "sheet": "Profils"}, sheet="profils"))
    C.append(Case("p_missing_sheet.xlsx", "profiles", _xlsx_named_sheet, {"error": [(None, None, "la feuille « Nope » n'existe pas ; feuilles du classeur : Notes, Profils")]}, sheet="Nope"))
    C.append(Case("p_excel_error.xlsx", "profiles", _xlsx_error_cell,
                  {"read": 2, "accepted": 2, "rejected": 0, "warns": [(3, "annees_experience", "erreur Excel « #N/A »")]}))
    C.append(Case("p_formula_text.xlsx", "profiles", _xlsx_formula_text,
                  {"read": 2, "accepted": 2, "rejected": 0, "cells": [(0, "summary", "=1+1"), (1, "summary", "@SOMME(A1)")]}))
    C.append(Case("q_merged_ministry.xlsx", "positions", _xlsx_positions_merged_data,
                  {"read": 3, "accepted": 3, "rejected": 0, "cells": [(2, "ministry", "Ministère des Armées"), (2, "required_skills", [("Python", 4)])]}))
    C.append(Case("xlsx_named_csv.csv", "profiles", _xlsx_named_sheet, {"error": [(1, "profile_id", "colonne obligatoire absente")]}))
    # --- JSON ---
    recs = [{"identifiant": "P1", "competences": "Python:3"}, {"profile_id": "P2", "skills": ["Go", ["Rust", 2], {"name": "SQL", "level": 4}]}]
    C.append(Case("p_array.json", "profiles", json.dumps(recs, ensure_ascii=False).encode(),
                  {"read": 2, "accepted": 2, "rejected": 0, "cells": [(1, "skills", [("Go", None), ("Rust", 2), ("SQL", 4)])]}))
    C.append(Case("p_wrapped.json", "profiles", json.dumps({"profiles": recs + [{"identifiant": "P3"}, 42]}).encode(),
                  {"read": 4, "accepted": 2, "rejected": 2, "rejects": [(3, "competences", "aucun texte"), (4, None, "pas un objet JSON")], "problems": 2}))
    C.append(Case("p_lines.jsonl", "profiles",
                  b'{"identifiant": "P1", "competences": "Python"}\n\n{"identifiant": "P2", "competences": \n[1, 2]\n'
                  b'{"identifiant": "P3", "competences": "SQL", "resume": {"a": 1}}\n{"identifiant": "P4", "resume": "ok"}\n',
                  {"read": 5, "accepted": 3, "rejected": 2,
                   "rejects": [(3, None, "ligne JSON invalide"), (4, None, "pas un objet JSON")], "warns": [(5, "resume", "valeur imbriquée")]}))
    C.append(Case("q_pep.jsonl", "positions", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _pep_records()).encode(),
                  {"read": 5, "accepted": 3, "rejected": 2, "unknown": [],
                   "rejects": [(3, "reference", "en double : déjà utilisé ligne 1"), (4, "ministere", "valeur obligatoire vide : ministry")],
                   "warns": [(5, "date_prise_poste", "date impossible")],
                   "cells": [(0, "position_id", "2021-700001"), (0, "location", "Paris (75), Ile-de-France"), (0, "experience_years", 3.0),
                             (0, "start_date", "2021-09-01"), (0, "title", "Chef de projet SI H/F"), (0, "rmfp_reference", "Cheffe / Chef de projet maîtrise d'œuvre SI"),
                             (0, "profile_sought", "Maîtrise de la conduite de projet."), (0, "description", "Piloter les projets.\nEncadrer."),
                             (1, "employer", "Agence X"), (1, "location", "Bretagne"), (1, "experience_years", 0.0), (0, "category", "Catégorie A (cadre)")]}))
    # --- positions ---
    C.append(Case("q_values.csv", "positions",
                  csv_text([Q_HEADER, qrow("Q1"), qrow("Q2", nombre_postes="0"), qrow("Q3", teletravail="2 jours", habilitation_requise="TS", nombre_postes=""),
                            qrow("Q4", intitule=""), qrow("Q5", ministere=" ", date_prise_poste="01/13/2025")]).encode("cp1252"),
                  {"read": 5, "accepted": 3, "rejected": 2,
                   "rejects": [(5, "intitule", "valeur obligatoire vide : title"),
                               (6, "date_prise_poste", "date impossible"), (6, "ministere", "valeur obligatoire vide : ministry")],
                   "warns": [(3, "nombre_postes", "hors limites"), (3, "nombre_postes", "valeur par défaut appliquée (1)")],
                   "cells": [(1, "openings", 1), (2, "remote_days", 2.0), (2, "clearance_required", "tres_secret"), (2, "openings", 1),
                             (0, "required_skills", [("Sécurité", 3), ("ISO:27001", None)])]}))
    return C


# --- hostile workbooks (issue 15) ---
def _hidden_sheets(state: str):
    def build(wb) -> None:
        hidden = wb.active
        hidden.title = "Ancien"
        hidden.append(["identifiant", "competences", "consentement"])
        hidden.append(["P_OLD", "Cobol", "oui"])
        hidden.sheet_state = state
        visible = wb.create_sheet("Profils")
        visible.append(["identifiant", "competences", "consentement"])
        visible.append(["P1", "Python", "non"])
        visible.append(["P2", "SQL", "non"])
    return build


def _xfd_bomb(wb) -> None:
    ws = wb.active
    ws.append(["identifiant", "competences"])
    ws.append(["P1", "Python"])
    ws["XFD1048576"] = "x"  # the only extra cell: the sheet spans A1:XFD1048576


def _merged_bomb(wb) -> None:
    ws = wb.active
    ws.append(["identifiant", "competences", "resume"])
    ws.append(["P1", "Python", "Données"])
    # one huge merged range under a filled cell: written small, widened in the file's XML
    # (openpyxl would build every merged cell) by _PATCHES
    ws.merge_cells("C2:D3")


def _styled_far_cell(wb) -> None:
    from openpyxl.styles import Font

    ws = wb.active
    ws.append(["identifiant", "competences"])
    ws.append(["P1", "Python"])
    ws["XFD1048576"].font = Font(bold=True)  # formatted, empty: trailing emptiness costs nothing
    ws["A200000"].font = Font(bold=True)


#: xlsx files whose sheet XML is edited after openpyxl wrote them: {file: (old, new)}
_PATCHES = {"p_merged_bomb.xlsx": (b'ref="C2:D3"', b'ref="C2:XFD1048576"')}


def _patch_xlsx(path: Path, old: bytes, new: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(old, new)
            z.writestr(info, data)


def _hostile_cases() -> list[Case]:
    C: list[Case] = []
    ok3 = {"read": 3, "accepted": 3, "rejected": 0}
    # contradictory consent in one JSON record, both key orders: rejected; the same key
    # order as the rest of the file never decides
    recs = [
        {"identifiant": "P1", "nom": "Ana Lebrun", "competences": "Python", "consentement": "non", "consent_share_identity": "oui"},
        {"identifiant": "P2", "nom": "Bob Martin", "competences": "SQL", "consent_share_identity": "oui", "consentement": "non"},
        {"identifiant": "P3", "nom": "Cid Roux", "competences": "Java", "consentement": "oui", "consent_share_identity": "oui"},
        {"identifiant": "P4", "nom": "Dan Petit", "competences": "Go", "consent_share_identity": "oui"},
    ]
    C.append(Case("p_consent_contradiction.json", "profiles", json.dumps(recs, ensure_ascii=False).encode(),
                  {"read": 4, "accepted": 2, "rejected": 2,
                   "rejects": [(1, "consentement / consent_share_identity", "valeurs contradictoires pour consent_share_identity"),
                               (2, "consentement / consent_share_identity", "valeurs contradictoires pour consent_share_identity")],
                   "cells": [(0, "consent_share_identity", True), (1, "consent_share_identity", True)]}))
    C.append(Case("p_consent_two_columns.csv", "profiles",
                  b"identifiant;competences;consentement;consent_share_identity\r\nP1;Python;non;oui\r\nP2;SQL;oui;oui\r\n"
                  b"P3;Java;oui;\r\nP4;Go;;\r\n",
                  {"read": 4, "accepted": 3, "rejected": 1,
                   "rejects": [(2, "consentement / consent_share_identity", "valeurs contradictoires")],
                   "warns": [(4, "consentement / consent_share_identity", "oui seulement quand toutes les colonnes disent oui")],
                   "cells": [(0, "consent_share_identity", True), (1, "consent_share_identity", False), (2, "consent_share_identity", False)]}))
    # hidden sheets: the first visible one by default; a hidden one only when named
    C.append(Case("p_hidden_first_sheet.xlsx", "profiles", _hidden_sheets("hidden"),
                  {"read": 2, "accepted": 2, "sheet": "Profils", "warnings": ["feuille(s) masquée(s) ignorée(s) : « Ancien »"],
                   "cells": [(0, "profile_id", "P1")]}))
    C.append(Case("p_very_hidden_named.xlsx", "profiles", _hidden_sheets("veryHidden"),
                  {"read": 1, "accepted": 1, "sheet": "Ancien", "warnings": ["est très masquée"], "cells": [(0, "profile_id", "P_OLD")]},
                  sheet="Ancien"))
    # size bombs: refused before expanding; trailing formatted-but-empty cells cost nothing
    C.append(Case("p_xfd_bomb.xlsx", "profiles", _xfd_bomb, {"error": [(None, None, "trop grande pour être lue")]}))
    C.append(Case("p_merged_bomb.xlsx", "profiles", _merged_bomb, {"error": [(None, None, "cellules fusionnées C2:XFD1048576")]}))
    C.append(Case("p_styled_far_cell.xlsx", "profiles", _styled_far_cell, {"read": 1, "accepted": 1, "cells": [(0, "profile_id", "P1")]}))
    # encodings decided per file, with evidence
    one_bad = csv_text(THREE).encode() + csv_text([prow("P004", resume="Chargée d'études")]).encode("cp1252")
    C.append(Case("p_utf8_one_cp1252_line.csv", "profiles", one_bad,
                  {"read": 4, "accepted": 4, "encoding": "utf-8", "warnings": ["octets invalides remplacés par « \ufffd » dans 1 ligne(s) : 5"],
                   "warns": [(5, "resume", "octets invalides en utf-8")],
                   "cells": [(0, "full_name", "Hélène Dupré"), (3, "summary", "Charg\ufffde d'\ufffdtudes")]}))
    C.append(Case("p_bom_invalid_bytes.csv", "profiles",
                  codecs.BOM_UTF8 + csv_text(THREE).encode().replace("Cheffe de projet SI".encode(), b"Cheffe de projet \xff SI", 1),
                  {**ok3, "encoding": "utf-8-sig", "warns": [(2, "poste_actuel", "octets invalides en utf-8-sig")]}))
    many = [P_HEADER] + [prow(f"P{i:04d}", resume="Ingénieure données " + "x" * 60) for i in range(1, 1001)]
    many[2] = prow("P0002", resume="Ingé\x00nieure")
    many[900] = prow("P0900", resume="Données\x00\x00")
    C.append(Case("p_nul_bytes.csv", "profiles", csv_text(many).encode(),
                  {"read": 1000, "accepted": 1000, "warns": [(3, "resume", "1 caractère(s) nul(s)"), (901, "resume", "2 caractère(s) nul(s)")],
                   "cells": [(1, "summary", "Ingénieure"), (899, "summary", "Données")]}))
    C.append(Case("p_cr_only.csv", "profiles", csv_text(THREE, eol="\r").encode(),
                  {**ok3, "delimiter": ";", "warnings": ["fins de ligne « CR » seules"], "cells": [(2, "profile_id", "P003")]}))
    # smaller: a repeated header line, negative levels, ids equal up to case or normalisation
    C.append(Case("p_repeated_header.csv", "profiles", csv_text([P_HEADER, prow("P1"), P_HEADER, prow("P2")]).encode(),
                  {"read": 3, "accepted": 2, "rejected": 1, "rejects": [(3, None, "ligne d'en-tête répétée")]}))
    C.append(Case("p_negative_level.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", competences="Python:-1; SQL:5"), prow("P2", competences="Java:\u22122")]).encode(),
                  {"read": 2, "accepted": 2, "warns": [(2, "competences", "niveau « -1 » invalide"), (2, "competences", "niveau « 5 » invalide"),
                                                       (3, "competences", "niveau « \u22122 » invalide")],
                   "cells": [(0, "skills", [("Python", None), ("SQL", None)]), (1, "skills", [("Java", None)])]}))
    C.append(Case("p_ids_case_nfd.csv", "profiles",
                  csv_text([P_HEADER, prow("\u00c9lise-1"), prow("E\u0301lise-1"), prow("p7"), prow("P7")]).encode(),
                  {"read": 4, "accepted": 2, "rejected": 2,
                   "rejects": [(3, "identifiant", "identifiant en double : déjà utilisé ligne 2"),
                               (5, "identifiant", "identifiant en double (à la casse près) : déjà utilisé ligne 4")],
                   "cells": [(0, "profile_id", "\u00c9lise-1")]}))
    # personal values never echoed: a file without its header row, a level after an e-mail
    C.append(Case("p_no_header_row.csv", "profiles", csv_text(THREE[1:]).encode(),
                  {"error": [(1, "profile_id", "la ligne d'en-tête ne nomme aucune colonne connue")]}))
    C.append(Case("p_level_after_email.csv", "profiles",
                  csv_text([P_HEADER, prow("P1", competences="jean.dupont@exemple.gouv.fr:7; Python"), prow("P2", resume="Tél. 06 12 34 56 78:x" * 0 + "")]).encode(),
                  {"read": 2, "accepted": 2, "warns": [(2, "competences", "niveau « 7 » invalide pour « (masqué) »")]}))
    return C


CASES: list[Case] = _cases() + _hostile_cases()


def write_all(folder: Path = HERE) -> list[Path]:
    out = []
    for case in CASES:
        path = folder / case.name
        if callable(case.content):
            _xlsx(path, case.content)
            if case.name in _PATCHES:
                _patch_xlsx(path, *_PATCHES[case.name])
        else:
            path.write_bytes(case.content)
        out.append(path)
    return out


if __name__ == "__main__":
    paths = write_all()
    sys.stdout.write(f"{len(paths)} fichiers écrits dans {HERE}\n")
