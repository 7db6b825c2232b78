"""Shared text normalisation helpers for French skill and job-title strings.

Pure functions, no heavy imports. Three levels of normalisation are used by the engine:

- :func:`normalize` — lower case, accents removed, apostrophes unified, punctuation to
  spaces, whitespace collapsed. Safe for display-independent equality.
- :func:`fold_gender` — removes French gender doublets ("Développeur / Développeuse",
  "chargé(e)", "H/F") so that masculine and feminine titles compare equal.
- :func:`key` — :func:`normalize` + light plural/gender stemming of each token + removal
  of French function words: the form used for dictionary lookups.

:func:`split_level` extracts a level marker ("Python (avancé)", "SQL - expert",
"anglais : notions", "Java:3") and returns it as an integer 1–4 (1 notions, 2 pratique,
3 maîtrise, 4 expert).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "strip_accents",
    "normalize",
    "fold_gender",
    "stem_token",
    "key",
    "tokens",
    "split_level",
    "STOPWORDS",
    "ARTICLES",
    "LEVEL_WORDS",
]

#: French articles and the prepositions that glue names together ("ministère *de l'*Intérieur"):
#: ignored by every comparison key of headers, ministries, corps, grades and places.
ARTICLES: frozenset[str] = frozenset("a au aux d de des du en et l la le les".split())
#: French function words ignored by :func:`key` (never meaningful for a match alone).
STOPWORDS: frozenset[str] = ARTICLES | frozenset(
    "ou par pour sur un une dans avec son sa ses leur leurs".split()
)

#: Level words (accent-free, lower case) -> level 1..4.
LEVEL_WORDS: dict[str, int] = {
    "notion": 1, "notions": 1, "maitrise": 3, "debutant": 1, "debutante": 1, "initiation": 1, "base": 1,
    "bases": 1, "elementaire": 1, "junior": 1, "beginner": 1, "basic": 1, "sensibilisation": 1,
    "pratique": 2, "intermediaire": 2, "operationnel": 2, "operationnelle": 2, "bon": 2,
    "bonne": 2, "connaissance": 2, "connaissances": 2, "intermediate": 2, "courant": 2,
    "maitrise": 3, "avance": 3, "avancee": 3, "confirme": 3, "confirmee": 3, "solide": 3,
    "solides": 3, "senior": 3, "advanced": 3, "autonome": 3, "tres bon": 3, "tres bonne": 3,
    "expert": 4, "experte": 4, "expertise": 4, "excellent": 4, "excellente": 4, "referent": 4,
    "referente": 4, "bilingue": 4, "natif": 4, "native": 4,
}

_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " "})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z+#]+")
_SPACES = re.compile(r"\s+")


class _AccentTable(dict):
    """str.translate table built lazily, one character at a time: the character's NFKD
    decomposition without its combining marks (same result as decomposing the whole string,
    at C speed once each character has been seen)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        value = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = value
        return value


_ACCENTS = _AccentTable()


def strip_accents(text: str) -> str:
    """Remove diacritics and expand ligatures ("œuvre" -> "oeuvre")."""
    text = text.translate(_LIGATURES)
    if text.isascii():
        return text
    return text.translate(_ACCENTS)


def fold(text: object) -> str:
    """Case-folded, accents removed and ligatures expanded; nothing else changed (the one
    accent-folding function of the engine: every comparison key derives from it)."""
    return strip_accents(str(text or "")).casefold()


def slug(text: object, *, max_len: int = 60, default: str = "sans-nom") -> str:
    """A file-name-safe form: folded, every run of other characters than ``a-z0-9`` a ``-``."""
    out = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return out[:max_len].strip("-") or default


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, whitespace collapsed.

    ``+`` and ``#`` are kept (C++, C#); elided articles are split ("d'information" ->
    "d information").
    """
    if not text:
        return ""
    text = strip_accents(str(text).translate(_APOS)).lower()
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# --- gender doublets -------------------------------------------------------------------
_HF = re.compile(r"[\(\[]?\b(?:h\s*/\s*f|f\s*/\s*h|h\s*-\s*f|f\s*-\s*h|m\s*/\s*f|f\s*/\s*m|h\s*/\s*f\s*/\s*x)\b[\)\]]?", re.I)
# chargé(e), chargé(e)s, informaticien(ne), directeur(rice), chef(fe)
_PAREN_SUFFIX = re.compile(r"(\w)\((?:e|e?s|ne|nes|se|ses|le|les|te|rice|trice|euse|fe|ere)\)", re.I)
# chargé.e, développeur.euse, chargé·e, informaticien·ne
_DOT_SUFFIX = re.compile(r"(\w)[.·•](?:e|es|ne|nes|euse|euses|rice|trice|ice|ere|fe|te)\b", re.I)
# "Développeur / Développeuse", "Cheffe / Chef de projet", "Data engineer"
_SLASH = re.compile(r"\s*/\s*")
#: every gender mark above needs one of these characters
_GENDER_CHARS = frozenset("/-()[].·•")


def _same_stem(a: str, b: str) -> bool:
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return False
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n >= 4


def _merge_doublet(prev: list[str], nxt: list[str]) -> list[str] | None:
    """Merge "A B / A' B' rest" into "A B rest" when the words pair up by stem."""
    for k in range(min(len(prev), len(nxt)), 0, -1):
        if all(_same_stem(x, y) for x, y in zip(prev[-k:], nxt[:k])):
            return prev + nxt[k:]
    return None


@lru_cache(maxsize=200_000)
def fold_gender(text: str) -> str:
    """Remove French gender marks, keeping the first form of each doublet.

    >>> fold_gender("Développeur / Développeuse Python H/F")
    'Développeur Python'
    >>> fold_gender("Chargé(e) de mission")
    'Chargé de mission'
    >>> fold_gender("Chef de projet / Cheffe de projet")
    'Chef de projet'
    """
    if not text:
        return ""
    text = str(text).translate(_APOS)
    if not _GENDER_CHARS.intersection(text):  # fast path: no doublet, no "H/F" can be there
        return _SPACES.sub(" ", text).strip(" -–,;")
    text = _HF.sub(" ", text)
    text = _PAREN_SUFFIX.sub(r"\1", text)
    text = _DOT_SUFFIX.sub(r"\1", text)
    if "/" in text:
        parts = _SLASH.split(text)
        out: list[list[str]] = [parts[0].split()]
        for part in parts[1:]:
            words = part.split()
            merged = _merge_doublet(out[-1], words) if out[-1] and words else None
            if merged is None:
                out.append(words)
            else:
                out[-1] = merged
        text = " / ".join(" ".join(w) for w in out)
    return _SPACES.sub(" ", text).strip(" -–,;")


# --- stemming and keys -------------------------------------------------------------------
_FEM_SUFFIXES = (
    ("trices", "teur"), ("trice", "teur"), ("euses", "eur"), ("euse", "eur"),
    ("iennes", "ien"), ("ienne", "ien"), ("ennes", "en"), ("eres", "er"), ("ere", "er"),
    ("ees", "e"), ("ives", "if"), ("ive", "if"), ("ales", "al"), ("aux", "al"),
    ("elles", "el"), ("elle", "el"), ("ettes", "et"), ("ette", "et"), ("ffe", "f"),
)
_INVARIANT = frozenset(
    "cours process processus acces bus os sas pas fois temps corps poids prix ios gis dns "
    "https tls ssl mas bas devops secops finops mlops dataops bizops kubernetes windows "
    "sales analytics ops analysis saas paas iaas aws".split()
)


@lru_cache(maxsize=200_000)
def stem_token(tok: str) -> str:
    """Light French plural/gender stemming of one normalised token.

    "projets" -> "projet", "développeuse" -> "developpeur" (after normalisation),
    "données" -> "donne", "réseaux" -> "reseau", "informaticienne" -> "informaticien".
    """
    if len(tok) <= 3 or tok in _INVARIANT or not tok.isalpha():
        return tok
    if tok.endswith("eaux"):
        return tok[:-1]
    for suf, rep in _FEM_SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= 3:
            return tok[: -len(suf)] + rep
    if tok.endswith("s") and not tok.endswith("ss"):
        tok = tok[:-1]
    if tok.endswith("ee") and len(tok) > 4:
        tok = tok[:-1]
    return tok


def tokens(text: str) -> list[str]:
    """Normalised tokens of a text (no stemming, stop words kept)."""
    return normalize(text).split()


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """Lookup key: gender folded, normalised, stemmed, French function words removed."""
    toks = [stem_token(t) for t in normalize(fold_gender(text)).split() if t not in STOPWORDS]
    return " ".join(toks)


# --- levels -----------------------------------------------------------------------------
_LEVEL_NUM = re.compile(r"\s*[:=]\s*([1-4])\s*$")
_LEVEL_PAREN = re.compile(r"\s*[\(\[]\s*([^()\[\]]{1,30})\s*[\)\]]\s*$")
_LEVEL_DASH = re.compile(r"\s+(?:-|–|—|:)\s*([^-–—:]{1,30})$")
_LEVEL_NIVEAU = re.compile(r"\s*(?:,|-|–|:)?\s*niveau\s+([^,;]{1,20})$", re.I)
_LEVEL_PREFIX = re.compile(
    r"^(?:(?P<adj>(?:tres\s+)?(?:bonnes?|solides?|excellentes?|parfaites?)|premiere)\s+)?"
    r"(?P<noun>maitrise|connaissances?|notions?|pratique|experience)\s+"
    r"(?:de\s+la\s+|des\s+|du\s+|de\s+l\s+|de\s+|d\s+|en\s+|dans\s+(?:le|la|les)\s+)?"
)
_NOUN_LEVEL = {"maitrise": 3, "connaissance": 2, "connaissances": 2, "notion": 1, "notions": 1, "pratique": 2, "experience": 2}


def _level_word(word: str) -> int | None:
    w = normalize(word)
    if not w:
        return None
    if w in LEVEL_WORDS:
        return LEVEL_WORDS[w]
    if w.isdigit() and len(w) == 1 and 1 <= int(w) <= 4:
        return int(w)
    m = re.fullmatch(r"(?:niveau|level|n)\s*([1-4])(?:\s*/\s*4)?", w)
    if m:
        return int(m.group(1))
    words = w.split()
    if len(words) <= 3 and words[-1] in LEVEL_WORDS:
        return LEVEL_WORDS[words[-1]]
    return None


_SUFFIX_WORDS = frozenset(
    "courant avance avancee confirme confirmee debutant debutante expert experte bilingue "
    "natif native intermediaire notions".split()
)
_PREFIX_BLOCK = re.compile(r"^(?:maitrise\s+d\s+(?:ouvrage|oeuvre))")


def split_level(text: str, *, prefix: bool = True) -> tuple[str, int | None]:
    """Split a level marker off a skill string; return (skill text, level 1-4 or None).

    Markers: a trailing "(avancé)", "- expert", ": 3", "niveau 2", a trailing level word
    ("Anglais courant") and, when ``prefix``, a leading "Notions de", "Bonne maîtrise de",
    "Connaissance de" ("Maîtrise d'ouvrage" is not a level).

    >>> split_level("Python (avancé)")
    ('Python', 3)
    >>> split_level("SQL - expert")
    ('SQL', 4)
    >>> split_level("Anglais:2")
    ('Anglais', 2)
    >>> split_level("Gestion de projet")
    ('Gestion de projet', None)
    """
    raw = str(text or "").strip()
    for pattern in (_LEVEL_NUM, _LEVEL_PAREN, _LEVEL_NIVEAU, _LEVEL_DASH):
        m = pattern.search(raw)
        if m:
            level = _level_word(m.group(1))
            if level is not None:
                rest = raw[: m.start()].strip(" -–,;:")
                if rest:
                    return rest, level
    words = raw.split()
    if len(words) >= 2 and normalize(words[-1]) in _SUFFIX_WORDS:
        return " ".join(words[:-1]).strip(" -–,;:"), LEVEL_WORDS[normalize(words[-1])]
    if prefix:
        norm = normalize(raw)
        m = _LEVEL_PREFIX.match(norm)
        if m and not _PREFIX_BLOCK.match(norm):
            head = norm[: m.end()].split()
            rest_words = re.sub(r"[’']", "' ", raw).split()
            dropped = 0
            out: list[str] = []
            for w in rest_words:
                if dropped < len(head):
                    dropped += len(normalize(w).split()) or 1
                    continue
                out.append(w)
            rest = " ".join(out).replace("' ", "'").strip()
            level = _NOUN_LEVEL[m.group("noun")]
            adj = m.group("adj") or ""
            if adj.startswith("tres") or adj.startswith(("excellent", "parfait")):
                level = min(4, level + 1)
            elif adj.startswith("solide"):
                level = max(level, 3)
            if rest and level is not None:
                return rest, level
    return raw, None
