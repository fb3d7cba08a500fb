"""The controlled vocabularies of the dataset and the country registry."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

SITE_KINDS: dict[str, str] = {
    "cosmodrome": "Cosmodrome",
    "missile_test_range": "Missile test range",
    "air_base": "Air base",
    "military_base": "Military base",
    "naval_test_base": "Naval test base",
    "radar": "Radar station",
    "space_surveillance": "Space surveillance station",
    "seismic_station": "Seismic station",
    "communications_centre": "Communications centre",
    "industrial": "Industrial project",
    "city": "City",
}

# Control statuses, in the order a legend lists them.
STATUSES: dict[str, str] = {
    "soviet": "Soviet (USSR, to 1991)",
    "russian_lease": "Leased to Russia",
    "russian": "Russian (owned or run without a lease)",
    "joint": "Joint with the host country",
    "host": "Host country alone",
    "proposed": "Proposed, never set up",
    "closed": "Closed",
}

# Who ran a site in a control period (control.csv ``operator_group``): the ``operator`` column's
# free text, grouped for filtering. Ordered as the filter lists them.
OPERATORS: dict[str, str] = {
    "russian_military": "Russian armed forces",  # the Ministry of Defence and its forces
    "roscosmos": "Roscosmos",  # the Russian space agency (and state corporation)
    "russian_civil": "Russian civil authorities",
    "soviet_military": "Soviet armed forces",  # the USSR Ministry of Defence and its forces
    "joint": "Russia with the host state",
    "host_state": "The host state",
    "company": "Companies",
    "none": "No operator",  # idle, closed or never set up
}

EVENT_KINDS: dict[str, str] = {
    "agreement": "Agreement",
    "launch": "Launch",
    "accident": "Accident",
    "meeting": "Meeting",
    "status_change": "Status change",
    "construction": "Construction",
    "protest": "Protest",
    "statement": "Statement",
    "economic": "Economic",
}

# How sure a fact is (a control period, a lease, an event), from the citations behind it.
CONFIDENCE: dict[str, str] = {
    "confirmed": "Confirmed",
    "reported": "Reported",
    "disputed": "Disputed",
    "unconfirmed": "Unconfirmed",
}
CONFIDENCE_MEANING: dict[str, str] = {
    "confirmed": "two or more independent sources, or a primary legal text",
    "reported": "one credible source",
    "disputed": "sources disagree; both values are shown",
    "unconfirmed": "a claim only one article makes",
}
# What a source is (sources.csv's kind), for the grading rule: a primary legal text alone confirms a
# fact; an official statement is never a mere unconfirmed claim (docs/research/confidence.md).
SOURCE_KINDS: dict[str, str] = {
    "legal": "Primary legal text",
    "official": "Official statement",
    "news": "News report",
    "reference": "Reference work",
    "other": "Other",
}
DEFAULT_CONFIDENCE = "reported"  # of every row of a file without a confidence column

# The columns that record a disputed fact's other value, beside the kept one.
DISPUTE_COLUMNS = ("dispute_field", "dispute_value", "dispute_source_id")

DATE_PRECISIONS = ("day", "month", "year")
LOCATION_PRECISIONS = ("exact", "approximate")

AREA_KINDS: dict[str, str] = {
    "leased_territory": "Leased territory",
    "test_range": "Test range",
    "base_territory": "Base territory",
}


def is_iso3(code: str, former: bool = False) -> bool:
    """True when ``code`` is an ISO 3166-1 alpha-3 country code (upper case).

    With ``former``, codes of countries that no longer exist (ISO 3166-3, e.g. ``SUN``
    for the USSR) are accepted too: an event of 1955 involved the USSR.
    """
    if not isinstance(code, str) or not code.isupper():
        return False
    if pycountry.countries.get(alpha_3=code) is not None:
        return True
    return former and pycountry.historic_countries.get(alpha_3=code) is not None


@lru_cache(maxsize=None)
def _russian() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)


# Short names where the ISO name is long or formal.
SHORT_NAMES = {
    "RUS": ("Russia", "Россия"),
    "SUN": ("USSR", "СССР"),
    "IRN": ("Iran", "Иран"),
}


def country_name(code: str, lang: str = "en") -> str:
    """The common name of an ISO3 country ("Kazakhstan"), in English or Russian."""
    if code in SHORT_NAMES:
        return SHORT_NAMES[code][1 if lang == "ru" else 0]
    country = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    if lang == "ru":
        return _russian().gettext(country.name)
    return name
