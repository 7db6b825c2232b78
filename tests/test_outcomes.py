"""Outcome metrics, coverage, exposure and the feedback file: hand-computed cases, slow
reference implementations compared on random inputs, and property tests."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.evaluation.feedback import FeedbackError, feedback_to_labels, parse_outcome, read_feedback
from matching.evaluation.outcomes import (
    LabelsError,
    coverage,
    evaluate_outcomes,
    exposure,
    gini,
    metric_keys,
    per_position_metrics,
    ranking_metrics,
    read_labels,
    top_share,
)


def _sl(lists: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(q, p, r, 1.0 - r / 100) for q, ps in lists.items() for r, p in enumerate(ps, start=1)]
    return pd.DataFrame(rows, columns=["position_id", "profile_id", "rank", "score"])


def _labels(d: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [(q, p, g) for q, ps in d.items() for p, g in ps.items()]
    return pd.DataFrame(rows, columns=["position_id", "profile_id", "grade"])


# --- hand-computed ---------------------------------------------------------------------


def test_hand_computed_case():
    labels = _labels({"Q1": {"A": 2, "B": 1, "C": 0, "D": 2}, "Q2": {"X": 1}, "Q3": {"Y": 0}})
    sl = _sl({"Q1": ["B", "C", "A", "E"], "Q3": ["Y"]})
    m = ranking_metrics(sl, labels, k=3)
    assert list(m) == ["ndcg@3", "map", "mrr", "recall@3"]
    idcg = 3 + 3 / math.log2(3) + 1 / 2
    ndcg_q1 = (1 + 3 / 2) / idcg
    assert m["ndcg@3"] == pytest.approx((ndcg_q1 + 0) / 2)
    assert m["map"] == pytest.approx(((1 + 2 / 3) / 3 + 0) / 2)
    assert m["mrr"] == pytest.approx(0.5)
    assert m["recall@3"] == pytest.approx((2 / 3 + 0) / 2)
    per = per_position_metrics(sl, labels, k=3)
    assert list(per["position_id"]) == ["Q1", "Q2"]  # Q3 has no relevant label: not evaluated
    assert list(per["n_relevant"]) == [3, 1]


def test_keys_follow_k_and_nan_without_evaluable_position():
    assert metric_keys(5) == ["ndcg@5", "map", "mrr", "recall@5"]
    m = ranking_metrics(_sl({"Q": ["A"]}), _labels({"Q": {"A": 0}}), k=5)
    assert list(m) == metric_keys(5) and all(v != v for v in m.values())


def test_gini_and_top_share():
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0
    assert top_share([10] + [1] * 9, fraction=0.1) == pytest.approx(10 / 19)


def test_coverage_and_exposure():
    sl = _sl({"Q1": ["A", "B", "C"], "Q2": ["A"]})
    cov = coverage(sl, k=2, positions=["Q1", "Q2", "Q3"], profiles=["A", "B", "C", "D"])
    assert cov["positions"] == 3 and cov["positions_with_2"] == 1 and cov["positions_without_candidate"] == 1
    assert cov["profiles_on_a_shortlist"] == 3 and cov["share_profiles_on_a_shortlist"] == pytest.approx(0.75)
    summary, counts = exposure(sl, profiles=["A", "B", "C", "D"])
    assert counts.to_dict() == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert summary["lines"] == 4 and summary["max"] == 2
    assert summary["gini"] == pytest.approx(gini([2, 1, 1, 0]))
    assert summary["top10_share"] == pytest.approx(0.5)


# --- reference implementations and properties ------------------------------------------


def _ref_metrics(lists, labels, k):
    """Textbook definitions, written independently of the module."""
    out = {key: [] for key in metric_keys(k)}
    for q, grades in labels.items():
        rel = {p for p, g in grades.items() if g >= 1}
        if not rel:
            continue
        ranked = lists.get(q, [])
        dcg = sum((2 ** grades.get(p, 0) - 1) / np.log2(i + 1) for i, p in enumerate(ranked[:k], start=1))
        ideal = sorted(grades.values(), reverse=True)
        idcg = sum((2**g - 1) / np.log2(i + 1) for i, g in enumerate(ideal[:k], start=1))
        out[f"ndcg@{k}"].append(dcg / idcg)
        precisions = [len(rel & set(ranked[:i])) / i for i in range(1, len(ranked) + 1) if ranked[i - 1] in rel]
        out["map"].append(sum(precisions) / len(rel))
        first = next((i for i, p in enumerate(ranked, start=1) if p in rel), None)
        out["mrr"].append(1 / first if first else 0.0)
        out[f"recall@{k}"].append(len(rel & set(ranked[:k])) / len(rel))
    return {key: float(np.mean(v)) for key, v in out.items()}


@st.composite
def cases(draw):
    people = [f"P{i}" for i in range(draw(st.integers(2, 12)))]
    labels, lists = {}, {}
    for q in [f"Q{j}" for j in range(draw(st.integers(1, 4)))]:
        labelled = draw(st.lists(st.sampled_from(people), unique=True, min_size=1, max_size=len(people)))
        labels[q] = {p: draw(st.integers(0, 2)) for p in labelled}
        labels[q][labelled[0]] = max(1, labels[q][labelled[0]])  # at least one relevant
        if draw(st.booleans()):
            lists[q] = draw(st.permutations(people))[: draw(st.integers(0, len(people)))]
    return lists, labels, draw(st.integers(1, 8))


@settings(max_examples=80, deadline=None)
@given(cases())
def test_matches_reference_and_stays_in_unit_interval(case):
    lists, labels, k = case
    got = ranking_metrics(_sl(lists), _labels(labels), k=k)
    ref = _ref_metrics(lists, labels, k)
    for key in metric_keys(k):
        assert got[key] == pytest.approx(ref[key], abs=1e-12)
        assert 0.0 <= got[key] <= 1.0 + 1e-12


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_perfect_ranking_gives_ndcg_one(case, rnd):
    _, labels, k = case
    lists = {q: sorted(g, key=lambda p: (-g[p], p)) for q, g in labels.items()}
    m = ranking_metrics(_sl(lists), _labels(labels), k=k)
    assert m[f"ndcg@{k}"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx(1.0) and m["map"] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_permutations_that_must_not_matter(case, rnd):
    lists, labels, k = case
    base = ranking_metrics(_sl(lists), _labels(labels), k=k)
    # 1. shuffling the lines below rank k changes neither recall@k nor ndcg@k
    below = {q: ps[:k] + rnd.sample(ps[k:], len(ps[k:])) for q, ps in lists.items()}
    m = ranking_metrics(_sl(below), _labels(labels), k=k)
    assert m[f"recall@{k}"] == pytest.approx(base[f"recall@{k}"])
    assert m[f"ndcg@{k}"] == pytest.approx(base[f"ndcg@{k}"])
    # 2. permuting the non-relevant (unlabelled or grade 0) candidates among their places
    #    changes no metric
    swapped = {}
    for q, ps in lists.items():
        idx = [i for i, p in enumerate(ps) if labels.get(q, {}).get(p, 0) == 0]
        vals = [ps[i] for i in idx]
        rnd.shuffle(vals)
        new = list(ps)
        for i, v in zip(idx, vals):
            new[i] = v
        swapped[q] = new
    m = ranking_metrics(_sl(swapped), _labels(labels), k=k)
    for key in metric_keys(k):
        assert m[key] == pytest.approx(base[key])


def test_rank_column_is_used_not_file_order():
    labels = _labels({"Q": {"A": 2}})
    sl = pd.DataFrame({"position_id": ["Q", "Q"], "profile_id": ["B", "A"], "rank": [2, 1], "score": [0.5, 0.9]})
    assert ranking_metrics(sl, labels, k=1)["ndcg@1"] == 1.0


# --- files -----------------------------------------------------------------------------


def test_read_labels_reports_every_problem(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("position_id;profile_id;grade\nQ1;A;2\nQ1;;1\nQ2;B;3\nQ1;A;1\n", encoding="utf-8")
    with pytest.raises(LabelsError) as exc:
        read_labels(path)
    text = str(exc.value)
    assert "ligne 3" in text and "profile_id" in text
    assert "ligne 4" in text and "'3'" in text and "grade" in text
    assert "lignes 2, 5" in text  # same pair, two grades


def test_read_labels_accepts_bom_cp1252_and_comma(tmp_path):
    p1 = tmp_path / "a.csv"
    p1.write_bytes("position_id,profile_id,grade\r\nQ1,A,2\r\nQ1,A,2\r\n".encode("utf-8-sig"))
    assert read_labels(p1).to_dict("records") == [{"position_id": "Q1", "profile_id": "A", "grade": 2}]
    p2 = tmp_path / "b.csv"
    p2.write_bytes("position_id;profile_id;grade;commentaire\nQ1;A;1;reçu\n".encode("cp1252"))
    assert read_labels(p2)["grade"].tolist() == [1]


def test_feedback_file(tmp_path):
    path = tmp_path / "retours.csv"
    path.write_bytes(
        (
            "identifiant_poste;identifiant;résultat;date;source;commentaire\n"
            "Q1;A;Entretien;02/03/2026;conseiller;\n"
            "Q1;A;NOMMÉ;2026-04-15;employeur;pris\n"
            "Q1;B;non-adapte;;employeur;\n"
            "Q2;C;interviewed;2026-01-01;advisor;\n"
            "Q2;C;not suitable;2026-02-01;employer;après entretien\n"
            "Q2;D;retained;;;\n"
        ).encode("cp1252")
    )
    fb = read_feedback(path)
    assert fb["outcome"].tolist() == ["entretien", "nommé", "non adapté", "entretien", "non adapté", "retenu"]
    labels = feedback_to_labels(fb)
    assert labels.to_dict("records") == [
        {"position_id": "Q1", "profile_id": "A", "grade": 2},
        {"position_id": "Q1", "profile_id": "B", "grade": 0},
        {"position_id": "Q2", "profile_id": "C", "grade": 0},
        {"position_id": "Q2", "profile_id": "D", "grade": 1},
    ]
    assert read_labels(path).equals(labels)  # the evaluation reads feedback files directly


def test_feedback_errors_name_file_row_and_column(tmp_path):
    path = tmp_path / "retours.csv"
    path.write_text("position_id,profile_id,outcome,date\nQ1,A,peut-être,2026-01-01\nQ1,,nommé,31/02/2026\n", encoding="utf-8")
    with pytest.raises(FeedbackError) as exc:
        read_feedback(path)
    problems = exc.value.problems
    assert any("retours.csv : ligne 2, colonne 'outcome'" in p and "peut-être" in p for p in problems)
    assert any("ligne 3, colonne 'profile_id'" in p for p in problems)
    assert any("ligne 3, colonne 'date'" in p for p in problems)
    assert parse_outcome("Not Suitable") == "non adapté" and parse_outcome("") is None
    missing = tmp_path / "m.csv"
    missing.write_text("position_id,outcome\nQ1,nommé\n", encoding="utf-8")
    with pytest.raises(FeedbackError, match="profile_id"):
        read_feedback(missing)


def test_evaluate_outcomes_from_files(tmp_path):
    sl = _sl({"Q1": ["B", "C", "A", "E"]})
    sl.insert(0, "batch_id", "LOT-X")
    sl.to_csv(tmp_path / "shortlists.csv", index=False)
    _labels({"Q1": {"A": 2, "B": 1, "C": 0, "D": 2}}).to_csv(tmp_path / "labels.csv", index=False, sep=";")
    res = evaluate_outcomes(tmp_path / "shortlists.csv", tmp_path / "labels.csv", k=10)
    assert list(res["metrics"]) == ["ndcg@10", "map", "mrr", "recall@10"]
    assert res["positions_evaluated"] == 1 and res["labels"] == 4
    assert res["metrics"]["recall@10"] == pytest.approx(2 / 3)


def test_shipped_outcomes_are_reproducible_and_made_without_the_engine(tmp_path):
    """data/sample/outcomes.csv is exactly what build_outcomes.py writes, and the script
    imports no module of the engine (its labels cannot come from the engine's scores)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    shipped = repo / "data" / "sample" / "outcomes.csv"
    if not shipped.exists():
        pytest.skip("data/sample/outcomes.csv not built")
    out = tmp_path / "outcomes.csv"
    check = (
        "import sys, runpy; sys.argv = ['build_outcomes.py', '--out', %r]\n"
        "try:\n    runpy.run_path(%r, run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code\n"
        "assert not [m for m in sys.modules if m == 'matching' or m.startswith('matching.')]\n"
    ) % (str(out), str(repo / "data" / "scripts" / "build_outcomes.py"))
    subprocess.run([sys.executable, "-c", check], check=True, cwd=tmp_path, capture_output=True)
    assert out.read_bytes() == shipped.read_bytes()
