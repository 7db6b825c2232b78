"""Partial credit for a close skill: the fast kernel against the slow reference, the explanation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from matching.bench import synthetic_features
from matching.config import Config
from matching.explain import skill_lists
from matching.normalize import related_skills
from matching.score import score_block, skill_coverage

N = 6


def _row(d: dict[int, float]) -> sparse.csr_matrix:
    m = sparse.lil_matrix((1, N))
    for k, v in d.items():
        m[0, k] = v
    return m.tocsr()


def _obvious(have: dict[int, int], need: dict[int, int], close: set[int], gap: float, credit: float) -> float:
    if not need:
        return float("nan")
    total = 0.0
    for c, r in need.items():
        h = have.get(c, 0)
        earned = 1.0 if h >= r else (gap ** (r - h) if h > 0 else 0.0)
        if c in close:
            earned = max(earned, credit)
        total += earned
    return total / len(need)


levels = st.dictionaries(st.integers(0, N - 1), st.integers(1, 4), max_size=N)


@settings(max_examples=200, deadline=None)
@given(have=levels, need=levels, close=st.sets(st.integers(0, N - 1)), gap=st.sampled_from([0.0, 0.5, 1.0]),
       credit=st.sampled_from([0.0, 0.25, 0.5, 1.0]))
def test_reference_coverage_with_related_skills(have, need, close, gap, credit):
    got = skill_coverage(_row(have), _row(need), gap_credit=gap, related=_row({c: 0.95 for c in close}), related_credit=credit)[0, 0]
    want = _obvious(have, need, close, gap, credit)
    if np.isnan(want):
        assert np.isnan(got)
    else:
        assert abs(got - want) < 1e-9 and 0.0 <= got <= 1.0
        assert got >= skill_coverage(_row(have), _row(need), gap_credit=gap)[0, 0] - 1e-12  # credit never lowers


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("credit", [0.3, 0.5, 1.0])
def test_kernel_with_related_skills_equals_the_reference(seed, credit):
    f = synthetic_features(40, 30, seed=seed)
    assert f.profiles.related is not None and f.profiles.related.nnz
    config = Config().replace(scoring={"related_skill_credit": credit})
    for name, q in (("required_skills", f.positions.required), ("desired_skills", f.positions.desired)):
        want = skill_coverage(f.profiles.skills, q, gap_credit=0.5, related=f.profiles.related, related_credit=credit)
        for rows, cols in [(slice(0, 40), slice(0, 30)), (np.array([5, 1, 30]), np.array([29, 3, 0]))]:
            got = score_block(f, rows, cols, config).components[name]
            np.testing.assert_allclose(got, want[rows][:, cols], atol=1e-6, equal_nan=True)
    # with the credit off, the related matrix is ignored
    off = Config().replace(scoring={"related_skill_credit": 0.0})
    plain = score_block(f, slice(0, 40), slice(0, 30), off).components["required_skills"]
    np.testing.assert_allclose(plain, skill_coverage(f.profiles.skills, f.positions.required, gap_credit=0.5), atol=1e-6, equal_nan=True)


def test_blocked_ranking_equals_full_matrix_with_related_credit(monkeypatch):
    from tests.test_rank_exact import _check, _tie_heavy

    f = _tie_heavy(60, 45, seed=5)
    assert f.profiles.related.nnz
    _check(f, Config().replace(scoring={"related_skill_credit": 0.5}), monkeypatch, block_pairs=97, tile_pairs=64)


def test_explanation_names_the_close_skill():
    labels = {"k8s": "Kubernetes", "docker": "Docker", "py": "Python", "java": "Java"}
    related = {"k8s": [("docker", 0.93)], "java": [("go", 0.91)]}
    matched, missing = skill_lists({"docker": 3, "py": 2}, {"k8s": 2, "py": 2, "java": 2}, labels, related)
    assert "Kubernetes (proche : Docker)" in matched
    assert "Python" in matched and missing == ["Java"]  # a close skill not held names nothing
    assert skill_lists({"docker": 3}, {"k8s": 2}, labels) == ([], ["Kubernetes"])  # credit off


class _Enc:
    """Two-dimensional embeddings chosen by hand."""

    name = "test"
    vecs = {"Kubernetes": (1.0, 0.0), "Docker": (0.95, 0.3122), "Cuisine": (0.0, 1.0)}

    def encode(self, texts, *, role):
        return np.asarray([self.vecs[t] for t in texts], dtype=np.float32)


def test_related_skills_keeps_close_held_skills_above_the_threshold():
    labels = {"k8s": "Kubernetes", "docker": "Docker", "cook": "Cuisine"}
    out = related_skills([{"k8s": 2}], [{"docker": 1, "cook": 1}, {"k8s": 2}], labels, _Enc(), threshold=0.9)
    assert [b for b, _ in out["k8s"]] == ["docker"]  # not itself, not the far one
    assert related_skills([{"k8s": 2}], [{"cook": 1}], labels, _Enc(), threshold=0.9) == {}
