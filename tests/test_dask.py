"""The Dask backend (issue 18): the same batch on a real local Dask cluster gives the same
files byte for byte; the chunks of the ranking (contiguous row blocks) merge to the same
result whatever their number; without Dask, asking for it says what to install (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.rank as rank_mod
from matching.compute import _close_clients, split_chunks
from matching.config import Config
from matching.rank import rank
from tests.test_cli import cli
from tests.test_pipeline import write_slice
from tests.test_rank_exact import _assert_same_ranking, _tie_heavy

distributed = pytest.importorskip("distributed")

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: manifest keys that say how and how fast a batch was computed, not what it contains
_RUN_ONLY = ("timings_seconds", "compute")


@pytest.fixture(scope="module", autouse=True)
def _clusters_closed_after_the_module():
    """The LocalClusters started in this process stop with the module, not at the end of
    the whole suite."""
    yield
    _close_clients()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", lambda i, r: i < 40)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", lambda i, r: i % 3 == 0)
    return p, q


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_batch_on_a_local_dask_cluster_is_identical(small, tmp_path):
    """`run --backend dask` starts a LocalCluster (2 worker processes of one thread): every
    output file is byte-identical to the local backend's, the manifest too apart from its
    timings and the backend it records; the batch id is the same."""
    args = ["run", "--profiles", small[0], "--positions", small[1], "--model", "hashing", "--quiet"]
    # each run on its own empty embedding cache: the dask run encodes its texts on the workers
    cli(*args, "--out", tmp_path / "local", check=0, env={"MATCHING_CACHE_DIR": str(tmp_path / "cache-local")})
    cli(*args, "--out", tmp_path / "dask", "--backend", "dask", check=0,
        env={"MATCHING_CACHE_DIR": str(tmp_path / "cache-dask")})
    local, dask = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert sorted(local) == sorted(dask)
    assert "shortlists.csv" in local and "opportunities.csv" in local
    assert any(name.startswith("employeurs/") for name in local)
    for name in local:
        if name != "manifest.json":
            assert local[name] == dask[name], name
    ml, md = json.loads(local["manifest.json"]), json.loads(dask["manifest.json"])
    assert md["compute"]["backend"] == "dask" and md["compute"]["workers"] == 2
    assert md["compute"]["dask_version"] == distributed.__version__
    assert ml["compute"]["backend"] == "local"
    assert ml["batch_id"] == md["batch_id"]
    assert {k: v for k, v in ml.items() if k not in _RUN_ONLY} == {k: v for k, v in md.items() if k not in _RUN_ONLY}


def test_texts_missing_from_the_cache_are_encoded_on_the_workers(small, tmp_path):
    """With the Dask backend the cache's misses are encoded by the workers' own encoders (the
    driver's encoder is made to refuse), the vectors come back identical to a local encoding
    and the driver alone writes them to the cache (a second run encodes nothing)."""
    import numpy as np

    from matching.config import ModelConfig
    from matching.embed import load_encoder
    from matching.engine import Matcher

    cfg = Config().replace(model={"name": "hashing", "cache_dir": str(tmp_path / "cache")}, compute={"backend": "dask"})
    enc = load_encoder(cfg.model)

    def refuse(texts, role):
        raise AssertionError("encoded in the driver process")

    driver_encode, enc.inner.encode = enc.inner.encode, refuse
    prep = Matcher(cfg, encoder=enc).prepare(*small)
    assert prep.encoder_info["texts_encoded"] > 0
    enc.inner.encode = driver_encode
    local = Matcher(Config().replace(model={"name": "hashing"}), encoder=load_encoder(ModelConfig(name="hashing"), cache=False))
    ref = local.prepare(*small)
    assert np.array_equal(prep.features.profiles.emb, ref.features.profiles.emb)
    assert np.array_equal(prep.features.positions.emb, ref.features.positions.emb)
    enc.inner.encode = refuse  # a second run: everything from the cache written by the driver
    again = Matcher(cfg, encoder=enc).prepare(*small)
    assert again.encoder_info["texts_encoded"] == 0 and again.encoder_info["texts_from_cache"] > 0


def test_without_dask_the_message_says_what_to_install(small, tmp_path):
    """Dask absent (an importable `distributed` that fails, first on the path): exit 3, a
    French message naming the extra to install, no traceback, nothing written."""
    shadow = tmp_path / "shadow" / "distributed"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no dask here')\n")
    repo = Path(__file__).resolve().parents[1]
    proc = cli("run", "--profiles", small[0], "--positions", small[1], "--out", tmp_path / "o", "--model", "hashing",
               "--quiet", "--backend", "dask", env={"PYTHONPATH": f"{shadow.parent}:{repo}"}, check=3)
    assert "pip install" in proc.stderr and "[dask]" in proc.stderr and "compute.backend" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_bad_backend_is_a_configuration_error(tmp_path):
    proc = cli("bench", "--profiles", 10, "--positions", 5, "--backend", "spark", check=3)
    assert "compute.backend" in proc.stderr and "spark" in proc.stderr


def test_many_chunks_on_the_cluster_merge_to_the_same_ranking(monkeypatch):
    """Row blocks of 10 profiles: 9 row blocks cut into 8 chunks over 2 Dask workers (whose
    tiles keep the default size: the result depends on neither), ties everywhere and a cap
    on shortlists per engineer: the same frames and statistics as one process."""
    f = _tie_heavy(90, 40, seed=3)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 4, "min_score": 0.1,
                                       "max_shortlists_per_profile": 2})
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", 400)
    one = rank(f, config, workers=1)
    progress = []
    on_dask = rank(f, config.replace(compute={"backend": "dask", "workers": 2}),
                   progress=lambda d, t: progress.append((d, t)))
    _assert_same_ranking(one, on_dask)
    assert progress[-1] == (9, 9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), m=st.integers(1, 30), seed=st.integers(0, 50), chunks=st.integers(1, 12),
       block_pairs=st.sampled_from([15, 60, 200]), cap=st.sampled_from([0, 1]))
def test_property_chunked_equals_unchunked(n, m, seed, chunks, block_pairs, cap, monkeypatch):
    """The chunk contract in one process: any number of chunks (contiguous row blocks, run
    one after the other and merged by the total order) gives the unchunked ranking."""
    f = _tie_heavy(n, m, seed=seed)
    config = Config().replace(ranking={"top_k": 2, "top_k_opportunities": 3, "min_score": 0.05,
                                       "max_shortlists_per_profile": cap})
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", block_pairs)
    _assert_same_ranking(rank(f, config, workers=1), rank(f, config, workers=1, chunks=chunks))


@given(n=st.integers(0, 500), chunks=st.integers(1, 40))
def test_property_chunks_cover_the_rows_in_order(n, chunks):
    parts = split_chunks(n, chunks)
    assert [i for a, b in parts for i in range(a, b)] == list(range(n))
    assert all(b > a for a, b in parts) and len(parts) == min(chunks, n)
    assert not parts or max(b - a for a, b in parts) - min(b - a for a, b in parts) <= 1



def _scan_dying_once(job, b0, b1):
    """The chunk function, except that the first chunk's first attempt kills its worker
    process (as a node lost during scoring would)."""
    import os

    from matching.rank import _scan

    marker = Path(os.environ["MATCHING_TEST_DIE_MARKER"])
    if b0 == 0 and not marker.exists():
        marker.write_text("mort")
        os._exit(1)
    return _scan(job, b0, b1)


def test_a_worker_killed_during_scoring_gives_the_same_ranking(monkeypatch, tmp_path):
    """A worker process dies while it scores a chunk: Dask starts another worker and runs
    the chunk again (chunks are pure functions of the broadcast job), so the ranking is the
    same as in one process."""
    marker = tmp_path / "died"
    monkeypatch.setenv("MATCHING_TEST_DIE_MARKER", str(marker))
    f = _tie_heavy(60, 30, seed=5)
    config = Config().replace(ranking={"top_k": 3, "top_k_opportunities": 4, "min_score": 0.1})
    monkeypatch.setattr(rank_mod, "MAX_BLOCK_PAIRS", 300)
    one = rank(f, config, workers=1)
    monkeypatch.setattr(rank_mod, "_scan", _scan_dying_once)
    # 3 workers: a cluster of its own, started after the variable is set (workers inherit it)
    on_dask = rank(f, config.replace(compute={"backend": "dask", "workers": 3}))
    assert marker.exists()  # a worker did die
    _assert_same_ranking(one, on_dask)


def test_skill_strings_missing_from_the_cache_are_normalised_on_the_workers(monkeypatch, tmp_path, hashing_encoder):
    """The distinct skill strings not in the cache go through levels 1-4 by chunks on the
    workers (the driver's levels are made to refuse; the semantic level stays with the
    driver's encoder): the same matches as one process, and the driver alone writes them to
    the cache (a second normaliser finds every string there)."""
    import pandas as pd

    from matching.compute import remote_normalizer
    from matching.skillcache import SkillCache
    from matching.skills import SkillNormalizer, resolve_chunk
    from matching.taxonomy import Taxonomy

    tax = Taxonomy.default()
    cells = pd.read_csv(SAMPLE / "profiles.csv", dtype=str)["skills"].fillna("")
    texts = sorted({c.strip() for cell in cells for c in cell.split(";") if c.strip()})[:200]
    texts += [t[:2] + t[3] + t[2] + t[4:] for t in texts[:60] if len(t) > 6] + ["k8s", "kubernetess", "PKI", ""]
    local = SkillNormalizer(tax, encoder=hashing_encoder).normalize_matches(texts)
    assert {"exact", "fuzzy", "unknown"} <= {m.method for m in local}

    def refuse(self, strings):
        raise AssertionError("levels 1-4 run by the driver")

    store = SkillCache(tmp_path / "skills.sqlite")
    on_dask = SkillNormalizer(tax, encoder=hashing_encoder, store=store)
    on_dask.remote = remote_normalizer(resolve_chunk, Config().replace(compute={"backend": "dask", "workers": 2}))
    monkeypatch.setattr(SkillNormalizer, "resolve_lexical", refuse)  # the workers import their own module
    assert on_dask.normalize_matches(texts) == local
    again = SkillCache(tmp_path / "skills.sqlite")
    assert SkillNormalizer(tax, encoder=hashing_encoder, store=again).normalize_matches(texts) == local
    assert again.hits == len(set(texts)) and again.misses == 0
