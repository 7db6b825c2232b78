"""replay: the same batch from its manifest, file by file; stops on a changed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.replay import DIFFERENT, IDENTICAL, ReplayError, replay
try:  # the small batch shared by test_package / test_report / test_replay
    from tests.test_package import deliverables_batch
except ImportError:  # tests/ not a package
    from test_package import deliverables_batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    return deliverables_batch(tmp_path_factory)


def _manifest(batch: Path) -> dict:
    return json.loads((batch / "manifest.json").read_text(encoding="utf-8"))


def _given(m: dict, *keys: str) -> dict:
    """The input files as the command line gives them (a manifest is trusted only within its folder)."""
    return {k: m["inputs"][k]["path"] for k in keys}


def test_manifest_holds_what_a_replay_needs(batch):
    m = _manifest(batch)
    assert m["seed"] == m["config"]["compute"]["seed"]
    assert m["taxonomy"]["path"] and m["taxonomy"]["sha256"] and m["model"]["weights_sha256"]
    for entry in m["inputs"].values():
        assert Path(entry["path"]).is_absolute() and entry["sha256"]
        assert (batch / entry["path_from_outputs"]).resolve() == Path(entry["path"])
    assert "shortlists.csv" in m["outputs"] and "report.html" in m["outputs"]
    assert "manifest.json" not in m["outputs"]


def test_replay_gives_identical_files_and_reports_differences(batch, tmp_path):
    """One replay (to keep the suite fast) from a copy of the manifest where the taxonomy
    hash, the model fingerprint and one output hash were altered: everything else must come
    out identical, the altered ones reported."""
    m = _manifest(batch)
    m["taxonomy"]["sha256"] = "0" * 64
    m["model"]["weights_sha256"] = "1" * 64
    m["outputs"]["rejects.csv"] = "2" * 64
    # the copy sits in another folder: inputs are given as on the command line
    src = tmp_path / "source"
    src.mkdir()
    (src / "manifest.json").write_text(json.dumps(m), encoding="utf-8")

    result = replay(src / "manifest.json", tmp_path / "rejeu", **_given(m, "profiles", "positions"))
    assert result.batch_id == m["batch_id"]
    assert result.files["shortlists.csv"] == IDENTICAL
    assert (tmp_path / "rejeu" / "shortlists.csv").read_bytes() == (batch / "shortlists.csv").read_bytes()
    assert result.files["rejects.csv"] == DIFFERENT
    others = {k: v for k, v in result.files.items() if k != "rejects.csv"}
    assert set(others.values()) == {IDENTICAL}, others
    assert set(result.files) == set(m["outputs"])  # every output compared, manifest.json excluded
    assert "report.html" in result.files and "manifest.json" in result.excluded
    assert not result.identical and result.differing == ["rejects.csv"]
    warnings = " ".join(result.warnings)
    assert "référentiel a changé" in warnings and "modèle diffère" in warnings
    text = "\n".join(result.lines())
    assert "rejects.csv : DIFFÉRENT" in text and "shortlists.csv : identique" in text
    assert "1 fichier(s) diffèrent" in text


def test_replay_stops_when_an_input_changed_or_is_missing(batch, tmp_path):
    m = _manifest(batch)
    changed = json.loads(json.dumps(m))
    changed["inputs"]["profiles"]["sha256"] = "f" * 64
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "manifest.json").write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(ReplayError, match="fichier des profils a changé"):
        replay(tmp_path / "a" / "manifest.json", tmp_path / "rejeu-a", **_given(m, "profiles", "positions"))

    missing = json.loads(json.dumps(m))
    missing["inputs"]["positions"]["path"] = str(tmp_path / "absent.csv")
    missing["inputs"]["positions"]["path_from_outputs"] = "absent.csv"
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(missing), encoding="utf-8")
    with pytest.raises(ReplayError, match="fichier des postes introuvable"):
        replay(tmp_path / "b", tmp_path / "rejeu-b", **_given(m, "profiles"))  # a folder means its manifest.json
    assert not (tmp_path / "rejeu-a").exists() and not (tmp_path / "rejeu-b").exists()


def test_replay_refuses_to_overwrite_the_batch_and_bad_manifests(batch, tmp_path):
    with pytest.raises(ReplayError, match="différent de celui du lot"):
        replay(batch / "manifest.json", batch)
    with pytest.raises(ReplayError, match="introuvable"):
        replay(tmp_path / "nothing.json", tmp_path / "x")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(ReplayError, match="illisible"):
        replay(tmp_path / "bad.json", tmp_path / "x")
    (tmp_path / "partial.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ReplayError, match="incomplet"):
        replay(tmp_path / "partial.json", tmp_path / "x")
