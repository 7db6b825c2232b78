"""Employers' verdicts and advisors' reviews into the batch's feedback.csv, read by
``evaluate outcomes`` (and ``tune``, through the same read_labels)."""

from __future__ import annotations

import json
import shutil

import pytest

from matching.config import Config
from matching.employer_xlsx import COMMENT_HEADER, SHEET_LIST, VERDICT_CHOICES, VERDICT_HEADER
from matching.engine import Matcher
from matching.evaluation.outcomes import read_labels
from matching.feedback import FEEDBACK_NAME, FeedbackImportError, import_employer_files, review_line
from matching.io.batch_folder import BatchFolder
from tests.test_cli import SAMPLE, cli
from tests.test_pipeline import write_slice


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory, hashing_encoder):
    d = tmp_path_factory.mktemp("fb")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", lambda i, r: i < 40)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", lambda i, r: r["position_id"].startswith("ILL-"))
    Matcher(Config().replace(model={"name": "hashing"}), encoder=hashing_encoder).run(p, q, out=d / "lot")
    return d / "lot"


@pytest.fixture()
def batch(batch_dir, tmp_path):
    """A fresh copy of the batch folder for each test (feedback.csv starts absent)."""
    return shutil.copytree(batch_dir, tmp_path / "lot")


def _employer_file(batch):
    """The employer xlsx of the ministry with the most shortlist lines, and its table."""
    import pandas as pd

    sl = pd.read_csv(batch / "shortlists.csv", dtype=str)
    ministry = sl["ministry"].value_counts().index[0]
    rel = json.loads((batch / "manifest.json").read_text())["employer_files"][ministry]["xlsx"]
    return batch / rel, sl[sl["ministry"] == ministry]


def _fill(path, answers, out):
    """Fill the employer's columns as Excel would: {row number: (verdict, comment)}."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[SHEET_LIST]
    headers = [c.value for c in ws[1]]
    v, c = headers.index(VERDICT_HEADER) + 1, headers.index(COMMENT_HEADER) + 1
    for row, (verdict, comment) in answers.items():
        ws.cell(row, v).value = verdict
        ws.cell(row, c).value = comment
    wb.save(out)
    return out


def _rows(path):
    from openpyxl import load_workbook

    ws = load_workbook(path)[SHEET_LIST]
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, [c.value for c in row])) for row in ws.iter_rows(min_row=2)]


def test_employer_file_has_a_validated_verdict_list_and_a_free_comment(batch):
    from openpyxl import load_workbook

    path, _ = _employer_file(batch)
    ws = load_workbook(path)[SHEET_LIST]
    headers = [c.value for c in ws[1]]
    assert headers[-2:] == [VERDICT_HEADER, COMMENT_HEADER]
    letter = ws.cell(1, headers.index(VERDICT_HEADER) + 1).column_letter
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1.strip('"').split(",") == list(VERDICT_CHOICES)
    assert str(lists[0].sqref) == f"{letter}2:{letter}{ws.max_row}"  # every line, and only the verdict column
    assert lists[0].showErrorMessage  # Excel refuses another value


def test_round_trip_filled_imported_and_evaluated(batch, tmp_path):
    path, part = _employer_file(batch)
    rows = _rows(path)
    first = rows[0]["Référence du poste"]
    lines = [i for i, r in enumerate(rows, start=2) if r["Référence du poste"] == first]
    assert len(lines) >= 3
    # the employer interviews rank 1, turns down rank 2, appoints rank 3
    filled = _fill(path, {lines[0]: ("retenu pour entretien", "reçu le 3 mars"), lines[1]: ("non retenu", ""),
                          lines[2]: ("nommé", "prise de poste en mai")}, tmp_path / "retour.xlsx")
    said = " ".join(cli("feedback", "import", filled, "--batch", batch, check=0).stdout.split())
    assert "3 avis importé(s)" in said and f"{len(rows) - 3} ligne(s) sans avis" in said

    labels = read_labels(batch / FEEDBACK_NAME)  # what evaluate outcomes and tune read
    by_ref = {(r["position_id"], r["candidate_ref"]): r["profile_id"] for _, r in part.iterrows()}
    want = {by_ref[(first, rows[n - 2]["Référence candidat"])]: g for n, g in zip(lines[:3], (1, 0, 2))}
    assert {r.profile_id: r.grade for r in labels.itertuples()} == want
    assert set(labels["position_id"]) == {first}

    res = json.loads(cli("evaluate", "outcomes", "--shortlists", batch / "shortlists.csv", "--labels",
                         batch / FEEDBACK_NAME, "--json", check=0).stdout)
    assert res["mrr"] == pytest.approx(1.0)  # the first relevant line (interviewed) has rank 1
    assert res["recall@10"] == pytest.approx(1.0)
    assert 0 < res["ndcg@10"] < 1  # the appointed candidate is ranked below the others

    again = " ".join(cli("feedback", "import", filled, "--batch", batch, check=0).stdout.split())
    assert "0 avis importé(s)" in again and "3 déjà présent(s)" in again
    assert len(read_labels(batch / FEEDBACK_NAME)) == 3


def test_unknown_verdict_or_other_batch_refused_with_file_row_column(batch, tmp_path):
    path, _ = _employer_file(batch)
    bad = _fill(path, {2: ("peut-être", ""), 3: ("nommé", "")}, tmp_path / "mauvais.xlsx")
    said = " ".join(cli("feedback", "import", bad, "--batch", batch, check=4).stderr.split())  # the terminal wraps
    assert "mauvais.xlsx : ligne 2, colonne « Avis de l'employeur » : avis « peut-être » inconnu" in said
    assert "Aucun avis n'a été importé" in said
    assert not (batch / FEEDBACK_NAME).exists()  # one bad line: nothing written, not even row 3

    from openpyxl import load_workbook

    other = _fill(path, {2: ("nommé", "")}, tmp_path / "autre.xlsx")
    wb = load_workbook(other)
    wb[SHEET_LIST].cell(2, 1).value = "LOT-000000000000"
    wb.save(other)
    with pytest.raises(FeedbackImportError, match=r"autre.xlsx : ligne 2, colonne « Lot » : lot LOT-000000000000"):
        import_employer_files(BatchFolder(batch), [other])
    assert not (batch / FEEDBACK_NAME).exists()


def test_advisor_review_keeps_or_strikes_with_a_reason(batch):
    import pandas as pd

    sl = pd.read_csv(batch / "shortlists.csv", dtype=str)
    a, b = sl.iloc[0], sl.iloc[1]
    folder = BatchFolder(batch)
    assert review_line(folder, position_id=a.position_id, profile_id=a.profile_id, decision="écarter",
                       reason="  ne souhaite pas   de mobilité ") == "non adapté"
    review_line(folder, position_id=b.position_id, profile_id=b.profile_id, decision="garder", reason="")
    fb = pd.read_csv(batch / FEEDBACK_NAME, sep=";", dtype=str, keep_default_na=False)
    assert list(fb.columns) == ["position_id", "profile_id", "outcome", "date", "source", "comment"]
    assert fb["source"].tolist() == ["conseiller", "conseiller"]
    assert fb["comment"].tolist()[0] == "ne souhaite pas de mobilité"
    labels = read_labels(batch / FEEDBACK_NAME)
    assert dict(zip(labels["profile_id"] + "@" + labels["position_id"], labels["grade"])) == {
        f"{a.profile_id}@{a.position_id}": 0, f"{b.profile_id}@{b.position_id}": 1}
    with pytest.raises(FeedbackImportError, match="n'est pas sur les listes"):
        review_line(folder, position_id=a.position_id, profile_id="ING-INCONNU", decision="garder")
    with pytest.raises(FeedbackImportError, match="décision « peut-être » inconnue"):
        review_line(folder, position_id=a.position_id, profile_id=a.profile_id, decision="peut-être")
