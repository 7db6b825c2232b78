"""Readers: the data contract, counts that always add up, no personal data in messages."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.config import Config, InputConfig
from matching.io import validate_files
from matching.io.readers import MASK, InputError, read_positions, read_profiles, split_skill
from matching.io.writers import write_csv
from matching.schema import (
    CLEARANCE_LEVELS,
    POSITION_COLUMNS,
    POSITION_SPECS,
    PROFILE_COLUMNS,
    PROFILE_SPECS,
    header_key,
    parse_bool,
    parse_clearance,
    parse_level,
)

PEP = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pep_offres_2021" / "pep_offres_2021.jsonl"


def test_aliases_are_unambiguous():
    for specs in (PROFILE_SPECS, POSITION_SPECS):
        seen: dict[str, str] = {}
        for spec in specs.values():
            for key in spec.keys:
                assert key not in seen, (key, seen.get(key), spec.name)
                seen[key] = spec.name


@pytest.mark.parametrize(
    "a,b",
    [("Date de prise de poste", "date_prise_poste"), ("  IDENTIFIANT ", "identifiant"), ("Ouvert à la mobilité", "ouvert_mobilite"),
     ("Années d'expérience", "annees_experience"), ("COMPÉTENCES-REQUISES", "competences_requises")],
)
def test_header_key(a, b):
    assert header_key(a) == header_key(b)


def test_vocabularies():
    assert CLEARANCE_LEVELS == ("none", "confidentiel", "secret", "tres_secret")
    assert [parse_clearance(x) for x in ("", "Aucune", "CD", "Secret Défense", "Très secret", "TS")] == [
        "none", "none", "confidentiel", "secret", "tres_secret", "tres_secret"]
    assert parse_clearance("ultra") is None
    assert [parse_bool(x) for x in ("Oui", "non", "VRAI", "faux", "1", "0", "x", "O", "n", "peut-être")] == [
        True, False, True, False, True, False, True, True, False, None]
    assert [parse_level(x) for x in ("1", "notions", "Pratique", "maîtrise", "Avancé", "expert", "5")] == [1, 1, 2, 3, 3, 4, None]


@pytest.mark.parametrize(
    "item,expected",
    [("Python:3", ("Python", 3)), ("Python : maîtrise", ("Python", 3)), ("CI/CD", ("CI/CD", None)),
     ("https://exemple.gouv.fr", ("https://exemple.gouv.fr", None)), ("ISO:27001", ("ISO:27001", None)),
     ("Sécurité: ANSSI", ("Sécurité: ANSSI", None)), ("C++:4", ("C++", 4)), ("Python:", ("Python", None))],
)
def test_split_skill(item, expected):
    assert split_skill(item) == expected


@pytest.mark.parametrize("item", ["Python:0", "Python:5", "SQL:2.5", "Go:12"])
def test_split_skill_bad_level(item):
    with pytest.raises(ValueError, match="1 à 4"):
        split_skill(item)


def test_canonical_frames_have_the_architecture_columns(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("identifiant;competences\nP1;Python:3\n", encoding="utf-8")
    q = tmp_path / "q.csv"
    q.write_text("identifiant_poste;ministere;intitule\nQ1;Intérieur;RSSI\n", encoding="utf-8")
    rp, rq = read_profiles(p), read_positions(q)
    assert tuple(rp.frame.columns) == PROFILE_COLUMNS
    assert tuple(rq.frame.columns) == POSITION_COLUMNS
    row = rp.frame.iloc[0]
    assert row["clearance"] == "none" and bool(row["open_to_mobility"]) is True
    assert row["consent_share_identity"] == False  # noqa: E712
    assert row["wished_ministries"] == [] and row["available_from"] is None
    assert pd.isna(row["years_experience"]) and pd.isna(row["birth_year"])
    assert rp.frame["birth_year"].dtype == "Int64" and rp.frame["source_row"].tolist() == [2]
    assert rq.frame["openings"].tolist() == [1] and rq.frame["eligible_corps"].iloc[0] == []


def test_personal_values_never_in_messages(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("identifiant;nom;courriel;competences;annee_naissance\nP1;" + "Jean Secret " * 20 + ";jean@x.fr;Python;19x5\n", encoding="utf-8")
    res = read_profiles(p, config=InputConfig(max_cell_chars=100))
    # cell problems in optional fields keep the row: the warnings name them, masked
    assert res.rejected == 0 and len(res.warnings) == 2
    text = res.warnings.to_string() + " ".join(res.warnings["message"])
    assert "Jean" not in text and "19x5" not in text and MASK in text
    # without any text the row is rejected: the rejects are masked too
    p.write_text("identifiant;nom;courriel;competences;annee_naissance\nP1;" + "Jean Secret " * 20 + ";jean@x.fr;;19x5\n", encoding="utf-8")
    res = read_profiles(p, config=InputConfig(max_cell_chars=100))
    assert res.rejected == 1
    text = res.rejects.to_string() + "".join(str(pr) for pr in res.problems())
    assert "Jean" not in text and "19x5" not in text and MASK in text
    with pytest.raises(InputError) as info:
        read_profiles(p, config=InputConfig(max_cell_chars=100, strict=True))
    assert "Jean" not in str(info.value) and info.value.result is not None
    assert info.value.result.rejected == 1


def test_strict_mode_fails_on_any_reject(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("identifiant;competences\nP1;Python\nP1;Java\n", encoding="utf-8")
    assert read_profiles(p).rejected == 1
    with pytest.raises(InputError, match="ligne 3.*en double"):
        read_profiles(p, config=InputConfig(strict=True))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="introuvable"):
        read_profiles(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="dossier"):
        read_profiles(tmp_path)


def test_validate_files_reports_both_files_at_once(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("identifiant;competences\nP1;Python\nP1;Java\n", encoding="cp1252")
    q = tmp_path / "q.csv"
    q.write_bytes(b"")
    rep = validate_files(p, q, config=Config())
    assert not rep.ok
    assert rep.profiles is not None and rep.positions is None
    assert any("vide" in pr.reason for pr in rep.file_problems)
    rows = rep.summary_rows()
    assert rows[0]["read"] == 2 and rows[0]["accepted"] == 1 and rows[0]["rejected"] == 1
    assert rows[1]["file"] == "q.csv" and rows[1]["read"] is None
    assert len(rep.rejects()) == 2 and list(rep.rejects().columns) == ["file", "row", "column", "value", "reason"]
    q.write_text("identifiant_poste,ministere,intitule\nQ1,Intérieur,RSSI\n", encoding="utf-8")
    p.write_text("identifiant;competences\nP1;Python\n", encoding="utf-8")
    assert validate_files(p, q).ok


@pytest.mark.skipif(not PEP.exists(), reason="PEP reference export not available")
def test_real_pep_2021_export():
    res = read_positions(PEP)
    assert res.rows_read == 154 and res.accepted == 151 and res.rejected == 3
    assert res.info["unknown_columns"] == []
    reasons = " ".join(res.rejects["reason"])
    assert "en double" in reasons and "ministry" in reasons
    f = res.frame
    assert f["position_id"].is_unique and (f["title"] != "").all() and (f["location"] == "").sum() <= 1
    assert set(f["experience_years"].unique()) <= {0.0, 3.0}
    assert f["start_date"].notna().all()


def test_import_is_light():
    code = "import sys, matching.io, matching.schema; print('openpyxl' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=60)
    assert out.stdout.split() == ["False", "False"]


# --- properties ----------------------------------------------------------------------
_cell = st.one_of(
    st.sampled_from(["", " ", "P1", "P2", "oui", "non", "peut-être", "31/02/2024", "01/09/2025", "2025-09-01", "Python:3", "Go:9",
                     "secret", "ultra", "5", "-3", "abc", "=1+1", "a;b", "x" * 150, "\u200b", "ligne\nligne"]),
    st.text(max_size=12),
)
_HEADER = ["identifiant", "competences", "resume", "disponibilite", "habilitation", "ouvert_mobilite", "annees_experience"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=len(_HEADER), max_size=len(_HEADER)), min_size=1, max_size=12),
       sep=st.sampled_from([";", ",", "\t"]), fmt=st.sampled_from(["csv", "jsonl"]))
def test_read_equals_accepted_plus_rejected(tmp_path_factory, rows, sep, fmt):
    folder = tmp_path_factory.mktemp("prop")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
        w.writerow(_HEADER)
        w.writerows(rows)
        path = folder / "p.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
    else:
        path = folder / "p.jsonl"
        path.write_text("".join(json.dumps(dict(zip(_HEADER, r))) + "\n" for r in rows), encoding="utf-8")
    try:
        res = read_profiles(path, config=InputConfig(max_cell_chars=100))
    except InputError as exc:
        # only file-level reasons are allowed here (e.g. every row blank)
        assert all(p.row is None or p.row == 1 for p in exc.problems)
        return
    info = res.info
    assert info["rows_read"] == info["accepted"] + info["rejected"]
    assert len(res.frame) == info["accepted"]
    assert res.rejects["row"].nunique() == info["rejected"]
    assert info["rows_read"] + info["blank_rows"] >= 1
    assert res.frame["profile_id"].is_unique
    assert set(res.frame["source_row"]).isdisjoint(set(res.rejects["row"].dropna().astype(int)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Zs")), min_size=1, max_size=15),
                min_size=1, max_size=6))
def test_neutralised_outputs_read_back_unchanged(tmp_path_factory, texts):
    """Our own neutralised CSV, read back by our reader: the same text, guard removed."""
    texts = [t for t in texts if t == t.strip() and t[0] != "'" and ";" not in t and "|" not in t]
    if not texts:
        return
    import unicodedata

    path = tmp_path_factory.mktemp("rt") / "p.csv"
    df = pd.DataFrame({"identifiant": [f"P{i}" for i in range(len(texts))], "resume": texts})
    write_csv(df, path, sep=";", bom=True)
    res = read_profiles(path)
    assert res.rejected == 0
    assert res.frame["summary"].tolist() == [unicodedata.normalize("NFC", t) for t in texts]
