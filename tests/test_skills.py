"""Skill normaliser: hard cases, levels, extraction, and the canonical-label property."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.config import NormalizationConfig
from matching.skills import METHODS, SkillNormalizer
from matching.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.default()


@pytest.fixture(scope="module")
def norm(tax):
    return SkillNormalizer(tax, config=NormalizationConfig())


def _one(norm, text):
    return norm.normalize_one(text)


@pytest.mark.parametrize(
    "text, label, method",
    [
        ("Kubernetes", "Kubernetes", "exact"),
        ("k8s", "Kubernetes", "acronym"),
        ("kubernetess", "Kubernetes", "fuzzy"),
        ("RSSI", "Sécurité des systèmes d'information", "acronym"),
        ("DPO", "Délégué à la protection des données (DPO)", "acronym"),
        ("CI/CD", "Intégration continue et déploiement continu (CI/CD)", None),
        ("scrum", "Méthodologie Scrum", "acronym"),
        ("Machine learning", "Machine Learning", "exact"),
        ("gestion de projets", "Gestion de projet", "exact"),
        ("pilotage de projets SI", "Gestion de projets informatiques", "fuzzy"),
        ("Bases de données", "base de données", "exact"),
    ],
)
def test_hard_cases(norm, text, label, method):
    m = _one(norm, text)
    assert m.label == label, (text, m)
    if method:
        assert m.method == method
    assert 0.5 <= m.confidence <= 1.0
    assert m.source_id


def test_levels_are_returned_separately(norm):
    df = norm.normalize(["Python (avancé)", "Java - expert", "Anglais courant", "Docker"])
    assert [None if pd.isna(v) else int(v) for v in df.level] == [3, 4, 2, None]
    assert df.label[0].startswith("Python")
    assert df.method[0] == "exact"


def test_unknown_kept_as_free_text(norm):
    df = norm.normalize(["zorglub quantique (avancé)", ""])
    assert list(df.method) == ["unknown", "unknown"]
    assert df.label[0] == "zorglub quantique"
    assert df.source_id[0] == "" and df.concept_id[0] == ""
    assert df.confidence[0] == 0.0


def test_dictionary_term_without_concept_kept_with_expansion(norm):
    m = _one(norm, "EBIOS")
    assert m.method == "acronym" and m.concept_id == "acr:EBIOS"
    assert "EBIOS" in m.label


def test_output_columns_and_order(norm):
    texts = ["SQL", "k8s", "SQL", "blabla"]
    df = norm.normalize(texts)
    assert list(df.columns[:5]) == ["input", "label", "source_id", "method", "confidence"]
    assert list(df.input) == texts
    assert set(df.method) <= set(METHODS)
    assert df.iloc[0].to_dict() == df.iloc[2].to_dict()


def test_short_words_do_not_fuzzy_match_everything(norm):
    for text in ["web", "data", "abc", "go", "r"]:
        m = _one(norm, text)
        assert m.method in ("exact", "acronym", "unknown"), (text, m)


def test_semantic_level_with_an_encoder(tax, hashing_encoder):
    cfg = NormalizationConfig(semantic_threshold=0.5, fuzzy_threshold=99.0)
    sem = SkillNormalizer(tax, encoder=hashing_encoder, config=cfg)
    m = sem.normalize_one("programmation python avancée pour la donnée")
    assert m.method in ("semantic", "unknown")
    assert m.method == "semantic" and m.concept_id, m


def test_extract_from_free_text(norm):
    text = (
        "Ingénieur DevOps avec 8 ans d'expérience : Kubernetes (avancé), Terraform, CI/CD, Python "
        "et gestion de projets SI. Bonne connaissance du RGPD ; si possible notions de machine learning."
    )
    found = {m.label: m for m in norm.extract(text)}
    assert "Kubernetes" in found and found["Kubernetes"].level == 3
    assert "RGPD" in found
    assert "Machine Learning" in found
    assert any(lab.startswith("Python") for lab in found)
    assert "Gestion de projet" in found
    # "si possible": the French word is not the acronym SI
    assert not any(m.text == "si" for m in found.values())
    m = found["Kubernetes"]
    assert text[m.start : m.end] == "Kubernetes"


def test_extract_scales_linearly(norm):
    text = " ".join(["Administration de bases de données PostgreSQL et supervision réseau."] * 30)
    assert len(text.split()) > 200
    found = norm.extract(text)
    assert found and len({m.concept_id for m in found}) == len(found)


def test_config_threshold_respected(tax):
    strict = SkillNormalizer(tax, config=NormalizationConfig(fuzzy_threshold=100.0))
    assert strict.normalize_one("kubernetess").method == "unknown"


_PREFERRED = None


def _preferred_labels():
    global _PREFERRED
    if _PREFERRED is None:
        tax = Taxonomy.default()
        s = tax.skills[tax.skills.source == "ESCO"]
        _PREFERRED = list(zip(s.concept_id, s.label))
    return _PREFERRED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_canonical_label_returns_its_concept(norm, data):
    cid, label = data.draw(st.sampled_from(_preferred_labels()))
    m = norm.normalize_one(label)
    # a label shared by several concepts maps to one of them: same label, exact
    assert m.method in ("exact", "acronym")
    assert m.concept_id == cid or m.label.casefold() == label.casefold() or norm._exact(label)[0] == m.concept_id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_text_gets_a_row(norm, text):
    df = norm.normalize([text])
    assert len(df) == 1 and df.method[0] in METHODS


def test_acronym_expansion_fast_path_and_cache(tax):
    from matching.skills import AcronymDictionary

    acr = AcronymDictionary(tax.acronyms)
    assert acr.expand("Gestion de la paie") == ("Gestion de la paie", [])
    text, found = acr.expand("Expert k8s et CI/CD")
    assert found == ["k8s", "CI/CD"] and "Kubernetes" in text
    found.append("x")  # the cached result is not shared with callers
    assert acr.expand("Expert k8s et CI/CD")[1] == ["k8s", "CI/CD"]
    # short upper-case terms keep their case rule inside longer strings
    assert acr.expand("le si de la maison")[1] == []


def test_acronym_in_parentheses_and_dictionary_meaning(norm):
    """'Long name (ACR)': the name or its acronym finds the concept; a label's own
    parenthesised acronym never takes the dictionary's meaning of that acronym."""
    icpe = _one(norm, "Installations classées (ICPE)")
    assert icpe.method == "exact" and "Installations Classées" in icpe.label
    api = _one(norm, "API")
    assert "Automate" not in api.label  # API = interface de programmation, not a PLC
    plc = _one(norm, "Automate programmable industriel (API)")
    assert "Automate" in plc.label
