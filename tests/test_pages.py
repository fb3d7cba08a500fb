"""Every page as Streamlit runs it (AppTest), with and without a selected site."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["app_pages/map.py", "app_pages/sites.py", "app_pages/timeline.py", "app_pages/events.py", "app_pages/sources.py", "app_pages/data_api.py", "app_pages/about.py"]


def test_the_page_list_is_the_links_list():
    from strategic_sites.view.links import PAGES as declared

    assert [page.script for page in declared] == PAGES


def open_page(page: str, **params) -> AppTest:
    """Open a link to ``page`` with these query parameters (the page's own URL)."""
    app = AppTest.from_file(APP, default_timeout=90)
    for name, value in params.items():
        app.query_params[name.rstrip("_")] = value
    app.run()  # the first paint: the map alone (ui/speed.py)
    if page != "app_pages/map.py":
        app.switch_page(page)
    app.run()  # on the map page, the run the drawn map asks for: the filters, tables and the rest
    return app


def charts(app: AppTest) -> list[dict]:
    """The page's charts, top to bottom: each Vega-Lite spec with its datasets as records
    under ``"datasets"`` (Streamlit sends those apart from the spec, as Arrow)."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "vega_lite_chart":
                spec = json.loads(child.proto.spec)
                spec["datasets"] = {
                    ds.name: pa.ipc.open_stream(ds.data.data).read_all().to_pandas().astype(str).to_dict("records")
                    for ds in child.proto.datasets
                }
                spec["alt"] = child.proto.alt  # what a screen reader says of the chart
                found.append(spec)
            walk(child)

    walk(app.main)
    return found


def frames(app: AppTest) -> list:
    return [d.value for d in app.main.dataframe]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("site", [None, "baikonur"])
def test_every_page_opens_with_and_without_a_site(page, site):
    app = open_page(page, **({"site": site} if site else {}))
    assert not app.exception, app.exception
    assert not app.error and not app.warning
    assert app.title[0].value
    # The link stays the view: the selected site is still in the URL on every page.
    assert app.query_params == ({"site": site} if site else {})


def test_sites_page_without_a_site_shows_the_table_and_a_prompt(atlas):
    app = open_page("app_pages/sites.py", country="KAZ")
    assert app.title[0].value == "Sites"
    assert "Select a row" in app.info[0].value
    table = frames(app)[0]
    assert sorted(table["id"]) == sorted(atlas.sites.loc[atlas.sites["country"] == "KAZ", "id"])


def test_sites_page_deep_link_shows_the_site_in_full(atlas):
    app = open_page("app_pages/sites.py", site="baikonur", asof="2020-01-01")
    assert app.main.subheader[0].value == "Baikonur Cosmodrome"
    assert "Космодром «Байконур»" in app.main.caption[0].value
    shown = {m.label: m.value for m in app.metric}
    assert shown["Status on 01 Jan 2020"] == "Leased to Russia"
    assert shown["Lease: Kazakhstan → Russia"] == "to 2050"
    countdown = app.main.get("progress")[0]
    assert "ends 2050" in countdown.proto.text and "30.0 years left" in countdown.proto.text
    timeline = charts(app)[0]
    assert "Leased to Russia" in json.dumps(timeline)
    sources = frames(app)[-2]  # the sources behind the site's facts, one row each, above the sites table
    supported = " · ".join(sources["supports"])
    assert all(f"{kind}: " in supported for kind in ("Site", "Control", "Lease")) and " events: " in supported
    assert sources["url"].str.startswith("http").any()
    events = frames(app)[2]
    assert list(events["date"]) == sorted(events["date"])  # in date order


def test_sites_page_unknown_site_gives_a_message_and_the_table(atlas):
    app = open_page("app_pages/sites.py", site="no-such-base")
    assert not app.exception
    assert "no site has this id" in app.warning[0].value
    assert len(frames(app)[0]) == len(atlas.sites)


def test_timeline_draws_every_site_shown_with_the_as_of_rule(atlas):
    app = open_page("app_pages/timeline.py", country="KGZ", asof="2010-05-01")
    spec = json.dumps(charts(app)[0])
    for name in atlas.sites.loc[atlas.sites["country"] == "KGZ", "name"]:
        assert json.dumps(name)[1:-1] in spec
    assert "Baikonur Cosmodrome" not in spec
    assert "as of 01 May 2010" in spec
    kyrgyz = (atlas.sites["country"] == "KGZ").sum()
    assert charts(app)[0]["alt"] == f"Timeline of {kyrgyz} sites: control periods, lease terms and events, as of 01 May 2010."


def test_events_page_counts_and_lists_the_events_of_the_period(atlas):
    app = open_page("app_pages/events.py", from_="2013", to="2014")
    table = frames(app)[0]
    shown = atlas.events[(atlas.events["date_last"].dt.year >= 2013) & (atlas.events["date_first"].dt.year <= 2014)]
    assert len(table) == len(shown) > 0
    assert table["date"].str[:4].astype(int).between(2013, 2014).all()
    chart = json.dumps(charts(app)[0])
    assert '"year": "2013"' in chart and '"year": "2014"' in chart and '"year": "2012"' not in chart


def test_sources_page_lists_what_cites_each_source(atlas):
    app = open_page("app_pages/sources.py", site="kant", country="KGZ")
    table = frames(app)[0]
    assert 0 < len(table) < len(atlas.sources)
    assert table["sites"].str.contains("Kant Air Base").any()
    assert not table["sites"].str.contains("Baikonur").any()
    app.toggle(key="all-sources").set_value(True).run()
    assert len(frames(app)[0]) == len(atlas.sources)


def test_about_page_says_what_is_covered_and_how_to_contribute(atlas):
    app = open_page("app_pages/about.py")
    text = "\n".join(m.value for m in app.main.markdown)
    assert f"{atlas.counts['sites']} sites" in text
    assert "Natural Earth" in text and "CC BY 4.0" in text
    assert "python -m strategic_sites validate geodata" in text


def test_russian_names_link(atlas):
    app = open_page("app_pages/sites.py", lang="ru", site="baikonur")
    assert app.main.subheader[0].value == "Космодром «Байконур»"
    assert "Baikonur Cosmodrome" in app.main.caption[0].value
    table = frames(app)[-1]
    assert "Космодром «Байконур»" in set(table["name"])
    assert app.radio(key="f_lang").value == "ru"
    assert app.query_params == {"site": "baikonur", "lang": "ru"}
    app.radio(key="f_lang").set_value("en").run()
    assert app.main.subheader[0].value == "Baikonur Cosmodrome"
    assert app.query_params == {"site": "baikonur"}


def test_the_data_api_page_links_every_endpoint_for_the_view_in_the_sidebar(atlas):
    from strategic_sites.api.endpoints import ENDPOINTS

    app = open_page("app_pages/data_api.py", country="KGZ", asof="2013-06-01")
    assert not app.exception and app.title[0].value == "Data API"
    said = " ".join(m.value for m in app.markdown)
    for endpoint in ENDPOINTS:
        for path in endpoint.paths:
            assert f"/api/v1/{path}?country=KGZ&asof=2013-06-01&data={atlas.data_version.code}" in said, path
    assert any("curl -s '" in code.value and "/api/v1/events.csv?country=KGZ" in code.value for code in app.code)
