"""The shipped taxonomy (data/taxonomy): completeness, integrity, links."""

from __future__ import annotations

import json

import pytest

from matching.taxonomy import DEFAULT_TAXONOMY_DIR, DIGITAL_FAMILIES, Taxonomy, TaxonomyError
from matching.textnorm import fold_gender, key, normalize, split_level


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.default()


def test_manifest_hashes_match_files():
    tax = Taxonomy.load(verify=True)
    manifest = json.loads((DEFAULT_TAXONOMY_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert tax.version == manifest["version"]
    assert set(manifest["files"]) >= {"skills.csv.gz", "appellations.csv.gz", "acronyms.csv", "NOTICE.md"}
    assert len(tax.sha256) == 64


def test_sizes(tax):
    assert len(tax.occupations) == 1584
    assert len(tax.appellations) == 13120
    assert tax.appellations.main.sum() == 1584
    assert len(tax.skills) > 30000
    assert (tax.skills.source == "ESCO").sum() > 2000
    assert len(tax.mobility) > 14000
    assert len(tax.digital_families) == 41
    assert set(tax.digital_families.family) <= set(DIGITAL_FAMILIES)


def test_concepts_keep_source_ids(tax):
    rome = tax.skills[tax.skills.source == "ROME"]
    assert (rome.concept_id == "rome:" + rome.source_id).all()
    esco = tax.skills[tax.skills.source == "ESCO"]
    assert esco.source_id.str.startswith("http://data.europa.eu/esco/skill/").all()
    assert tax.skills.concept_id.is_unique


def test_links(tax):
    assert tax.family("M1812") == "Sécurité"
    assert tax.family("M1805") == "Développement"
    assert tax.family("A1101") == ""
    assert tax.occupation_label("M1812").startswith("Responsable de la Sécurité")
    adj = tax.adjacent("M1805")
    assert adj and all(len(c) == 5 for c in adj)
    core = tax.skills_of("M1805", core_only=True, use_crosswalk=False)
    assert core and core <= tax.skills_of("M1805", use_crosswalk=False)
    assert len(tax.skills_of("M1805", use_crosswalk=True)) >= len(tax.skills_of("M1805", use_crosswalk=False))
    assert tax.esco_to_rome  # crosswalk present


def test_family_of_reference(tax):
    fam, code = tax.family_of_reference[key("Responsable Sécurité des Systèmes d’Information - RSSI")]
    assert fam == "Sécurité" and code == "M1812"


def test_missing_folder(tmp_path):
    with pytest.raises(TaxonomyError, match="build_taxonomy"):
        Taxonomy.load(tmp_path)


def test_acronyms_dictionary_is_clean(tax):
    ac = tax.acronyms
    assert ac.term.is_unique
    for term in ["RSSI", "DSI", "DNUM", "DINUM", "AMOA", "MOA", "MOE", "PO", "PMO", "SRE", "SOC", "CERT", "CSIRT",
                 "DPO", "RGPD", "BI", "ETL", "IaC", "CI/CD", "k8s", "DevOps", "SecOps", "ML", "IA", "SIG", "SI",
                 "SIRH", "ERP", "API", "UX/UI", "PKI", "IAM", "EBIOS", "ANSSI", "PSSI", "RGS", "MCO", "MCS",
                 "PCA/PRA", "ITIL", "TMA", "LAN/WAN", "VPN", "GED", "ENT", "RPA", "NLP", "LLM", "FinOps", "RGAA",
                 "cloud", "machine learning", "scrum", "product owner", "data engineering"]:
        assert term in set(ac.term), term
    codes = set(tax.occupations.code_rome)
    assert set(c for c in ac.rome_code if c) <= codes
    assert set(ac.scope) <= {"skill", "title", "both"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Développeur / Développeuse Python H/F", "Développeur Python"),
        ("Chargé(e) de mission", "Chargé de mission"),
        ("Chef de projet / Cheffe de projet", "Chef de projet"),
        ("Développeur.euse web (F/H)", "Développeur web"),
        ("Accueillant familial / Accueillante familiale auprès d'adultes", "Accueillant familial auprès d'adultes"),
        ("TCP/IP", "TCP / IP"),
    ],
)
def test_fold_gender(text, expected):
    assert fold_gender(text) == expected


def test_keys_fold_plural_gender_accents():
    assert key("Gestion de projets") == key("gestion du projet")
    assert key("Administratrice de bases de données") == key("administrateur base de donnée")
    assert key("Réseaux") == key("reseau")
    assert normalize("  Sécurité  des SI ! ") == "securite des si"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Python (avancé)", ("Python", 3)),
        ("SQL - expert", ("SQL", 4)),
        ("Anglais:2", ("Anglais", 2)),
        ("Anglais courant", ("Anglais", 2)),
        ("Notions de Rust", ("Rust", 1)),
        ("Maîtrise d'ouvrage", ("Maîtrise d'ouvrage", None)),
        ("Gestion de projet", ("Gestion de projet", None)),
    ],
)
def test_split_level(text, expected):
    assert split_level(text) == expected


def test_ambiguous_alternative_labels_never_recognise_their_concept():
    """ESCO files « normes ISO » under ICT security standards; in a purchasing fiche it means
    quality or environmental standards: the label is kept as free text, never mapped."""
    from matching.config import Config
    from matching.skills import SkillNormalizer
    from matching.taxonomy import Taxonomy

    tax = Taxonomy.load()
    assert ("esco:3ff589b7-68df-4ea5-ae41-b395bdb2378f", "normes iso") in tax.ambiguous_labels
    assert "normes ISO" not in set(tax.skill_labels["label"])
    table = SkillNormalizer(tax, encoder=None, config=Config().normalization).normalize(
        ["normes ISO", "Normes ISO", "normes de sécurité des TIC"]
    )
    assert list(table["method"]) == ["unknown", "unknown", "exact"]
