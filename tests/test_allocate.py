"""Tests of the capacity-aware what-if allocation (matching/allocate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.io.writers import write_csv
from matching.allocate import (
    NOTICE,
    AllocationError,
    allocate,
    bench_allocation,
    max_score_matching,
    preference_table,
    random_instance,
    stable_matching,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------
# Random instances
# --------------------------------------------------------------------------------------
@st.composite
def instances(draw, max_engineers=8, max_positions=5, max_capacity=3, min_capacity=0):
    n_e = draw(st.integers(1, max_engineers))
    n_p = draw(st.integers(1, max_positions))
    rows = []
    for p in range(n_p):
        for e in range(n_e):
            if draw(st.booleans()):
                rows.append(
                    {
                        "position_id": f"p{p}",
                        "profile_id": f"e{e}",
                        # coarse grids so that ties are frequent
                        "score": draw(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])),
                        "wishes": draw(st.sampled_from([0.0, 0.5, 1.0])),
                    }
                )
    pairs = pd.DataFrame(rows, columns=["position_id", "profile_id", "score", "wishes"])
    if len(pairs):
        ordered = pairs.sort_values(["position_id", "score", "profile_id"], ascending=[True, False, True])
        pairs["rank"] = ordered.groupby("position_id").cumcount().reindex(pairs.index) + 1
    else:
        pairs["rank"] = pd.Series(dtype="int64")
    caps = {f"p{p}": draw(st.integers(min_capacity, max_capacity)) for p in range(n_p)}
    return pairs, caps


def _check_feasible(pairs, caps, result):
    acceptable = set(zip(pairs["position_id"], pairs["profile_id"]))
    assert set(zip(result["position_id"], result["profile_id"])) <= acceptable
    assert result["profile_id"].is_unique
    for pid, n in result["position_id"].value_counts().items():
        assert n <= caps[pid]
    assert (~result.duplicated(["position_id", "profile_id"])).all()


def _blocking_pairs(pairs, caps, result, eng_key, pos_key):
    """Pairs (e, p) where e prefers p to its match (or is unmatched) and p has a free
    place or prefers e to one it holds. ``eng_key(row)``/``pos_key(row)``: smaller is better."""
    match = {r.profile_id: r.position_id for r in result.itertuples()}
    rows = {(r.position_id, r.profile_id): r for r in pairs.itertuples()}
    held: dict[str, list] = {}
    for r in result.itertuples():
        held.setdefault(r.position_id, []).append(rows[(r.position_id, r.profile_id)])
    blocking = []
    for (pid, eid), row in rows.items():
        if match.get(eid) == pid or caps[pid] == 0:
            continue
        current = match.get(eid)
        if current is not None and not eng_key(row) < eng_key(rows[(current, eid)]):
            continue
        kept = held.get(pid, [])
        if len(kept) < caps[pid] or any(pos_key(row) < pos_key(k) for k in kept):
            blocking.append((eid, pid))
    return blocking


def _brute_force_max(pairs, caps):
    engineers = sorted(set(pairs["profile_id"]))
    options = {e: [] for e in engineers}
    for r in pairs.itertuples():
        options[r.profile_id].append((r.position_id, r.score))
    best = 0.0
    load = dict.fromkeys(caps, 0)

    def go(i, total):
        nonlocal best
        if i == len(engineers):
            best = max(best, total)
            return
        go(i + 1, total)  # unplaced
        for pid, score in options[engineers[i]]:
            if load[pid] < caps[pid]:
                load[pid] += 1
                go(i + 1, total + score)
                load[pid] -= 1

    go(0, 0.0)
    return best


def _canonical(df):
    return df.sort_values(["position_id", "profile_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------
@SETTINGS
@given(instances(), st.sampled_from(["engineers", "positions"]), st.integers(0, 3))
def test_stable_matching_is_feasible_and_has_no_blocking_pair(inst, proposing, seed):
    pairs, caps = inst
    result = stable_matching(pairs, caps, proposing=proposing, seed=seed)
    _check_feasible(pairs, caps, result)
    # weak stability on the raw values (independent of the tie-break)
    weak = _blocking_pairs(
        pairs, caps, result,
        eng_key=lambda r: (-r.wishes, -r.score),
        pos_key=lambda r: (-r.score, r.rank),
    )
    assert weak == []
    # strict stability on the documented tie-broken orders
    prefs = preference_table(pairs, seed=seed)
    order = {(r.position_id, r.profile_id): (r.engineer_order, r.position_order) for r in prefs.itertuples()}
    strict = _blocking_pairs(
        pairs, caps, result,
        eng_key=lambda r: order[(r.position_id, r.profile_id)][0],
        pos_key=lambda r: order[(r.position_id, r.profile_id)][1],
    )
    assert strict == []
    # the reported ranks are the shortlist rank and the engineer's own order
    merged = result.merge(prefs, on=["position_id", "profile_id"]).merge(
        pairs[["position_id", "profile_id", "rank"]], on=["position_id", "profile_id"]
    )
    assert (merged["engineer_rank_of_position"] == merged["engineer_order"]).all()
    assert (merged["position_rank_of_engineer"] == merged["rank"]).all()


@SETTINGS
@given(instances(), st.integers(0, 3))
def test_engineer_proposing_is_engineer_optimal(inst, seed):
    pairs, caps = inst
    by_e = stable_matching(pairs, caps, proposing="engineers", seed=seed)
    by_p = stable_matching(pairs, caps, proposing="positions", seed=seed)
    # every engineer is at least as well off; the placed set is the same (rural hospitals)
    rank_e = dict(zip(by_e["profile_id"], by_e["engineer_rank_of_position"]))
    rank_p = dict(zip(by_p["profile_id"], by_p["engineer_rank_of_position"]))
    assert set(rank_e) == set(rank_p)
    assert all(rank_e[e] <= rank_p[e] for e in rank_e)


@SETTINGS
@given(instances(max_engineers=6, max_positions=4, max_capacity=2), st.integers(0, 3))
def test_max_score_equals_brute_force_and_beats_stable(inst, seed):
    pairs, caps = inst
    best = max_score_matching(pairs, caps, seed=seed)
    _check_feasible(pairs, caps, best)
    total = best["score"].sum()
    assert total == pytest.approx(_brute_force_max(pairs, caps), abs=1e-9)
    for proposing in ("engineers", "positions"):
        stable = stable_matching(pairs, caps, proposing=proposing, seed=seed)
        assert total >= stable["score"].sum() - 1e-9


@SETTINGS
@given(instances(max_engineers=12, max_positions=6), st.integers(0, 1000), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(inst, seed, rnd):
    pairs, caps = inst
    order = list(range(len(pairs)))
    rnd.shuffle(order)
    shuffled = pairs.iloc[order].reset_index(drop=True)
    caps_shuffled = dict(reversed(list(caps.items())))
    for method in (
        lambda p, c: stable_matching(p, c, seed=seed),
        lambda p, c: stable_matching(p, c, proposing="positions", seed=seed),
        lambda p, c: max_score_matching(p, c, seed=seed),
    ):
        a, b = method(pairs, caps), method(shuffled, caps_shuffled)
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a, method(pairs, caps))  # same seed, same result


def test_seed_breaks_ties_and_is_reproducible():
    # two engineers, two positions of one place, everything tied: the seed decides
    pairs = pd.DataFrame(
        {
            "position_id": ["a", "a", "b", "b"],
            "profile_id": ["x", "y", "x", "y"],
            "score": [0.5] * 4,
            "wishes": [0.5] * 4,
            "rank": [1, 1, 1, 1],
        }
    )
    caps = {"a": 1, "b": 1}
    outcomes = {tuple(_canonical(stable_matching(pairs, caps, seed=s))["profile_id"]) for s in range(20)}
    assert outcomes == {("x", "y"), ("y", "x")}
    for s in range(5):
        pd.testing.assert_frame_equal(stable_matching(pairs, caps, seed=s), stable_matching(pairs, caps, seed=s))


def test_max_score_leaves_engineers_unplaced_rather_than_forcing():
    # e1 fits only 'a'; e2 fits 'a' better than e1 and also 'b' (zero capacity)
    pairs = pd.DataFrame(
        {
            "position_id": ["a", "a", "b"],
            "profile_id": ["e1", "e2", "e2"],
            "score": [0.4, 0.9, 0.8],
            "wishes": [1.0, 0.0, 1.0],
            "rank": [2, 1, 1],
        }
    )
    result = max_score_matching(pairs, {"a": 1, "b": 0})
    assert list(result["profile_id"]) == ["e2"]
    # a pair with negative score is never worth taking
    neg = pd.DataFrame({"position_id": ["a"], "profile_id": ["e"], "score": [-0.1], "rank": [1]})
    assert max_score_matching(neg, {"a": 1}).empty


def test_empty_and_invalid_inputs():
    empty = pd.DataFrame(columns=["position_id", "profile_id", "score", "wishes", "rank"])
    assert stable_matching(empty, {}).empty
    assert max_score_matching(empty, {}).empty
    pairs = pd.DataFrame({"position_id": ["a", "a"], "profile_id": ["x", "x"], "score": [0.5, 0.6], "rank": [1, 2]})
    with pytest.raises(AllocationError, match="duplicated"):
        stable_matching(pairs, {"a": 1})
    ok = pairs.iloc[:1]
    with pytest.raises(AllocationError, match="no capacity"):
        stable_matching(ok, {})
    with pytest.raises(AllocationError, match="integer >= 0"):
        max_score_matching(ok, {"a": -1})
    with pytest.raises(AllocationError, match="proposing"):
        stable_matching(ok, {"a": 1}, proposing="ministries")
    with pytest.raises(AllocationError, match="missing column"):
        stable_matching(ok.drop(columns="score"), {"a": 1})


def test_random_instance_shape_and_small_bench():
    pairs, caps = random_instance(60, 20, 10, seed=1)
    assert len(pairs) == 200 and pairs.groupby("position_id")["profile_id"].nunique().eq(10).all()
    assert set(caps.values()) <= {1, 2, 3}
    out = bench_allocation(60, 20, 10, seed=1)
    assert out["total_score"]["max-score"] >= out["total_score"]["stable"] - 1e-6
    assert set(out["seconds"]) == {"stable", "stable-positions", "max-score"}


# --------------------------------------------------------------------------------------
# The output folder
# --------------------------------------------------------------------------------------
SHORTLIST_HEADER = [
    "batch_id", "ministry", "position_id", "position_title", "openings", "rank", "profile_id",
    "score", "semantic", "required_skills", "desired_skills", "job_fit", "wishes", "experience",
    "matched_skills", "missing_skills", "explanation",
]


def _write_batch(outdir: Path, seed=7) -> None:
    lines = [
        # position, ministry, title, openings, rank, profile, score, wishes
        ("P1", "MINARM", "Chef de projet cloud", 2, 1, "E1", 0.90, 1.0),
        ("P1", "MINARM", "Chef de projet cloud", 2, 2, "E2", 0.80, 0.5),
        ("P1", "MINARM", "Chef de projet cloud", 2, 3, "E3", 0.70, 0.5),
        ("P2", "MTE", "=RSSI adjoint", 1, 1, "E1", 0.95, 0.0),
        ("P2", "MTE", "=RSSI adjoint", 1, 2, "E4", 0.60, 1.0),
        ("P3", "INSEE", "Data scientist", 3, 1, "E2", 0.85, 1.0),
        ("P4", "MEF", "Architecte SI", 1, 1, "E1", 0.50, 0.0),
    ]
    rows = [
        {
            "batch_id": "b-test", "ministry": m, "position_id": p, "position_title": t, "openings": o,
            "rank": r, "profile_id": e, "score": s, "semantic": 0.5, "required_skills": 0.5,
            "desired_skills": 0.5, "job_fit": 0.5, "wishes": w, "experience": 0.5,
            "matched_skills": "python; cloud", "missing_skills": "", "explanation": "Explication.",
        }
        for p, m, t, o, r, e, s, w in lines
    ]
    # written like the pipeline writes it: formula-like text cells are guarded with "'"
    write_csv(pd.DataFrame(rows, columns=SHORTLIST_HEADER), outdir / "shortlists.csv")
    manifest = {"batch_id": "b-test", "config": {"compute": {"seed": seed}}, "counts": {"profiles": 4}}
    (outdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_allocate_writes_files_and_records_the_manifest(tmp_path):
    _write_batch(tmp_path)
    res = allocate(tmp_path, method="stable")
    assert res.seed == 7  # from config.compute.seed

    alloc = pd.read_csv(tmp_path / "allocation-stable.csv", dtype=str, keep_default_na=False)
    assert list(alloc.columns[:7]) == [
        "position_id", "profile_id", "ministry", "position_title", "score",
        "position_rank_of_engineer", "engineer_rank_of_position",
    ]
    assert (alloc["note"] == NOTICE).all()
    got = set(zip(alloc["position_id"], alloc["profile_id"]))
    # E1 wishes P1 most (1.0), E2 wishes P3, E4 only on P2 with wish 1, E3 on P1
    assert got == {("P1", "E1"), ("P1", "E3"), ("P3", "E2"), ("P2", "E4")}
    # formula-like titles are guarded once (not twice) in the allocation file
    assert set(alloc.loc[alloc["position_id"] == "P2", "position_title"]) == {"'=RSSI adjoint"}
    assert res.assignments.set_index("position_id").at["P2", "position_title"] == "=RSSI adjoint"

    unfilled = pd.read_csv(tmp_path / "allocation-stable-unfilled.csv", keep_default_na=False)
    by_pos = unfilled.set_index("position_id")
    assert set(by_pos.index) == {"P3", "P4"}
    assert by_pos.at["P3", "places_left"] == 2
    assert "plus courte" in by_pos.at["P3", "reason"]
    assert by_pos.at["P4", "reason"] == "tous les candidats de la liste restreinte sont proposés sur d'autres postes"
    unplaced = pd.read_csv(tmp_path / "allocation-stable-unplaced.csv", keep_default_na=False)
    assert unplaced.empty and "reason" in unplaced.columns

    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["batch_id"] == "b-test" and manifest["counts"] == {"profiles": 4}
    summary = manifest["allocations"]["stable"]
    assert summary["seed"] == 7 and summary["notice"] == NOTICE
    assert summary["placed"] == 4 and summary["places"] == 7 and summary["places_filled"] == 4
    assert summary["first_wish"] == 4 and summary["first_wish_rate_placed"] == 1.0
    assert summary["proposing"] == "engineers"

    res2 = allocate(tmp_path, method="max-score", seed=3)
    assert res2.summary["seed"] == 3
    assert res2.summary["total_score"] >= summary["total_score"] - 1e-9
    comp = pd.read_csv(tmp_path / "allocation-comparison.csv", keep_default_na=False)
    assert list(comp.columns) == ["indicator", "label", "stable", "max-score", "note"]
    comp = comp.set_index("indicator")
    assert float(comp.at["placed", "stable"]) == 4
    assert float(comp.at["total_score", "max-score"]) == pytest.approx(res2.summary["total_score"])
    payload = json.loads((tmp_path / "allocation-comparison.json").read_text(encoding="utf-8"))
    assert payload["notice"] == NOTICE and set(payload["methods"]) == {"stable", "max-score"}
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["allocations"]) == {"stable", "max-score"}
    # no leftover temporary files
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_allocate_is_reproducible_and_drops_stale_methods(tmp_path):
    _write_batch(tmp_path)
    first = allocate(tmp_path, method="max-score")
    text = (tmp_path / "allocation-max-score.csv").read_text(encoding="utf-8")
    again = allocate(tmp_path, method="max-score")
    assert (tmp_path / "allocation-max-score.csv").read_text(encoding="utf-8") == text
    assert first.summary == again.summary
    # the batch is re-run (new shortlists): an older stable run no longer enters the comparison
    allocate(tmp_path, method="stable")
    sl = pd.read_csv(tmp_path / "shortlists.csv")
    sl.loc[0, "score"] = 0.91
    sl.to_csv(tmp_path / "shortlists.csv", index=False)
    res = allocate(tmp_path, method="max-score")
    assert list(res.comparison.columns) == ["indicator", "label", "max-score", "note"]


def test_allocate_reports_bad_folders(tmp_path):
    with pytest.raises(AllocationError, match="manifest"):
        allocate(tmp_path, method="stable")
    _write_batch(tmp_path)
    with pytest.raises(AllocationError, match="method"):
        allocate(tmp_path, method="random")
    sl = pd.read_csv(tmp_path / "shortlists.csv")
    sl.drop(columns="openings").to_csv(tmp_path / "shortlists.csv", index=False)
    with pytest.raises(AllocationError, match="openings"):
        allocate(tmp_path, method="stable")
    sl.loc[1, "openings"] = 5
    sl.to_csv(tmp_path / "shortlists.csv", index=False)
    with pytest.raises(AllocationError, match="different 'openings'"):
        allocate(tmp_path, method="stable")


def test_allocate_explains_unplaced_engineers(tmp_path):
    rows = [
        ("P1", 1, 1, "E1", 0.9, 0.5),
        ("P1", 1, 2, "E2", 0.8, 1.0),
        ("P2", 1, 1, "E3", 0.0, 1.0),
        ("P2", 1, 2, "E4", 0.0, 0.5),
    ]
    frame = pd.DataFrame(
        [{"batch_id": "b", "ministry": "M", "position_id": p, "position_title": "T", "openings": o,
          "rank": r, "profile_id": e, "score": s, "wishes": w} for p, o, r, e, s, w in rows]
    )
    write_csv(frame, tmp_path / "shortlists.csv")
    (tmp_path / "manifest.json").write_text(json.dumps({"batch_id": "b", "config": {}}), encoding="utf-8")
    stable = allocate(tmp_path, method="stable")
    assert stable.seed == 0
    reasons = stable.unplaced.set_index("profile_id")["reason"]
    assert set(reasons.index) == {"E2", "E4"}
    assert reasons["E2"].startswith("tous les postes où il figure sont pourvus par des candidats")
    assert (stable.unplaced["note"] == NOTICE).all()
    best = allocate(tmp_path, method="max-score")
    assert best.summary["total_score"] == pytest.approx(0.9)
    unplaced = pd.read_csv(tmp_path / "allocation-max-score-unplaced.csv", keep_default_na=False)
    assert set(unplaced["profile_id"]) >= {"E2"}
    assert all(isinstance(r, str) and r for r in unplaced["reason"])
