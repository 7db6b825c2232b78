"""Occupations inferred from skills of both taxonomies; weights of components that do not apply."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.components import COMPONENTS
from matching.config import Config
from matching.normalize import build_occupation_index, occupation_index, occupation_votes
from matching.score import applied_weight_table


class _Frame(dict):
    """The few taxonomy frames build_occupation_index reads, as column dicts."""

    def __getattr__(self, name):
        return self[name]


class _Tax:
    def __init__(self):
        self.rome_skills = _Frame(code_rome=["A", "A", "B", "B", "C"], concept_id=["s1", "common", "s2", "common", "common"], core=[True, True, True, False, True])
        self.esco_occupation_skills = _Frame(esco_uri=["u1", "u1"], concept_id=["e1", "common"], relation=["essential", "optional"])
        self.esco_to_rome = {"u1": {"C"}}
        self.esco_occupations = _Frame(uri=["u1"], isco=["2512"])
        self.crosswalk = _Frame(code_rome=["C"], esco_uri=["u1"], relation=["exact"])


def test_a_skill_linked_to_every_occupation_does_not_vote_and_esco_skills_do():
    idx = build_occupation_index(_Tax())
    assert "common" not in idx.links  # IDF ln(3/3) = 0
    assert occupation_votes({"common": 2}, idx) == {}
    votes = occupation_votes({"e1": 2, "common": 1}, idx)  # an ESCO skill, through the crosswalk
    assert set(votes) == {"C"}
    assert idx.isco == {"C": frozenset({"2512"})}
    assert math.isclose(votes["C"], math.sqrt(math.log(3)))  # e1 only: idf / sqrt(norm = idf)


def test_without_the_crosswalk_esco_skills_do_not_vote():
    idx = build_occupation_index(_Tax(), use_crosswalk=False)
    assert occupation_votes({"e1": 2}, idx) == {}


def test_shipped_taxonomy_esco_skills_give_a_titleless_profile_an_occupation():
    from matching.taxonomy import Taxonomy

    tax = Taxonomy.default()
    idx = occupation_index(tax)
    assert occupation_index(tax) is idx  # built once per taxonomy object
    es = tax.esco_occupation_skills
    by_uri: dict[str, dict[str, int]] = {}
    for u, c in zip(es.esco_uri, es.concept_id):
        by_uri.setdefault(u, {})[c] = 2
    hits = total = 0
    for uri, skills in sorted(by_uri.items())[:300]:
        if tax.esco_to_rome.get(uri) and len(skills) >= 3:
            votes = occupation_votes(skills, idx)
            top3 = sorted(votes, key=lambda c: (-votes[c], c))[:3]
            total += 1
            hits += bool(set(top3) & tax.esco_to_rome[uri])
    assert total > 50 and hits / total > 0.75


weights = st.fixed_dictionaries({c: st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]) for c in COMPONENTS})


@settings(max_examples=200, deadline=None)
@given(w=weights, data=st.data(), to_semantic=st.booleans())
def test_applied_weights_add_up_to_one(w, data, to_semantic):
    if sum(w.values()) <= 0:
        return
    m = 5
    flags = [np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m))) for _ in range(3)]
    sem, tot = applied_weight_table(w, has_req=flags[0], has_des=flags[1], has_occ=flags[2], to_semantic=to_semantic)
    for cls in range(4):
        applicable = {
            "semantic": np.ones(m, bool), "wishes": np.ones(m, bool), "required_skills": flags[0],
            "desired_skills": flags[1], "job_fit": flags[2] & (cls >= 2), "experience": np.full(m, cls % 2 == 1),
        }
        others = sum(w[c] * applicable[c] for c in COMPONENTS if c != "semantic")
        np.testing.assert_allclose(sem[cls] + others, tot[cls])
        if to_semantic and w["semantic"] > 0:
            np.testing.assert_allclose(tot[cls], sum(w.values()))  # nothing is lost, semantic takes it
            assert (sem[cls] >= w["semantic"] - 1e-12).all()
        else:
            np.testing.assert_allclose(sem[cls], w["semantic"])


@pytest.mark.parametrize("mode", ["spread", "semantic"])
def test_contributions_sum_to_the_score_in_both_modes(mode):
    from matching.bench import synthetic_features
    from matching.score import score_block

    f = synthetic_features(30, 20, seed=3)
    f.profiles.has_occ[::3] = False
    f.profiles.years[::2] = np.nan
    cfg = Config().replace(scoring={"missing_weight": mode})
    bs = score_block(f, slice(0, 30), slice(0, 20), cfg)
    total = sum(bs.contributions().values())
    np.testing.assert_allclose(total, bs.score, atol=2e-6)
    np.testing.assert_allclose(sum(bs.weights.values()), 1.0, atol=1e-6)
    if mode == "semantic":
        spread = score_block(f, slice(0, 30), slice(0, 20), Config())
        unknown = ~f.profiles.has_occ
        assert (bs.weights["semantic"][unknown] > spread.weights["semantic"][unknown] - 1e-9).all()


def test_combine_components_mirrors_the_kernel_in_semantic_mode():
    from matching.bench import synthetic_features
    from matching.evaluation.ranking_bench import combine_components, component_matrices
    from matching.score import score_block

    f = synthetic_features(25, 15, seed=4)
    f.profiles.has_occ[::2] = False
    cfg = Config().replace(scoring={"missing_weight": "semantic"}, weights={"wishes": 0.0})
    comps = component_matrices(f, cfg)
    fast = combine_components(comps, cfg.weights.as_dict(), missing_weight="semantic")
    want = score_block(f, slice(0, 25), slice(0, 15), cfg).score.T
    np.testing.assert_allclose(fast, want, atol=2e-6)
