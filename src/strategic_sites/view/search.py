"""Finding a site under any of its names: its English and Russian names, its place, and its
aliases (former names, names in Kazakh, Kyrgyz or Tajik, transliterations, designations).

A query and every name are *folded*: written in Latin letters (``anyascii``: Байконур →
Baykonur, Тюратам → Tyuratam, Baïkonour → Baikonour), in lower case, with every run of
hyphens, punctuation and spaces made one space. A site matches when the folded query begins a
word of one of its folded names, or, spaces ignored, begins a word or two neighbouring words
written as one (``sary shagan``, ``Sary-Shagan`` and ``saryshagan`` all find Sary-Shagan; ``osh``
finds Osh, not a name with "osh" inside a word). Only when no site matches so does spelling come
in: a site then matches when the query, spaces ignored, is within :data:`FUZZY` (rapidfuzz's ``ratio``, 0 to
100) of one of its names, or of one word or two neighbouring words of them (``Baykonour``,
``Sarishagan``, ``Kulyab`` for Kŭlob). Queries shorter than :data:`FUZZY_MIN_LENGTH` letters are
never matched by spelling: they would find everything.

Hits on a site's own name or place come first, then hits on its aliases, then hits by spelling;
each hit says which name matched, so that a tooltip can say why a site was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from anyascii import anyascii
from rapidfuzz import fuzz

FUZZY = 85  # the least rapidfuzz ratio (0-100) for a match by spelling; tests/test_search.py holds it
FUZZY_MIN_LENGTH = 4  # letters a query needs before spelling is tried

NAME, ALIAS, SPELLING = 0, 1, 2  # how a site was found, best first


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` in lower-case Latin letters and digits, separated by single spaces."""
    return re.sub(r"[^a-z0-9]+", " ", anyascii(text or "").lower()).strip()


@dataclass(frozen=True)
class Hit:
    """One site found: how (``NAME``, ``ALIAS`` or ``SPELLING``), by which of its names, how closely."""

    site_id: str
    how: int
    name: str
    score: float = 100.0
    alias: bool = False  # found by spelling: was the name an alias (own names rank first)

    @property
    def rank(self) -> tuple:
        return (self.how, -self.score, self.alias)


@dataclass(frozen=True)
class _Name:
    site_id: str
    how: int  # NAME or ALIAS
    text: str  # as written
    folded: str
    solid: str  # folded, without spaces
    pieces: tuple[str, ...]  # each word, and each two neighbouring words written as one


def _name(site_id: str, how: int, text: str) -> _Name:
    folded = fold(text)
    words = folded.split()
    pieces = tuple(dict.fromkeys(words + ["".join(pair) for pair in zip(words, words[1:])]))
    return _Name(site_id, how, text, folded, folded.replace(" ", ""), pieces)


class Finder:
    """Every name of every site, folded once; :meth:`find` answers a query."""

    def __init__(self, sites: pd.DataFrame):
        self.names: list[_Name] = []
        for site_id, name, name_ru, place, others in zip(sites["id"], sites["name"], sites["name_ru"], sites["place"], sites["alias_list"]):
            for how, text in [(NAME, name), (NAME, name_ru), (NAME, place), *((ALIAS, alias) for alias in others)]:
                if text and fold(text):
                    self.names.append(_name(site_id, how, text))

    @classmethod
    def of_names(cls, ids, names) -> Finder:
        """A finder over plain names (one per id), such as a user's own points: found by the
        same rules as the sites."""
        finder = cls.__new__(cls)
        finder.names = [_name(key, NAME, text) for key, text in zip(ids, names) if text and fold(text)]
        return finder

    def find(self, query: str) -> list[Hit]:
        """The sites the query finds, best first (one hit per site)."""
        folded = fold(query)
        if not folded:
            return []
        solid = folded.replace(" ", "")
        hits: dict[str, Hit] = {}
        for name in self.names:
            if f" {folded}" in f" {name.folded}" or any(piece.startswith(solid) for piece in name.pieces):
                _keep(hits, Hit(name.site_id, name.how, name.text))
        if not hits and len(solid) >= FUZZY_MIN_LENGTH:
            for name in self.names:
                score = max(fuzz.ratio(solid, piece) for piece in (name.solid, *name.pieces))
                if score >= FUZZY:
                    _keep(hits, Hit(name.site_id, SPELLING, name.text, score, name.how == ALIAS))
        return sorted(hits.values(), key=lambda hit: hit.rank)


_FINDERS: dict[str, Finder] = {}  # by Atlas.key: the data's fingerprint and language


def finder(atlas) -> Finder:
    """The atlas's Finder, built once per data version and language."""
    found = _FINDERS.get(atlas.key)
    if found is None:
        if len(_FINDERS) >= 8:
            _FINDERS.pop(next(iter(_FINDERS)))
        found = _FINDERS[atlas.key] = Finder(atlas.sites)
    return found


def _keep(hits: dict[str, Hit], hit: Hit) -> None:
    """One hit per site: the better one (by how it was found, then by score)."""
    held = hits.get(hit.site_id)
    if held is None or hit.rank < held.rank:
        hits[hit.site_id] = hit


def matched_name(hit: Hit) -> str:
    """What a tooltip says of a hit found under another name ("" for a hit on its own name)."""
    if hit.how == NAME:
        return ""
    return f"found as “{hit.name}”" if hit.how == ALIAS else f"found by spelling: “{hit.name}”"
