"""Finding a site under any of its names (strategic_sites.view.search), on the shipped data: a table
of queries a reader might type, in Latin and Cyrillic, old names, designations and
misspellings, each with the site it must find first; and queries that must find nothing."""

from __future__ import annotations

import pytest

from strategic_sites.map import popups
from strategic_sites.view import search
from strategic_sites.view.filters import Filters, apply
from strategic_sites.view.language import names

# query -> the site it finds first
FINDS = {
    # English names and places
    "Baikonur": "baikonur", "Sary-Shagan": "sary-shagan", "Kant": "kant", "Osh": "osh", "Okno": "okno-nurek",
    "Vostochny": "vostochny", "Priozersk": "priozersk", "Karakol": "issyk-kul-test-base", "Almaty": "almaty-aircraft-plant-405",
    # spacing and hyphens
    "Sary Shagan": "sary-shagan", "saryshagan": "sary-shagan", "Kurgan Tyube": "bokhtar-201st-garrison",
    "Mayluu Suu": "mailuu-suu", "NIIP 5": "baikonur", "niip5": "baikonur",
    # Cyrillic, Kazakh and Tajik script
    "Байконур": "baikonur", "Тюратам": "baikonur", "Ленинск": "baikonur-city", "Сары-Шаган": "sary-shagan",
    "Кант": "kant", "Ош": "osh", "Куляб": "kulob-201st-garrison", "Курган-Тюбе": "bokhtar-201st-garrison",
    "Углегорск": "tsiolkovsky", "Восточный": "vostochny", "Звездоград": "baikonur-city", "Майлуу-Суу": "mailuu-suu",
    "Капустин Яр": "kapustin-yar-kz", "Тайсойган": "glits-929-kz", "Гиссар": "ayni", "Жанатас": "eurochem-zhanatas",
    "Қӯрғонтеппа": "bokhtar-201st-garrison", "Кӯлоб": "kulob-201st-garrison",
    # former names
    "Tyuratam": "baikonur", "Leninsk": "baikonur-city", "Zvezdograd": "baikonur-city", "Uglegorsk": "tsiolkovsky",
    "Svobodny-18": "tsiolkovsky", "Kurgan-Tyube": "bokhtar-201st-garrison", "Qurghonteppa": "bokhtar-201st-garrison",
    "Kulyab": "kulob-201st-garrison", "Stalinabad": "dushanbe-201st-base", "Przhevalsk": "issyk-kul-test-base",
    # transliterations and accents
    "Baykonur": "baikonur", "Baikonour": "baikonur", "Baïkonour": "baikonur", "Kŭlob": "kulob-201st-garrison",
    "Vostochniy": "vostochny", "Janatas": "eurochem-zhanatas", "Embi": "emba", "Aini": "ayni", "Hisor": "ayni",
    "Norak": "okno-nurek", "Chaldybar": "chaldovar", "Mayli-Say": "mailuu-suu",
    # designations
    "NIIP-5": "baikonur", "Balkhash-9": "balkhash-radar", "Emba-5": "emba", "Okno-M": "okno-nurek", "UAFW": "kant",
    "Marevo": "chaldovar", "KapYar": "kapustin-yar-kz", "Moscow-400": "baikonur", "999th": "kant",
    # misspellings, found by spelling only
    "Sarishagan": "sary-shagan", "Sary Shagn": "sary-shagan", "Baikanur": "baikonur", "Tiuratam": "baikonur",
    "Dushambe": "dushanbe-201st-base", "Chaldovor": "chaldovar", "Zvezdagrad": "baikonur-city", "Kapustin Jar": "kapustin-yar-kz",
    "Kustanai": "kamaz-kostanay",
}  # fmt: skip

# Places that are not sites, and noise: a loose threshold would find something for each.
FINDS_NOTHING = ["Paris", "London", "Berlin", "Texas", "Mars", "Bishkek", "Tashkent", "Ashgabat", "Kazan", "Samara",
                 "Astana", "Omsk", "Canberra", "qwerty", "xyzzy", "zz", "12345", "konur"]  # fmt: skip


@pytest.fixture(scope="module")
def finder(atlas):
    return search.finder(atlas)


@pytest.mark.parametrize("query, site", FINDS.items())
def test_a_query_finds_its_site_first(finder, query, site):
    hits = finder.find(query)
    assert hits, f"{query!r} found nothing"
    assert hits[0].site_id == site, [(h.site_id, h.name) for h in hits[:3]]


@pytest.mark.parametrize("query", FINDS_NOTHING)
def test_a_query_that_names_no_site_finds_nothing(finder, query):
    assert finder.find(query) == [], [(h.site_id, h.name, h.score) for h in finder.find(query)]


def test_the_table_covers_what_the_issue_asks():
    assert len(FINDS) + len(FINDS_NOTHING) >= 40
    scripts = {"cyrillic": any("а" <= ch <= "я" for q in FINDS for ch in q.lower()), "latin": any(q.isascii() for q in FINDS)}
    assert all(scripts.values()), scripts


def test_exact_name_hits_come_before_aliases_and_spelling(finder):
    """"Sary Shagan" is Sary-Shagan's name and an alias of the Balkhash radar node."""
    hits = finder.find("Sary Shagan")
    assert [(h.site_id, h.how) for h in hits] == [("sary-shagan", search.NAME), ("balkhash-radar", search.ALIAS)]


def test_spelling_is_tried_only_when_nothing_matches_and_only_for_four_letters_or_more(finder):
    assert all(h.how != search.SPELLING for h in finder.find("Baikonur"))
    assert finder.find("Kan") and all(h.how != search.SPELLING for h in finder.find("Kan"))  # a word start: Kant
    assert finder.find("Oss") == []  # three letters: no spelling match for Osh


def test_fold_writes_every_script_in_plain_latin():
    assert search.fold("Тюратам") == "tyuratam"
    assert search.fold("Baïkonour") == "baikonour"
    assert search.fold("  Sary--Shagan (range) ") == "sary shagan range"
    assert search.fold("Қорғантөбе") == "qorghantobe"


def test_the_search_filter_finds_sites_by_alias_and_says_which(atlas):
    view = apply(atlas, Filters(q="Tyuratam"))
    assert list(view.sites["id"]) == ["baikonur"]
    assert view.found_as == {}  # "Tyuratam" is in Baikonur's place: its own name
    view = apply(atlas, Filters(q="Zvezdograd"))
    assert list(view.sites["id"]) == ["baikonur-city"]
    assert view.found_as == {"baikonur-city": "found as “Zvezdograd”"}
    view = apply(atlas, Filters(q="Sary Shagan"))
    assert list(view.sites["id"]) == ["sary-shagan", "balkhash-radar"]  # the best hit first


def test_the_search_respects_the_other_filters(atlas):
    assert apply(atlas, Filters(q="Baikonur", countries=("KGZ",))).sites.empty


def test_a_site_found_by_an_alias_says_so_in_its_tooltip(atlas):
    from strategic_sites.map import mapdata

    view = apply(atlas, Filters(q="NIIP-5"))
    (site,) = mapdata.status_data(atlas, view)["sites"]
    assert site["id"] == "baikonur" and "found as “NIIP-5”" in site["tooltip"]
    assert "found as" not in mapdata.status_data(atlas, apply(atlas, Filters(q="Baikonur")))["sites"][0]["tooltip"]


def test_a_popup_lists_the_sites_other_names_escaped(atlas):
    site = next(atlas.sites[atlas.sites["id"] == "baikonur"].itertuples())
    top, _ = popups.site_popup_parts(site, atlas.events.iloc[:0], {}, names(atlas))
    assert "Tyuratam" in top and "NIIP-5" in top and f"{len(site.alias_list) - popups.ALIASES_SHOWN} more" in top
    hostile = site._replace(alias_list=["<img src=x onerror=alert(1)>"])
    assert "<img" not in popups.site_popup_parts(hostile, atlas.events.iloc[:0], {}, names(atlas))[0]


def test_every_alias_of_the_shipped_data_finds_its_site(atlas, finder):
    """Each alias, typed as written, finds its site (among the hits: an alias may be shared)."""
    for site_id, aliases in zip(atlas.sites["id"], atlas.sites["alias_list"]):
        for alias in aliases:
            assert site_id in {h.site_id for h in finder.find(alias)}, (site_id, alias)
