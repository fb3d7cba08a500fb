"""The URL is the state: parsing and writing query strings, and filtering by them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategic_sites.view.filters import FIRST_YEAR, LAYERS, Filters, apply
from strategic_sites.view.urlstate import PARAMS, POINTS, Known, embed_height, parse, query_string, serialise
from strategic_sites.core.vocab import CONFIDENCE, SITE_KINDS, STATUSES

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def known(atlas):
    return Known.of(atlas, today=TODAY)


def from_url(url: str, known: Known):
    return parse(parse_qs(urlsplit(url).query, keep_blank_values=True), known)


def test_the_plain_url_is_the_default_view(known):
    filters, warnings = from_url("https://atlas.example/", known)
    assert filters == known.defaults() and warnings == []
    assert serialise(known.defaults(), known) == {} and query_string({}) == ""


def test_a_full_url_restores_every_part_of_the_view(known):
    url = "/?country=KAZ&country=KGZ&kind=cosmodrome,air_base&status=russian_lease&conf=reported,confirmed&asof=2013-06-01&vs=2024-01-01&from=2013&to=2015&q=Proton&site=baikonur&layers=status,events&lang=ru"
    filters, warnings = from_url(url, known)
    assert warnings == []
    assert filters == Filters(
        countries=("KAZ", "KGZ"),
        kinds=("cosmodrome", "air_base"),
        statuses=("russian_lease",),
        confidence=("confirmed", "reported"),
        asof=date(2013, 6, 1),
        vs=date(2024, 1, 1),
        year_from=2013,
        year_to=2015,
        q="Proton",
        site="baikonur",
        layers=("status", "events"),
        lang="ru",
    )
    # Written back as bound widgets write them: repeated parameters, defaults left out.
    assert query_string(serialise(filters, known)) == (
        "?country=KAZ&country=KGZ&kind=cosmodrome&kind=air_base&status=russian_lease&conf=confirmed&conf=reported&asof=2013-06-01&vs=2024-01-01"
        "&from=2013&to=2015&q=Proton&site=baikonur&layers=status&layers=events&lang=ru"
    )


def test_comma_separated_and_repeated_values_mean_the_same(known):
    assert from_url("?country=KAZ,KGZ", known)[0] == from_url("?country=KGZ&country=KAZ", known)[0]
    assert from_url("?country=kaz", known)[0].countries == ("KAZ",)


@pytest.mark.parametrize(
    "query, parameter, value, kept",
    [
        ("country=XXX&kind=air_base", "country", "XXX", {"kinds": ("air_base",)}),
        ("country=KAZ,ZZZ", "country", "ZZZ", {"countries": ("KAZ",)}),
        ("kind=spaceport&asof=2013-06-01", "kind", "spaceport", {"asof": date(2013, 6, 1)}),
        ("status=leased", "status", "leased", {}),
        ("asof=2013-13-01&country=KGZ", "asof", "2013-13-01", {"countries": ("KGZ",)}),
        ("asof=yesterday", "asof", "yesterday", {}),
        ("asof=1980-01-01", "asof", "1980-01-01", {}),
        ("asof=2099-01-01", "asof", "2099-01-01", {}),
        ("from=2015&to=2013&site=kant", "from", "2015", {"site": "kant"}),
        ("from=abc", "from", "abc", {}),
        ("from=2013²", "from", "2013²", {}),  # a digit to str.isdigit, not to int()
        ("to=1985&country=TJK", "to", "1985", {"countries": ("TJK",)}),  # before the default from: name `to`
        ("site=x%0A%0A1.%20y", "site", "x 1. y", {}),  # one line in the warning
        ("to=3000", "to", "3000", {}),
        ("site=atlantis&country=KAZ", "site", "atlantis", {"countries": ("KAZ",)}),
        ("layers=status,radar", "layers", "radar", {"layers": ("status",)}),
        ("lang=fr&country=KAZ", "lang", "fr", {"countries": ("KAZ",)}),
        ("asof=2013-06-01&asof=2014-06-01", "asof", "2013-06-01,2014-06-01", {}),
        ("q=" + "x" * 150, "q", "x" * 37 + "…", {}),
        ("conf=sure&country=KGZ", "conf", "sure", {"countries": ("KGZ",)}),
        ("conf=confirmed,maybe", "conf", "maybe", {"confidence": ("confirmed",)}),
        ("vs=2013-02-30&asof=2020-01-01", "vs", "2013-02-30", {"asof": date(2020, 1, 1)}),
        ("vs=1980-01-01", "vs", "1980-01-01", {}),
        ("vs=2020-01-01&asof=2020-01-01", "vs", "2020-01-01", {"asof": date(2020, 1, 1)}),  # nothing to compare
        ("vs=2013-01-01&vs=2014-01-01", "vs", "2013-01-01,2014-01-01", {}),
        ("country=" + "K" * 5000, "country", "K" * 37 + "…", {}),
    ],
)
def test_bad_input_gives_one_warning_and_falls_back_for_that_parameter_only(known, query, parameter, value, kept):
    filters, warnings = from_url("?" + query, known)
    assert len(warnings) == 1, warnings
    assert f"Ignored {parameter}={value}: " in warnings[0]
    assert filters == replace(known.defaults(), **kept)


@pytest.mark.parametrize(
    "query, height",
    [
        ("", 480),  # no h=: the default
        ("h=640", 640),
        ("h=300", 300),
        ("h=1200", 1200),
        ("h=0480", 480),  # four ASCII digits, a leading zero among them
        ("h=%20640%20", 640),  # spaces around it, as around any value
        ("country=KGZ&h=720", 720),
    ],
)
def test_an_embeds_height_is_read_from_h(query, height):
    assert embed_height(parse_qs(query, keep_blank_values=True)) == (height, [])


@pytest.mark.parametrize(
    "query, shown",
    [
        ("h=%C2%B2", "²"),  # a digit to str.isdigit, not to int()
        ("h=%E2%91%A4", "⑤"),
        ("h=%D9%A4%D9%A8%D9%A0", "٤٨٠"),  # Arabic-Indic 480: int() reads it; a height is ASCII
        ("h=" + "9" * 5000, "9" * 37 + "…"),  # past int()'s 4,300 digits
        ("h=00480", "00480"),  # five digits
        ("h=-5", "-5"),
        ("h=%2B500", "+500"),
        ("h=4.8e2", "4.8e2"),
        ("h=480px", "480px"),
        ("h=0", "0"),
        ("h=299", "299"),
        ("h=1201", "1201"),
        ("h=9999", "9999"),
        ("h=", ""),
        ("h=480&h=640", "480,640"),
        ("h=4%0A80", "4 80"),  # one line in the warning
    ],
)
def test_a_bad_embed_height_is_named_and_the_map_keeps_the_default(query, shown):
    height, warnings = embed_height(parse_qs(query, keep_blank_values=True))
    assert height == 480
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"Ignored h={shown}: ")


def test_the_embed_height_warning_says_what_a_height_is():
    assert embed_height({"h": "²"}) == (480, ["Ignored h=²: not a height in pixels from 300 to 1200."])


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.text(max_size=6000), max_size=3))
def test_any_string_for_h_gives_a_height_in_range_without_an_exception(values):
    height, warnings = embed_height({"h": values})
    assert 300 <= height <= 1200 and len(warnings) <= 1


def test_h_is_the_embeds_and_no_part_of_a_view(known):
    assert from_url("?h=640&country=KGZ", known) == (replace(known.defaults(), countries=("KGZ",)), [])
    assert from_url("?h=%C2%B2", known) == (known.defaults(), [])  # the embed reads and names it
    assert "h" not in PARAMS


def test_layers_can_all_be_switched_off(known):
    filters, warnings = from_url("?layers=", known)
    assert filters.layers == () and warnings == []
    assert serialise(filters, known) == {"layers": [""]}


def test_unknown_parameters_are_left_alone(known):
    assert from_url("?utm_source=newsletter&country=KGZ", known) == (replace(known.defaults(), countries=("KGZ",)), [])


# --- property tests --------------------------------------------------------------------------------


def filters_strategy(known: Known):
    def subset(values, order):
        return st.lists(st.sampled_from(sorted(values)), unique=True, max_size=len(values)).map(
            lambda chosen: tuple(v for v in order if v in chosen)
        )

    years = st.integers(min_value=known.first_year, max_value=TODAY.year)
    return st.builds(
        lambda countries, kinds, statuses, asof, y1, y2, q, site, layers, lang, confidence, vs: Filters(
            countries=tuple(sorted(countries)),
            kinds=kinds,
            statuses=statuses,
            confidence=confidence,
            asof=asof,
            vs=vs if vs != asof else None,
            year_from=min(y1, y2),
            year_to=max(y1, y2),
            q=q,
            site=site,
            layers=layers,
            lang=lang,
        ),
        subset(known.countries, sorted(known.countries)),
        subset(SITE_KINDS, list(SITE_KINDS)),
        subset(STATUSES, list(STATUSES)),
        st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=TODAY),
        years,
        years,
        st.text(max_size=100).map(str.strip),
        st.sampled_from(sorted(known.sites) + [""]),
        subset(LAYERS, list(LAYERS)),
        st.sampled_from(["en", "ru"]),
        subset(CONFIDENCE, list(CONFIDENCE)),
        st.none() | st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=TODAY),
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_valid_state_survives_serialise_then_parse(known, data):
    filters = data.draw(filters_strategy(known))
    params = serialise(filters, known)
    assert parse(params, known) == (filters, [])
    # ... and through a real URL, encoded and decoded.
    url = "https://atlas.example/sites" + query_string(params)
    assert from_url(url, known) == (filters, [])


@settings(max_examples=300, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from(PARAMS + ("other",)),
        st.lists(st.text(max_size=300), max_size=4),
        max_size=len(PARAMS),
    )
)
def test_any_string_for_any_parameter_parses_without_an_exception(known, params):
    filters, warnings = parse(params, known)
    assert isinstance(filters, Filters)
    assert all(w.startswith("Ignored ") for w in warnings)


# --- filtering -------------------------------------------------------------------------------------


def test_filtering_by_country_kind_status_and_text(atlas):
    kgz = apply(atlas, Filters(countries=("KGZ",), asof=TODAY))
    assert set(kgz.sites["country"]) == {"KGZ"} and len(kgz.sites) == (atlas.sites["country"] == "KGZ").sum()
    assert set(kgz.leases["site_id"]) <= set(kgz.sites["id"])
    assert "2003-09-22-kant-agreement" in set(kgz.events["id"])  # signed in Moscow, about Kant
    assert "2013-07-02-proton-m-crash" not in set(kgz.events["id"])

    air = apply(atlas, Filters(kinds=("air_base",), asof=TODAY))
    assert set(air.sites["kind"]) == {"air_base"}

    leased_2000 = apply(atlas, Filters(statuses=("russian_lease",), asof=date(2000, 1, 1)))
    assert "baikonur" in set(leased_2000.sites["id"]) and "kant" not in set(leased_2000.sites["id"])
    assert set(leased_2000.status["status"]) == {"russian_lease"}

    russian_name = apply(atlas, Filters(q="Байконур", asof=TODAY))
    assert {"baikonur", "baikonur-city"} <= set(russian_name.sites["id"])
    proton = apply(atlas, Filters(q="proton", asof=TODAY))
    assert proton.sites.empty and "2013-07-02-proton-m-crash" in set(proton.events["id"])


def test_a_one_year_period_shows_that_years_events_and_no_others(atlas):
    view = apply(atlas, Filters(asof=TODAY, year_from=2013, year_to=2013))
    shown = set(view.events["id"])
    assert "2013-07-02-proton-m-crash" in shown
    years = atlas.events["date"].str[:4]
    assert shown == set(atlas.events.loc[years == "2013", "id"])  # every event dated in 2013, by its own date


def test_the_readme_documents_every_url_parameter_and_value():
    from pathlib import Path

    from strategic_sites.view.filters import CHOICES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| parameter |") :].split("\n\n")[0]
    for name in (*PARAMS, POINTS):
        assert f"`{name}`" in table, name
    vocabularies = [value for choice in CHOICES if choice.param != "country" for value in choice.values(None)]  # countries: the atlas's
    for value in (*vocabularies, *LAYERS, "en", "ru"):
        assert f"`{value}`" in table, value


@pytest.mark.parametrize(
    ("context_url", "base", "page", "params", "expected"),
    [
        ("https://atlas.example/?x=1", "", "", {"country": ["KGZ"]}, "https://atlas.example/?country=KGZ"),
        ("https://atlas.example/sites", "", "sites", {"site": ["baikonur"]}, "https://atlas.example/sites?site=baikonur"),
        ("https://proxy.example/atlas/", "/atlas/", "", {}, "https://proxy.example/atlas/"),
        ("https://proxy.example/atlas/timeline", "atlas", "timeline", {"country": ["KAZ", "KGZ"]}, "https://proxy.example/atlas/timeline?country=KAZ&country=KGZ"),
        ("http://127.0.0.1:8501", "", "", {}, "http://127.0.0.1:8501/"),
    ],
)
def test_share_links_keep_host_proxy_path_and_page(context_url, base, page, params, expected):
    from strategic_sites.view.links import Links

    assert Links.served_at(context_url, base).page(page, params) == expected


def test_a_shared_link_pins_the_date_the_address_bar_leaves_out(known):
    from strategic_sites.view.urlstate import share_params

    today_view = replace(known.defaults(), countries=("KGZ",))
    assert serialise(today_view, known) == {"country": ["KGZ"]}
    shared = share_params(today_view, known)
    assert known.version and len(known.version) == 8
    assert query_string(shared) == f"?country=KGZ&asof={TODAY.isoformat()}&data={known.version}"
    assert parse(shared, known) == (today_view, [])
    dated = replace(today_view, asof=date(2013, 6, 1))
    assert share_params(dated, known) == {**serialise(dated, known), "data": [known.version]}


def test_a_links_data_version_is_read_and_a_malformed_one_named(known):
    from strategic_sites.view.urlstate import data_version

    assert data_version({"data": ["61ae23ab"]}) == "61ae23ab" and data_version({}) is None
    filters, warnings = from_url("?data=61ae23ab&country=KGZ", known)
    assert warnings == [] and filters == replace(known.defaults(), countries=("KGZ",))  # the view is the link's, whatever the data
    filters, warnings = from_url("?data=latest&country=KGZ", known)
    assert warnings == ["Ignored data=latest: not a data version like 7d4b3242."] and filters.countries == ("KGZ",)


def test_a_views_data_link_is_the_share_links_on_the_data_api_at_the_servers_root(known):
    """The data API is served at the server's root whatever the pages' base path, and takes the
    share link's parameters, less those that change no data (the layers, the map's frame)."""
    from strategic_sites.view.links import Links

    links = Links.served_at("https://proxy.example/atlas/timeline?country=KAZ", "/atlas/")
    filters = Filters(countries=("KGZ",), asof=TODAY, layers=("status",), at=(42.5, 74.6, 7.0))
    assert links.api("sites.geojson", filters, known) == f"https://proxy.example/api/v1/sites.geojson?country=KGZ&asof={TODAY.isoformat()}&data={known.version}"
    assert links.page("", {}) == "https://proxy.example/atlas/"
