"""The full-pipeline benchmark: realistic synthetic texts, cold and warm stages, scaling
exponents. No time is asserted (the machine is shared); the hashing encoder keeps it fast."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.bench import (
    DESCRIPTION_WORDS,
    FULL_STAGES,
    SUMMARY_WORDS,
    json_shape,
    loglog_exponent,
    render_bench,
    run_bench,
    synthetic_frames,
)
from matching.config import Config

#: the deliverables' extras switched off: the write stage still runs, in less time
FAST = {"model": {"name": "hashing"}, "output": {"employer_xlsx": False, "report": False}}


# --- the log-log exponent (a pure function) ----------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    exponent=st.floats(0.0, 3.0),
    scale=st.floats(1e-4, 1e3),
    sizes=st.lists(st.integers(1, 10**6), min_size=2, max_size=5, unique=True),
)
def test_exponent_of_a_power_law_is_recovered(exponent, scale, sizes):
    seconds = [scale * n**exponent for n in sizes]
    assert loglog_exponent(sizes, seconds) == pytest.approx(exponent, abs=0.01)


def test_exponent_tells_linear_from_quadratic_through_noise():
    rng = np.random.default_rng(0)
    sizes = [1000, 4000, 16000]
    noisy = lambda k: [2e-5 * n**k * rng.uniform(0.8, 1.25) for n in sizes]  # noqa: E731 - a shared machine
    assert 0.8 < loglog_exponent(sizes, noisy(1)) < 1.2
    assert 1.8 < loglog_exponent(sizes, noisy(2)) < 2.2


@pytest.mark.parametrize("sizes, seconds", [([100], [1.0]), ([100, 100], [1.0, 2.0]), ([100, 200], [0.0, 1.0]),
                                            ([100, 200], [None, 1.0]), ([100, 200, 400], [1.0, 2.0])])
def test_exponent_is_none_when_it_cannot_be_fitted(sizes, seconds):
    assert loglog_exponent(sizes, seconds) is None


# --- the synthetic files ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def frames():
    return synthetic_frames(80, 30, seed=5)


def _words(texts) -> pd.Series:
    return pd.Series(texts).str.split().str.len()


def test_texts_are_as_long_as_real_ones_and_all_distinct(frames):
    p, q = frames
    lo, hi = SUMMARY_WORDS
    assert _words(p["summary"]).between(lo, hi).all()
    lo, hi = DESCRIPTION_WORDS
    assert _words(q["description"]).between(lo, hi).all()
    # a cold embedding run really is cold: no text twice
    assert p["summary"].is_unique and q["description"].is_unique
    assert p["profile_id"].is_unique and q["position_id"].is_unique
    # skill lists as in real files: several "label:level" items, levels 1 to 4
    counts = p["skills"].str.count(";") + 1
    assert counts.between(6, 14).all() and (q["required_skills"].str.count(";") + 1).between(3, 8).all()
    levels = p["skills"].str.split("; ").explode().str.rsplit(":", n=1).str[1].astype(int)
    assert levels.between(1, 4).all()
    assert (p["current_position"] != "").all() and (q["title"] != "").all()


def test_no_personal_data_nor_contact_in_synthetic_rows(frames):
    p, q = frames
    assert p["full_name"].str.startswith("Agent fictif").all()
    assert p["email"].str.endswith(".invalid").all()
    texts = pd.concat([p["summary"], q["description"], q["title"]])
    assert not texts.str.contains(r"@|\[contact\]|\[email\]|\[tel\]|https?:", regex=True).any()


def test_same_seed_same_frames_other_seed_other_texts(frames):
    p, q = synthetic_frames(80, 30, seed=5)
    pd.testing.assert_frame_equal(p, frames[0])
    pd.testing.assert_frame_equal(q, frames[1])
    p2, q2 = synthetic_frames(80, 30, seed=6)
    assert not set(p2["summary"]) & set(p["summary"])
    assert not set(q2["description"]) & set(q["description"])


# --- the full pipeline, cold then warm -----------------------------------------------------
def test_full_pipeline_cold_and_warm_json_shape(tmp_path):
    n, m = 12, 4
    r = run_bench(n, m, config=Config().replace(**FAST), references=False, allocation=False, workdir=tmp_path)
    json.dumps(r)  # JSON-ready
    assert r["encoder"]["name"] == "hashing" and r["backend"]["name"] == "local"
    for table in (r["stages"], r["warm"]):
        for name in FULL_STAGES:
            rec = table[name]
            assert rec["seconds"] >= 0 and rec["peak_rss_mb"] > 0, name
        for name in ("read", "normalize", "embed", "features"):
            assert table[name]["items"] == n + m
    assert r["stages"]["score_topk"]["items"] == n * m
    # cold: every text of the batch encoded; warm: none (the cache is filled), same results
    assert r["stages"]["embed"]["texts_encoded"] == n + m
    assert r["warm"]["embed"]["texts_encoded"] == 0 and r["warm"]["embed"]["texts_from_cache"] == n + m
    assert r["stages"]["embed_warm"]["texts_encoded"] == 0
    assert r["warm_identical"] is True
    assert "setup" in r["stages"] and "setup" not in r["warm"]
    assert r["stages"]["write"]["files"] > 0 and r["stages"]["write"]["bytes"] > 0
    assert (tmp_path / "out" / "shortlists.csv").is_file() and (tmp_path / "out-warm" / "shortlists.csv").is_file()
    text = render_bench(r)
    assert "hashing" in text and "à chaud" in text and "normalize" in text
    # what `bench --json` prints: the same three top-level keys as before, the rest inside the stages
    shape = json.loads(json.dumps(json_shape(r)))
    assert set(shape) == {"stages", "reference", "blas_kernel"}
    assert shape["stages"]["embed"]["encoder"]["name"] == "hashing"
    assert shape["stages"]["embed"]["warm"]["texts_encoded"] == 0
    assert shape["stages"]["score_topk"]["backend"]["name"] == "local"
    assert shape["stages"]["write"]["warm_identical"] is True


def test_cli_scaling_end_to_end_with_the_hashing_encoder(tmp_path):
    """In-process (typer's runner), so that the per-process setup is shared with the test above."""
    from typer.testing import CliRunner

    from cli import app

    cfg = tmp_path / "rapide.toml"
    cfg.write_text(Config().replace(**FAST).to_toml(), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["bench", "--scaling", "--sizes", "8,4,16", "--encoder", "hashing", "--config", str(cfg), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["profiles"] == [4, 8, 16] and out["positions"] == [1, 2, 4]
    assert out["encoder"]["name"] == "hashing"
    for name in FULL_STAGES:
        row = out["stages"][name]
        assert len(row["seconds"]) == 3 and len(row["warm_seconds"]) == 3, name
        assert row["exponent"] is None or isinstance(row["exponent"], float)
    assert [r["stages"]["embed"]["texts_encoded"] for r in out["runs"]] == [5, 10, 20]
    text = render_bench(out)  # the console table of the same result
    assert "exposant" in text and "hashing" in text and "à chaud" in text and "16 p." in text


@pytest.mark.parametrize("args", [["--scaling", "--sizes", "10,x"], ["--scaling", "--sizes", "10"], ["--sizes", "10,20"],
                                  ["--scaling", "--stage", "allocate"], ["--scaling", "--ratio", "0"]])
def test_cli_bad_scaling_options_are_usage_errors(args):
    from typer.testing import CliRunner

    from cli import app

    res = CliRunner().invoke(app, ["bench", *args])
    assert res.exit_code == 2 and "Erreur" in res.output, res.output


def test_a_model_that_cannot_load_leaves_no_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    from matching.errors import MatchingError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    config = Config().replace(model={"name": str(tmp_path / "no-such-model")})
    with pytest.raises(MatchingError):
        run_bench(4, 2, config=config, references=False, allocation=False)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("bench-")] == []  # (torch may leave its own)
