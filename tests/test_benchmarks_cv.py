"""The ESCO and PEP ranking benchmarks, every component ranked alone, and the
leave-one-benchmark-out cross-validation (hashing encoder, small slices)."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from matching.evaluation.ranking_bench import DEFAULT_BENCH_ROOT, SINGLE_COMPONENTS, discover_benches

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
NEW_BENCHES = ("esco", "esco_sans_titre", "pep")


def _script(name: str):
    path = REPO / "data" / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- builders -----------------------------------------------------------------------------
@pytest.mark.skipif(not (REFERENCE / "esco_fr").is_dir(), reason="ESCO reference data not available")
def test_esco_builder_is_deterministic(tmp_path):
    mod = _script("build_esco_bench")
    a, b = tmp_path / "a", tmp_path / "b"
    mod.build(REFERENCE / "esco_fr", a, seed=0, limit=12)
    mod.build(REFERENCE / "esco_fr", b, seed=0, limit=12)
    for name in ("esco", "esco_sans_titre"):
        fa, fb = _files(a / name), _files(b / name)
        assert set(fa) == {"positions.csv", "profiles.csv", "labels.csv", "key.csv", "bench.json"}
        assert fa == fb
    # no title at all in the variant; a relevant profile never lists a skill of its position
    assert all(r["current_position"] == "" for r in _rows(a / "esco_sans_titre" / "profiles.csv"))
    key = {r["id"]: r["occupation"] for r in _rows(a / "esco" / "key.csv")}
    pos = {key[r["position_id"]]: r for r in _rows(a / "esco" / "positions.csv")}
    strip = lambda cell: {s.rsplit(":", 1)[0].strip() for s in cell.split(";") if s.strip()}  # noqa: E731
    for p in _rows(a / "esco" / "profiles.csv"):
        q = pos[key[p["profile_id"]]]
        assert not strip(p["skills"]) & (strip(q["required_skills"]) | strip(q["desired_skills"]))
        assert p["current_position"].lower() != q["title"].lower()


@pytest.mark.skipif(not (REFERENCE / "pep_offres_2021").is_dir(), reason="PEP reference data not available")
def test_pep_builder_is_deterministic(tmp_path):
    mod = _script("build_pep_bench")
    mod.build(REFERENCE, tmp_path / "a", seed=0, limit=10)
    mod.build(REFERENCE, tmp_path / "b", seed=0, limit=10)
    fa = _files(tmp_path / "a")
    assert fa == _files(tmp_path / "b")
    assert {r["kind"] for r in _rows(tmp_path / "a" / "key.csv")} == {"position", "profile"}


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference data not available")
def test_shipped_benchmarks_are_rebuilt_byte_for_byte(tmp_path):
    _script("build_esco_bench").build(REFERENCE / "esco_fr", tmp_path, seed=0)
    _script("build_pep_bench").build(REFERENCE, tmp_path / "pep", seed=0)
    for name in NEW_BENCHES:
        built = _files(tmp_path / name)
        shipped = _files(DEFAULT_BENCH_ROOT / name)
        assert built == {n: shipped[n] for n in built}, name


def test_shipped_benchmarks_are_discovered_small_and_carry_no_code():
    found = discover_benches()
    assert {"ranking", *NEW_BENCHES} <= set(found)
    code = re.compile(r"\b[A-N]\d{4}\b|data\.europa\.eu")
    for name in NEW_BENCHES:
        folder = found[name]
        assert sum(p.stat().st_size for p in folder.iterdir()) < 1024 * 1024
        # the PEP offers are real texts (one cites the H2020 programme): check the profiles there
        for fname in ("profiles.csv",) if name == "pep" else ("profiles.csv", "positions.csv"):
            rows = _rows(folder / fname)
            assert rows and not any(code.search(v) for r in rows for v in r.values())
        assert {r["grade"] for r in _rows(folder / "labels.csv")} == {"1", "2"}


# --- small benchmarks for fast runs ---------------------------------------------------------
def _slice(src: Path, out: Path, n_pos: int, n_other: int) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    positions = _rows(src / "positions.csv")[:n_pos]
    keep_q = {r["position_id"] for r in positions}
    labels = [r for r in _rows(src / "labels.csv") if r["position_id"] in keep_q]
    same = {r["profile_id"] for r in labels if r["grade"] == "2"}
    profiles = _rows(src / "profiles.csv")
    profiles = [r for r in profiles if r["profile_id"] in same] + [r for r in profiles if r["profile_id"] not in same][:n_other]
    keep_p = {r["profile_id"] for r in profiles}
    labels = [r for r in labels if r["profile_id"] in keep_p]
    _write(out / "positions.csv", positions)
    _write(out / "profiles.csv", profiles)
    _write(out / "labels.csv", labels)
    key = [r for r in _rows(src / "key.csv") if r["id"] in keep_q | keep_p]
    _write(out / "key.csv", key)
    return out


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("benches")
    for name in ("ranking", "esco", "pep"):
        _slice(DEFAULT_BENCH_ROOT / name, root / name, 8, 10)
    return root


@pytest.fixture(scope="module")
def tiny_sets(tiny_root, hashing_encoder):
    from matching.config import Config
    from matching.evaluation.cv import prepare_sets

    return prepare_sets(root=tiny_root, encoder=hashing_encoder, config=Config().replace(model={"name": "hashing"}))


def test_every_component_alone_and_the_engine(tiny_sets):
    from matching.evaluation.cv import evaluate_sets
    from matching.evaluation.ranking_bench import format_benches

    res = evaluate_sets(tiny_sets)
    assert set(res["benchmarks"]) == {"ranking", "esco", "pep"}
    for name, r in res["benchmarks"].items():
        assert r["n_positions"] == 8
        for sig in ("engine", "skills", "embedding", "tfidf"):
            assert set(r[sig]) == {"ndcg@10", "mrr", "recall@10"}, (name, sig)
        for c in SINGLE_COMPONENTS:
            assert (c in r) != (c in r["not_applicable"]), (name, c)
        for c in ("semantic", "required_skills"):
            assert c in r, (name, c)
        assert "experience" in r["not_applicable"]  # no years in any benchmark
    text = format_benches(res)
    assert "moteur complet" in text and "similarité sémantique seule" in text and "Synthèse" in text


def test_fast_combination_is_the_engine_score(tiny_sets):
    from matching.evaluation.cv import fast_metrics
    from matching.evaluation.ranking_bench import _score_matrix, combine_components, rank_matrix, ranking_metrics

    for s in tiny_sets:
        cfg = s.bench.config
        fast = combine_components(s.comps, cfg.weights.as_dict(), missing_weight=cfg.scoring.missing_weight)
        exact = _score_matrix(s.bench.prepared.features, cfg)
        assert np.abs(fast - exact).max() < 1e-5
        assert fast_metrics(exact, s.grades, s.tie) == ranking_metrics(rank_matrix(exact, s.tie), s.grades)


@pytest.mark.parametrize("objective", ["mean", "pareto"])
def test_cv_never_fits_on_the_held_out_benchmark(tiny_sets, monkeypatch, objective):
    import matching.evaluation.cv as cv

    seen: list[list[str]] = []
    real = cv.fit_weights

    held_order = [s.name for s in tiny_sets]
    groups_seen: list[set] = []

    def spy(train, **kw):
        seen.append([s.name for s, _ in train])
        groups_seen.append(set().union(*(g for s, _ in train for g in (s.profile_groups or []))))
        return real(train, **kw)

    monkeypatch.setattr(cv, "fit_weights", spy)
    res = cv.cross_validate(tiny_sets, n_trials=5, experiments=(objective == "mean"), objective=objective)
    by_name = {s.name: s for s in tiny_sets}
    assert [f["held_out"] for f in res["folds"]] == [s.name for s in tiny_sets]
    for fold, names in zip(res["folds"], seen):
        held = fold["held_out"]
        assert held not in names and held not in fold["fitted_on"] and held not in fold["fitted_positions"]
        assert names == fold["fitted_on"]
        held_groups = set().union(*by_name[held].groups)
        assert not groups_seen[held_order.index(held)] & held_groups  # no candidate of a held-out trade
        for name, ids in fold["fitted_positions"].items():
            s = by_name[name]
            groups = dict(zip(s.position_ids, s.groups))
            assert ids and not any(groups[q] & held_groups for q in ids)
        m = fold["held_out_metrics"]
        assert {"default", "fitted", "tfidf", "only_semantic"} <= set(m)
        assert abs(sum(fold["weights"].values()) - 1.0) < 1e-3  # rounded to 4 decimals
    assert seen[-1] == [s.name for s in tiny_sets]  # the final fit (candidate defaults) uses all
    assert "(tous les bancs)" in cv.format_cv(res)


def test_pareto_search_never_loses_on_a_training_benchmark(tiny_sets):
    from matching.evaluation.cv import fast_metrics, fit_weights
    from matching.evaluation.ranking_bench import combine_components

    train = [(s, s.evaluable) for s in tiny_sets]
    base = tiny_sets[0].bench.config
    rng = (base.scoring.semantic_floor, base.scoring.semantic_ceiling)
    fit = fit_weights(train, base_weights=base.weights.as_dict(), base_range=rng, objective="pareto")
    start = {c: (1.0 if c == fit["start"] else 0.0) for c in fit["weights"]}
    for s, rows in train:
        before = fast_metrics(combine_components(s.comps, start, semantic_range=rng), s.grades, s.tie, rows)["ndcg@10"]
        after = fast_metrics(combine_components(s.comps, fit["weights"], semantic_range=tuple(fit["semantic_range"])), s.grades, s.tie, rows)["ndcg@10"]
        assert after >= before - 1e-6


# --- command line ----------------------------------------------------------------------------
def test_cli_evaluate_ranking_on_one_folder_and_usage_errors(tiny_root):
    from tests.test_cli import cli

    proc = cli("evaluate", "ranking", tiny_root / "esco", "--model", "hashing", "--json", check=0)
    res = __import__("json").loads(proc.stdout)
    assert res["n_positions"] == 8 and "engine" in res and "semantic" in res and "tfidf" in res
    cli("evaluate", "ranking", tiny_root / "esco", "--cv", "--model", "hashing", check=2)
    bad = cli("evaluate", "ranking", "--bench", "inexistant", "--model", "hashing", check=4)
    assert "inexistant" in bad.stderr
