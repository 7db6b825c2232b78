"""Per-ministry packages: only that ministry's positions, identities only with consent.

Also holds the small batch shared by test_report.py and test_replay.py
(:func:`deliverables_batch`, written once per test session under pytest's base temp)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

PROFILES = """profile_id,full_name,email,corps,grade,current_ministry,current_position,skills,summary,years_experience,wished_ministries,open_to_mobility,consent_share_identity,clearance
ING-1,Alice Consentante,alice.consent@exemple.invalid,Mines,ingénieur en chef,Ministère de l'Intérieur,Responsable de la sécurité des systèmes d'information,RSSI:4;EBIOS:3;Python:2,Ingénieure cybersécurité avec 10 ans d'expérience en sécurité des SI.,10,Ministère des Armées,oui,oui,secret
ING-2,Bob Secretnom,bob.secretnom@exemple.invalid,IPEF,ingénieur,Ministère de l'Agriculture,Data scientist,Python:4;machine learning:3;SQL:3,Data scientist spécialisé en apprentissage automatique et statistiques.,6,,oui,non,none
ING-3,Carole Consentante,carole.consent@exemple.invalid,INSEE,administrateur,Ministère de la Justice,Data scientist,Python:3;machine learning:3;SQL:2,Data scientist : modèles statistiques et apprentissage automatique.,8,Ministère de l'Intérieur,oui,oui,none
ING-4,David Cachenom,david.cachenom@exemple.invalid,Mines,ingénieur,Ministère de la Culture,Ingénieur DevOps,Kubernetes:3;intégration continue:3;Python:2,Ingénieur DevOps : plateformes de conteneurs et intégration continue.,5,,oui,non,none
ING-5,Eve Masquee,eve.masquee@exemple.invalid,IPEF,ingénieur,Ministère des Armées,Data engineer,Python:3;SQL:4;machine learning:2,Ingénieure des données : entrepôts de données et pipelines.,4,,oui,non,none
ING-6,Franck Immobile,franck.immobile@exemple.invalid,Mines,ingénieur,Ministère des Armées,Chef de projet,gestion de projet:3,Chef de projet informatique.,12,,non,non,none
,Sans Identifiant,sans.id@exemple.invalid,Mines,ingénieur,,Data scientist,Python:2,Ligne sans identifiant.,1,,oui,non,none
"""
POSITIONS = """position_id,ministry,employer,title,description,required_skills,desired_skills,eligible_corps,clearance_required
P1,Ministère des Armées,DGNUM,RSSI ministériel,Piloter la sécurité des systèmes d'information du ministère.,sécurité des systèmes d'information:3;analyse de risques:3,EBIOS,Mines;Armement,secret
P2,Ministère de l'Intérieur,DNUM,Data scientist,Développer des modèles d'apprentissage automatique.,"Python:3;machine learning:3;=HYPERLINK(""http://exemple.invalid"")",SQL,,none
P3,Ministère de l'Intérieur,=1+2,Ingénieur DevOps,Administrer une plateforme de conteneurs Kubernetes.,Kubernetes:2;intégration continue:2,Java,,none
P4,Ministère de la Culture,DNUM Culture,Data engineer,Construire les pipelines de données du ministère.,Python:3;SQL:3,machine learning,,none
P5,Ministère de la Culture,"<script>alert(""x"")</script>",Archiviste paléographe <i>&</i>,Conserver des manuscrits médiévaux.,paléographie:4;latin:4,,,none
"""
CONSENTING = {"ING-1": ("Alice Consentante", "alice.consent@exemple.invalid"),
              "ING-3": ("Carole Consentante", "carole.consent@exemple.invalid")}
NOT_CONSENTING = {"ING-2": ("Bob Secretnom", "bob.secretnom@exemple.invalid"),
                  "ING-4": ("David Cachenom", "david.cachenom@exemple.invalid"),
                  "ING-5": ("Eve Masquee", "eve.masquee@exemple.invalid"),
                  "ING-6": ("Franck Immobile", "franck.immobile@exemple.invalid")}
MINISTRY_POSITIONS = {"Ministère des Armées": {"P1"}, "Ministère de l'Intérieur": {"P2", "P3"},
                      "Ministère de la Culture": {"P4", "P5"}}


def deliverables_batch(tmp_path_factory) -> Path:
    """Output folder of the small batch above (hashing encoder), built once per session."""
    from matching.config import Config, ModelConfig
    from matching.embed import load_encoder
    from matching.pipeline import run_batch

    base = tmp_path_factory.getbasetemp() / "deliverables-batch"
    out = base / "out"
    if (out / "manifest.json").is_file():
        return out
    base.mkdir(exist_ok=True)
    (base / "profiles.csv").write_text(PROFILES, encoding="utf-8")
    (base / "positions.csv").write_text(POSITIONS, encoding="utf-8")
    config = Config().replace(model={"name": "hashing"})
    encoder = load_encoder(ModelConfig(name="hashing"), cache=False)
    run_batch(base / "profiles.csv", base / "positions.csv", out=out, config=config, encoder=encoder)
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    return deliverables_batch(tmp_path_factory)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_texts(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _package_contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_each_package_holds_only_its_ministry_files(batch):
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["employer_files"]) == set(MINISTRY_POSITIONS)
    envois = batch / "envois"
    folders = sorted(p for p in envois.iterdir() if p.is_dir())
    zips = sorted(p for p in envois.iterdir() if p.suffix == ".zip")
    assert len(folders) == len(zips) == len(MINISTRY_POSITIONS)
    for ministry, kinds in manifest["employer_files"].items():
        slug = Path(kinds["csv"]).stem
        folder = envois / slug
        files = _package_contents(folder)
        assert set(files) == {f"{slug}.csv", f"{slug}.xlsx", "NOTICE_METHODE.md", "NOTICE_METHODE.html"}
        # the zip holds exactly the same bytes
        with zipfile.ZipFile(envois / f"{slug}.zip") as zf:
            assert {n: zf.read(n) for n in zf.namelist()} == {f"{slug}/{n}": d for n, d in files.items()}
        rows = _csv_rows(files[f"{slug}.csv"])
        assert {r["Ministère"] for r in rows} <= {ministry}
        assert {r["Référence du poste"] for r in rows} <= MINISTRY_POSITIONS[ministry]
        texts = _xlsx_texts(files[f"{slug}.xlsx"])
        blob = files[f"{slug}.csv"].decode("utf-8-sig") + "\n".join(texts)
        for other, positions in MINISTRY_POSITIONS.items():
            if other == ministry:
                continue
            assert other not in blob
            assert not positions & {r["Référence du poste"] for r in rows}
        xrows = _xlsx_rows(files[f"{slug}.xlsx"])
        assert {r["Référence du poste"] for r in xrows} <= MINISTRY_POSITIONS[ministry]
        assert {r["Ministère"] for r in xrows} <= {ministry}
    # the advisor-side files never go into a package
    names = {p.name for p in envois.rglob("*")}
    assert not names & {"shortlists.csv", "pseudonymes.csv", "opportunities.csv", "manifest.json", "report.html"}


def _xlsx_rows(data: bytes) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))["Liste restreinte"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_no_identity_of_a_non_consenting_engineer_in_any_package(batch):
    envois = batch / "envois"
    seen_consenting = set()
    interieur = _csv_rows((batch / "employeurs" / "ministere-de-l-interieur.csv").read_bytes())
    refs = {r["Référence candidat"] for r in interieur if r["Référence du poste"] == "P2"}
    assert len(refs) >= 2  # consenting and non-consenting engineers on the same list
    for path in sorted(envois.rglob("*")):
        if not path.is_file() or path.suffix == ".zip":
            continue  # zips hold the same bytes (checked above)
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            text = "\n".join(_xlsx_texts(data))
        else:
            text = data.decode("utf-8-sig")
        for pid, (name, email) in NOT_CONSENTING.items():
            assert pid not in text, (path.name, pid)
            assert name not in text and email not in text, path.name
        for pid, (name, email) in CONSENTING.items():
            if name in text:
                assert email in text
                seen_consenting.add(pid)
    # consenting engineers on a list do appear with their identity
    assert seen_consenting == {"ING-1", "ING-3"}


def test_employer_csv_uses_decimal_comma_with_semicolon(batch):
    rows = _csv_rows((batch / "employeurs" / "ministere-de-l-interieur.csv").read_bytes())
    assert rows
    for r in rows:
        score = r["Score (0 à 1)"]
        assert "," in score and "." not in score and len(score.split(",")[1]) == 3
        assert r["Rang"].isdigit()
    # formula-like text is neutralised in the CSV
    assert {r["Direction"] for r in rows if r["Référence du poste"] == "P3"} == {"'=1+2"}


def test_decimal_comma_helper_keeps_other_columns():
    import pandas as pd

    from matching.outputs import _decimal_comma

    df = pd.DataFrame({"a": [0.9271, float("nan")], "b": [1, 2], "c": ["x", "=1"]})
    out = _decimal_comma(df)
    assert out["a"].tolist() == ["0,927", ""]
    assert out["b"].tolist() == [1, 2] and out["c"].tolist() == ["x", "=1"]


def test_package_rebuild_and_foreign_files(batch, tmp_path):
    import shutil

    from matching.package import PackageError, package_ministries

    work = tmp_path / "out"
    shutil.copytree(batch, work)
    stale = work / "envois" / "ancien-ministere"
    stale.mkdir()
    (stale / "ancien-ministere.csv").write_text("x", encoding="utf-8")
    result = package_ministries(work)  # from the manifest
    assert set(result) == set(MINISTRY_POSITIONS)
    assert not stale.exists()  # a ministry no longer in the batch keeps no stale package
    (work / "envois" / "notes-perso.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(PackageError, match="ne viennent pas du moteur"):
        package_ministries(work)
    assert (work / "envois" / "notes-perso.txt").exists()
