"""English or Russian names, applied at one point: :func:`localise`.

Only what exists in both languages switches: site names (``name`` / ``name_ru`` in
sites.geojson) and country names (ISO 3166 names in Russian, via pycountry). A site with
no Russian name keeps its English one. The atlas :func:`localise` returns carries its
language (``Atlas.lang``); everything downstream asks :func:`names` for the names of that
atlas and shows what it is given, so no ``lang`` argument travels through the code.
Vocabulary labels (site kinds, statuses, event kinds) are English in both languages; they
are looked up here too, so that a translation would be added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from strategic_sites.core import vocab
from strategic_sites.data.atlas import Atlas

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
DEFAULT = "en"

# The heading of the column that holds the *other* language's name.
OTHER_NAME = {"en": "Name (Russian)", "ru": "Name (English)"}


def localise(atlas: Atlas, lang: str) -> Atlas:
    """The atlas with ``sites["name"]`` in ``lang`` and ``sites["name_ru"]`` holding the other name.

    The returned atlas shares every other frame with ``atlas``; ``original`` points back to
    the atlas as loaded.
    """
    base = atlas.original or atlas
    if lang == base.lang:
        return base
    sites = base.sites.copy()
    russian = sites["name_ru"].fillna("").astype(str).str.strip()
    english = sites["name"]
    sites["name"] = russian.where(russian != "", english)
    sites["name_ru"] = english.where(russian != "", "")
    return replace(base, sites=sites, lang=lang, original=base)


@dataclass(frozen=True)
class Names:
    """Every name the atlas shows in one language: countries and vocabulary labels."""

    lang: str

    def country(self, code: str) -> str:
        return _country(code, self.lang)

    def countries(self, codes) -> str:
        return ", ".join(self.country(code) for code in codes)

    def country_with_code(self, code: str) -> str:
        return f"{self.country(code)} ({code})"

    def parties(self, lessor: str, lessee: str) -> str:
        """A lease's parties: ``Kazakhstan → Russia``."""
        return f"{self.country(lessor)} → {self.country(lessee)}"

    def kind(self, kind: str) -> str:
        return vocab.SITE_KINDS.get(kind, kind)

    def status(self, status: str) -> str:
        return vocab.STATUSES.get(status, status)

    def event_kind(self, kind: str) -> str:
        return vocab.EVENT_KINDS.get(kind, kind)

    def area_kind(self, kind: str) -> str:
        return vocab.AREA_KINDS.get(kind, kind)

    @property
    def other_name(self) -> str:
        """The heading of the column holding the other language's site name."""
        return OTHER_NAME.get(self.lang, OTHER_NAME[DEFAULT])


@cache
def _country(code: str, lang: str) -> str:
    return vocab.country_name(code, lang)


@cache
def _names(lang: str) -> Names:
    return Names(lang)


def names(atlas: Atlas) -> Names:
    """The names to show for ``atlas``, in the language :func:`localise` gave it."""
    return _names(atlas.lang)
