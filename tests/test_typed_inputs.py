"""Files as advisors and ministries really type them (issue 13, the reading part).

A 26-row HR export (.xlsx) and 16 fiches de poste (``;``, cp1252) written the usual way:
commas and bullets between list items, grades as abbreviations, ministries as acronyms,
« Immédiate », « 15+ », sentences where a code was expected, "Prénom" + "Nom". Each
finding of the user test is one test here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from matching.config import Config
from matching.grades import corps_key, grade_level, read_grade
from matching.io.readers import MASK, read_positions, read_profiles
from matching.io.validate import validate_files
from matching.ministries import ministry_keys

REF = "2026-11-28"

P_HEADER = ["Matricule", "Prénom", "Nom", "Corps", "Grade", "Ministère actuel", "Lieu d'affectation", "Poste actuel",
            "Compétences", "Années d'expérience", "Disponibilité", "Habilitation", "Ministères souhaités", "Commentaire RH"]


def _profiles() -> list[list[object]]:
    rows = [
        ["P01", "Claire", "Girard", "Ingénieurs des mines", "ICM", "Bercy", "Paris", "Architecte SI",
         "Architecture cloud, Kubernetes, Terraform", "15+", "Immédiate", "Habilitation secret défense obtenue en 2021", "MI, Minarm", "à revoir"],
        ["P02", "Paul", "Girard", "Armement", "Ingénieur principal de l'armement", "Minarm", "Bagneux", "Chef de projet",
         "• Python\n• SQL\n• Docker", "environ 10 ans", "dès que possible", "aucune", "Bercy", ""],
        ["P03", "Inès", "Roux", "IPEF", "IGPEF", "MTE", "La Défense", "Directrice de programme",
         "Data science, Python:3, SQL:2", "22", "01/03/2027", "secret", "MTE, Ministère de l'Intérieur", ""],
        ["P04", "Marc", "Blanc", "Armement", "ICA", "Ministère des Armées", "Paris", "Responsable data",
         "Python, SQL, Gestion de projet (agile, cycle en V)", "12", "2027-01-04", "SD", "Minarm", ""],
        ["P05", "Léa", "Noir", "Armement", "IGA", "Ministère des Armées", "Paris", "Directrice technique",
         "Architecture cloud, Kubernetes", "25", "", "TS", "", ""],
        ["P06", "Hugo", "Petit", "IPEF", "ICPEF", "Ministère de la Transition écologique", "Lyon", "Chef de service",
         "Kubernetes, Terraform, Python", "14", "", "", "", ""],
        ["P07", "Anne", "Morel", "Corps des mines", "Chef de mission", "Bercy", "Paris", "Cheffe de mission",
         "Python, SQL", "9", "", "", "", ""],
        ["P08", "Luc", "Faure", "Mines", "ingénieure en chef", "MI", "Paris", "Ingénieur sécurité",
         "Sécurité des SI, Python", "11", "", "en cours d'habilitation secret", "", ""],
    ]
    for k in range(9, 27):
        rows.append([f"P{k:02d}", f"Prénom{k}", f"Nom{k}", "Mines", "ingénieur en chef", "Bercy", "Paris", "Ingénieur",
                     "Python, SQL", str(k), "", "", "", ""])
    return rows


Q_HEADER = ["Identifiant poste", "Ministère", "Direction", "Intitulé", "Compétences requises", "Corps éligibles",
            "Grade minimum", "Date de prise de poste", "Habilitation requise", "Localisation"]


def _positions() -> list[list[str]]:
    rows = [
        ["Q01", "Ministère de l'Intérieur", "DNUM", "Architecte cloud", "Architecture cloud, Kubernetes, Terraform",
         "IPEF, Ingénieurs des mines", "ingénieur en chef", "01/02/2027", "Secret", "Paris"],
        ["Q02", "Ministère des Armées", "DGA", "Chef de projet data", "- Python\n- SQL", "Armement, Mines", "ingénieur en chef",
         "01/02/2027", "", "Paris"],
        ["Q03", "Ministères économiques et financiers", "DGFiP", "Directeur de programme", "Python, SQL", "", "IGPEF", "", "", "Paris"],
        ["Q04", "Ministère de la Transition écologique", "CGDD", "Chef de bureau data", "Python, SQL", "", "Chef de bureau",
         "dès que possible", "", "La Défense"],
        ["Q05", "MTE", "DGPR", "Ingénieur sécurité", "Sécurité des SI", "", "", "", "", "La Défense"],
    ]
    for k in range(6, 17):
        rows.append([f"Q{k:02d}", "Ministère de l'Intérieur", "DNUM", f"Ingénieur logiciel {k}", "Python, SQL", "", "", "", "", "Paris"])
    return rows


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("typed")
    wb = Workbook()
    ws = wb.active
    ws.title = "Export RH"
    ws.append(P_HEADER)
    for r in _profiles():
        ws.append(r)
    p = folder / "export_rh.xlsx"
    wb.save(p)
    q = folder / "fiches.csv"
    q.write_bytes(("\r\n".join(";".join(f'"{c}"' if ("\n" in c or ";" in c) else c for c in r)
                               for r in [Q_HEADER] + _positions()) + "\r\n").encode("cp1252"))
    return p, q


@pytest.fixture(scope="module")
def read(typed):
    p, q = typed
    return read_profiles(p, reference_date=REF), read_positions(q, reference_date=REF)


def _row(res, ident):
    f = res.frame
    col = "profile_id" if "profile_id" in f.columns else "position_id"
    return f[f[col] == ident].iloc[0]


# --- lists -------------------------------------------------------------------------
def test_comma_lists_are_split_and_the_separator_is_said(read):
    rp, rq = read
    assert rp.rows_read == 26 and rp.accepted == 26 and rq.accepted == 16 and rq.info["encoding"] == "cp1252"
    assert _row(rp, "P01")["skills"] == [("Architecture cloud", None), ("Kubernetes", None), ("Terraform", None)]
    assert _row(rp, "P03")["skills"] == [("Data science", None), ("Python", 3), ("SQL", 2)]
    assert _row(rp, "P02")["skills"] == [("Python", None), ("SQL", None), ("Docker", None)]  # bullets
    # never inside parentheses
    assert _row(rp, "P04")["skills"] == [("Python", None), ("SQL", None), ("Gestion de projet (agile, cycle en V)", None)]
    assert _row(rp, "P01")["wished_ministries"] == ["MI", "Minarm"]
    assert _row(rq, "Q01")["eligible_corps"] == ["IPEF", "Ingénieurs des mines"]
    assert _row(rq, "Q02")["required_skills"] == [("Python", None), ("SQL", None)]  # "- " bullets
    assert "virgule" in rp.separators["Compétences"] and "puces" in rp.separators["Compétences"]
    assert rq.separators["Corps éligibles"] == "virgule"
    msgs = " ".join(rp.warnings["message"])
    assert "éléments séparés par des virgules" in msgs


def test_comma_cells_of_a_semicolon_column_are_split_and_said(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(
        "identifiant;competences\n"
        "P1;\"Concevoir l'architecture d'un système, d'un réseau:3; Python:2\"\n"
        "P2;Python, SQL, Docker\n"
        "P3;Développer un logiciel, un système d'informations, une application\n",
        encoding="utf-8",
    )
    res = read_profiles(p)
    f = res.frame
    assert f["skills"].iloc[0] == [("Concevoir l'architecture d'un système, d'un réseau", 3), ("Python", 2)]
    # the column uses ';' elsewhere, but this cell's commas separate list-like items
    assert f["skills"].iloc[1] == [("Python", None), ("SQL", None), ("Docker", None)]
    w = res.warnings
    sel = w[(w["row"] == 3) & (w["column"] == "competences")]
    assert len(sel) == 1 and "virgules lues comme séparateurs" in sel["message"].iloc[0]
    assert not len(w[w["row"] == 4])  # a sentence is not a list
    # a column without ';' whose commas continue a sentence is not split either
    q = tmp_path / "q.csv"
    q.write_text("identifiant;competences\nP1;Développer un logiciel, un système d'informations, une application\n"
                 "P2;Suivre les projets, les budgets et les équipes\n", encoding="utf-8")
    assert read_profiles(q).frame["skills"].iloc[0] == [("Développer un logiciel, un système d'informations, une application", None)]


def test_validate_prints_the_separators(typed, tmp_path):
    from typer.testing import CliRunner

    from cli import app

    p, q = typed
    rep = validate_files(p, q, config=Config().replace(rules={"reference_date": REF}))
    lines = " ".join(rep.reading_lines())
    assert "« Compétences » retour à la ligne, puces, virgule" in lines and "« Corps éligibles » virgule" in lines
    out = CliRunner().invoke(app, ["validate", "--profiles", str(p), "--positions", str(q)])
    assert out.exit_code == 0, out.output
    assert "séparateurs de listes" in out.output and "virgule" in out.output
    assert "export_rh.xlsx, ligne 2, colonne « Disponibilité »" in out.output


# --- grades ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,corps,level",
    [("ICA", "", 6), ("IGPEF", "", 7), ("ICPEF", "", 6), ("IGA", "", 7), ("IA", "", 4), ("IPA", "", 5),
     ("IM", "", 4), ("ICM", "", 6), ("IGM", "", 7), ("Ingénieur principal de l'armement", "", 5),
     ("ingénieure générale", "Mines", 7), ("ingénieur en chef", "ITPE", 3), ("ITPE divisionnaire", "", 2),
     ("IDIM", "", 2), ("attachée principale", "", 2), ("attaché hors classe", "", 3),
     ("IGA de 2ème classe", "", 7), ("ingénieur général de 1re classe de l'armement", "", 8),
     ("administrateur HC", "INSEE", 6), ("inspecteur général", "INSEE", 7), ("ingénieur en chef", "", 6)],
)
def test_grade_table_reads_abbreviations_and_spelled_forms(text, corps, level):
    assert grade_level(text, corps) == level


def test_grade_order_and_unknown_grades():
    # "ingénieur principal de l'armement" ranks below an "ingénieur en chef" minimum
    assert grade_level("Ingénieur principal de l'armement") < grade_level("ingénieur en chef") <= grade_level("ICA")
    assert grade_level("Chef de mission") == -1 and read_grade("Ingénieur d'études") is None
    assert read_grade("ICA, chef de bureau").how == "beginning"
    assert corps_key("Ingénieurs de l'industrie et des mines") == "iim" and corps_key("Télécom") == "mines"


def test_grade_rule_says_the_grade_read_on_both_sides(read):
    rp, rq = read
    w = rp.warnings
    unknown = w[(w["row"] == 8) & (w["column"] == "Grade")]  # P07 "Chef de mission"
    assert len(unknown) == 1 and "grade inconnu" in unknown["message"].iloc[0]
    wq = rq.warnings
    assert len(wq[(wq["row"] == 5) & wq["message"].str.contains("grade inconnu")])  # Q04 "Chef de bureau"
    assert "ICA" in rp.understood["grades"] or any(k.startswith("ICA") for k in rp.understood["grades"])


# --- ministries --------------------------------------------------------------------
def test_ministries_as_people_write_them():
    assert ministry_keys("MI") == ministry_keys("Ministère de l'Intérieur") == {"interieur"}
    assert ministry_keys("Minarm") == ministry_keys("Ministère des Armées") == {"armees"}
    assert ministry_keys("MTE") == ministry_keys("Ministère de la Transition écologique") == {"ecologie"}
    assert ministry_keys("Bercy") == ministry_keys("Ministères économiques et financiers") == {"economie"}
    assert ministry_keys("ministère de la Défense") == {"armees"}  # a former name
    assert ministry_keys("MESR") <= ministry_keys("Éducation nationale et Enseignement supérieur")
    assert ministry_keys("DINUM") == frozenset()


def test_unknown_ministry_is_a_warning(tmp_path):
    q = tmp_path / "q.csv"
    q.write_text("identifiant_poste;ministere;intitule\nQ1;Mairie de Paris;RSSI\nQ2;Minarm;RSSI\n", encoding="utf-8")
    res = read_positions(q)
    w = res.warnings
    assert res.accepted == 2 and len(w[w["row"] == 2]) == 1 and "ministère inconnu" in w["message"].iloc[-1]
    assert res.understood["ministères"] == {"Minarm": "Ministère des Armées"}


# --- optional cells keep the row ---------------------------------------------------
def test_unreadable_optional_cells_keep_the_row(read):
    rp, _ = read
    p1, p2, p8 = _row(rp, "P01"), _row(rp, "P02"), _row(rp, "P08")
    assert p1["available_from"] == dt.date(2026, 11, 28) and p2["available_from"] == dt.date(2026, 11, 28)
    assert p1["years_experience"] == 15.0 and p2["years_experience"] == 10.0
    assert p1["clearance"] == "secret" and p8["clearance"] == "none"
    w = rp.warnings
    assert list(w.columns) == ["file", "row", "column", "value", "message"]
    p1w = w[w["row"] == 2]
    msgs = dict(zip(p1w["column"], p1w["message"]))
    assert "date de référence du lot (2026-11-28)" in msgs["Disponibilité"]
    assert "lu comme 15" in msgs["Années d'expérience"] and "secret" in msgs["Habilitation"]
    assert "non encore obtenue" in w[(w["row"] == 9) & (w["column"] == "Habilitation")]["message"].iloc[0]


def test_cell_warnings_mask_personal_values_and_rejects_only_unmatchable_rows(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(
        "identifiant;nom;competences;annee_naissance;disponibilite;habilitation;annees_experience;ouvert_mobilite\n"
        "P1;Jean Secret;Python;19x5;demain;ultra secret-ish;beaucoup;peut-être\n"
        "P1;Autre;Python;;;;;\n"
        ";Sans id;Python;;;;;\n"
        "P4;Sans texte;;;;;;\n",
        encoding="utf-8",
    )
    res = read_profiles(p)
    assert (res.rows_read, res.accepted, res.rejected) == (4, 1, 3)
    reasons = " ".join(res.rejects["reason"])
    assert "en double" in reasons and "identifiant vide" in reasons and "aucun texte" in reasons
    w = res.warnings
    assert set(w["column"]) >= {"annee_naissance", "disponibilite", "annees_experience", "ouvert_mobilite"}
    assert w[w["column"] == "annee_naissance"]["value"].tolist() == [MASK]
    assert "19x5" not in w.to_string()
    row = res.frame.iloc[0]
    assert row["available_from"] is None and np.isnan(row["years_experience"]) and bool(row["open_to_mobility"]) is True


# --- headers -----------------------------------------------------------------------
def test_first_name_and_name_make_full_name(read):
    rp, _ = read
    assert _row(rp, "P01")["full_name"] == "Claire Girard" and _row(rp, "P02")["full_name"] == "Paul Girard"
    assert _row(rp, "P01")["location"] == "Paris"  # "Lieu d'affectation"
    assert rp.info["unknown_columns"] == ["Commentaire RH"]


def test_unknown_headers_get_a_suggestion_in_run_and_validate(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("identifiant;Compétances;Poste actuel;Téléphone\nP1;Python;RSSI;0601\n", encoding="utf-8")
    res = read_profiles(p)
    assert res.header_suggestions == {"Compétances": "skills", "Téléphone": None}
    w = res.warnings
    line = w[w["row"].isna()]["message"].iloc[0]
    assert "Compétances (colonne skills ?)" in line and "Téléphone" in line


# --- the batch, end to end ---------------------------------------------------------
@pytest.fixture(scope="module")
def batch(typed, hashing_encoder, tmp_path_factory):
    from matching.pipeline import run_batch

    p, q = typed
    cfg = Config().replace(model={"name": "hashing"}, rules={"reference_date": REF})
    out = tmp_path_factory.mktemp("lot")
    return run_batch(p, q, out=out, config=cfg, encoder=hashing_encoder), cfg


def test_batch_applies_corps_grade_and_ministry_as_typed(batch):
    from matching.explain import explain_pair, render_account
    from matching.score import RULES, score_block

    result, cfg = batch
    prep = result.prepared
    F = prep.features
    p_ids = list(prep.profiles["profile_id"])
    q_ids = list(prep.positions["position_id"])
    blk = score_block(F, slice(0, F.n_profiles), np.arange(F.n_positions), cfg)
    mask = lambda p, q: int(blk.excluded[p_ids.index(p), q_ids.index(q)])  # noqa: E731
    corps_bit, grade_bit = RULES["corps_eligibility"][0], RULES["grade_min"][0]
    # "IPEF, Ingénieurs des mines": a Mines engineer is eligible
    assert not mask("P01", "Q01") & corps_bit and not mask("P08", "Q01") & corps_bit
    assert mask("P04", "Q01") & corps_bit  # Armement is not
    # IPA is below an "ingénieur en chef" minimum, ICA is not
    assert mask("P02", "Q02") & grade_bit and not mask("P04", "Q02") & grade_bit
    # an unknown minimum grade does not apply; an unknown engineer grade cannot meet a minimum
    assert not mask("P07", "Q04") & grade_bit and mask("P07", "Q01") & grade_bit
    # wishes typed as acronyms meet the positions' ministries
    wm = F.profiles.wish_ministry.toarray()
    q_min = F.positions.ministry_idx
    assert wm[p_ids.index("P01"), q_min[q_ids.index("Q01")]] == 1  # MI
    assert wm[p_ids.index("P01"), q_min[q_ids.index("Q02")]] == 1  # Minarm
    assert wm[p_ids.index("P03"), q_min[q_ids.index("Q05")]] == 1  # MTE wish, "MTE" position
    assert wm[p_ids.index("P03"), q_min[q_ids.index("Q04")]] == 1  # MTE wish, spelled-out position
    # the grade rule's explanation shows the grade read and its level on both sides
    acc = explain_pair(F, prep.normalized, p_ids.index("P02"), q_ids.index("Q02"), cfg)
    text = render_account(acc, cfg)
    assert "« Ingénieur principal de l'armement » (ingénieur principal de l'armement, niveau 5)" in text
    assert "grade minimal du poste : « ingénieur en chef » (ingénieur en chef, niveau 6)" in text
    acc = explain_pair(F, prep.normalized, p_ids.index("P07"), q_ids.index("Q01"), cfg)
    assert "« Chef de mission » (grade inconnu)" in render_account(acc, cfg)


def test_batch_writes_the_warnings(batch):
    import pandas as pd

    result, _ = batch
    w = pd.read_csv(result.outdir / "warnings.csv", dtype=str, keep_default_na=False)
    assert list(w.columns) == ["file", "row", "column", "value", "message"]
    assert set(w["file"]) == {"export_rh.xlsx", "fiches.csv"}
    assert w["message"].str.contains("date de référence du lot").any()
    assert "Claire" not in w.to_string()
