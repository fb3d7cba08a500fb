"""English or Russian names: the atlas with its site names in the language the user chose.

Only what exists in both languages switches: site names (``name`` / ``name_ru`` in
sites.geojson) and country names (ISO 3166 names in Russian, via pycountry). A site with
no Russian name keeps its English one.
"""

from __future__ import annotations

from dataclasses import replace

from strategic_sites.data import Atlas

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
