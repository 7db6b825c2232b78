"""Hostile input files (issue 15), through the reader API and through the CLI.

The files themselves are in the corpus (``tests/inputs/make_corpus.py``, checked case by
case in ``test_input_corpus.py``); these tests check what matters beyond the counts:
that consent never depends on key order, that a size bomb is refused before anything is
expanded, that the encoding decision keeps the good lines right, and that no personal
value reaches a message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching.config import Config, ConfigError, InputConfig
from matching.io.readers import InputError, read_profiles
from matching.schema import MASK, mask_value

REPO = Path(__file__).resolve().parents[1]
INPUTS = Path(__file__).parent / "inputs"
POSITIONS = REPO / "data" / "sample" / "positions.csv"


def cli(*args):
    env = dict(os.environ)
    env.setdefault("MATCHING_CACHE_DIR", str(REPO / ".cache"))
    proc = subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=REPO)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc


def all_text(res) -> str:
    """Every message, reject and warning a reader gives, as one text."""
    parts = [str(p) for p in res.problems()] + list(res.info["warnings"])
    for frame in (res.rejects, res.warnings):
        parts += [" ".join(map(str, row)) for row in frame.itertuples(index=False)]
    return "\n".join(parts)


# --- 1. contradictory fields ------------------------------------------------------------
def _consent_records(order: str) -> list[dict]:
    recs = []
    for i, (a, b) in enumerate([("non", "oui"), ("oui", "oui"), ("oui", "non"), ("", "oui")]):
        pair = [("consentement", a), ("consent_share_identity", b)]
        if order == "reversed":
            pair.reverse()
        recs.append({"identifiant": f"P{i}", "nom": f"Agent {i}", "competences": "Python", **dict(pair)})
    return recs


def test_contradictory_consent_is_rejected_whatever_the_key_order(tmp_path):
    frames = {}
    for order in ("as_written", "reversed"):
        path = tmp_path / f"{order}.json"
        path.write_text(json.dumps(_consent_records(order)), encoding="utf-8")
        res = read_profiles(path)
        frames[order] = res
        assert sorted(res.rejects["row"].astype(int)) == [1, 3]  # non/oui and oui/non
        assert res.rejects["reason"].str.contains("valeurs contradictoires pour consent_share_identity").all()
        kept = dict(zip(res.frame["profile_id"], res.frame["consent_share_identity"]))
        assert kept == {"P1": True, "P3": True}  # both say yes; an absent key is not a source
    assert frames["as_written"].frame["consent_share_identity"].tolist() == frames["reversed"].frame["consent_share_identity"].tolist()


def test_consent_in_two_table_columns_is_yes_only_when_both_say_yes(tmp_path):
    res = read_profiles(INPUTS / "p_consent_two_columns.csv")
    consent = dict(zip(res.frame["profile_id"], res.frame["consent_share_identity"]))
    assert consent == {"P2": True, "P3": False, "P4": False}
    assert res.rejects["row"].tolist() == [2]
    assert "« consentement » = non" in res.rejects["reason"].iloc[0] and "« consent_share_identity » = oui" in res.rejects["reason"].iloc[0]


def test_cli_validate_reports_the_contradiction_with_exit_5():
    proc = cli("validate", "--profiles", INPUTS / "p_consent_contradiction.json", "--positions", POSITIONS)
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "p_consent_contradiction.json, ligne 1" in proc.stdout and "valeurs contradictoires" in proc.stdout
    assert "Ana Lebrun" not in proc.stdout  # the name of the rejected record is never echoed


# --- 2. hidden sheets -------------------------------------------------------------------
def test_hidden_first_sheet_is_skipped_and_read_only_when_named():
    res = read_profiles(INPUTS / "p_hidden_first_sheet.xlsx")
    assert res.info["sheet"] == "Profils" and "P_OLD" not in set(res.frame["profile_id"])
    named = read_profiles(INPUTS / "p_hidden_first_sheet.xlsx", sheet="Ancien")
    assert named.frame["profile_id"].tolist() == ["P_OLD"]
    assert any("est masquée" in w for w in named.info["warnings"])


def test_cli_validate_reads_the_visible_sheet():
    proc = cli("validate", "--profiles", INPUTS / "p_hidden_first_sheet.xlsx", "--positions", POSITIONS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "masquée(s) ignorée(s)" in proc.stdout.replace("\n", " ")


# --- 3. size bombs ----------------------------------------------------------------------
@pytest.mark.parametrize("name, what", [("p_xfd_bomb.xlsx", "XFD1048576"), ("p_merged_bomb.xlsx", "C2:XFD1048576")])
def test_size_bombs_are_refused_naming_the_cell_and_the_budget(name, what):
    with pytest.raises(InputError) as info:
        read_profiles(INPUTS / name)
    text = str(info.value)
    assert what in text and "input.max_sheet_cells" in text and "trop grande" in text


def _sheet(path: Path, rows: int, cols: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["identifiant", "competences"] + [f"c{j}" for j in range(cols - 2)])
    for i in range(rows - 1):
        ws.append([f"P{i}", "Python"] + ["x"] * (cols - 2))
    wb.save(path)
    return path


def test_the_cell_budget_is_configurable_and_counts_filled_cells_only(tmp_path):
    big = _sheet(tmp_path / "big.xlsx", 30, 40)  # 1200 cells
    with pytest.raises(InputError, match="limite 1000"):
        read_profiles(big, config=InputConfig(max_sheet_cells=1000))
    assert read_profiles(big, config=InputConfig(max_sheet_cells=1200)).accepted == 29
    # a formatted but empty cell in XFD1048576 does not count
    assert read_profiles(INPUTS / "p_styled_far_cell.xlsx", config=InputConfig(max_sheet_cells=1000)).accepted == 1


def test_cli_refuses_a_bomb_with_exit_4():
    proc = cli("validate", "--profiles", INPUTS / "p_xfd_bomb.xlsx", "--positions", POSITIONS)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "trop grande" in proc.stdout + proc.stderr


# --- 4. encodings -----------------------------------------------------------------------
def test_a_utf8_file_with_one_cp1252_line_keeps_the_other_lines_right():
    res = read_profiles(INPUTS / "p_utf8_one_cp1252_line.csv")
    assert res.info["encoding"] == "utf-8"
    assert res.frame["full_name"].iloc[0] == "Hélène Dupré"  # no mojibake in the good lines
    assert (res.frame["summary"].iloc[:3] == "Ingénieure données").all()
    w = res.warnings
    assert w[w["message"].str.contains("octets invalides")]["row"].dropna().astype(int).tolist() == [5]


def test_mostly_invalid_utf8_is_read_as_cp1252_with_its_evidence(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("identifiant;nom;competences\r\nP1;Hélène;Sécurité\r\nP2;Zoé;Réseau\r\nP3;Noël;Données ✓\r\n".encode("cp1252", "ignore")
                     + "P4;Ana;Données ✓\r\n".encode())
    res = read_profiles(path)
    assert res.info["encoding"] == "cp1252" and "cp1252" in res.info["encoding_evidence"]
    assert res.frame["full_name"].iloc[0] == "Hélène"


def test_nul_bytes_in_json_are_reported_by_row_and_column(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"identifiant": "P1", "competences": "Py\u0000thon"}, {"identifiant": "P2", "competences": "SQL"}]))
    res = read_profiles(path)
    assert res.frame["skills"].iloc[0] == [("Python", None)]
    w = res.warnings
    assert w[w["message"].str.contains("caractère\\(s\\) nul")][["row", "column"]].values.tolist() == [[1, "competences"]]


def test_cli_reads_cr_only_line_endings():
    proc = cli("validate", "--profiles", INPUTS / "p_cr_only.csv", "--positions", POSITIONS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- 5. smaller -------------------------------------------------------------------------
def test_negative_and_too_high_levels_are_read_alike(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("identifiant;competences\r\nP1;Python:-1\r\nP2;Python:5\r\n", encoding="utf-8")
    res = read_profiles(path)
    assert res.frame["skills"].tolist() == [[("Python", None)], [("Python", None)]]
    msgs = res.warnings.set_index("row")["message"]
    assert "niveau « -1 » invalide" in msgs[2] and "niveau « 5 » invalide" in msgs[3]


def test_ids_equal_up_to_normalisation_or_case_are_duplicates():
    res = read_profiles(INPUTS / "p_ids_case_nfd.csv")
    assert res.frame["profile_id"].tolist() == ["\u00c9lise-1", "p7"]
    assert res.rejects["row"].tolist() == [3, 5]


def test_a_repeated_header_line_is_not_an_engineer():
    res = read_profiles(INPUTS / "p_repeated_header.csv")
    assert "identifiant" not in set(res.frame["profile_id"])
    assert res.rejects["reason"].str.contains("ligne d'en-tête répétée").tolist() == [True]


# --- 6. personal values never echoed ----------------------------------------------------
def test_a_file_without_its_header_row_does_not_print_the_first_engineer():
    with pytest.raises(InputError) as info:
        read_profiles(INPUTS / "p_no_header_row.csv")
    text = str(info.value)
    assert "Hélène" not in text and "@" not in text and "P001" not in text


def test_cli_without_header_row_prints_no_personal_value():
    proc = cli("validate", "--profiles", INPUTS / "p_no_header_row.csv", "--positions", POSITIONS)
    assert proc.returncode == 4
    assert "Hélène" not in proc.stdout + proc.stderr and "exemple.gouv.fr" not in proc.stdout + proc.stderr


def test_an_invalid_level_after_an_email_does_not_print_it():
    res = read_profiles(INPUTS / "p_level_after_email.csv")
    text = all_text(res)
    assert "jean.dupont" not in text and "niveau « 7 » invalide pour « (masqué) »" in text


def test_personal_looking_headers_and_values_are_masked(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("identifiant;competences;jean.dupont@exemple.gouv.fr;habilitation\r\n"
                    "P1;Python;x;rappeler le 06 12 34 56 78\r\n", encoding="utf-8")
    res = read_profiles(path)
    text = all_text(res)
    assert "jean.dupont" not in text and "06 12 34 56 78" not in text
    assert "colonne C" in res.info["unknown_columns"]
    assert "jean.dupont@exemple.gouv.fr" not in res.frame["extra"].iloc[0]  # its key is its position too


def test_mask_value_masks_personal_columns_emails_and_phones():
    assert mask_value("Hélène Dupré", "full_name") == MASK
    assert mask_value("écrire à a.b@x.fr ou au +33 6 12 34 56 78") == f"écrire à {MASK} ou au {MASK}"
    assert mask_value("Python:3; ISO:27001 depuis 2019-01-01") == "Python:3; ISO:27001 depuis 2019-01-01"
    assert len(mask_value("x" * 500)) < 80


# --- 7. configuration -------------------------------------------------------------------
@pytest.mark.parametrize("toml, key", [
    ("[rules]\nreference_date = 2026-01-01\n", "rules.reference_date"),
    ("[weights]\nsemantic = inf\n", "weights.semantic"),
    ("[weights]\njob_fit = nan\n", "weights.job_fit"),
    ("[ranking]\ntop_k = [10]\n", "ranking.top_k"),
    ("[rules]\nclearance = 2026-01-01T10:00:00\n", "rules.clearance"),
    ("[weights]\nsemantic = 1" + "0" * 400 + "\n", "weights.semantic"),
])
def test_wrongly_typed_configuration_values_name_their_key(tmp_path, toml, key):
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.from_toml(path)
    assert f"'{key}'" in str(info.value)
    proc = cli("config", "show", "--config", path)
    assert proc.returncode == 3 and key in proc.stderr.replace("\n", "")


def test_weights_whose_sum_overflows_are_refused():
    with pytest.raises(ConfigError, match="fini"):
        Config().replace(weights={"semantic": 1e308, "job_fit": 1e308})
