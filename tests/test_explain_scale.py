"""The explanation tables built on flat arrays equal the obvious per-line construction.

``_reference_*`` below is the line-by-line code the engine used before the tables were
vectorised (kept here, slow and obviously correct); the engine's tables must match it cell
for cell, on random batches that exercise every clause: levels under the one required,
close skills, labels missing from the taxonomy, same and adjacent occupations, missing
component values.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from matching.bench import synthetic_features
from matching.components import COMPONENTS
from matching.config import Config
from matching.explain import SHORT_LABELS, SkillLists, _fmt, _fmt_many, line_sentence, required_skill_status, skill_lists
from matching.normalize import Normalized
from matching.outputs import build_tables
from matching.rank import Ranking, rank, score_pairs


# --- the reference: one line at a time -----------------------------------------------------
def _reference_skill_lists(profile_skills, required, labels, related=None):
    """Line by line, from the one scalar definition of held / lower / close / missing that
    skills_gap.csv also counts with (so the flat arrays can never drift from the gap)."""
    matched, missing = [], []
    for key, (status, have, close) in required_skill_status(profile_skills, required, related, labels).items():
        label = labels.get(key, key)
        if status == "close":
            matched.append(f"{label} (proche : {labels.get(close, close)})")
        elif status == "missing":
            missing.append(label)
        elif status == "lower":
            matched.append(f"{label} (niveau {have} pour {required[key]} requis)")
        else:
            matched.append(label)
    return matched, missing


def _reference_sentence(components, weights, score, matched, missing, occupation_note=""):
    contrib = {c: (0.0 if np.isnan(components[c]) else components[c]) * weights[c] for c in COMPONENTS}
    top = [c for c in sorted(COMPONENTS, key=lambda c: (-contrib[c], COMPONENTS.index(c))) if contrib[c] > 0][:2]
    reasons = [f"{SHORT_LABELS[c]} {_fmt(components[c])}" for c in top]
    parts = [f"Score {_fmt(score)}, porté surtout par : " + " et ".join(reasons) if reasons else f"Score {_fmt(score)}"]
    n_req = len(matched) + len(missing)
    if n_req:
        shown = ", ".join(matched[:3]) + ("…" if len(matched) > 3 else "")
        parts.append(f"{len(matched)} compétence(s) requise(s) sur {n_req} détenue(s)" + (f" ({shown})" if matched else ""))
    if missing:
        shown = ", ".join(missing[:3]) + ("…" if len(missing) > 3 else "")
        parts.append(f"manque : {shown}")
    if occupation_note:
        parts.append(occupation_note)
    return " ; ".join(parts) + "."


def _reference_note(norm, i, j, top):
    p_codes = [c for c, _ in norm.profile_occupations[i][:top]]
    q_codes = [c for c, _ in norm.position_occupations[j][:top]]
    common = [c for c in q_codes if c in p_codes]
    if common:
        label = norm.occupation_labels.get(common[0], "")
        return f"même métier ({common[0]} {label})" if label else f"même métier ({common[0]})"
    for c in q_codes:
        for pc in p_codes:
            if c in set(norm.adjacency.get(pc, ())):
                return f"métier proche ({pc} vers {c}, passerelle de mobilité du ROME)"
    return ""


def _reference_details(prep, pairs, config):
    norm = prep.normalized
    scored = score_pairs(prep.features, pairs["profile"].to_numpy(), pairs["position"].to_numpy(), config)
    related = norm.related_skills if config.scoring.related_skill_credit > 0 else None
    matched_col, missing_col, sentences = [], [], []
    for k, (i, j) in enumerate(zip(pairs["profile"].tolist(), pairs["position"].tolist())):
        matched, missing = _reference_skill_lists(norm.profile_skills[i], norm.position_required[j],
                                                  norm.concept_labels, related)
        comps = {c: scored[c].iat[k] for c in COMPONENTS}
        weights = {c: scored[f"w_{c}"].iat[k] for c in COMPONENTS}
        note = _reference_note(norm, i, j, config.scoring.occupations_per_entity)
        sentences.append(_reference_sentence(comps, weights, float(scored["score"].iat[k]), matched, missing, note))
        matched_col.append("; ".join(matched))
        missing_col.append("; ".join(missing))
    out = scored[list(COMPONENTS)].round(4)
    out["matched_skills"], out["missing_skills"], out["explanation"] = matched_col, missing_col, sentences
    return out


# --- random batches ------------------------------------------------------------------------
def _random_prep(seed: int, n: int = 70, m: int = 25):
    """Synthetic features (scores) with random skills, occupations and links (explanations)."""
    rng = np.random.default_rng(seed)
    f = synthetic_features(n, m, seed=seed)
    keys = [f"k{c}" for c in range(30)]
    # some keys without a label (shown as the key), labels differing only by case
    labels = {k: ("Gestion " if c % 3 else "gestion ") + f"compétence {c % 11}" for c, k in enumerate(keys) if c % 7}

    def levels(lo, hi):
        picks = rng.choice(len(keys), rng.integers(lo, hi + 1), replace=False)
        return {keys[c]: int(rng.integers(1, 5)) for c in picks}

    codes = [f"M{c:04d}" for c in range(12)]

    def occupations():
        picks = rng.choice(len(codes), rng.integers(0, 6), replace=False)
        return [(codes[c], round(float(rng.random()), 3)) for c in picks]

    related = {k: [(keys[c], 0.95) for c in rng.choice(len(keys), rng.integers(1, 4), replace=False)]
               for k in keys[::2]}
    norm = Normalized(
        profile_skills=[levels(0, 12) for _ in range(n)],
        position_required=[levels(0, 8) for _ in range(m)],
        position_desired=[{} for _ in range(m)],
        profile_occupations=[occupations() for _ in range(n)],
        position_occupations=[occupations() for _ in range(m)],
        profile_families=[set() for _ in range(n)],
        position_families=[set() for _ in range(m)],
        adjacency={c: {codes[x] for x in rng.choice(len(codes), 3, replace=False)} for c in codes[::2]},
        concept_labels=labels,
        occupation_labels={c: f"Métier {c}" for c in codes[:8]},
        related_skills=related,
    )
    profiles = pd.DataFrame({"profile_id": f.profiles.ids})
    positions = pd.DataFrame({"position_id": f.positions.ids, "ministry": [f"Ministère {j % 4}" for j in range(m)],
                              "title": [f"Poste {j}" for j in range(m)], "employer": "", "openings": 1})
    return SimpleNamespace(features=f, normalized=norm, profiles=profiles, positions=positions)


def _random_pairs(rng, n, m, size):
    """Pairs in any order, some repeated, as a ranking would not give them (stress only)."""
    return pd.DataFrame({"profile": rng.integers(0, n, size), "position": rng.integers(0, m, size),
                         "rank": np.arange(1, size + 1), "score": rng.random(size)})


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("credit", [0.0, 0.5])
def test_vectorised_details_equal_the_line_by_line_reference(seed, credit):
    from matching.outputs import _pair_details

    prep = _random_prep(seed)
    config = Config().replace(scoring={"related_skill_credit": credit}).resolved()
    pairs = _random_pairs(np.random.default_rng(seed), prep.features.n_profiles, prep.features.n_positions, 400)
    got = _pair_details(prep, pairs, config)
    want = _reference_details(prep, pairs, config)
    pd.testing.assert_frame_equal(got, want)
    # every clause of the sentence occurs in these batches
    text = " ".join(want["explanation"])
    for clause in ("niveau", "manque :", "même métier", "métier proche", "porté surtout par"):
        assert clause in text
    if credit:
        assert "(proche : " in " ".join(want["matched_skills"])


@pytest.mark.parametrize("seed", [0, 5])
def test_tables_of_a_ranking_equal_the_reference_tables(seed):
    """Both tables of a real ranking, written as CSV, byte for byte."""
    prep = _random_prep(seed, n=120, m=30)
    config = Config().replace(ranking={"min_score": 0.0}).resolved()
    ranking: Ranking = rank(prep.features, config)
    shortlists, opportunities = build_tables(prep, ranking, config)
    assert len(shortlists) == len(ranking.shortlist) and len(opportunities) == len(ranking.opportunities)
    for table, pairs, key in ((shortlists, ranking.shortlist, ["position_id", "rank"]),
                              (opportunities, ranking.opportunities, ["profile_id", "rank"])):
        ref = _reference_details(prep, pairs, config)
        ref["profile_id"] = prep.profiles["profile_id"].to_numpy()[pairs["profile"].to_numpy()]
        ref["position_id"] = prep.positions["position_id"].to_numpy()[pairs["position"].to_numpy()]
        ref["rank"] = pairs["rank"].to_numpy()
        ref = ref.sort_values(key, kind="stable").reset_index(drop=True)
        mine = table.sort_values(key, kind="stable").reset_index(drop=True)[ref.columns]
        assert mine.to_csv(index=False) == ref.to_csv(index=False)


def test_one_pair_helpers_say_what_the_reference_says():
    labels = {"py": "Python", "k8s": "Kubernetes", "docker": "Docker", "sql": "sql"}
    related = {"k8s": [("docker", 0.93)]}
    have, need = {"docker": 3, "py": 1, "sql": 4}, {"k8s": 2, "py": 3, "sql": 2, "java": 1}
    assert skill_lists(have, need, labels, related) == _reference_skill_lists(have, need, labels, related)
    assert skill_lists(have, need, labels) == _reference_skill_lists(have, need, labels)
    assert skill_lists({}, {}, labels) == ([], [])
    comps = {c: v for c, v in zip(COMPONENTS, [0.81, float("nan"), 0.5, 0.5, 0.0, 1.0])}
    weights = {c: w for c, w in zip(COMPONENTS, [0.6, 0.0, 0.1, 0.1, 0.1, 0.1])}
    for matched, missing, note in ((["A", "B", "C", "D"], ["E"], "même métier (M1)"), ([], [], ""),
                                   (["A"], ["B", "C", "D", "E"], "")):
        assert line_sentence(comps, weights, 0.735, matched, missing, note) == \
            _reference_sentence(comps, weights, 0.735, matched, missing, note)
    # no positive contribution: the score alone
    zero = {c: 0.0 for c in COMPONENTS}
    assert line_sentence(zero, weights, 0.0, [], [], "") == "Score 0,00."


def test_two_decimal_formatting_equals_python_formatting_near_every_midpoint():
    """The table lookup of the vectorised formatter rounds like f"{x:.2f}", including just
    around the midpoints (0.125, 0.285...) and outside [0, 1]."""
    mids = (np.arange(0, 101) + 0.5) / 100
    values = np.concatenate([
        np.random.default_rng(0).random(20000), mids, np.nextafter(mids, 0), np.nextafter(mids, 1),
        [0.0, 1.0, -0.0, -0.004, -0.006, 1.004, 1.006, 2.5, float("nan"), 1e-9, 0.999999999],
    ])
    assert _fmt_many(values).tolist() == [_fmt(v) for v in values.tolist()]


def test_skill_lists_round_trip():
    sl = SkillLists.from_lists([["a", "b"], [], ["c"]], [["x"], ["y", "z"], []])
    assert sl.lists() == ([["a", "b"], [], ["c"]], [["x"], ["y", "z"], []])
    assert sl.joined("matched", "; ") == ["a; b", "", "c"]
    assert sl.joined("missing", ", ", limit=1) == ["x", "y", ""]


def test_close_skill_whose_own_neighbours_are_required_nowhere():
    """``related`` lists neighbours for every skill compared (required and desired); a close
    skill's own neighbours that no position requires must not break the flat tables."""
    from matching.explain import pair_skill_lists

    labels = {"k8s": "Kubernetes", "docker": "Docker", "lxc": "LXC", "py": "Python"}
    related = {"k8s": [("docker", 0.9)], "docker": [("lxc", 0.8)], "py": []}
    have = [{"docker": 2}, {"py": 3}]
    need = [{"k8s": 2, "py": 2}]
    got = pair_skill_lists(have, need, labels, np.array([0, 1]), np.array([0, 0]), related).lists()
    want = tuple(map(list, zip(*[_reference_skill_lists(have[i], need[0], labels, related) for i in (0, 1)])))
    assert got == want
    assert got[0][0] == ["Kubernetes (proche : Docker)"] and got[1][0] == ["Python"]
