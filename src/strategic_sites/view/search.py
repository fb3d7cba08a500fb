"""Finding a site under any of its names, the way people type them: its English and Russian
names, its aliases (former names, names in Kazakh, Kyrgyz or Tajik, transliterations,
designations), and, at a lower rank, where it lies (its town, district, region or lake).

A query and every name are *folded*: written in Latin letters (``anyascii``: Байконур →
Baykonur, Тюратам → Tyuratam, Baïkonour → Baikonour), in lower case, with every run of
hyphens, punctuation and spaces made one space (apostrophes, as a soft sign becomes, are
dropped). A site matches when the folded query begins a word of one of its folded names, or,
spaces ignored, begins a word or two neighbouring words written as one (``sary shagan``,
``Sary-Shagan`` and ``saryshagan`` all find Sary-Shagan; ``osh`` finds Osh, not a name with
"osh" inside a word), or when each word of a query of several words begins a word of the name
(``Kosmodrom Baikonur``).

Then the same test is made on *loose* forms of both sides (:func:`loose`), which write alike the
transliterations of one Russian or Kazakh letter: ё/е/yo/ye (and jo after a consonant) → e,
й/ы/y/i → i (so the endings -iy, -yy, -y and -i are one), kh → h, gh → g, x → ks, zh/dzh/dj → j,
q → k, c → k (not ch), w → v, ou → u, and every doubled letter single (``Vostochniy``,
``Priozyorsk``, ``Balhash``, ``Kurganteppa``, ``Janatas``).

Generic words typed before or after a name (:data:`GENERIC`: "air base", "cosmodrome", "test
range", "полигон", "город"…) are ignored when the query as typed finds nothing and the rest does;
the kind they name then brings sites of that kind first (``Baikonur city`` finds the city before
the cosmodrome). A query made only of generic words is searched as typed.

Only when nothing matches so does spelling come in: a site then matches when the query, spaces
ignored, is within :data:`FUZZY` (rapidfuzz's ``ratio``, 0 to 100) of one of its names, or of
one word or two neighbouring words of them (``Baykonour``, ``Sarishagan``, ``Kulyab`` for Kŭlob).
Queries shorter than :data:`FUZZY_MIN_LENGTH` letters are never matched by spelling: they would
find everything.

Hits come best first: on a site's own name (``NAME``), on an alias (``ALIAS``), on a name or
alias written another way (``VARIANT``), on where it lies (``PLACE``), by spelling
(``SPELLING``); each hit says which name matched (:func:`matched_name`), so that a tooltip can
say why a site was found.
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
LOOSE_MIN_LENGTH = 3  # letters a query's loose form needs before it is compared loosely

NAME, ALIAS, VARIANT, PLACE, SPELLING = 0, 1, 2, 3, 4  # how a site was found, best first

PLACE_FIELDS = ("district", "region", "lake")  # optional columns of sites.geojson, besides ``place`` (the town)

# Words that say what kind of place a name is, in English, Russian and Kazakh (as folded), and
# the site kinds they name: typed before or after a name, they are ignored when the rest finds
# a site, and bring sites of those kinds first.
_BASES = {"air_base", "military_base", "naval_test_base"}
_RANGES = {"missile_test_range", "naval_test_base"}
_STATIONS = {"radar", "seismic_station", "space_surveillance", "communications_centre"}
GENERIC: dict[str, frozenset[str]] = {
    phrase: frozenset(kinds)
    for phrases, kinds in [
        (["air base", "airbase", "air force base", "airfield", "aerodrome", "aviabaza", "aerodrom", "aue bazasy"], {"air_base"}),
        (["base", "military base", "baza", "voennaya baza", "bazasy", "garrison", "garnizon"], _BASES),
        (["naval base", "test base", "naval test base", "test centre", "test center"], {"naval_test_base", "missile_test_range"}),
        (["cosmodrome", "kosmodrom", "spaceport", "space centre", "space center", "space launch centre", "launch site",
          "gharysh aylaghy"], {"cosmodrome"}),  # fmt: skip
        (["range", "test range", "testing range", "missile range", "test site", "testing ground", "proving ground",
          "polygon", "poligon", "poligony", "ispytatelnyy poligon"], _RANGES),  # fmt: skip
        (["radar", "radar station", "radar node", "rls"], {"radar"}),
        (["station", "stantsiya"], _STATIONS),
        (["seismic station", "seismological center", "seismological centre"], {"seismic_station"}),
        (["communications centre", "communications center", "communication centre", "communication center",
          "communications node", "uzel svyazi"], {"communications_centre"}),  # fmt: skip
        (["city", "town", "gorod", "qalasy", "zato"], {"city"}),
        (["lake", "ozero", "koli", "region", "oblast", "oblys", "oblysy", "district", "rayon", "raion", "audany"], set()),
    ]
    for phrase in phrases
}


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` in lower-case Latin letters and digits, separated by single spaces."""
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"['’ʼʹ`]", "", anyascii(text or "").lower())).strip()


_LOOSE = [(re.compile(pattern), to) for pattern, to in [
    (r"(?<=[bcfgklmnprstvwz])jo", "e"), (r"dzh|dj|zh", "j"), (r"kh", "h"), (r"gh", "g"), (r"x", "ks"), (r"q", "k"),
    (r"c(?!h)", "k"), (r"w", "v"), (r"ou", "u"), (r"yo|ye", "e"), (r"y", "i"), (r"ij\b", "i"), (r"([a-z])\1+", r"\1"),
]]  # fmt: skip


@lru_cache(maxsize=8192)
def loose(folded: str) -> str:
    """A folded text with the ways of transliterating one letter made one (see the module's
    docstring): ``Vostochniy``, ``Vostochnyy`` and ``Vostochny`` are all ``vostochni``."""
    for pattern, to in _LOOSE:
        folded = pattern.sub(to, folded)
    return folded


@dataclass(frozen=True)
class Hit:
    """One site found: how (``NAME``, ``ALIAS``, ``VARIANT``, ``PLACE`` or ``SPELLING``), by which
    of its names, how closely."""

    site_id: str
    how: int
    name: str
    score: float = 100.0
    alias: bool = False  # the name was an alias (own names rank first)
    field: str = ""  # found by where the site lies: "town", "district", "region" or "lake"
    hinted: bool = False  # a generic word typed with the query ("air base") names this site's kind

    @property
    def rank(self) -> tuple:
        return (self.how, not self.hinted, bool(self.field), -self.score, self.alias)


@dataclass(frozen=True)
class _Form:
    """A text folded one way: whole, without spaces, its words, and each word and each two
    neighbouring words written as one."""

    folded: str
    solid: str
    words: tuple[str, ...]
    pieces: tuple[str, ...]
    initials: frozenset[str]  # the first letter of each word: a query found here begins with one

    @classmethod
    def of(cls, folded: str) -> _Form:
        words = folded.split()
        pieces = tuple(dict.fromkeys(words + ["".join(pair) for pair in zip(words, words[1:])]))
        return cls(folded, folded.replace(" ", ""), tuple(words), pieces, frozenset(word[0] for word in words))

    def found_by(self, query: _Form) -> bool:
        """The query begins a word of this text (spaces ignored, or word by word)."""
        return query.solid[:1] in self.initials and (
            f" {query.folded}" in f" {self.folded}"
            or any(piece.startswith(query.solid) for piece in self.pieces)
            or (len(query.words) > 1 and all(any(word.startswith(part) for word in self.words) for part in query.words))
        )

    def closeness(self, query: _Form) -> float:
        return max(fuzz.ratio(query.solid, piece) for piece in (self.solid, *self.pieces))


@dataclass(frozen=True)
class _Name:
    site_id: str
    how: int  # NAME, ALIAS or PLACE
    text: str  # as written
    kind: str  # the site's kind ("" when unknown)
    field: str  # for PLACE: "town", "district", "region" or "lake"
    exact: _Form
    loose: _Form


def _name(site_id: str, how: int, text: str, kind: str = "", field: str = "") -> _Name:
    folded = fold(text)
    return _Name(site_id, how, text, kind, field, _Form.of(folded), _Form.of(loose(folded)))


def _places(place: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    """(field, name) of each place a site lies in: the parts of its ``place`` ("Miyaly (Kyzylkoga
    district)": the town Miyaly and the district), then its district, region and lake."""
    found = []
    for part in re.split(r"\s*(?:/|;|\(|\))\s*", place or ""):
        if fold(part):
            last = fold(part).split()[-1]
            found.append(("district" if last == "district" else "region" if last in ("region", "oblast") else "town", part))
    for field, names in fields.items():
        found += [(field, name) for name in str(names or "").split(";") if fold(name)]
    return found


@lru_cache(maxsize=1)
def _generic_phrases() -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """The generic words as loose words, longest phrases first."""
    return sorted({tuple(loose(phrase).split()): kinds for phrase, kinds in GENERIC.items()}.items(), key=lambda item: -len(item[0]))


def _strip_generic(words: list[str]) -> tuple[list[str], frozenset[str]]:
    """The words left when generic words are taken off both ends (none left: the query was
    generic words alone), and the site kinds they name."""
    phrases = _generic_phrases()
    rest, kinds, keys = list(words), set(), [loose(word) for word in words]
    taken = True
    while taken and rest:
        taken = False
        for phrase, named in phrases:
            n = len(phrase)
            if tuple(keys[:n]) == phrase:
                rest, keys, taken = rest[n:], keys[n:], True
            elif tuple(keys[-n:]) == phrase:
                rest, keys, taken = rest[:-n], keys[:-n], True
            if taken:
                kinds |= named
                break
    return rest, frozenset(kinds)


class Finder:
    """Every name and place of every site, folded once; :meth:`find` answers a query."""

    def __init__(self, sites: pd.DataFrame):
        self.names: list[_Name] = []
        empty = pd.Series([""] * len(sites), index=sites.index)
        kinds = sites["kind"] if "kind" in sites.columns else empty
        fields = {field: (sites[field] if field in sites.columns else empty) for field in PLACE_FIELDS}
        for row, (site_id, name, name_ru, place, others, kind) in enumerate(
            zip(sites["id"], sites["name"], sites["name_ru"], sites["place"], sites["alias_list"], kinds)
        ):
            for how, text in [(NAME, name), (NAME, name_ru), *((ALIAS, alias) for alias in others)]:
                if text and fold(text):
                    self.names.append(_name(site_id, how, text, kind))
            for field, text in _places(place, {field: column.iloc[row] for field, column in fields.items()}):
                self.names.append(_name(site_id, PLACE, text, kind, field))

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
        hits = self._matches(folded, frozenset())
        words = folded.split()
        rest, kinds = _strip_generic(words)
        if not rest:  # generic words alone ("air base"): found only where a name says them
            return sorted(hits.values(), key=lambda hit: hit.rank)
        if not hits and rest != words:
            hits = self._matches(" ".join(rest), kinds)
        if not hits:
            hits = self._spelling(" ".join(rest), kinds)
        return sorted(hits.values(), key=lambda hit: hit.rank)

    def _matches(self, folded: str, kinds: frozenset[str]) -> dict[str, Hit]:
        exact, rough = _Form.of(folded), _Form.of(loose(folded))
        written_loosely = len(rough.solid) >= LOOSE_MIN_LENGTH  # "zz" is not "z"
        hits: dict[str, Hit] = {}
        for name in self.names:
            if name.exact.found_by(exact):
                how = name.how
            elif written_loosely and name.loose.found_by(rough):
                how = PLACE if name.how == PLACE else VARIANT
            else:
                continue
            _keep(hits, Hit(name.site_id, how, name.text, alias=name.how == ALIAS, field=name.field, hinted=name.kind in kinds))
        return hits

    def _spelling(self, folded: str, kinds: frozenset[str]) -> dict[str, Hit]:
        exact = _Form.of(folded)
        hits: dict[str, Hit] = {}
        if len(exact.solid) < FUZZY_MIN_LENGTH:
            return hits
        rough = _Form.of(loose(folded))
        for name in self.names:
            score = max(name.exact.closeness(exact), name.loose.closeness(rough))
            if score >= FUZZY:
                _keep(hits, Hit(name.site_id, SPELLING, name.text, score, name.how == ALIAS, name.field, name.kind in kinds))
        return hits


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
    """What a tooltip says of a hit found under another name or by where it lies ("" for a hit
    on its own name as typed): “found as “Tyuratam””, “found by its lake: Balkhash”."""
    if hit.how == NAME:
        return ""
    if hit.how == ALIAS:
        return f"found as “{hit.name}”"
    if hit.how == VARIANT:
        return f"found as “{hit.name}” (written another way)"
    if hit.how == PLACE:
        return f"found by its {hit.field}: {hit.name}"
    return f"found by spelling: its {hit.field} {hit.name}" if hit.field else f"found by spelling: “{hit.name}”"
