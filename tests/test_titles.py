"""Job-title normaliser: acronyms, gender forms, families, adjacency."""

from __future__ import annotations

import pytest

from matching.taxonomy import Taxonomy
from matching.titles import TitleNormalizer, clean_title


@pytest.fixture(scope="module")
def titles():
    return TitleNormalizer(Taxonomy.default(), use_crosswalk=True)


def _top(titles, text):
    res = titles.normalize([text], top=5)[0]
    assert res, text
    return res[0]


def test_rssi_and_its_long_form_meet(titles):
    a = _top(titles, "Responsable de la sécurité des systèmes d'information")
    b = _top(titles, "RSSI")
    assert a.code_rome == b.code_rome == "M1812"
    assert a.family == "Sécurité"
    assert b.method == "acronym"


@pytest.mark.parametrize("text", ["Développeuse Python H/F", "Développeur / Développeuse Python (F/H)", "développeur.euse python"])
def test_gendered_developer_titles(titles, text):
    m = _top(titles, text)
    assert m.family == "Développement"
    assert m.code_rome.startswith("M18")


@pytest.mark.parametrize(
    "text, code",
    [
        ("Product Owner (F/H)", "M1864"),
        ("DSI", "M1803"),
        ("Chef de projet MOA", "M1881"),
        ("Cheffe de projet maîtrise d'œuvre SI", "M1859"),
        ("Analyste SOC", "M1883"),
        ("Délégué à la protection des données", "K1906"),
        ("Ingénieur DevOps / SRE", "M1827"),
    ],
)
def test_titles_to_codes(titles, text, code):
    assert _top(titles, text).code_rome == code


def test_scores_sorted_and_bounded(titles):
    res = titles.normalize(["Data engineer", "", "Architecte cloud"], top=4)
    assert res[1] == []
    for r in (res[0], res[2]):
        assert 1 <= len(r) <= 4
        scores = [m.score for m in r]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 < s <= 1.0 for s in scores)
        assert all(isinstance(m.code_rome, str) for m in r)


def test_helpers(titles):
    assert titles.family("M1812") == "Sécurité"
    assert titles.adjacent("M1812")
    assert titles.family_of_title("Responsable Sécurité des Systèmes d’Information - RSSI") == "Sécurité"


def test_without_crosswalk_still_works():
    t = TitleNormalizer(Taxonomy.default(), use_crosswalk=False)
    assert t.normalize(["RSSI"], top=1)[0][0].code_rome == "M1812"


def test_with_an_encoder(hashing_encoder):
    t = TitleNormalizer(Taxonomy.default(), encoder=hashing_encoder, use_crosswalk=False)
    assert t.normalize(["Développeur web H/F"], top=1)[0][0].code_rome == "M1855"


def test_clean_title():
    assert clean_title("Développeur / Développeuse Java - CDI (H/F)") == "Développeur Java"


def test_instances_share_one_fitted_index():
    tax = Taxonomy.default()
    a = TitleNormalizer(tax, use_crosswalk=False)
    b = TitleNormalizer(tax, use_crosswalk=False)
    assert a.normalize(["Data scientist"], top=3) == b.normalize(["Data scientist"], top=3)
    assert a._tfidf is b._tfidf
