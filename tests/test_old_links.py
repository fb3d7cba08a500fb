"""Links people have shared keep opening the same view. Each URL here is pinned with the view it
must open: change the URL parameters, and these fail (add new cases; never edit old ones).

The expected sites are stated as rules over the data (not as lists), so that a corrected
date in geodata/ does not count as a broken link."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from strategic_sites.view.filters import LAYERS, Filters, apply
from strategic_sites.view.timeline import status_as_of
from strategic_sites.view.urlstate import Known, parse

TODAY = date(2026, 11, 24)

PINNED = [
    (
        "https://atlas.example/?country=KGZ",
        Filters(countries=("KGZ",), asof=TODAY, year_to=2026),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["country"] == "KGZ", "id"]),
    ),
    (
        "https://atlas.example/?country=KAZ&country=TJK&asof=2005-03-01",
        Filters(countries=("KAZ", "TJK"), asof=date(2005, 3, 1), year_to=2026),
        None,
    ),
    (
        "https://atlas.example/?status=russian_lease&asof=2000-01-01",
        Filters(statuses=("russian_lease",), asof=date(2000, 1, 1), year_to=2026),
        lambda atlas, day: set(status_as_of(atlas.control, day).query("status == 'russian_lease'")["site_id"]),
    ),
    (
        "https://atlas.example/?from=2013&to=2015&kind=cosmodrome",
        Filters(kinds=("cosmodrome",), asof=TODAY, year_from=2013, year_to=2015),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["kind"] == "cosmodrome", "id"]),
    ),
    (
        "https://atlas.example/sites?site=baikonur",
        Filters(site="baikonur", asof=TODAY, year_to=2026),
        None,
    ),
    (
        "https://atlas.example/?layers=status,events&q=Kant",
        Filters(layers=("status", "events"), q="Kant", asof=TODAY, year_to=2026),
        lambda atlas, day: {"kant"},
    ),
    (
        "https://atlas.example/timeline?country=TJK&asof=2013-06-01&lang=ru",
        Filters(countries=("TJK",), asof=date(2013, 6, 1), year_to=2026, lang="ru"),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["country"] == "TJK", "id"]),
    ),
    (
        "https://atlas.example/?conf=confirmed&asof=2024-01-01",
        Filters(confidence=("confirmed",), asof=date(2024, 1, 1), year_to=2026),
        lambda atlas, day: set(status_as_of(atlas.control[atlas.control["confidence"] == "confirmed"], day)["site_id"]),
    ),
    (
        "https://atlas.example/?country=KGZ&asof=2026-11-24&data=61ae23ab",
        Filters(countries=("KGZ",), asof=TODAY, year_to=2026),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["country"] == "KGZ", "id"]),
    ),
    (
        "https://atlas.example/?asof=2024-01-01&vs=2013-01-01&country=KAZ",
        Filters(countries=("KAZ",), asof=date(2024, 1, 1), vs=date(2013, 1, 1), year_to=2026),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["country"] == "KAZ", "id"]),
    ),
    (
        "https://atlas.example/?country=KGZ&map=42.5,74.6,7",
        Filters(countries=("KGZ",), asof=TODAY, year_to=2026, at=(42.5, 74.6, 7.0)),
        lambda atlas, day: set(atlas.sites.loc[atlas.sites["country"] == "KGZ", "id"]),
    ),
    (
        "https://atlas.example/?operator=roscosmos&asof=2024-01-01",
        Filters(operators=("roscosmos",), asof=date(2024, 1, 1), year_to=2026),
        lambda atlas, day: set(status_as_of(atlas.control, day).query("operator_group == 'roscosmos'")["site_id"]),
    ),
]


@pytest.mark.parametrize(("url", "filters", "sites"), PINNED, ids=[url.split("/", 3)[3] for url, _, _ in PINNED])
def test_a_shared_link_opens_the_same_view(atlas, url, filters, sites):
    parsed, warnings = parse(parse_qs(urlsplit(url).query, keep_blank_values=True), Known.of(atlas, today=TODAY))
    assert warnings == []
    assert parsed == filters
    if sites is not None:
        expected = sites(atlas, parsed.asof)
        assert expected and set(apply(atlas, parsed).sites["id"]) == expected


def test_the_pinned_links_cover_every_parameter():
    from strategic_sites.view.urlstate import PARAMS

    used = {name for url, _, _ in PINNED for name in parse_qs(urlsplit(url).query)}
    assert used == set(PARAMS)
    assert {"status", "leases", "events", "countries"} <= set(LAYERS)  # layer names are part of links too: none is ever renamed
