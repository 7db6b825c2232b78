"""Skill normalisation (skill strings -> taxonomy concepts) and skill extraction from text.

Pipeline of :meth:`SkillNormalizer.normalize`, in named, ordered levels (each string stops at
the first level that accepts it):

1. text normalisation: level marker split off ("Python (avancé)" -> "Python", level 3), case,
   accents, punctuation, light plural/gender stemming (:func:`matching.textnorm.key`);
2. ``exact``: the key equals the key of a taxonomy label (preferred or alternative);
3. ``acronym``: the string is, or contains, a term of the maintained dictionary
   (``acronyms.csv``: RSSI, k8s, CI/CD, ...); the expansion (or the term's concept hint)
   is looked up exactly;
4. ``fuzzy``: ``rapidfuzz.process.cdist`` of the (expanded) key against every label key,
   guarded against short labels that match everything (length ratio, whole-string
   scorers only, one-word labels only matched by one-word inputs);
5. ``semantic``: nearest label by cosine with the encoder (label embeddings cached per
   process and on disk by the encoder), over the digital-and-transversal label scope;
6. ``unknown``: kept as free text (label = the input without its level marker).

Each distinct input string is normalised once per normaliser: the text, exact and acronym
levels run on every distinct string, the fuzzy and semantic levels, batched, on what they
leave. With a :class:`matching.skillcache.SkillCache` (``store``) the results are also kept
on disk, keyed by :meth:`SkillNormalizer.cache_namespace` (taxonomy hash, settings, model),
so that a re-run normalises nothing it has seen; with ``remote`` (the Dask backend) the
strings missing from it go through levels 1-4 on the workers (:func:`resolve_chunk`), the
semantic level and the cache staying in this process. :meth:`SkillNormalizer.extract` finds
skills in free text with a dictionary of normalised n-grams (labels, their acronym forms, the
dictionary's terms): linear in the text's length; :meth:`SkillNormalizer.extract_many`
reads and writes the same cache.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Sequence

from matching.textnorm import STOPWORDS, key, normalize, split_level, stem_token

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from matching.config import NormalizationConfig
    from matching.skillcache import SkillCache
    from matching.taxonomy import Taxonomy

__all__ = ["SkillMatch", "SkillNormalizer", "METHODS", "AcronymDictionary", "resolve_chunk", "code_digest"]

_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """sha256 of the source of the modules whose code decides a normalisation (this one and
    :mod:`matching.textnorm`) and of the fuzzy matcher's version: part of the on-disk cache's
    namespace, so that a result or an index computed by other code is never reused."""
    if not _CODE_DIGEST:
        import hashlib
        from pathlib import Path

        import rapidfuzz

        from matching import textnorm

        h = hashlib.sha256(f"rapidfuzz {rapidfuzz.__version__}".encode())
        for source in (Path(__file__), Path(textnorm.__file__)):
            h.update(source.read_bytes())
        _CODE_DIGEST.append(h.hexdigest())
    return _CODE_DIGEST[0]

#: The mapping methods, in pipeline order.
METHODS: tuple[str, ...] = ("exact", "acronym", "fuzzy", "semantic", "unknown")

#: Output columns of :meth:`SkillNormalizer.normalize`.
COLUMNS: tuple[str, ...] = ("input", "label", "source_id", "method", "confidence", "concept_id", "level")

_KIND_PRIORITY = {"esco_knowledge": 0, "savoir": 1, "esco_skill": 2, "savoir_faire": 3, "savoir_etre": 4}
_PAREN = re.compile(r"\s*\(([^()]*)\)\s*")
_ACRONYM_LIKE = re.compile(r"^[A-Z0-9][A-Za-z0-9/+&.-]{1,12}$")
_TOKEN = re.compile(r"[\w+#]+(?:[/.][\w+#]+)*", re.UNICODE)
_LEVEL_AFTER = re.compile(r"^\s*(?:[\(\[]\s*([^()\[\]]{1,30}?)\s*[\)\]]|[-–:]\s*([A-Za-zÀ-ÿ]+(?:\s+[A-Za-zÀ-ÿ]+)?))")

# Canonical forms used by the fuzzy level only (both sides): nominalisations and synonyms.
_CANON_PHRASES = (
    ("systeme information", "informatique"),
    ("technologie information communication", "informatique"),
)
_CANON_TOKENS = {
    "pilotage": "gestion", "piloter": "gestion", "conduite": "gestion", "conduire": "gestion",
    "management": "gestion", "manager": "gestion", "gerer": "gestion", "si": "informatique",
    "it": "informatique", "tic": "informatique", "developper": "developpement",
    "concevoir": "conception", "administrer": "administration", "analyser": "analyse",
    "securiser": "securite", "cybersecurite": "securite informatique",
}


def _canon(k: str) -> str:
    for a, b in _CANON_PHRASES:
        if a in k:
            k = re.sub(rf"\b{a}\b", b, k)
    return " ".join(_CANON_TOKENS.get(t, t) for t in k.split())


# Semantic scope: ESCO collections and ROME items flagged digital.
_TRAILING_PAREN = re.compile(r"^\s*(.+?)\s*\(\s*([^()]{2,15}?)\s*\)\s*$")

_SEMANTIC_COLLECTIONS = ("digital", "transversal", "digcomp", "research", "numerique")
_WORD = re.compile(r"[^\W_]+|[+#]+", re.UNICODE)
_ELISION = frozenset("d l j n s m t c qu".split())
#: words announcing a tool or language in running text ("l'outil Chef", "langage R")
_TOOL_CUES = frozenset(
    "outil logiciel langage framework plateforme solution librairie bibliotheque technologie "
    "stack environnement tool".split()
)

#: Semantic level guards (on top of ``semantic_threshold``): the best concept must beat the
#: best *other* concept by this cosine margin (a near tie means the model cannot tell), and
#: share a word with the query (same stem or a typo of it) unless the cosine is very high.
SEMANTIC_MARGIN = 0.02
SEMANTIC_NO_OVERLAP_MIN = 0.95


@dataclass(frozen=True)
class SkillMatch:
    """One skill found or normalised.

    ``concept_id`` is ``rome:<code_ogr>`` / ``esco:<uuid>``, ``acr:<TERM>`` for a dictionary
    term with no taxonomy concept, or ``""`` when unknown. ``level`` is 1–4 or None.
    ``start``/``end`` are character offsets in the source text (extraction only).
    """

    text: str
    concept_id: str
    label: str
    source_id: str
    method: str
    confidence: float
    level: int | None = None
    start: int = -1
    end: int = -1

    @property
    def known(self) -> bool:
        return self.method != "unknown"


def _prefixes(keys: Iterable[str]) -> frozenset[str]:
    """Every leading word sequence of the keys ("a b c" -> "a", "a b", "a b c")."""
    out: set[str] = set()
    for k in keys:
        words = k.split()
        for n in range(1, len(words) + 1):
            out.add(" ".join(words[:n]))
    return frozenset(out)


# --- acronyms -------------------------------------------------------------------------------
class AcronymDictionary:
    """The maintained dictionary of acronyms and jargon (``acronyms.csv``).

    Short upper-case terms (≤ 3 characters: SI, IA, PO, CD) match only with their exact
    case inside longer strings or free text (French "si" is a word); other terms match
    case- and accent-insensitively.
    """

    def __init__(self, frame: "pd.DataFrame"):
        self.entries: dict[str, tuple[str, str, str, str, str]] = {}
        self.case_sensitive: dict[str, str] = {}
        self.insensitive: dict[str, str] = {}
        self.max_tokens = 1
        codes = frame["rome_code"] if "rome_code" in frame.columns else [""] * len(frame)
        for term, exp, hint, code, scope in zip(frame.term, frame.expansion, frame.concept_hint, codes, frame.scope):
            term, exp = str(term).strip(), str(exp).strip()
            if not term or not exp:
                continue
            self.entries[term] = (term, exp, str(hint).strip(), str(scope).strip(), str(code).strip())
            norm = normalize(term)
            if len(term) <= 3 and any(c.isupper() for c in term):
                self.case_sensitive[term] = term
            else:
                self.insensitive.setdefault(norm, term)
            self.max_tokens = max(self.max_tokens, len(norm.split()))
        # first normalised word of every case-insensitive term: a token whose first word is
        # not among them cannot start a term (lets expand() skip most tokens)
        self._first_words = frozenset(k.split()[0] for k in self.insensitive if k)
        self._case_tokens = frozenset(self.case_sensitive)
        self._folded = {normalize(t): t for t in sorted(self.case_sensitive)}
        #: every leading word sequence of the case-insensitive terms ("ci", "ci cd")
        self.prefixes = _prefixes(self.insensitive)
        self._expand_cache: dict[tuple[str, bool], tuple[str, list[str]]] = {}

    def __getstate__(self) -> dict:
        # the memo of expansions stays in its process (shipped to a cluster's workers: empty)
        return {**self.__dict__, "_expand_cache": {}}

    def lookup_whole(self, text: str) -> str | None:
        """The term when the whole string is a dictionary term (any case)."""
        stripped = text.strip()
        if stripped in self.case_sensitive:
            return stripped
        norm = normalize(stripped)
        if norm in self.insensitive:
            return self.insensitive[norm]
        for term in self.case_sensitive:
            if normalize(term) == norm:
                return term
        return None

    def expand(self, text: str, *, fold_case: bool = False) -> tuple[str, list[str]]:
        """Replace every dictionary term inside ``text`` by its expansion (cached per string).

        ``fold_case``: also match the short upper-case terms (SI, IA, BI) in any case, for
        skill cells (free text keeps them case-sensitive: French "si" is a word)."""
        ck = (text, fold_case)
        hit = self._expand_cache.get(ck)
        if hit is None:
            hit = self._expand(text, fold_case)
            if len(self._expand_cache) >= 500_000:
                self._expand_cache.clear()
            self._expand_cache[ck] = hit
        return hit[0], list(hit[1])

    def _case_term(self, token: str, fold_case: bool) -> str | None:
        if token in self.case_sensitive:
            return token
        if fold_case:
            return self._folded.get(normalize(token))
        return None

    def _expand(self, text: str, fold_case: bool = False) -> tuple[str, list[str]]:
        # fast path: no word that can start a term, no case-sensitive term
        words = normalize(text).split()
        if self._first_words.isdisjoint(words) and self._case_tokens.isdisjoint(_TOKEN.findall(text)) and (
            not fold_case or self._folded.keys().isdisjoint(words)
        ):
            return text, []
        toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        first_words = self._first_words
        out: list[str] = []
        found: list[str] = []
        last = 0
        i = 0
        while i < len(toks):
            hit = None
            first = normalize(toks[i][0]).split()
            case_term = self._case_term(toks[i][0], fold_case)
            if first and first[0] not in first_words and case_term is None:
                i += 1
                continue
            for n in range(min(self.max_tokens, len(toks) - i), 0, -1):
                span = text[toks[i][1] : toks[i + n - 1][2]]
                if n == 1 and case_term is not None:
                    hit = (case_term, n)
                    break
                norm = normalize(span)
                if norm in self.insensitive:
                    hit = (self.insensitive[norm], n)
                    break
            if hit is None:
                i += 1
                continue
            term, n = hit
            out.append(text[last : toks[i][1]])
            out.append(self.entries[term][1])
            last = toks[i + n - 1][2]
            found.append(term)
            i += n
        out.append(text[last:])
        return "".join(out), found

    def expansion(self, term: str) -> str:
        return self.entries[term][1]

    def hint(self, term: str) -> str:
        return self.entries[term][2]

    def scope(self, term: str) -> str:
        return self.entries[term][3]

    def rome_code(self, term: str) -> str:
        """ROME code the term designates as a job title ("" if none)."""
        return self.entries[term][4]


def _token_match(a: str, b: str) -> bool:
    """Two words agree: same stem, or a typo of a long word (rapidfuzz ratio >= 92)."""
    if a == b:
        return True
    if min(len(a), len(b)) <= 4:
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= _TOKEN_RATIO


_TOKEN_RATIO = 92.0


def _tokens_agree(q: str, c: str) -> bool:
    """Fuzzy guard: the two keys have the same number of content words, the same head (first)
    word, and each word of the query agrees with a distinct word of the choice. A fuzzy score
    of 88 can hide a different word ("cartes électroniques" / "achats électroniques"); this
    cannot."""
    qt, ct = q.split(), c.split()
    if len(qt) != len(ct) or not qt:
        return False
    # French puts the head word first: "dessin technique" is not "techniques de dessin"
    if not _token_match(qt[0], ct[0]):
        return False
    left = list(ct)
    for t in qt:
        for i, u in enumerate(left):
            if _token_match(t, u):
                del left[i]
                break
        else:
            return False
    return True


def _shares_word(q: str, c: str) -> bool:
    """Semantic guard: the keys share a content word of 3+ characters (or a typo of one)."""
    ct = [u for u in c.split() if len(u) >= 3]
    return any(_token_match(t, u) for t in q.split() if len(t) >= 3 for u in ct)


# --- the normaliser ---------------------------------------------------------------------------
_SEMANTIC_MEMO: dict[tuple[str, int, int], Any] = {}
_INDEX_MEMO: dict[tuple, tuple] = {}


#: leading words that qualify a skill without changing it ("Norme ISO 27001", "Langage
#: Python", "Réglementation des marchés publics"): stripped from queries and labels alike
_QUALIFIERS = frozenset(
    "norme normes standard standards reglementation reglementations methode methodes methodologie "
    "langage langages outil outils logiciel logiciels technique techniques technologie technologies "
    "connaissance connaissances maitrise notion notions principe principes pratique".split()
)


def strip_qualifier(text: str) -> str:
    """``text`` without one leading qualifier word and the function words after it
    ("Norme ISO 27001" -> "ISO 27001", "Maîtrise des marchés publics" -> "marchés publics");
    ``""`` when there is none or nothing would be left."""
    words = text.split()
    if len(words) < 2 or normalize(words[0]) not in _QUALIFIERS:
        return ""
    rest = words[1:]
    while rest and (normalize(rest[0]) in STOPWORDS or normalize(rest[0]).split()[:1] in (["d"], ["l"])):
        head = normalize(rest[0]).split()
        if len(head) > 1 and head[0] in ("d", "l"):  # "d'armement": keep the word after the elision
            rest[0] = rest[0].split("'", 1)[-1].split("’", 1)[-1]
            break
        rest = rest[1:]
    out = " ".join(rest).strip()
    return out if normalize(out) else ""


def _initials_ok(acronym: str, expansion: str) -> bool:
    """The acronym abbreviates the whole expansion: its letters are, in order, initials of
    the expansion's content words, the first within the first two words and the last on the
    last word ("Réglementation des Installations Classées pour la Protection de
    l'Environnement (ICPE)" yes; "Conception assistée par ordinateur (CAO) pour circuits" or a
    task label that merely mentions a PLU, no)."""
    letters = [c for c in normalize(acronym) if c.isalpha()]
    words = [w for w in normalize(expansion).split() if w not in STOPWORDS and len(w) > 1]
    if not letters or not words or len(words) > len(letters) + 2:
        return False
    if words[-1][0] != letters[-1] or letters[0] not in (words[0][0], words[1][0] if len(words) > 1 else ""):
        return False
    i = 0
    for w in words:
        if i < len(letters) and w[0] == letters[i]:
            i += 1
    return i == len(letters)


def _label_variants(label: str) -> list[tuple[str, float]]:
    """Alternative surface forms of a label: without its parenthesis, the acronym in it (when
    it abbreviates the label), without a leading qualifier word."""
    out = [(label, 1.0)]
    if "(" in label:
        inner = _PAREN.findall(label)
        bare = _PAREN.sub(" ", label).strip(" -")
        if bare and len(bare) >= 2:
            out.append((bare, 0.98))
        for part in inner:
            part = part.strip()
            if _ACRONYM_LIKE.match(part) and any(c.isupper() for c in part) and _initials_ok(part, bare):
                out.append((part, 0.96))
    if " - " in label:
        for part in label.split(" - "):
            part = part.strip()
            if len(normalize(part).split()) >= 2:
                out.append((part, 0.97))
    for form, w in list(out):
        rest = strip_qualifier(form)
        if rest and (len(key(rest).split()) >= 2 or _ACRONYM_LIKE.match(rest)):
            out.append((rest, w * 0.95))
    return out


class SkillNormalizer:
    """Maps skill strings to taxonomy concepts, and finds skills in free text.

    Parameters
    ----------
    taxonomy:
        A loaded :class:`matching.taxonomy.Taxonomy`.
    encoder:
        An object following the engine's Encoder protocol (``encode(texts, role=...)``),
        or None to skip the semantic level.
    config:
        A :class:`matching.config.NormalizationConfig` (thresholds); default values if None.
    exclude:
        (concept_id, label) pairs left out of the dictionary (held-out evaluation).
    semantic_scope:
        ``"digital"`` (default: ESCO digital/transversal/research skills and ROME items
        flagged digital, ~10k labels) or ``"all"`` (every label: slow first embedding).
    store:
        A :class:`matching.skillcache.SkillCache`: results of strings (and of free texts, for
        :meth:`extract_many`) read from it and written to it; None: this object's memory only.
        Never used with an encoder that has no ``fingerprint`` (its identity is unknown).

    ``remote``: None, or ``remote(state, texts) -> parts``, where the strings missing from
    the caches go through levels 1-4 (``state``: :meth:`lexical_copy`; each part as
    :func:`resolve_chunk` returns it); set by
    :func:`matching.normalize.normalize_entities` on the Dask backend.
    """

    def __init__(
        self,
        taxonomy: "Taxonomy",
        *,
        encoder: Any = None,
        config: "NormalizationConfig | None" = None,
        exclude: Collection[tuple[str, str]] | None = None,
        semantic_scope: str = "digital",
        store: "SkillCache | None" = None,
    ):
        from matching.config import NormalizationConfig

        if semantic_scope not in ("digital", "all"):
            raise ValueError(f"the 'semantic_scope' parameter must be 'digital' or 'all', got {semantic_scope!r}")
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.config = config if config is not None else NormalizationConfig()
        self.semantic_scope = semantic_scope
        self._exclude = frozenset(exclude or ())
        self.acronyms = AcronymDictionary(taxonomy.acronyms)
        self.store = store
        self.remote: Callable[["SkillNormalizer", list[str]], list] | None = None
        self._cache: dict[str, SkillMatch] = {}
        self._extracted: dict[str, tuple[SkillMatch, ...]] = {}
        self._built = False

    #: what levels 1-4 need (see :meth:`lexical_copy`)
    _LEXICAL_ATTRS = ("config", "acronyms", "semantic_scope", "_exclude", "_key_to_concept", "_strict", "_fuzzy_keys",
                      "_fuzzy_cids", "_fuzzy_ntok")

    def lexical_copy(self) -> "SkillNormalizer":
        """What a cluster's worker receives (once): a normaliser holding the built index of
        levels 1-4 only, without the taxonomy, the encoder, the caches nor the extraction
        dictionary (a few MB pickled). It runs :meth:`resolve_lexical` and nothing else."""
        self._build()
        twin = object.__new__(type(self))
        twin.__dict__.update({name: getattr(self, name) for name in self._LEXICAL_ATTRS})
        twin.__dict__.update(taxonomy=None, encoder=None, store=None, remote=None, _cache={}, _extracted={}, _built=True)
        return twin

    def cache_namespace(self, kind: str = "skill") -> str | None:
        """Everything a cache entry of ``kind`` depends on besides its string: the code
        (:func:`code_digest`), the taxonomy's hash, the labels left out; for ``"index"`` the
        semantic scope; for ``"skill"`` also the thresholds and the model's fingerprint when the
        semantic level runs (None: an encoder without fingerprint, no cache)."""
        parts: dict[str, Any] = {
            "code": code_digest(),
            "taxonomy": str(getattr(self.taxonomy, "sha256", "")),
            "exclude": sorted(self._exclude),
        }
        if kind == "index":
            parts["scope"] = self.semantic_scope
        if kind == "skill":
            fingerprint = ""
            if self.encoder is not None:
                fingerprint = str(getattr(self.encoder, "fingerprint", "") or "")
                if not fingerprint:
                    return None
            parts.update(
                scope=self.semantic_scope,
                fuzzy_threshold=float(self.config.fuzzy_threshold),
                semantic_threshold=float(self.config.semantic_threshold),
                min_confidence=float(self.config.min_confidence),
                semantic_margin=SEMANTIC_MARGIN,
                semantic_no_overlap_min=SEMANTIC_NO_OVERLAP_MIN,
                token_ratio=_TOKEN_RATIO,
                model=fingerprint,
            )
        return json.dumps(parts, sort_keys=True, ensure_ascii=False)

    # --- index ----------------------------------------------------------------------------
    _INDEX_ATTRS = (
        "_key_to_concept", "_fuzzy_keys", "_fuzzy_cids", "_fuzzy_ntok", "_sem_labels",
        "_sem_cids", "_ngrams", "_max_ngram", "_ngram_prefixes", "_strict", "_ambiguous", "_surface",
    )

    def _build(self) -> None:
        if self._built:
            return
        memo_key = (id(self.taxonomy), self.taxonomy.sha256, self._exclude, self.semantic_scope)
        memo = _INDEX_MEMO.get(memo_key)
        if memo is not None and memo[0] is self.taxonomy:
            for name, value in zip(self._INDEX_ATTRS, memo[1]):
                setattr(self, name, value)
            self._built = True
            return
        namespace = self.cache_namespace("index") if self.store is not None else None
        # the index itself, from the cache when this code built it for this taxonomy (it
        # takes seconds to build, a tenth of that to read)
        found = self.store.get(namespace, "index", [""], self._decode_index, count=False) if namespace is not None else {}
        if not found:
            self._build_index()
            if namespace is not None:
                self.store.put(namespace, "index", [("", self._encode_index())])
        if len(_INDEX_MEMO) >= 4:
            _INDEX_MEMO.pop(next(iter(_INDEX_MEMO)))
        _INDEX_MEMO[memo_key] = (self.taxonomy, tuple(getattr(self, n) for n in self._INDEX_ATTRS))
        self._built = True

    def _encode_index(self) -> dict:
        """The index as the cache stores it (JSON; the n-gram prefixes are derived again)."""
        return {
            "key_to_concept": self._key_to_concept, "strict": self._strict, "fuzzy_keys": self._fuzzy_keys,
            "fuzzy_cids": self._fuzzy_cids, "fuzzy_ntok": self._fuzzy_ntok, "sem_labels": self._sem_labels,
            "sem_cids": self._sem_cids, "ngrams": self._ngrams, "max_ngram": self._max_ngram,
            "ambiguous": sorted(self._ambiguous), "surface": self._surface,
        }

    def _decode_index(self, _text: str, value: Any) -> bool:
        """Set the index from a cache entry (checked: types and sizes agree) and return True;
        :class:`matching.skillcache.CorruptEntry` when it cannot be trusted."""
        from matching.skillcache import CorruptEntry

        try:
            pairs = {"key_to_concept": value["key_to_concept"], "ngrams": value["ngrams"]}
            lists = {n: value[n] for n in ("fuzzy_keys", "fuzzy_cids", "fuzzy_ntok", "sem_labels", "sem_cids", "ambiguous")}
            maps = {n: value[n] for n in ("strict", "surface")}
            max_ngram = value["max_ngram"]
        except (TypeError, KeyError):
            raise CorruptEntry("index de forme inattendue") from None
        ok = (
            all(isinstance(d, dict) and all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
                                            and isinstance(v[1], (int, float)) for v in d.values()) for d in pairs.values())
            and all(isinstance(x, list) for x in lists.values())
            and all(isinstance(d, dict) and all(isinstance(v, str) for v in d.values()) for d in maps.values())
            and len(lists["fuzzy_keys"]) == len(lists["fuzzy_cids"]) == len(lists["fuzzy_ntok"])
            and len(lists["sem_labels"]) == len(lists["sem_cids"])
            and all(isinstance(x, str) for n in ("fuzzy_keys", "fuzzy_cids", "sem_labels", "sem_cids", "ambiguous") for x in lists[n])
            and all(isinstance(x, int) for x in lists["fuzzy_ntok"]) and isinstance(max_ngram, int)
        )
        if not ok:
            raise CorruptEntry("index de forme inattendue")
        self._key_to_concept = {k: (v[0], v[1]) for k, v in pairs["key_to_concept"].items()}
        self._ngrams = {k: (v[0], v[1]) for k, v in pairs["ngrams"].items()}
        self._strict, self._surface = maps["strict"], maps["surface"]
        self._fuzzy_keys, self._fuzzy_cids, self._fuzzy_ntok = lists["fuzzy_keys"], lists["fuzzy_cids"], lists["fuzzy_ntok"]
        self._sem_labels, self._sem_cids = lists["sem_labels"], lists["sem_cids"]
        self._ambiguous = frozenset(lists["ambiguous"])
        self._max_ngram = max_ngram
        self._ngram_prefixes = _prefixes(self._ngrams)
        return True

    def _build_index(self) -> None:
        tax = self.taxonomy
        kinds = dict(zip(tax.skills.concept_id, tax.skills.kind))
        colls = dict(zip(tax.skills.concept_id, tax.skills.collections))
        labels = tax.skill_labels
        # key -> (rank tuple, concept_id, weight, strict surface or "")
        best: dict[str, tuple[tuple, str, float, str]] = {}
        fuzzy_keys: dict[str, str] = {}
        sem_labels: dict[str, str] = {}
        for cid, label, preferred in zip(labels.concept_id, labels.label, labels.preferred):
            if (cid, label) in self._exclude:
                continue
            kind_rank = _KIND_PRIORITY.get(kinds.get(cid, ""), 9)
            for variant, weight in _label_variants(label):
                forms = [(variant, weight)]
                # expand the dictionary's acronyms inside a label, but never give a label's own
                # parenthesised acronym the dictionary's meaning ("API" of "Automate
                # Programmable Industriel (API)" is not "interface de programmation")
                is_own_acronym = variant != label and variant in label and _ACRONYM_LIKE.match(variant)
                expanded, found = self.acronyms.expand(variant) if not is_own_acronym else (variant, [])
                if found:
                    forms.append((expanded, weight * 0.99))
                for form, w in forms:
                    k = key(form)
                    if not k:
                        continue
                    # a one-word proper noun (an ESCO tool or language: "Canvas", "Chef") is
                    # matched with its exact spelling, never through plural stemming ("Canva")
                    strict = ""
                    if " " not in k and cid.startswith("esco:") and form[:1].isupper() and normalize(form) != k:
                        strict = normalize(form)
                    rank = (0 if preferred else 1, -w, kind_rank, cid)
                    old = best.get(k)
                    if old is None or rank < old[0]:
                        best[k] = (rank, cid, w * (1.0 if preferred else 0.97), strict)
            k0 = key(label)
            if k0:
                fuzzy_keys.setdefault(_canon(k0), cid)
                expanded, found = self.acronyms.expand(label)
                if found:
                    fuzzy_keys.setdefault(_canon(key(expanded)), cid)
            if self.semantic_scope == "all" or any(c in _SEMANTIC_COLLECTIONS for c in colls.get(cid, "").split("|")):
                sem_labels.setdefault(label, cid)
        self._key_to_concept = {k: (cid, w) for k, (_, cid, w, _) in best.items()}
        self._strict = {k: st for k, (_, _, _, st) in best.items() if st}
        # the dictionary's concept hints win over alternative labels ("scrum" -> Méthodologie Scrum)
        for term in self.acronyms.entries:
            hint = self.acronyms.hint(term)
            hit = self._key_to_concept.get(key(hint)) if hint else None
            k = key(term)
            if hit and k and (k not in self._key_to_concept or self._key_to_concept[k][1] < 1.0):
                self._key_to_concept[k] = (hit[0], 0.95)
        # fuzzy choices: label keys (one per key)
        self._fuzzy_keys = list(fuzzy_keys)
        self._fuzzy_cids = [fuzzy_keys[k] for k in self._fuzzy_keys]
        self._fuzzy_ntok = [len(k.split()) for k in self._fuzzy_keys]
        self._sem_labels = list(sem_labels)
        self._sem_cids = [sem_labels[x] for x in self._sem_labels]
        # extraction n-grams: every key of <= 6 tokens; one-token keys only from digital scope
        self._ngrams: dict[str, tuple[str, float]] = {}
        self._max_ngram = 1
        for k, (cid, w) in self._key_to_concept.items():
            n = len(k.split())
            if n > 6:
                continue
            if n == 1:
                coll = colls.get(cid, "")
                if len(k) < 3 or not any(c in ("digital", "numerique") for c in coll.split("|")):
                    continue
            self._ngrams[k] = (cid, w)
            self._max_ngram = max(self._max_ngram, n)
        self._ngram_prefixes = _prefixes(self._ngrams)
        # one-word keys that are also ordinary words of job titles and non-digital skills
        # ("chef" in "chef de projet"): in running text, only taken with a context cue
        counts: dict[str, int] = {}
        for label in list(tax.appellations.label) + [
            lab for cid, lab in zip(labels.concept_id, labels.label)
            if not any(c in ("digital", "numerique") for c in colls.get(cid, "").split("|"))
        ]:
            for t in set(key(label).split()):
                counts[t] = counts.get(t, 0) + 1
        self._ambiguous = frozenset(k for k in self._ngrams if " " not in k and counts.get(k, 0) >= 3)
        # canonical spelling of each word (lower case, accented as the taxonomy writes it):
        # the semantic query is spelled with it, so case and accents never change the result
        spell: dict[str, dict[str, int]] = {}
        for label in labels.label:
            for w in _WORD.findall(label.lower()):
                n = normalize(w)
                if n and " " not in n:
                    d = spell.setdefault(n, {})
                    d[w] = d.get(w, 0) + 1
        self._surface = {n: max(d.items(), key=lambda kv: (kv[1], kv[0]))[0] for n, d in spell.items()}

    # --- single-string levels ---------------------------------------------------------------
    def _result(self, text, cid, method, conf, level) -> SkillMatch:
        return SkillMatch(
            text=text,
            concept_id=cid,
            label=self.taxonomy.skill_label(cid),
            source_id=self.taxonomy.skill_source_id(cid),
            method=method,
            confidence=round(float(conf), 4),
            level=level,
        )

    def _exact(self, text: str) -> tuple[str, float] | None:
        k = key(text)
        if not k:
            return None
        strict = self._strict.get(k)
        if strict and normalize(text) != strict:
            return None
        return self._key_to_concept.get(k)

    def _hint_concept(self, hint: str) -> str | None:
        if not hint:
            return None
        hit = self._key_to_concept.get(key(hint))
        return hit[0] if hit else None

    def _acronym(self, text: str) -> tuple[str, float, str] | None:
        """(concept_id, confidence, expanded text) or (\"\", 0, expanded) when only expanded."""
        term = self.acronyms.lookup_whole(text)
        if term is not None:
            cid = self._hint_concept(self.acronyms.hint(term))
            if cid:
                return cid, 0.95, self.acronyms.expansion(term)
            expanded = self.acronyms.expansion(term)
        else:
            # a skill cell is a short noun phrase: "gestion des si" is "gestion des SI"
            expanded, found = self.acronyms.expand(text, fold_case=True)
            if not found:
                return None
        hit = self._exact(expanded)
        if hit:
            return hit[0], 0.93 * hit[1], expanded
        return "", 0.0, expanded

    # --- results and their cache entries ------------------------------------------------------
    # An outcome is what the levels decide for a string: (concept_id, method, confidence,
    # level, how an unknown string's label is written: 0 known, 1 the text without a trailing
    # level marker, 2 without any level marker). It is what the cache stores (the string
    # itself is not) and what a cluster's worker returns; :meth:`_match` makes it a SkillMatch.
    def _match(self, raw: str, outcome: Sequence) -> SkillMatch:
        cid, method, conf, level, unknown = outcome
        if unknown:
            label = split_level(raw, prefix=False)[0].strip() if unknown == 1 else split_level(raw)[0].strip()
            return SkillMatch(raw, "", label, "", "unknown", 0.0, level)
        if cid.startswith("acr:"):
            term = cid[4:]
            return SkillMatch(raw, cid, self.acronyms.expansion(term), f"acronyms:{term}", method, conf, level)
        return self._result(raw, cid, method, conf, level)

    def _check_outcome(self, value: Any, methods: Collection[str] = METHODS) -> None:
        """Raise :class:`matching.skillcache.CorruptEntry` unless ``value`` (read from the
        cache) is an outcome this taxonomy can give."""
        from matching.skillcache import CorruptEntry

        if not isinstance(value, list) or len(value) != 5:
            raise CorruptEntry("résultat de forme inattendue")
        cid, method, conf, level, unknown = value
        if method not in methods or not isinstance(cid, str) or unknown not in (0, 1, 2):
            raise CorruptEntry("méthode ou concept inattendu")
        if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0.0 <= conf <= 1.0:
            raise CorruptEntry("confiance hors de [0, 1]")
        if level is not None and (isinstance(level, bool) or level not in (1, 2, 3, 4)):
            raise CorruptEntry("niveau hors de 1-4")
        if unknown:
            if cid or method != "unknown":
                raise CorruptEntry("compétence inconnue avec un concept")
        elif cid.startswith("acr:"):
            if cid[4:] not in self.acronyms.entries:
                raise CorruptEntry("sigle absent du dictionnaire")
        elif not self.taxonomy.skill_label(cid):
            raise CorruptEntry("concept absent de la taxonomie")

    def _decode_skill(self, raw: str, value: Any) -> SkillMatch:
        self._check_outcome(value)
        return self._match(raw, value)

    # --- public API ---------------------------------------------------------------------------
    def normalize_one(self, text: str) -> SkillMatch:
        return self.normalize_matches([text])[0]

    def normalize_matches(self, texts: Sequence[str]) -> list[SkillMatch]:
        """Like :meth:`normalize`, returning :class:`SkillMatch` objects in input order."""
        todo: dict[str, None] = {}
        for t in texts:
            t = "" if t is None else str(t)
            if t not in self._cache:
                todo[t] = None
        if todo:
            self._resolve(list(todo))
        return [self._cache["" if t is None else str(t)] for t in texts]

    def normalize(self, texts: Sequence[str]) -> "pd.DataFrame":
        """Normalise skill strings; one row per input, in order.

        Columns: ``input, label, source_id, method, confidence, concept_id, level``.
        ``method`` is one of exact, acronym, fuzzy, semantic, unknown; unknown rows keep the
        input text (without its level marker) as label, with empty source and concept ids.
        """
        import pandas as pd

        matches = self.normalize_matches(texts)
        return pd.DataFrame(
            {
                "input": ["" if t is None else str(t) for t in texts],
                "label": [m.label for m in matches],
                "source_id": [m.source_id for m in matches],
                "method": [m.method for m in matches],
                "confidence": [m.confidence for m in matches],
                "concept_id": [m.concept_id for m in matches],
                "level": pd.array([m.level for m in matches], dtype="Int64"),
            },
            columns=list(COLUMNS),
        )

    def _resolve(self, texts: list[str]) -> None:
        """Every string of ``texts`` (distinct, not in memory) into ``self._cache``: from the
        store, else through the levels (1-4 here or on the cluster, 5 here), then stored."""
        namespace = self.cache_namespace("skill") if self.store is not None else None
        if namespace is not None:
            self._cache.update(self.store.get(namespace, "skill", texts, self._decode_skill))
            texts = [t for t in texts if t not in self._cache]
            if not texts:
                return
        self._build()
        if self.remote is not None:
            outcomes: dict[str, tuple] = {}
            pending: list[tuple[str, str, int | None, str]] = []
            for part_outcomes, part_pending in self.remote(self.lexical_copy(), texts):
                outcomes.update(part_outcomes)
                pending.extend(part_pending)
        else:
            outcomes, pending = self.resolve_lexical(texts)
        if pending and self.encoder is not None:
            # a dictionary term is known for what it is: its expansion is not left to the
            # model's nearest label ("PKI" is not "cryptage dans le domaine des TIC")
            sure = [p for p in pending if p[3]]
            pending = self._semantic([p for p in pending if not p[3]], outcomes) + sure
        for raw, query, level, term in pending:
            if term:
                # a dictionary term with no concept in the taxonomy: keep the expansion
                outcomes[raw] = (f"acr:{term}", "acronym", 0.9, level, 0)
            else:
                outcomes[raw] = ("", "unknown", 0.0, level, 2)
        for raw in texts:
            self._cache[raw] = self._match(raw, outcomes[raw])
        if namespace is not None:
            self.store.put(namespace, "skill", ((raw, list(outcomes[raw])) for raw in texts))

    def resolve_lexical(self, texts: Sequence[str]) -> tuple[dict[str, tuple], list[tuple[str, str, int | None, str]]]:
        """Levels 1-4 (text, exact, acronym, fuzzy) of distinct strings: the outcomes of the
        strings they decide, and the rest as (input, query text, level, dictionary term) for
        the semantic level. Each string's result depends on that string alone."""
        self._build()
        outcomes: dict[str, tuple] = {}
        pending: list[tuple[str, str, int | None, str]] = []  # (input, query text, level, acr term)
        for raw in texts:
            bare, level = split_level(raw, prefix=False)
            bare = bare.strip()
            if not normalize(bare):
                outcomes[raw] = ("", "unknown", 0.0, level, 1)
                continue
            hit = self._exact(bare)
            if hit is None:
                bare2, level2 = split_level(bare, prefix=True)
                if level2 is not None and normalize(bare2):
                    bare, level = bare2, level2 if level is None else level
                    hit = self._exact(bare)
            if hit is None:
                # "Installations classées (ICPE)": try the name without its parenthesis, then
                # the acronym in it
                m = _TRAILING_PAREN.match(bare)
                if m:
                    hit = self._exact(m.group(1))
                    if hit is None and self.acronyms.lookup_whole(m.group(2)) is None:
                        hit = self._exact(m.group(2))
            if hit is None:
                # "Norme ISO 27001", "Réglementation ICPE": the same concept as without the word
                rest = strip_qualifier(bare)
                if rest:
                    hit = self._exact(rest)
                    if hit is None and (self.acronyms.lookup_whole(rest) is not None or self._acronym(rest)):
                        bare = rest
            term = self.acronyms.lookup_whole(bare)
            if hit and hit[1] < 1.0 and term is not None:
                # an alternative surface form (e.g. the acronym in a label's parenthesis,
                # "API" in "Automate Programmable Industriel (API)") loses against the
                # maintained dictionary's meaning of the term
                hit = None
            if hit:
                outcomes[raw] = (hit[0], "exact", hit[1], level, 0)
                continue
            acr = self._acronym(bare)
            query = bare
            term = ""
            if acr is not None:
                cid, conf, expanded = acr
                if cid:
                    outcomes[raw] = (cid, "acronym", conf, level, 0)
                    continue
                query = expanded
                term = self.acronyms.lookup_whole(bare) or ""
            pending.append((raw, query, level, term))
        if pending:
            pending = self._fuzzy(pending, outcomes)
        return outcomes, pending

    def _fuzzy(self, pending, outcomes: dict[str, tuple]):
        import numpy as np
        from rapidfuzz import fuzz, process

        threshold = float(self.config.fuzzy_threshold)
        queries = [_canon(key(q)) for _, q, _, _ in pending]
        choices = self._fuzzy_keys
        ntok = np.asarray(self._fuzzy_ntok)
        clen = np.asarray([len(c) for c in choices])
        left = []
        block = 256
        for b in range(0, len(pending), block):
            qs = queries[b : b + block]
            scores = process.cdist(
                qs, choices, scorer=fuzz.ratio, dtype=np.uint8, score_cutoff=int(threshold) - 8, workers=1
            )
            scores2 = process.cdist(
                qs, choices, scorer=fuzz.token_sort_ratio, dtype=np.uint8, score_cutoff=int(threshold) - 8, workers=1
            )
            scores = np.maximum(scores, scores2)
            for i, q in enumerate(qs):
                item = pending[b + i]
                row = scores[i]
                qn = len(q.split())
                ql = len(q)
                cand = np.flatnonzero(row >= threshold)
                best_j, best_s = -1, -1.0
                for j in cand[np.argsort(-row[cand], kind="stable")][:20]:
                    # guards: one-word labels only for one-word queries, similar lengths
                    if (ntok[j] == 1) != (qn == 1):
                        continue
                    if min(ql, clen[j]) / max(ql, clen[j]) < 0.75:
                        continue
                    if ql < 5 and row[j] < 100:
                        continue
                    if not _tokens_agree(q, choices[j]):
                        continue
                    if row[j] > best_s:
                        best_j, best_s = int(j), float(row[j])
                if best_j >= 0:
                    raw, _, level, _ = item
                    conf = 0.95 * best_s / 100.0
                    outcomes[raw] = (self._fuzzy_cids[best_j], "fuzzy", conf, level, 0)
                else:
                    left.append(item)
        return left

    def _label_matrix(self) -> "np.ndarray":
        import numpy as np

        memo_key = (getattr(self.encoder, "name", repr(type(self.encoder))), id(self.encoder), hash(tuple(self._sem_labels)))
        mat = _SEMANTIC_MEMO.get(memo_key)
        if mat is None:
            mat = np.asarray(self.encoder.encode(self._sem_labels, role="passage"), dtype=np.float32)
            _SEMANTIC_MEMO[memo_key] = mat
        return mat

    def canonical_query(self, text: str) -> str:
        """The text as the semantic level embeds it: every word in its taxonomy spelling (lower
        case, accents as the taxonomy writes them; unknown words lower case without accents).
        Depends only on :func:`normalize` of the text, hence on neither case nor accents."""
        self._build()
        words = normalize(text).split()
        out: list[str] = []
        for i, w in enumerate(words):
            c = self._surface.get(w, w)
            if w in _ELISION and i + 1 < len(words):
                out.append(c + "'")
            else:
                out.append(c)
        return " ".join(out).replace("' ", "'")

    def _semantic(self, pending, outcomes: dict[str, tuple]):
        import numpy as np

        if not self._sem_labels:
            return pending
        mat = self._label_matrix()
        # sorted: the encoder's batches depend on the set of strings, not on the input order
        pending = sorted(pending, key=lambda p: (self.canonical_query(p[1]), p[0]))
        queries = [self.canonical_query(p[1]) for p in pending]
        q = np.asarray(self.encoder.encode(queries, role="query"), dtype=np.float32)
        thr = float(self.config.semantic_threshold)
        left = []
        cids = self._sem_cids
        for i, item in enumerate(pending):
            # one matrix-vector product per string: its cosines never depend on which
            # other strings are normalised in the same call (blocked products can differ
            # in the last bit, and a margin or threshold decision with them)
            row = mat @ q[i]
            top = np.argpartition(-row, min(32, len(row) - 1))[:32]
            top = top[np.argsort(-row[top], kind="stable")]
            j = int(top[0])
            s = float(row[j])
            runner = next((float(row[k]) for k in top[1:] if cids[k] != cids[j]), -1.0)
            ok = s >= thr and s - runner >= SEMANTIC_MARGIN
            if ok and s < SEMANTIC_NO_OVERLAP_MIN:
                ok = _shares_word(key(item[1]), key(self._sem_labels[j]))
            conf = 0.5 + 0.5 * (s - thr) / max(1e-6, 1.0 - thr) if s >= thr else 0.0
            if ok and conf >= float(self.config.min_confidence):
                raw, _, level, _ = item
                outcomes[raw] = (cids[j], "semantic", min(conf, 0.9), level, 0)
            else:
                left.append(item)
        return left

    # --- extraction from free text ---------------------------------------------------------------
    def extract(self, text: str) -> list[SkillMatch]:
        """Skills found in free text (summaries, descriptions, PEP ``description_profil``).

        Greedy longest match of normalised, stemmed n-grams (up to 6 content words) against
        every label key and the acronym dictionary; one match per concept (the first), in
        order of appearance. A level written right after a skill ("Python (avancé)") is kept.
        Each distinct text is read once per normaliser (see :meth:`extract_many`).
        """
        if not text:
            return []
        found = self._extracted.get(text)
        if found is None:
            found = self._remember(text, tuple(self._extract(text)))
        return list(found)

    def _remember(self, text: str, found: tuple[SkillMatch, ...]) -> tuple[SkillMatch, ...]:
        if len(self._extracted) >= 200_000:
            self._extracted.clear()
        self._extracted[text] = found
        return found

    def extract_many(self, texts: Iterable[str]) -> list[list[SkillMatch]]:
        """:meth:`extract` of every text, each distinct text read once: from the store when it
        holds it, else extracted and stored."""
        texts = [t for t in texts]
        todo = list(dict.fromkeys(t for t in texts if t and isinstance(t, str) and t not in self._extracted))
        namespace = self.cache_namespace("extract") if self.store is not None and todo else None
        if namespace is not None:
            for t, found in self.store.get(namespace, "extract", todo, self._decode_extracted).items():
                self._remember(t, found)
            fresh = {t: tuple(self._extract(t)) for t in todo if t not in self._extracted}
            for t, found in fresh.items():
                self._remember(t, found)
            self.store.put(namespace, "extract", (
                (t, [[m.start, m.end, m.concept_id, m.method, m.confidence, m.level, 0] for m in found])
                for t, found in fresh.items()
            ))
        return [self.extract(t) for t in texts]

    def _decode_extracted(self, text: str, value: Any) -> tuple[SkillMatch, ...]:
        from matching.skillcache import CorruptEntry

        if not isinstance(value, list):
            raise CorruptEntry("résultat de forme inattendue")
        out = []
        for item in value:
            if not isinstance(item, list) or len(item) != 7:
                raise CorruptEntry("résultat de forme inattendue")
            start, end, *outcome = item
            self._check_outcome(outcome, ("exact", "acronym"))
            if isinstance(start, bool) or not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
                raise CorruptEntry("position hors du texte")
            out.append(self._found(text, outcome[0], outcome[1], outcome[2], outcome[3], start, end))
        return tuple(out)

    def _found(self, text: str, cid: str, method: str, conf: float, level: int | None, start: int, end: int) -> SkillMatch:
        """The match of ``text[start:end]`` as concept ``cid`` in a free text."""
        m = self._match(text[start:end], (cid, method, conf, level, 0))
        return SkillMatch(m.text, m.concept_id, m.label, m.source_id, m.method, m.confidence, level, start, end)

    def _extract(self, text: str) -> list[SkillMatch]:
        self._build()
        toks = []
        for m in _TOKEN.finditer(str(text)):
            orig = m.group(0)
            norm = normalize(orig)
            if not norm:
                continue
            for part in norm.split():
                toks.append((part, orig, m.start(), m.end()))
        content = [t for t in toks if t[0] not in STOPWORDS]
        stems = [stem_token(t[0]) for t in content]
        out: list[SkillMatch] = []
        seen: set[str] = set()
        i = 0
        n_max = max(self._max_ngram, self.acronyms.max_tokens)
        prefixes = self._ngram_prefixes
        acr_prefixes = self.acronyms.prefixes
        case_sensitive = self.acronyms.case_sensitive
        while i < len(content):
            hit = None
            # longest span that can still be a key (of the label n-grams or of the acronyms)
            reach = 0
            k = norm = ""
            for n in range(1, min(n_max, len(content) - i) + 1):
                k = stems[i] if n == 1 else k + " " + stems[i + n - 1]
                norm = content[i][0] if n == 1 else norm + " " + content[i + n - 1][0]
                if k in prefixes or norm in acr_prefixes:
                    reach = n
                else:
                    break
            if reach == 0 and content[i][1] in case_sensitive:
                reach = 1
            for n in range(reach, 0, -1):
                start, end = content[i][2], content[i + n - 1][3]
                k = " ".join(stems[i : i + n])
                found = self._ngrams.get(k)
                if found is not None and n == 1 and not self._one_word_ok(k, content, i):
                    found = None
                if found is not None:
                    cid, w = found
                    hit = (cid, "exact", w, start, end, n)
                    break
                if n == 1 and content[i][1] in self.acronyms.case_sensitive:
                    hit = self._extract_acronym(self.acronyms.case_sensitive[content[i][1]], start, end, n)
                    if hit:
                        break
                norm = " ".join(t[0] for t in content[i : i + n])
                term = self.acronyms.insensitive.get(norm)
                if term is not None:
                    hit = self._extract_acronym(term, start, end, n)
                    if hit:
                        break
            if hit is None:
                i += 1
                continue
            cid, method, conf, start, end, n = hit
            if cid not in seen:
                seen.add(cid)
                out.append(self._found(text, cid, method, conf, self._level_after(text, end), start, end))
            i += n
        return out

    def _one_word_ok(self, k: str, content: list, i: int) -> bool:
        """A one-word label found in running text: spelled exactly when it is a proper noun
        ("Canva" is not "Canvas"), and, when the word is also an ordinary word of job titles
        and skills ("chef" of "chef de projet", "ingénieur en chef"), only with a cue: a tool
        word just before ("l'outil Chef") or another one-word tool next to it in a list
        ("Puppet, Chef, Ansible")."""
        strict = self._strict.get(k)
        if strict and content[i][0] != strict:
            return False
        if k not in self._ambiguous:
            return True
        before = [stem_token(t[0]) for t in content[max(0, i - 2) : i]]
        if any(b in _TOOL_CUES for b in before):
            return True
        for j in (i - 1, i + 1):
            if 0 <= j < len(content):
                kj = stem_token(content[j][0])
                if kj != k and kj in self._ngrams and kj not in self._ambiguous:
                    return True
        return False

    def _extract_acronym(self, term: str, start: int, end: int, n: int):
        if len(term) <= 3 and term in self.acronyms.case_sensitive and self.acronyms.scope(term) == "title":
            return None
        cid = self._hint_concept(self.acronyms.hint(term))
        if not cid:
            hit = self._exact(self.acronyms.expansion(term))
            cid = hit[0] if hit else f"acr:{term}"
        return (cid, "acronym", 0.9, start, end, n)

    @staticmethod
    def _level_after(text: str, end: int) -> int | None:
        from matching.textnorm import _level_word

        m = _LEVEL_AFTER.match(text[end : end + 40])
        if not m:
            return None
        return _level_word(m.group(1) or m.group(2) or "")

    def describe(self) -> dict:
        """Sizes of the dictionary, for manifests and reports."""
        self._build()
        return {
            "label_keys": len(self._key_to_concept),
            "fuzzy_choices": len(self._fuzzy_keys),
            "semantic_labels": len(self._sem_labels),
            "extraction_ngrams": len(self._ngrams),
            "acronyms": len(self.acronyms.entries),
        }


# --- on a cluster's worker -----------------------------------------------------------------
def resolve_chunk(job: tuple, b0: int, b1: int) -> tuple[dict[str, tuple], list[tuple[str, str, int | None, str]]]:
    """On a worker of the Dask backend: levels 1-4 (:meth:`SkillNormalizer.resolve_lexical`)
    of ``texts[b0:b1]`` for ``job = (normaliser, texts)``, the normaliser being the driver's
    :meth:`SkillNormalizer.lexical_copy` (its index, shipped once per worker). Each string's outcome
    depends on that string alone, so the results do not depend on how the strings are cut."""
    normalizer, texts = job
    return normalizer.resolve_lexical(list(texts[b0:b1]))
