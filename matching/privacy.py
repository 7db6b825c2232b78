"""Personal data inside free text: e-mail addresses, phone numbers and a person's own name.

The one detector of the engine (employer files mask what it finds; readers and messages
may reuse it). Decisions:

* **e-mail**: ``local@domain.tld`` (also with `` [at] `` / `` (at) `` / ``@`` surrounded by
  spaces, a common way of hiding an address from robots);
* **phone**: French numbers (``06 12 34 56 78``, ``06.12.34.56.78``, ``0612345678``,
  ``+33 6 12 34 56 78``, ``+33 (0)6…``, ``0033…``) and international ``+`` numbers of 8 to 15
  digits with spaces, dots, dashes or parentheses between groups; a bare run of digits
  shorter than 10 (a year, a count, a ROME code) is not a phone;
* **name**: the given names, whole words, compared without case or accents: the full name
  and each of its words of 3 letters or more that is not a particle (``de``, ``la``,
  ``van``…), so that « Mme Dupont » and « DUPONT Jeanne » are found for « Jeanne Dupont »;
  a word shorter than 3 letters alone is never searched (too many false hits).

Masks are French words in brackets (``[courriel masqué]``, ``[téléphone masqué]``,
``[nom masqué]``); masking twice gives the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from matching.textnorm import fold

__all__ = ["PersonalData", "PersonalSpan", "MASKS", "find_personal", "mask_personal", "looks_personal", "name_words"]

#: kind of personal value -> its mask in an output
MASKS = {"email": "[courriel masqué]", "phone": "[téléphone masqué]", "name": "[nom masqué]"}

_EMAIL = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|\s*[\[(]\s*(?:at|arobase)\s*[\])]\s*)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}",
    re.IGNORECASE,
)
#: an e-mail needs one of these (a cheap test before the full pattern)
_EMAIL_HINT = re.compile(r"@|[\[(]\s*(?:at|arobase)\s*[\])]", re.IGNORECASE)
_SEP = r"[\s.\-/]?"
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    # French: 0X XX XX XX XX, +33 (0)X…, 0033 X…
    rf"(?:(?:\+|00)33{_SEP}(?:\(0\){_SEP})?|0)[1-9](?:{_SEP}[0-9]{{2}}){{4}}"
    # international: +CC then 7 to 14 more digits in groups
    r"|\+[1-9][0-9]{0,2}(?:[\s.\-]?\(?[0-9]{1,4}\)?){2,6}"
    r")(?![\w])"
)
#: a phone number has 8 to 15 digits (ITU E.164), the French ones 10 (11 or 12 with +33)
_PHONE_DIGITS = (8, 15)
_PARTICLES = frozenset(
    "de du des la le les l d da di del della van von der den ten ter ben bin ibn el al mc mac saint sainte st ste".split()
)
_MIN_WORD = 3
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PersonalSpan:
    """Where a personal value sits in a text: ``text[start:end]`` is of ``kind``
    (``email``, ``phone`` or ``name``)."""

    start: int
    end: int
    kind: str


def name_words(name: str) -> list[str]:
    """The folded words of a name searched on their own (3 letters or more, not a particle)."""
    words = _WORD.findall(fold(name))
    return [w for w in words if len(w) >= _MIN_WORD and w not in _PARTICLES and not w.isdigit()]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _folded(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``fold(text)`` (folding works character by character) and the characters it expanded
    (``œ`` → ``oe``, ``…`` → ``...``): ``(index in text, extra characters)``, in order."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, []
    grown = []
    for m in _NON_ASCII.finditer(text):
        extra = len(_fold_char(m.group())) - 1
        if extra:
            grown.append((m.start(), extra))
    return folded, grown


def _original(index: int, grown: list[tuple[int, int]]) -> int:
    """The index in the original text of the character at ``index`` of the folded text."""
    shift = 0
    for i, extra in grown:
        at = i + shift
        if index < at:
            break
        if index <= at + extra:
            return i
        shift += extra
    return index - shift


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    return fold(c)


class PersonalData:
    """A detector for a set of names (compiled once; e-mails and phones always searched).

    ``PersonalData(names).find(text)`` gives the :class:`PersonalSpan` list of ``text``;
    ``.mask(text)`` replaces each span by its mask. Cost: linear in the text, whatever the
    number of names."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.words: set[str] = set()
        self.phrases: dict[str, set[tuple[str, ...]]] = {}
        for name in names:
            name = str(name or "").strip()
            if not name:
                continue
            self.words.update(name_words(name))
            words = tuple(_WORD.findall(fold(name)))
            if len(words) > 1:
                self.phrases.setdefault(words[0], set()).add(words)
        self.longest = max((len(p) for ps in self.phrases.values() for p in ps), default=1)

    def _names(self, text: str) -> list[PersonalSpan]:
        if not self.words and not self.phrases:
            return []
        folded, grown = _folded(text)
        tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
        spans, k = [], 0
        while k < len(tokens):
            word = tokens[k][0]
            n = 0
            starting = self.phrases.get(word)
            for size in range(min(self.longest, len(tokens) - k), 1, -1) if starting else ():
                if tuple(t[0] for t in tokens[k : k + size]) in starting:
                    n = size
                    break
            if not n and word in self.words:
                n = 1
            if n:
                start, end = tokens[k][1], tokens[k + n - 1][2]
                if grown:
                    start, end = _original(start, grown), _original(end - 1, grown) + 1
                if spans and text[spans[-1].end : start].strip(" -'’.,") == "" and spans[-1].kind == "name":
                    start = spans.pop().start  # « Jeanne DUPONT » is one name, one mask
                spans.append(PersonalSpan(start, end, "name"))
                k += n
            else:
                k += 1
        return spans

    def find(self, text: str) -> list[PersonalSpan]:
        """The e-mail addresses, phone numbers and names in ``text``, in order, without
        overlaps (an e-mail wins over a name or a phone inside it)."""
        text = str(text or "")
        if not text:
            return []
        found = [PersonalSpan(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)] if _EMAIL_HINT.search(text) else []
        found += [
            PersonalSpan(m.start(), m.end(), "phone")
            for m in _PHONE.finditer(text)
            if _PHONE_DIGITS[0] <= sum(c.isdigit() for c in m.group()) <= _PHONE_DIGITS[1]
        ]
        found += self._names(text)
        rank = {"email": 0, "phone": 1, "name": 2}
        found.sort(key=lambda s: (s.start, rank[s.kind], -s.end))
        kept: list[PersonalSpan] = []
        for span in found:
            if kept and span.start < kept[-1].end:
                if span.end > kept[-1].end:
                    kept[-1] = PersonalSpan(kept[-1].start, span.end, kept[-1].kind)
                continue
            kept.append(span)
        return kept

    def mask(self, text: str) -> str:
        """``text`` with each span replaced by its mask (:data:`MASKS`)."""
        text = str(text or "")
        spans = self.find(text)
        if not spans:
            return text
        parts, last = [], 0
        for span in spans:
            parts.append(text[last : span.start])
            parts.append(MASKS[span.kind])
            last = span.end
        parts.append(text[last:])
        return "".join(parts)


def find_personal(text: str, *, names: Iterable[str] = ()) -> list[PersonalSpan]:
    """The personal values of ``text`` (see :class:`PersonalData`)."""
    return PersonalData(names).find(text)


def mask_personal(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with each e-mail, phone number and occurrence of ``names`` replaced by its
    mask (:data:`MASKS`)."""
    return PersonalData(names).mask(text)


def looks_personal(text: str, *, names: Iterable[str] = ()) -> bool:
    """Whether ``text`` holds an e-mail, a phone number or one of ``names``."""
    return bool(find_personal(text, names=names))
