"""Invariants of the scoring functions (hypothesis), against a slow obvious reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from matching.score import skill_coverage

N_CONCEPTS = 8
levels = st.dictionaries(st.integers(0, N_CONCEPTS - 1), st.integers(1, 4), max_size=N_CONCEPTS)


def as_row(d: dict[int, int]) -> sparse.csr_matrix:
    m = sparse.lil_matrix((1, N_CONCEPTS))
    for k, v in d.items():
        m[0, k] = v
    return m.tocsr()


def reference_coverage(have: dict[int, int], need: dict[int, int], gap: float) -> float:
    if not need:
        return float("nan")
    credit = 0.0
    for c, r in need.items():
        h = have.get(c, 0)
        if h >= r:
            credit += 1.0
        elif h > 0:
            credit += gap ** (r - h)
    return credit / len(need)


@settings(max_examples=200, deadline=None)
@given(have=levels, need=levels, gap=st.sampled_from([0.0, 0.25, 0.5, 1.0]))
def test_coverage_matches_the_reference(have, need, gap):
    got = skill_coverage(as_row(have), as_row(need), gap_credit=gap)[0, 0]
    want = reference_coverage(have, need, gap)
    if np.isnan(want):
        assert np.isnan(got)
    else:
        assert abs(got - want) < 1e-9
        assert 0.0 <= got <= 1.0


@settings(max_examples=200, deadline=None)
@given(have=levels, need=levels, data=st.data())
def test_adding_a_required_skill_the_profile_holds_never_lowers_coverage(have, need, data):
    """A requirement met by the profile (held at or above the required level) can only raise
    the share of requirements met."""
    if not have:
        return
    concept = data.draw(st.sampled_from(sorted(have)))
    level = data.draw(st.integers(1, have[concept]))
    before = skill_coverage(as_row(have), as_row(need), gap_credit=0.5)[0, 0]
    need2 = {**need, concept: level}
    after = skill_coverage(as_row(have), as_row(need2), gap_credit=0.5)[0, 0]
    assert after >= (0.0 if np.isnan(before) else before) - 1e-12


@settings(max_examples=100, deadline=None)
@given(have=levels, need=levels, extra=st.integers(0, N_CONCEPTS - 1), up=st.integers(1, 3))
def test_a_higher_level_never_lowers_coverage(have, need, extra, up):
    before = skill_coverage(as_row(have), as_row(need), gap_credit=0.5)[0, 0]
    better = dict(have)
    better[extra] = min(4, better.get(extra, 0) + up)
    after = skill_coverage(as_row(better), as_row(need), gap_credit=0.5)[0, 0]
    if not np.isnan(before):
        assert after >= before - 1e-12
