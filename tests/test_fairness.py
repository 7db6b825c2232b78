"""Fairness audit: group statistics, the four-fifths flag on a planted bias (and none on an
unbiased configuration), and the monitoring columns never reaching the scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching.config import Config
from matching.evaluation.fairness import age_band, fairness_audit
from matching.evaluation.tuning import shortlist_frame

TRADES = [
    ("Data scientist", "Python:3; apprentissage automatique:3; SQL:2; statistiques:3"),
    ("Ingénieur DevOps", "Kubernetes:3; intégration continue:3; Linux:3; Terraform:2"),
    ("Responsable de la sécurité des systèmes d'information", "analyse de risques:3; EBIOS:3; ISO 27001:2; gestion de crise:2"),
    ("Chef de projet informatique", "gestion de projet:3; conduite du changement:2; marchés publics:2; budget:2"),
]
EXTRA = ["Anglais:2", "management:2", "Excel:1", "rédaction:2", "Java:2", "réseaux:2"]


def _write_dataset(folder, *, n_templates: int = 16):
    """Pairs of engineers identical in every scored respect, one woman and one man, who
    differ only in a location wish: women wish Marseille, men wish Paris, and every
    position is in Paris. Which member of a pair has the lower id alternates."""
    profiles = []
    for t in range(n_templates):
        title, skills = TRADES[t % len(TRADES)]
        skill_list = skills + "; " + EXTRA[t % len(EXTRA)] + ("; " + EXTRA[(t + 2) % len(EXTRA)] if t % 3 else "")
        genders = ("F", "M") if t % 2 == 0 else ("M", "F")
        for suffix, gender in zip("ab", genders):
            profiles.append(
                {
                    "profile_id": f"ING-{t:02d}{suffix}",
                    "current_position": title,
                    "skills": skill_list,
                    "summary": f"{title} avec {3 + t} ans d'expérience.",
                    "years_experience": 3 + t,
                    "wished_locations": "Marseille" if gender == "F" else "Paris",
                    "gender": gender,
                    "birth_year": 1970 + (t * 7) % 28,
                    "open_to_mobility": "oui",
                }
            )
    # shadow copies for the "never used for scoring" check: same engineers, gender and birth
    # year shuffled, not open to mobility (so they never enter a shortlist nor the audit)
    rng = np.random.default_rng(0)
    genders = rng.permutation([p["gender"] for p in profiles])
    years = rng.permutation([p["birth_year"] for p in profiles])
    shadows = []
    for p, g, y in zip(profiles, genders, years):
        shadows.append({**p, "profile_id": "ZZ-" + p["profile_id"], "gender": "X" if g == "F" else g, "birth_year": y - 20, "open_to_mobility": "non"})
    profiles += shadows
    positions = [
        {
            "position_id": f"P{j}",
            "ministry": "Ministère de l'Intérieur" if j % 2 else "Ministère des Armées",
            "title": title,
            "description": f"Poste de {title.lower()}.",
            "required_skills": skills,
            "location": "Paris",
        }
        for j, (title, skills) in enumerate(TRADES + TRADES)
    ]
    pd.DataFrame(profiles).to_csv(folder / "profiles.csv", index=False)
    pd.DataFrame(positions).to_csv(folder / "positions.csv", index=False)
    return folder / "profiles.csv", folder / "positions.csv"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    from matching.evaluation.tuning import prepare_files

    # the caching hashing encoder (cache in $MATCHING_CACHE_DIR): the taxonomy's labels are
    # then embedded once for the whole test suite

    folder = tmp_path_factory.mktemp("fair")
    p, q = _write_dataset(folder)
    cfg = Config().replace(model={"name": "hashing"})
    return prepare_files(p, q, config=cfg)


def _audit(prep, config):
    from matching.rank import rank

    sl = shortlist_frame(prep, rank(prep.features, config))
    return fairness_audit(prep.profiles, sl, reference_year=2026), sl


def test_planted_bias_is_flagged_and_unbiased_configuration_is_not(prepared):
    base = Config().replace(model={"name": "hashing"}, ranking={"top_k": 4, "min_score": 0.0})
    # a configuration built to disadvantage women: almost all the weight on the location wish
    biased = base.replace(weights={"wishes": 3.0})
    audit, sl = _audit(prepared, biased)
    g = audit.table[audit.table["attribute"] == "gender"].set_index("group")
    assert g.loc["femmes", "flagged"] and not g.loc["hommes", "flagged"]
    assert g.loc["femmes", "rate_ratio"] < 0.8
    assert any("ALERTE" in s and "femmes" in s for s in audit.summary())
    # the same data with a configuration that ignores wishes: nobody is flagged by gender
    fair = base.replace(weights={"wishes": 0.0})
    audit, sl = _audit(prepared, fair)
    g = audit.table[audit.table["attribute"] == "gender"].set_index("group")
    assert not g["flagged"].any(), g
    assert g.loc["femmes", "selected"] == g.loc["hommes", "selected"] > 0


def test_monitoring_columns_never_reach_the_scores(prepared):
    """Each engineer has a shadow copy whose gender and birth year were shuffled (and who is
    not open to mobility): every feature row and every score component must be identical."""
    from matching.score import score_block

    ids = list(prepared.features.profiles.ids)
    orig = np.array([i for i, p in enumerate(ids) if not p.startswith("ZZ-")])
    shadow = np.array([ids.index("ZZ-" + ids[i]) for i in orig])
    prof = prepared.profiles.set_index("profile_id")
    assert (prof.loc[[ids[i] for i in orig], "gender"].to_numpy() != prof.loc[[ids[i] for i in shadow], "gender"].to_numpy()).any()
    assert (prof.loc[[ids[i] for i in orig], "birth_year"].to_numpy() != prof.loc[[ids[i] for i in shadow], "birth_year"].to_numpy()).all()
    P = prepared.features.profiles
    for name in vars(P):
        if name in ("ids", "open"):
            continue
        value = getattr(P, name)
        if hasattr(value, "toarray"):
            value = value.toarray()
        value = np.asarray(value)
        np.testing.assert_array_equal(value[orig], value[shadow], err_msg=name)
    cfg = Config().replace(model={"name": "hashing"})
    cols = np.arange(prepared.features.n_positions)
    a = score_block(prepared.features, orig, cols, cfg)
    b = score_block(prepared.features, shadow, cols, cfg)
    np.testing.assert_array_equal(a.score, b.score)
    for c in a.components:
        np.testing.assert_array_equal(a.components[c], b.components[c])


def test_group_statistics_and_small_groups():
    profiles = pd.DataFrame(
        {
            "profile_id": [f"P{i}" for i in range(14)],
            "gender": ["F"] * 5 + ["M"] * 5 + ["X"] * 2 + ["", ""],
            "birth_year": [1995] * 7 + [1960] * 6 + [None],
            "open_to_mobility": [True] * 13 + [False],
        }
    )
    sl = pd.DataFrame({"profile_id": ["P0", "P5", "P6", "P7", "P8", "P8"], "rank": [2, 1, 1, 3, 2, 1]})
    audit = fairness_audit(profiles, sl, reference_year=2026, min_group_size=5)
    g = audit.table[audit.table["attribute"] == "gender"].set_index("group")
    assert g.loc["femmes", "selection_rate"] == pytest.approx(1 / 5)
    assert g.loc["hommes", "selection_rate"] == pytest.approx(4 / 5)
    assert g.loc["femmes", "rate_ratio"] == pytest.approx(0.25) and g.loc["femmes", "flagged"]
    assert g.loc["hommes", "mean_best_rank"] == pytest.approx((1 + 1 + 3 + 1) / 4)
    assert g.loc["femmes", "rank_ratio"] == pytest.approx(1.5 / 2)
    assert not g.loc["autre", "flagged"] and "effectif insuffisant" in g.loc["autre", "note"]
    assert g.loc["non renseigné", "eligible"] == 1  # the one not open to mobility is not eligible
    ages = audit.table[audit.table["attribute"] == "age_band"].set_index("group")
    assert ages.loc["moins de 35 ans", "eligible"] == 7 and ages.loc["55 ans et plus", "eligible"] == 6
    assert age_band(1971, reference_year=2026) == "55 ans et plus"
    assert age_band(1982, reference_year=2026) == "35-44 ans"
    assert age_band(None, reference_year=2026) == "non renseigné"


def test_missing_monitoring_columns_are_reported_not_guessed():
    profiles = pd.DataFrame({"profile_id": ["A", "B"]})
    audit = fairness_audit(profiles, pd.DataFrame({"profile_id": ["A"], "rank": [1]}))
    assert audit.table.empty and set(audit.skipped) == {"gender", "age_band"}
    assert any("impossible" in s for s in audit.summary())
