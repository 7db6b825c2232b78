"""The on-disk cache of skill normalisation (issue 19): a string seen once is never normalised
again, and the cache never changes a result (no cache = cold = warm, down to the batch's
files); a damaged file is set aside with a French warning, never deleted; the settings that
change a result are part of the key."""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.config import Config, NormalizationConfig
from matching.skillcache import SkillCache, SkillCacheWarning
from matching.skills import SkillNormalizer
from matching.taxonomy import Taxonomy

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.default()


@pytest.fixture(scope="module")
def strings(tax):
    """Skill cells as people write them: sample skills, taxonomy labels with typos, case,
    level markers and qualifiers, acronyms, unknown text, empty cells."""
    import pandas as pd

    cells = [str(t) for t in pd.read_csv(SAMPLE / "profiles.csv", dtype=str)["skills"].fillna("")]
    sample = sorted({c.strip() for cell in cells for c in cell.split(";") if c.strip()})[:50]
    labels = list(tax.skill_labels.label[:4000:100])
    typos = [lab[:3] + lab[4] + lab[3] + lab[5:] for lab in labels if len(lab) > 8][:15]
    return sample + labels + typos + [
        "k8s", "RSSI", "PKI", "CI/CD", "Python (avancé)", "Notions de SQL", "Norme ISO 27001",
        "KUBERNETES", "kubernetess", "pilotage de projets SI", "zzz inconnu 42", "", "  ", "(avancé)",
    ]


def _as_tuples(matches):
    return [(m.text, m.concept_id, m.label, m.source_id, m.method, m.confidence, m.level) for m in matches]


def _refuse(*args, **kwargs):
    raise AssertionError("a string already in the cache was normalised again")


def test_no_cache_cold_and_warm_give_the_same_results(tax, strings, hashing_encoder, tmp_path, monkeypatch):
    """Every level (exact, acronym, fuzzy, unknown) through the cache: the same SkillMatch
    objects with no cache, a cold one and a warm one; the warm run resolves nothing (the
    levels are made to refuse) and does not even build the index."""
    cfg = NormalizationConfig()
    plain = _as_tuples(SkillNormalizer(tax, encoder=hashing_encoder, config=cfg).normalize_matches(strings))
    assert {"exact", "acronym", "fuzzy", "unknown"} <= {m[4] for m in plain}
    store = SkillCache(tmp_path / "skills.sqlite")
    cold = SkillNormalizer(tax, encoder=hashing_encoder, config=cfg, store=store)
    assert _as_tuples(cold.normalize_matches(strings)) == plain
    assert store.hits == 0 and store.misses == len(set(strings))
    monkeypatch.setattr(SkillNormalizer, "resolve_lexical", _refuse)
    monkeypatch.setattr(SkillNormalizer, "_build", _refuse)
    warm_store = SkillCache(tmp_path / "skills.sqlite")
    warm = SkillNormalizer(tax, encoder=hashing_encoder, config=cfg, store=warm_store)
    assert _as_tuples(warm.normalize_matches(list(reversed(strings)))) == list(reversed(plain))
    assert warm_store.hits == len(set(strings)) and warm_store.misses == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mix_of_seen_and_new_strings_gives_the_uncached_results(tax, strings, hashing_encoder, tmp_path_factory, data):
    """Whatever part of a batch is already in the cache (warmed by an earlier batch), the
    results are those of a normaliser without cache, in input order, duplicates included."""
    first = data.draw(st.lists(st.sampled_from(strings), max_size=15))
    batch = data.draw(st.lists(st.sampled_from(strings), min_size=1, max_size=15))
    path = tmp_path_factory.mktemp("mix") / "skills.sqlite"
    SkillNormalizer(tax, encoder=hashing_encoder, store=SkillCache(path)).normalize_matches(first)
    got = SkillNormalizer(tax, encoder=hashing_encoder, store=SkillCache(path)).normalize_matches(batch)
    assert _as_tuples(got) == _as_tuples(SkillNormalizer(tax, encoder=hashing_encoder).normalize_matches(batch))


def test_settings_and_model_are_part_of_the_key(tax, hashing_encoder, tmp_path):
    """A result cached under one fuzzy threshold is not served under another, nor one cached
    without the semantic level to a normaliser that has it."""
    path = tmp_path / "skills.sqlite"
    SkillNormalizer(tax, store=SkillCache(path)).normalize_matches(["kubernetess"])
    strict_cfg = NormalizationConfig(fuzzy_threshold=100.0)
    strict = SkillNormalizer(tax, config=strict_cfg, store=SkillCache(path)).normalize_one("kubernetess")
    assert strict.method == "unknown"
    assert strict == SkillNormalizer(tax, config=strict_cfg).normalize_one("kubernetess")
    with_model = SkillCache(path)
    SkillNormalizer(tax, encoder=hashing_encoder, store=with_model).normalize_matches(["kubernetess"])
    assert with_model.hits == 0 and with_model.misses == 1


def test_extraction_from_free_text_is_cached_too(tax, tmp_path, monkeypatch):
    """The skills found in summaries and descriptions: the same matches (offsets, labels,
    levels) from the cache, without reading the text again; the cache holds no text."""
    import pandas as pd

    texts = list(pd.read_csv(SAMPLE / "profiles.csv", dtype=str)["summary"].fillna("")[:15]) + [
        "Expérience en Kubernetes (avancé) et k8s, RSSI adjoint, l'outil Chef", ""]
    plain = [_as_tuples(x) + [(m.start, m.end) for m in x] for x in SkillNormalizer(tax).extract_many(texts)]
    assert sum(map(len, plain)) > 20
    path = tmp_path / "skills.sqlite"
    cold = [_as_tuples(x) + [(m.start, m.end) for m in x] for x in SkillNormalizer(tax, store=SkillCache(path)).extract_many(texts)]
    assert cold == plain
    monkeypatch.setattr(SkillNormalizer, "_extract", _refuse)
    warm = [_as_tuples(x) + [(m.start, m.end) for m in x] for x in SkillNormalizer(tax, store=SkillCache(path)).extract_many(texts)]
    assert warm == plain
    stored = " ".join(v for (v,) in sqlite3.connect(path).execute("SELECT value FROM results"))
    assert "Kubernetes (avancé)" not in stored and "RSSI adjoint" not in stored


@pytest.mark.parametrize("damage", ["not sqlite", "bad entry", "unknown concept"])
def test_a_damaged_cache_is_set_aside_and_changes_nothing(tax, tmp_path, damage):
    """A file that is not a database, or an entry that does not decode or names a concept the
    taxonomy lacks: the file is renamed (its bytes kept), a French warning says where, the
    strings are normalised again with the right results and a new file is written."""
    path = tmp_path / "skills.sqlite"
    texts = ["Kubernetes", "k8s", "kubernetess", "zzz inconnu"]
    expected = _as_tuples(SkillNormalizer(tax).normalize_matches(texts))
    if damage == "not sqlite":
        path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    else:
        SkillNormalizer(tax, store=SkillCache(path)).normalize_matches(texts)
        value = "[1, 2" if damage == "bad entry" else json.dumps(["esco:inexistant", "exact", 1.0, None, 0])
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE results SET value = ?", (value,))
    before = path.read_bytes()
    store = SkillCache(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = _as_tuples(SkillNormalizer(tax, store=store).normalize_matches(texts))
    assert got == expected
    notes = [str(w.message) for w in caught if issubclass(w.category, SkillCacheWarning)]
    assert len(notes) == 1 and store.notices == notes
    assert "mis de côté" in notes[0] and "compétences" in notes[0]
    aside = [p for p in tmp_path.iterdir() if ".mis-de-cote-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and str(aside[0]) in notes[0]
    if damage == "not sqlite":
        assert aside[0].read_bytes() == before
    again = SkillCache(path)
    assert _as_tuples(SkillNormalizer(tax, store=again).normalize_matches(texts)) == expected
    assert again.hits == len(texts)


def test_the_skill_cache_lives_beside_the_embedding_cache(tmp_path):
    """Same folder discipline as the embeddings ([model] cache_dir, else MATCHING_CACHE_DIR):
    <cache>/skills/skills.sqlite; no skill cache when the embeddings are not cached either."""
    from matching.config import ModelConfig
    from matching.embed import load_encoder
    from matching.normalize import skill_store

    cached = load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path)))
    assert skill_store(cached).path == tmp_path / "skills" / "skills.sqlite"
    assert skill_store(load_encoder(ModelConfig(name="hashing", cache_dir=str(tmp_path), use_cache=False))) is None
    assert skill_store(None) is None


def test_batch_files_are_byte_identical_with_no_cold_and_warm_cache(tax, hashing_encoder, tmp_path, monkeypatch):
    """A batch run three times (without the skill cache, then with a cold and a warm one,
    hashing encoder): every file identical byte for byte, the manifest too apart from its
    timings; the warm run normalises no skill and reads no free text again."""
    import matching.normalize as normalize_mod
    from matching.engine import Matcher
    from tests.test_pipeline import write_slice

    p = write_slice(SAMPLE / "profiles.csv", tmp_path / "profiles.csv", lambda i, r: i < 12)
    q = write_slice(SAMPLE / "positions.csv", tmp_path / "positions.csv", lambda i, r: i < 12)
    cfg = Config().replace(model={"name": "hashing"}, rules={"reference_date": "2026-01-15"})
    path = tmp_path / "cache" / "skills.sqlite"
    stores: list[SkillCache] = []

    def run(name, cached):
        store = SkillCache(path) if cached else None
        stores.append(store)
        monkeypatch.setattr(normalize_mod, "skill_store", lambda encoder: store)
        Matcher(cfg, taxonomy=tax, encoder=hashing_encoder).run(p, q, out=tmp_path / name, batch_id="LOT-TEST")
        folder = tmp_path / name
        return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}

    none = run("none", False)
    cold = run("cold", True)
    assert stores[1].misses > 0 and stores[1].hits == 0
    monkeypatch.setattr(SkillNormalizer, "resolve_lexical", _refuse)
    monkeypatch.setattr(SkillNormalizer, "_extract", _refuse)
    warm = run("warm", True)
    assert stores[2].hits == stores[1].misses and stores[2].misses == 0
    assert sorted(none) == sorted(cold) == sorted(warm) and "shortlists.csv" in none
    for name in none:
        if name != "manifest.json":
            assert none[name] == cold[name] == warm[name], name
    manifests = [json.loads(f["manifest.json"]) for f in (none, cold, warm)]
    for m in manifests:
        m.pop("timings_seconds")
    assert manifests[0] == manifests[1] == manifests[2]


def test_the_index_is_read_from_the_cache_by_a_new_process(tax, strings, tmp_path, monkeypatch):
    """A new process (the in-memory index forgotten) reads the index from the cache instead
    of building it again, and normalises and extracts exactly as a fresh build; an index
    entry that does not decode is set aside and the index built again."""
    import matching.skills as skills_mod

    texts = strings[:60]
    summary = "Expérience en Kubernetes (avancé) et k8s, RSSI adjoint, gestion de projets informatiques"
    plain = SkillNormalizer(tax)
    expected = (_as_tuples(plain.normalize_matches(texts)), plain.extract(summary))
    path = tmp_path / "skills.sqlite"
    # what a first process stores once it has built the index
    SkillCache(path).put(plain.cache_namespace("index"), "index", [("", plain._encode_index())])
    monkeypatch.setattr(skills_mod, "_INDEX_MEMO", {})
    with monkeypatch.context() as m:
        m.setattr(SkillNormalizer, "_build_index", _refuse)
        read = SkillNormalizer(tax, store=SkillCache(path))
        assert (_as_tuples(read.normalize_matches(texts)), read.extract(summary)) == expected
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE large SET value = ?", (json.dumps({"key_to_concept": []}),))
    monkeypatch.setattr(skills_mod, "_INDEX_MEMO", {})
    with pytest.warns(SkillCacheWarning, match="index"):
        again = SkillNormalizer(tax, store=SkillCache(path))
        assert (_as_tuples(again.normalize_matches(texts)), again.extract(summary)) == expected


def test_a_cache_folder_that_cannot_be_written_does_not_stop_normalisation(tax, tmp_path):
    """The cache's place is taken by a file (no folder can be made there): one French warning,
    the strings normalised without the cache, with the same results, nothing renamed."""
    blocker = tmp_path / "cache"
    blocker.write_text("un fichier à la place du dossier")
    texts = ["Kubernetes", "k8s", "kubernetess"]
    store = SkillCache(blocker / "skills" / "skills.sqlite")
    with pytest.warns(SkillCacheWarning, match="inaccessible") as caught:
        got = SkillNormalizer(tax, store=store).normalize_matches(texts)
        SkillNormalizer(tax, store=store).extract_many(["Kubernetes et k8s"])
    assert _as_tuples(got) == _as_tuples(SkillNormalizer(tax).normalize_matches(texts))
    assert len([w for w in caught if issubclass(w.category, SkillCacheWarning)]) == 1
    assert blocker.read_text() == "un fichier à la place du dossier" and sorted(tmp_path.iterdir()) == [blocker]
