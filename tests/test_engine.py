"""The engine object (Matcher), the batch it returns (Batch), and the one owner of a batch
folder (BatchFolder): a run by identifiers, a finished batch opened again without reading
or embedding anything, and a folder nobody writes around."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import Batch, BatchFolder, Config, Matcher
from matching.components import COMPONENT_SPECS, COMPONENTS, RULE_SPECS, RULES
from matching.errors import ConfigError, InputFileError
from matching.explain import render_account

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def write_slice(src: Path, dst: Path, every: int) -> Path:
    """Every ``every``-th data row of a sample file (plus the illustrative senior posts)."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    import csv
    import io

    rows = list(csv.reader(io.StringIO("".join(lines))))
    keep = [r for i, r in enumerate(rows[1:]) if i % every == 0 or r[0].startswith("ILL-")]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([rows[0], *keep])
    dst.write_text(buf.getvalue(), encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("engine-slice")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", 4)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", 10)
    return p, q


@pytest.fixture(scope="module")
def config():
    return Config().replace(model={"name": "hashing"}, rules={"reference_date": "2026-11-28"})


@pytest.fixture(scope="module")
def written(files, config, tmp_path_factory):
    out = tmp_path_factory.mktemp("engine-out") / "lot"
    batch = Matcher(config).run(*files, out=out)
    return batch, out


def test_run_without_a_folder_knows_ids_and_pseudonyms(files, config):
    batch = Matcher(config).run(*files)
    assert batch.folder is None and len(batch.shortlists)
    # pseudonyms are made when the batch is ranked, not when it is written
    assert batch.shortlists["candidate_ref"].str.match(r"^CAND-[0-9A-F]{10}$").all()
    one = batch.shortlists.iloc[0]
    assert set(batch.shortlist(one["position_id"])["profile_id"]) >= {one["profile_id"]}
    acc = batch.explain(one["profile_id"], one["position_id"])
    assert acc.shortlisted and acc.profile_id == one["profile_id"]


def test_manifest_on_disk_has_every_timing(written):
    batch, out = written
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    timings = on_disk["timings_seconds"]
    for stage in ("read", "normalize", "embed", "features", "score_rank", "write", "total"):
        assert timings[stage] >= 0, stage
    assert timings["total"] >= timings["write"]
    assert on_disk == batch.manifest
    assert sum(on_disk["scoring"]["score_histogram"]) > 0


def test_open_explains_and_reranks_without_reading_or_embedding(written, monkeypatch):
    batch, out = written
    import matching.embed
    import matching.io.readers

    def forbidden(*a, **k):
        raise AssertionError("Batch.open must not load a model nor read the input files")

    monkeypatch.setattr(matching.embed, "load_encoder", forbidden)
    monkeypatch.setattr(matching.io.readers, "read_profiles", forbidden)
    monkeypatch.setattr(matching.io.readers, "read_positions", forbidden)
    opened = Batch.open(out)
    assert opened.batch_id == batch.batch_id
    pd.testing.assert_frame_equal(
        opened.shortlists[["position_id", "rank", "profile_id", "candidate_ref"]],
        batch.shortlists[["position_id", "rank", "profile_id", "candidate_ref"]].astype({"rank": "Int64"}),
        check_dtype=False,
    )
    # a listed pair, and a pair that is not on the list: the same account as in memory
    listed = batch.shortlists.iloc[0]
    others = set(batch.prepared.profiles["profile_id"]) - set(batch.shortlist(listed["position_id"])["profile_id"])
    outsider = sorted(others)[0]
    for p, q in ((listed["profile_id"], listed["position_id"]), (outsider, listed["position_id"])):
        a, b = batch.explain(p, q), opened.explain(p, q)
        assert render_account(a, batch.config) == render_account(b, opened.config)
    assert opened.explain(outsider, listed["position_id"]).shortlisted is False
    # the same configuration ranks to the same batch; another one re-ranks the stored data
    same = opened.rerank(opened.config, matcher=Matcher(opened.config, encoder=object(), taxonomy=object()))
    assert same.batch_id == batch.batch_id
    pd.testing.assert_frame_equal(same.shortlists.reset_index(drop=True), batch.shortlists.reset_index(drop=True))
    semantic_only = opened.config.replace(weights={c: (1.0 if c == "semantic" else 0.0) for c in COMPONENTS})
    other = opened.rerank(semantic_only, matcher=Matcher(semantic_only, encoder=object(), taxonomy=object()))
    assert other.batch_id != batch.batch_id
    assert np.allclose(other.contributions()["contribution_semantic"], other.shortlists["score"], atol=1e-6)


def test_contributions_add_up_to_the_score(written):
    batch, _ = written
    table = batch.contributions()
    total = table[[f"contribution_{c}" for c in COMPONENTS]].sum(axis=1)
    assert np.allclose(total, batch.shortlists["score"].to_numpy(), atol=1e-5)


def test_state_holds_no_identity_without_consent_and_no_sensitive_column(written):
    batch, out = written
    state = (out / "etat" / "state.json").read_text(encoding="utf-8")
    profiles = batch.prepared.profiles
    for _, row in profiles.iterrows():
        if not row.get("consent_share_identity", False):
            for col in ("full_name", "email"):
                value = str(row.get(col, "") or "")
                if len(value) > 3:
                    assert value not in state, f"{col} of a non-consenting engineer stored"
    meta = json.loads(state)
    assert "gender" not in meta["profiles"]["columns"] and "birth_year" not in meta["profiles"]["columns"]
    with np.load(out / "etat" / "arrays.npz", allow_pickle=False) as data:  # plain arrays only
        assert all(data[k].dtype != object for k in data.files)


def test_rewriting_an_opened_batch_gives_the_same_files(written, tmp_path):
    batch, out = written
    opened = Batch.open(out)
    files = opened.write(tmp_path / "again")
    for name in ("shortlists.csv", "opportunities.csv", "pseudonymes.csv", "etat/state.json", "etat/arrays.npz"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
    employer = sorted(p for k, p in files.items() if k.startswith("employer:"))
    assert employer and all(p.read_bytes() == (out / "employeurs" / p.name).read_bytes() for p in employer)


def test_open_refuses_a_folder_that_is_not_a_batch(tmp_path):
    with pytest.raises(InputFileError) as exc:
        Batch.open(tmp_path)
    assert exc.value.exit_code == 4 and "manifeste" in str(exc.value)


# --- the batch folder ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../evil.csv", "/tmp/evil.csv", "a/../../evil.csv", ""])
def test_folder_refuses_names_that_leave_it(tmp_path, name):
    folder = BatchFolder(tmp_path / "lot")
    with pytest.raises(InputFileError):
        folder.write_text(name, "x")
    assert not (tmp_path / "evil.csv").exists()


def test_folder_never_writes_through_a_link_that_leaves_it(tmp_path):
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    lot = tmp_path / "lot"
    lot.mkdir()
    os.symlink(outside, lot / "employeurs")
    with pytest.raises(InputFileError):
        BatchFolder(lot).write_text("employeurs/x.csv", "x")
    assert not list(outside.iterdir())


def test_update_manifest_keeps_what_others_recorded(tmp_path):
    folder = BatchFolder(tmp_path)
    folder.write_manifest({"batch_id": "LOT-1", "outputs": {"a.csv": "h"}})
    folder.update_manifest(lambda m: m.setdefault("allocations", {}).update(stable={"places": 3}))
    folder.update_manifest(lambda m: m.update(report_refreshed={"sha256": "x"}))
    m = folder.read_manifest()
    assert m["outputs"] == {"a.csv": "h"} and m["allocations"]["stable"]["places"] == 3 and m["report_refreshed"]


def test_allocation_goes_through_the_folder_and_keeps_the_manifest(written, tmp_path):
    import shutil

    from matching.allocate import allocate

    _, out = written
    copy = tmp_path / "lot"
    shutil.copytree(out, copy)
    before = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    allocate(copy, method="stable")
    after = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert after["outputs"] == before["outputs"] and after["timings_seconds"] == before["timings_seconds"]
    assert "stable" in after["allocations"]


# --- each definition once -----------------------------------------------------------------
def test_components_and_rules_are_declared_once():
    from matching.config import RulesConfig, WeightsConfig
    from matching.explain import COMPONENT_LABELS, SHORT_LABELS
    from matching.outputs import EMPLOYER_HEADERS, SHORTLIST_COLUMNS
    from matching.report import _RULE_LABELS

    names = [c.name for c in COMPONENT_SPECS]
    assert list(COMPONENTS) == names == list(WeightsConfig().as_dict())
    assert [c for c in SHORTLIST_COLUMNS if c in names] == names
    assert SHORT_LABELS == {c.name: c.short_label for c in COMPONENT_SPECS}
    assert COMPONENT_LABELS == {c.name: c.label for c in COMPONENT_SPECS}
    assert all(EMPLOYER_HEADERS[c].endswith(SHORT_LABELS[c]) for c in names)
    rule_fields = {f for f in vars(RulesConfig()) if isinstance(getattr(RulesConfig(), f), bool)}
    assert {r.name for r in RULE_SPECS} == rule_fields
    assert _RULE_LABELS == {r.name: r.label for r in RULE_SPECS}
    bits = [r.bit for r in RULE_SPECS]
    assert len(set(bits)) == len(bits) and all(b & (b - 1) == 0 for b in bits)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 40),
    m=st.integers(1, 30),
    seed=st.integers(0, 10_000),
    switches=st.lists(st.booleans(), min_size=len(RULES), max_size=len(RULES)),
    take=st.integers(1, 8),
)
def test_ranking_and_explanations_apply_the_same_rules(n, m, seed, switches, take):
    """The ranking's exclusion mask and the explanations' rule bits come from one definition."""
    from matching.bench import synthetic_features
    from matching.score import kernel_for, rule_mask

    f = synthetic_features(n, m, seed=seed, dim=8)
    config = Config().replace(rules=dict(zip(RULES, switches)))
    kern = kernel_for(f, config)
    out = np.zeros((n, m), dtype=bool)
    kern.excluded(slice(0, n), slice(0, m), out)
    bits = rule_mask(f, slice(0, n), slice(0, m), config)
    assert np.array_equal(out, bits != 0)
    # integer index arrays (as explanations use them) give the same bits as slices
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(take, n), replace=False))
    cols = np.sort(rng.choice(m, size=min(take, m), replace=False))
    assert np.array_equal(rule_mask(f, rows, cols, config), bits[np.ix_(rows, cols)])
    counts = kern.rule_counts()
    for name, (bit, _) in RULES.items():
        assert counts[name] == int(((bits & bit) != 0).sum()), name


def test_type_errors_in_a_configuration_are_configuration_errors(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[weights]\nsemantic = "x"\n[scoring]\nsemantic_floor = "bas"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Config.from_toml(path)
    assert exc.value.exit_code == 3
    assert any("weights.semantic" in p for p in exc.value.problems)
    assert any("scoring.semantic_floor" in p for p in exc.value.problems)


# --- a batch folder is never silently overwritten -------------------------------------------
def test_run_refuses_a_folder_that_is_not_empty_unless_replace(written, files, config, tmp_path):
    import shutil

    from matching.allocate import allocate

    _, out = written
    lot = tmp_path / "lot"
    shutil.copytree(out, lot)
    allocate(lot, method="stable")
    before = sorted(p.name for p in lot.iterdir())
    with pytest.raises(InputFileError) as exc:
        Matcher(config).run(*files, out=lot)
    assert "--replace" in str(exc.value) and sorted(p.name for p in lot.iterdir()) == before
    again = Matcher(config).run(*files, out=lot, replace=True)
    assert again.batch_id
    names = {p.name for p in lot.iterdir()}
    assert not [n for n in names if n.startswith("allocation-")], "files of the previous batch remain"
    assert "allocations" not in json.loads((lot / "manifest.json").read_text(encoding="utf-8"))
    # a foreign file is never removed: the replacement is refused as a whole
    (lot / "mes-notes.docx").write_text("à garder", encoding="utf-8")
    with pytest.raises(InputFileError):
        Matcher(config).run(*files, out=lot, replace=True)
    assert (lot / "mes-notes.docx").read_text(encoding="utf-8") == "à garder"


def test_allocation_counts_positions_without_candidate_as_vacant(written, tmp_path):
    import shutil

    from matching.allocate import allocate

    batch, out = written
    lot = tmp_path / "lot"
    shutil.copytree(out, lot)
    listed = set(batch.shortlists["position_id"])
    nobody = sorted(set(batch.prepared.positions["position_id"]) - listed)
    res = allocate(lot, method="stable")
    assert set(nobody) <= set(res.unfilled["position_id"])
    openings = batch.prepared.positions.set_index("position_id")["openings"]
    assert res.summary["places"] == int(openings.sum())


def test_usage_errors_are_in_french(tmp_path):
    import subprocess
    import sys

    cli = Path(__file__).resolve().parents[1] / "cli.py"
    for args, expected in (
        (["run", "--profiles", "p.csv"], "option obligatoire manquant(e) : --positions"),
        (["run", "--profiles", "p.csv", "--positions", "q.csv", "--out", "o", "--nope"], "option inconnue : --nope"),
        (["inconnue"], "commande inconnue : inconnue"),
        (["run", "--profiles", "p", "--positions", "q", "--out", "o", "--top-k", "dix"], "un nombre entier est attendu"),
    ):
        proc = subprocess.run([sys.executable, str(cli), *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert proc.returncode == 2, (args, proc.stderr)
        assert expected in proc.stderr and "Traceback" not in proc.stderr
        assert "Missing" not in proc.stderr and "No such" not in proc.stderr


def test_advisors_workbook_has_french_sheets_and_headers(written):
    from openpyxl import load_workbook

    batch, out = written
    wb = load_workbook(out / "lot.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[0] == "Synthèse" and names[-4:] == ["Compétences en tension", "Opportunités", "Avertissements", "Rejets"]
    assert set(names[1:-4]) == {m[:31] for m in batch.shortlists["ministry"]}
    header = [c.value for c in next(wb[names[1]].iter_rows(max_row=1))]
    assert "Identifiant de l'ingénieur" in header and "Explication" in header
    assert not [h for h in header if h in ("profile_id", "score", "explanation")]
    summary = {r[0].value: r[1].value for r in wb["Synthèse"].iter_rows(min_row=2)}
    assert summary["Lignes de listes restreintes"] == len(batch.shortlists)
    # advisors only: the workbook never goes into a ministry's package
    assert not list((out / "envois").rglob("lot.xlsx"))


def test_warnings_reach_the_console_the_report_and_strict_mode(files, config, tmp_path):
    import csv
    import io
    import subprocess
    import sys

    p, q = files
    rows = list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8"))))
    rows[0]["years_experience"] = "15+"
    rows[1]["available_from"] = "Immédiate"
    typed = tmp_path / "profils.csv"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    typed.write_text(buf.getvalue(), encoding="utf-8")
    batch = Matcher(config).run(typed, q, out=tmp_path / "lot")
    warn = pd.read_csv(tmp_path / "lot" / "warnings.csv", encoding="utf-8-sig", dtype=str)
    by_column = dict(zip(warn["column"], warn["message"]))
    assert by_column["years_experience"] == "lu comme 15"
    assert by_column["available_from"].startswith("lu comme la date de référence du lot (2026-11-28)")
    assert batch.manifest["counts"]["warnings"] == len(warn) == len(batch.warnings)
    assert batch.manifest["counts"]["profiles_accepted"] == len(rows)  # the rows are kept
    page = (tmp_path / "lot" / "report.html").read_text(encoding="utf-8")
    assert "Avertissements sur les données" in page and "warnings.csv" in page
    # the console says it, and strict mode with strict_warnings refuses the batch
    cli = Path(__file__).resolve().parents[1] / "cli.py"
    cfg = tmp_path / "c.toml"
    cfg.write_text(config.replace(input={"strict_warnings": True}).to_toml(), encoding="utf-8")
    base = [sys.executable, str(cli), "run", "--profiles", str(typed), "--positions", str(q), "--config", str(cfg), "--quiet"]
    ok = subprocess.run([*base, "--out", str(tmp_path / "lot2")], capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stderr
    assert "avertissement(s) sur les données" in ok.stdout
    strict = subprocess.run([*base, "--out", str(tmp_path / "lot3"), "--strict"], capture_output=True, text=True, timeout=600)
    assert strict.returncode == 5, strict.stderr
    assert "avertissement" in strict.stderr and (tmp_path / "lot3" / "warnings.csv").is_file()
    assert not (tmp_path / "lot3" / "shortlists.csv").exists()


def test_pseudonyms_cannot_be_recomputed_without_the_deployment_key(written, tmp_path, monkeypatch):
    """An employer file and every profile id are not enough to re-identify a candidate: the
    reference is keyed by the deployment's secret, not by the batch id printed in the file."""
    import hashlib
    import hmac
    import stat

    from matching.deployment import KEY_NAME, pseudonym_key, secret_dir
    from matching.outputs import pseudonym

    batch, out = written
    employer = pd.read_csv(next((out / "employeurs").glob("*.csv")), sep=";", dtype=str, encoding="utf-8-sig")
    refs = set(employer["Référence candidat"])
    ids = list(batch.prepared.profiles["profile_id"])
    lot = employer["Lot"].iloc[0]
    for digits in (8, 10):  # the former scheme, keyed by the batch id, at both lengths
        guesses = {"CAND-" + hmac.new(lot.encode(), p.encode(), hashlib.sha256).hexdigest()[:digits].upper() for p in ids}
        assert not refs & guesses
    # the key file is the owner's only, and the references follow the key, not the batch
    path = secret_dir() / KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = pseudonym_key()
    assert refs <= {pseudonym(key, p) for p in ids}
    other = Batch.open(out).rerank(batch.config.replace(weights={"semantic": 0.9}))
    assert other.batch_id != batch.batch_id
    same = dict(zip(other.shortlists["profile_id"], other.shortlists["candidate_ref"]))
    assert all(same[p] == pseudonym(key, p) for p in same)  # stable across the deployment's batches
    # another deployment (another key) gives other references for the same engineers
    monkeypatch.setenv("MATCHING_SECRET_DIR", str(tmp_path / "autre"))
    assert not refs & {pseudonym(pseudonym_key(), p) for p in ids}
    assert key.hex() not in (out / "manifest.json").read_text(encoding="utf-8")
    assert batch.manifest["pseudonym_key_fingerprint"] and batch.manifest["pseudonym_key_fingerprint"] not in key.hex()
