"""Build ``data/embeddings/labels-<fingerprint>.npz``: the default model's embeddings of every
taxonomy label that the skill and title normalisers embed.

Without it, the first batch on a new machine embeds some 30,000 ROME and ESCO labels before
its own texts (minutes on a laptop CPU). With it, the embedding cache is seeded from this
file (see ``matching.embed.CachedEncoder``) and only the batch's own texts are embedded.

The texts are not listed by hand: the normalisers are built with a recording encoder, so
whatever they embed (now or after a change) is what the file holds. Rebuild after any change
to the taxonomy, the normalisers' label sets or the default model:

    MATCHING_CACHE_DIR=.cache .venv/bin/python data/scripts/build_label_embeddings.py

(about 27,500 short texts, 13 a second measured on a loaded 2-core machine: some 35 minutes; each pass runs
on one thread; ``--model NAME`` builds the file of another model, e.g. the ``:int8``
variant, whose vectors differ from its float32 model's: the file name is its fingerprint.)

Vectors are stored as float16 with their cache keys (sha256 of model fingerprint, role,
prompt and text), so the file holds no text and is only used by the model it was made with.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


class Recorder:
    """Passes calls to a cached encoder and records every (role, text) it is asked for."""

    def __init__(self, inner):
        self.inner = inner
        self.seen: dict[str, dict[str, None]] = {"query": {}, "passage": {}}

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts, *, role):
        self.seen[role].update(dict.fromkeys(texts))
        return self.inner.encode(texts, role=role)


def main(argv=None) -> int:
    from matching.config import Config
    from matching.embed import SEED_DIR, load_encoder
    from matching.skills import SkillNormalizer
    from matching.taxonomy import Taxonomy
    from matching.titles import TitleNormalizer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=SEED_DIR)
    ap.add_argument("--model", default=None, help="[model] name (default: the engine's default model)")
    ap.add_argument("--keep-others", action="store_true",
                    help="keep the files of other models (default: remove them)")
    args = ap.parse_args(argv)

    config = Config() if args.model is None else Config().replace(model={"name": args.model})
    enc = load_encoder(config.model, cache=True)
    rec = Recorder(enc)
    tax = Taxonomy.default()
    probe = ["xqzw ingénierie des données hydrauliques", "Chargée de mission transformation numérique"]
    SkillNormalizer(tax, encoder=rec, config=config.normalization).normalize(probe)
    for crosswalk in (True, False):
        TitleNormalizer(tax, encoder=rec, use_crosswalk=crosswalk).normalize(probe, top=3)
    keys, vecs = [], []
    for role, texts in rec.seen.items():
        texts = [t for t in texts if t not in probe]
        if not texts:
            continue
        keys += enc.key_for(texts, role=role)
        vecs.append(enc.encode(texts, role=role))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"labels-{enc.fingerprint[:16]}.npz"
    for old in args.out.glob("labels-*.npz"):
        if old != path and not args.keep_others:
            old.unlink()
    np.savez_compressed(
        path,
        keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 32),
        vecs=np.vstack(vecs).astype(np.float16),
    )
    print(f"{len(keys)} label embeddings -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
