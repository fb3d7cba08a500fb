"""The dashboard as Streamlit runs it (AppTest): what a user sees on the default page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datafiles import edit_row
from strategic_sites.ui import DATA_ENV
from strategic_sites.ui.state import TABLE_SHOWN

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def run_app(timeout: float = 60, **params) -> AppTest:
    """Open the app as a user opening a link with these query parameters would."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    for name, value in params.items():
        app.query_params[name.rstrip("_")] = value  # `from_` for `from`
    app.run()  # the first paint: the map alone (ui/speed.py)
    app.run()  # the run the drawn map asks for: the filters, tables and the rest
    return app


def unescaped(markdown: str) -> str:
    """Text as a reader sees it: the app escapes every punctuation mark of data and URLs."""
    return re.sub(r"\\(.)", r"\1", markdown)


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_map_page_shows_the_counts_of_what_the_map_shows(atlas):
    app = run_app()
    assert not app.exception, app.exception
    assert app.title[0].value == "Strategic Sites Atlas"
    shown = metrics(app)
    assert shown["Sites shown"] == str(atlas.counts["sites"])
    events_label = next(label for label in shown if label.startswith("Events "))
    first, last = (int(y) for y in events_label.removeprefix("Events ").split("–"))
    in_period = atlas.events[(atlas.events["date_last"].dt.year >= first) & (atlas.events["date_first"].dt.year <= last)]
    assert shown[events_label] == str(len(in_period))
    assert "Click a site on the map" in app.info[0].value


def test_only_a_rerun_that_changes_the_map_holds_the_rest_of_the_page_back(monkeypatch, atlas):
    """A filter change sends the map's new layers ahead of the tables below it, so the browser
    redraws the map first (bench/results.md); a rerun that leaves the map as it was waits for nothing."""
    from strategic_sites.ui import map_widget, speed

    pauses = []
    monkeypatch.setattr(map_widget, "_pause", pauses.append)
    app = run_app()
    assert pauses == []  # the first paint and the rest: the same map
    app.pills(key="f_country").set_value(["KGZ"]).run()
    assert pauses == [speed.HEAD_START_S]
    assert metrics(app)["Sites shown"] == str((atlas.sites["country"] == "KGZ").sum()) and app.dataframe  # the rest follows
    app.run()
    app.text_input(key="f_q").set_value("zzz-nothing").run()  # no site: new, empty layers
    assert pauses == [speed.HEAD_START_S] * 2


def test_host_countries_are_pills_and_a_dropdown_when_there_are_many(monkeypatch):
    from strategic_sites.ui import sidebar

    app = run_app(country="KGZ")
    assert app.pills(key="f_country").value == ["KGZ"] and len(app.pills(key="f_country").options) == 4
    monkeypatch.setattr(sidebar, "COUNTRY_PILLS", 3)  # an atlas of more countries than pills
    app = run_app(country="KGZ")
    assert not app.pills and app.multiselect(key="f_country").value == ["KGZ"]


def test_a_visitors_first_run_draws_the_linked_map_alone_and_the_next_run_the_rest(atlas):
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["country"] = "KGZ"
    app.run()  # what the browser gets first: the head of the page and the map, with the link's view
    assert not app.exception, app.exception
    assert app.title[0].value == "Strategic Sites Atlas"
    assert metrics(app)["Sites shown"] == str((atlas.sites["country"] == "KGZ").sum())
    assert len(app.get("component_instance")) == 1  # the map
    assert not app.multiselect and not app.dataframe and not app.tabs and not app.info  # no filters, tables or site panel yet
    assert "filters appear once the map has drawn" in app.sidebar.caption[0].value
    app.run()  # the run the drawn map asks for: everything
    assert app.pills(key="f_country").value == ["KGZ"]  # the filters hold the link's view
    assert app.tabs and app.dataframe and "Click a site on the map" in app.info[0].value
    assert not [c for c in app.sidebar.caption if "filters appear" in c.value]
    assert app.query_params == {"country": "KGZ"}
    app.run()  # and later runs stay whole
    assert app.pills(key="f_country").value == ["KGZ"] and app.dataframe


def test_the_first_paints_button_asks_for_the_rest_at_once():
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.multiselect
    app.button(key="show-filters").click().run()  # a map that never reports: the user asks
    assert app.pills(key="f_country").value == [] and app.dataframe
    assert "show-filters" not in [b.key for b in app.button]


def test_as_of_date_changes_the_leases_in_force(atlas):
    app = run_app()
    app.text_input(key="f_asof").set_value("1993-06-01").run()
    assert not app.exception
    assert metrics(app)["Leases in force on 01 Jun 1993"] == "0"  # the first lease, Baikonur's, dates from Dec 1994
    app.text_input(key="f_asof").set_value("2000-01-01").run()
    assert int(metrics(app)["Leases in force on 01 Jan 2000"]) >= 1


def test_a_selected_site_shows_its_history_leases_events_and_sources(atlas):
    app = run_app(site="kant")
    assert not app.exception
    assert app.main.subheader[0].value.startswith("Kant Air Base")
    shown = metrics(app)
    assert any(v == "Leased to Russia" for v in shown.values())
    history, leases, events, sources = (d.value for d in app.dataframe[:4])
    assert len(history) == (atlas.control["site_id"] == "kant").sum()
    assert history["status"].iloc[0] == "Soviet (USSR, to 1991)"
    assert len(leases) == (atlas.leases["site_id"] == "kant").sum()
    assert "Kant air base agreement signed in Moscow" in set(events["title"])  # not at the site, but about it
    assert "Status of Russian Kant Air Base in Kyrgyzstan to be changed" in set(sources["source"])  # behind a fact


def test_an_unknown_site_in_the_link_gives_a_clear_message_not_a_traceback(atlas):
    app = run_app(site="<atlantis>", country="KGZ")
    assert not app.exception
    assert len(app.warning) == 1
    assert "site=<atlantis>" in unescaped(app.warning[0].value)
    assert "\\<atlantis\\>" in app.warning[0].value  # escaped: shown as written, never as markup
    assert "no site has this id" in app.warning[0].value
    assert metrics(app)["Sites shown"] == str((atlas.sites["country"] == "KGZ").sum())  # the rest is kept
    assert "Click a site on the map" in app.info[0].value


def test_a_broken_data_folder_gives_one_clear_error_and_no_traceback(shipped_copy, monkeypatch):
    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    assert len(app.error) == 1
    assert f"control.csv line {line}, column 'status'" in unescaped(app.error[0].value)
    assert not app.metric  # nothing half-loaded is shown


@pytest.mark.parametrize("missing", ["sites.geojson", "sources.csv"])
def test_a_missing_file_is_named_on_the_page(shipped_copy, monkeypatch, missing):
    (shipped_copy / missing).unlink()
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    assert f"{missing}: file is missing" in unescaped(app.error[0].value)


def test_data_broken_while_the_app_runs_keeps_the_last_good_view(shipped_copy, monkeypatch, atlas):
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.error and metrics(app)["Sites shown"] == str(atlas.counts["sites"])

    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    app.run()
    assert not app.exception
    assert f"control.csv line {line}, column 'status'" in unescaped(app.error[0].value)
    assert "last version of the data" in app.warning[0].value
    assert metrics(app)["Sites shown"] == str(atlas.counts["sites"])  # nothing already loaded is lost


def test_a_data_value_in_the_error_box_is_shown_as_written_never_as_a_link(shipped_copy, monkeypatch):
    hostile = "[click](https://evil.example)"
    line = edit_row(shipped_copy, "control.csv", 0, status=hostile)
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    said = app.error[0].value  # the box's Markdown
    assert f"control.csv line {line}, column 'status': '{hostile}'" in unescaped(said)  # the reader sees the cell
    assert "\\[click\\]\\(https" in said and "](" not in said  # as text: no link can start
    assert said.count("\n- ") == 1  # still a list: one problem, one item


# --- links: the URL is the state -----------------------------------------------------------------


def open_table(app: AppTest, kind: str) -> AppTest:
    """Open the tab of one table under the map (sites, events, leases, points), as a click does."""
    app.session_state[TABLE_SHOWN] = kind
    return app.run()


def shown_tables(app: AppTest) -> dict:
    """The tables under the map sent to the page, by tab."""
    return {tab.label.split(" (")[0].lower(): tab.dataframe[0].value for tab in app.tabs if len(tab.dataframe)}


def tables(app: AppTest) -> dict:
    """The Sites, Events and Leases tables under the map, each opened in its tab."""
    shown = {}
    for kind in ("sites", "events", "leases"):
        shown |= shown_tables(open_table(app, kind))
    return shown


def test_only_the_open_tab_sends_its_table_and_it_stays_open_when_the_filters_change(atlas):
    app = run_app()
    events = next(value for label, value in metrics(app).items() if label.startswith("Events "))
    assert [tab.label for tab in app.tabs] == [f"Sites ({atlas.counts['sites']})", f"Events ({events})", f"Leases ({len(atlas.leases)})"]
    assert list(shown_tables(app)) == ["sites"]  # the other tables are not built until opened
    assert list(shown_tables(open_table(app, "events"))) == ["events"]
    app.pills(key="f_country").set_value(["KGZ"]).run()  # new counts, new labels: still the events
    assert list(shown_tables(app)) == ["events"]
    at = set(shown_tables(app)["events"]["site"])
    assert any(name.startswith("Kant Air Base") for name in at) and not any("Baikonur" in name for name in at)
    assert not app.exception


def test_a_country_link_shows_only_that_countrys_sites_in_counts_and_tables(atlas):
    app = run_app(country="KGZ")
    assert not app.exception and not app.warning
    kyrgyz = atlas.sites[atlas.sites["country"] == "KGZ"]
    assert metrics(app)["Sites shown"] == str(len(kyrgyz))
    shown = tables(app)
    assert sorted(shown["sites"]["name"]) == sorted(kyrgyz["name"])
    assert set(shown["sites"]["country"]) == {"Kyrgyzstan (KGZ)"}
    assert set(shown["leases"]["site_id"]) <= set(kyrgyz["id"])
    assert {"kant", "osh"} <= set(atlas.events.set_index("title").loc[shown["events"]["title"], "site_id"])  # at Kyrgyz sites
    assert not set(atlas.events.set_index("title").loc[shown["events"]["title"], "site_id"]) & {"baikonur", "ayni"}
    assert app.pills(key="f_country").value == ["KGZ"]


def test_two_countries_may_repeat_or_be_comma_separated(atlas):
    repeated = run_app(country=["KAZ", "TJK"])
    commas = run_app(country="KAZ,TJK")
    expected = str(atlas.sites["country"].isin(["KAZ", "TJK"]).sum())
    assert metrics(repeated)["Sites shown"] == metrics(commas)["Sites shown"] == expected
    assert repeated.query_params == commas.query_params == {"country": ["KAZ", "TJK"]}  # written back one way


def test_an_as_of_and_period_link_sets_the_date_and_the_events(atlas):
    app = run_app(asof="2013-06-01", from_="2013", to="2015")
    assert not app.exception and not app.warning
    shown = metrics(app)
    assert "Leases in force on 01 Jun 2013" in shown
    events = tables(app)["events"]
    assert len(events) == int(shown["Events 2013–2015"]) > 0
    assert events["date"].str[:4].astype(int).between(2013, 2015).all()
    assert app.text_input(key="f_asof").value == "2013-06-01"
    assert app.slider(key="f_period").value == (2013, 2015)
    sites = tables(app)["sites"].set_index("id")
    assert sites.loc["sary-shagan", "status"] == "Leased to Russia"
    assert sites.loc["sary-shagan", "lessee"] == "Russia"


def test_a_search_link_finds_sites_by_russian_name(atlas):
    app = run_app(q="Байконур")
    assert not app.exception
    names = set(tables(app)["sites"]["name"])
    assert names and all("Baikonur" in n for n in names)


def test_a_malformed_link_warns_once_and_keeps_the_good_parts(atlas):
    app = run_app(country=["KGZ", "XXX"], asof="13/06/2013", from_="2020", to="2010", layers="status,radar")
    assert not app.exception
    assert len(app.warning) == 1
    text = unescaped(app.warning[0].value)
    for ignored in ("country=XXX", "asof=13/06/2013", "from=2020", "layers=radar"):
        assert ignored in text
    assert metrics(app)["Sites shown"] == str((atlas.sites["country"] == "KGZ").sum())  # country=KGZ kept
    assert any(label.startswith("Leases in force on") and label.endswith(f"{date.today():%Y}") for label in metrics(app))
    assert app.query_params == {"country": "KGZ", "layers": "status"}  # the URL now says what is shown


def test_an_absurdly_long_value_is_named_and_ignored():
    app = run_app(q="x" * 5000)
    assert not app.exception
    assert "q=xxxx" in unescaped(app.warning[0].value) and "longer than" in app.warning[0].value
    assert app.text_input(key="f_q").value == ""


def test_changing_a_filter_writes_the_url_and_clears_the_link_warning():
    app = run_app(site="nowhere")
    assert len(app.warning) == 1
    app.pills(key="f_country").set_value(["TJK"]).run()
    assert app.query_params == {"country": "TJK"}
    assert not app.warning
    app.text_input(key="f_asof").set_value("2005-03-01").run()
    assert app.query_params == {"country": "TJK", "asof": "2005-03-01"}
    app.button(key="reset-filters").click().run()
    assert app.query_params == {}
    assert app.pills(key="f_country").value == []


def test_the_share_box_shows_the_full_link_of_the_view(atlas):
    app = run_app(country="KAZ", site="baikonur")
    share = next(c.value for c in app.sidebar.code)
    # The date is pinned, and the data's version travels with the link.
    assert share.endswith(f"/?country=KAZ&asof={date.today():%Y-%m-%d}&site=baikonur&data={atlas.data_version.code}")


def test_a_link_made_with_older_data_opens_its_view_with_the_changes_since(atlas):
    app = run_app(country="KGZ", data="73d35f8c")
    assert not app.exception and not app.warning
    notice = unescaped(next(i.value for i in app.info if "data version" in i.value))
    assert "made with data version 73d35f8c" in notice and atlas.data_version.code in notice
    latest = atlas.data_version.since("73d35f8c")[-1]  # the newest of the changes made after that version
    assert unescaped(latest.what)[:60] in notice
    assert "Other names of all 25 sites" not in notice  # the change that made that version
    assert metrics(app)["Sites shown"] == str(int((atlas.sites["country"] == "KGZ").sum()))  # the view still opens
    app.pills(key="f_country").set_value(["KAZ"]).run()
    assert not any("data version" in i.value for i in app.info)  # gone once the user changes the view


def test_a_link_made_with_this_data_or_an_unknown_version_says_so_plainly(atlas):
    assert not any("data version" in i.value for i in run_app(data=atlas.data_version.code).info)
    unknown = run_app(data="0123abcd")
    assert any("0123abcd, which this atlas's changelog does not record" in unescaped(i.value) for i in unknown.info)


def test_every_page_names_the_data_version_and_about_lists_the_changes(atlas):
    app = run_app()
    assert any(f"data version {atlas.data_version.label}" in unescaped(c.value) for c in app.caption)
    app.switch_page("app_pages/about.py").run()
    assert not app.exception
    changes = next(frame.value for frame in app.dataframe if "what changed" in frame.value.columns)
    assert list(changes["version"])[0] == atlas.data_version.code and len(changes) == len(atlas.data_version.changes)
    # How the grades are checked, and the reviewed exceptions to the rule (none in the shipped data).
    assert "How the grades are checked" in [h.value for h in app.subheader]
    assert any("No fact's grade is an exception to these rules." in m.value for m in app.markdown)


def test_default_view_keeps_the_url_empty():
    app = run_app()
    assert app.query_params == {}


def test_a_large_event_file_lists_the_first_thousand_and_counts_them_all(monkeypatch, tmp_path):
    """The events table sends its first 1,000 rows to the page and says so; the counts and the
    map cover every event."""
    import sys

    sys.path.insert(0, str(Path(APP).parent / "bench"))
    from synthetic import generate

    from strategic_sites import load_atlas
    from strategic_sites.view.filters import Filters, apply

    folder = generate(tmp_path / "geodata", 2_500, seed=5)
    monkeypatch.setenv(DATA_ENV, str(folder))
    app = open_table(run_app(timeout=120), "events")
    assert not app.exception, app.exception
    view = apply(load_atlas(folder), Filters())
    shown = metrics(app)
    assert shown[next(label for label in shown if label.startswith("Events "))] == str(len(view.events)) != "1000"
    events = next(frame for frame in app.dataframe if "title" in frame.value.columns)
    assert len(events.value) == 1_000
    assert list(events.value["title"]) == list(view.events["title"].head(1_000))
    assert any(f"The first 1,000 of {len(view.events):,} are listed" in c.value for c in app.caption)


def test_go_to_site_says_when_no_site_has_the_name(atlas):
    app = run_app()
    app.text_input(key="go-to-site").input("Atlantis <b>").run()
    assert not app.exception
    assert app.title[0].value == "Strategic Sites Atlas"  # stays where it was
    assert any("No site is called “Atlantis \\<b\\>”" in c.value for c in app.sidebar.caption)


def test_the_site_panel_lists_the_names_a_site_is_also_known_by(atlas):
    app = run_app(site="baikonur-city")
    also = next(c.value for c in app.main.caption if c.value.startswith("Also known as: "))
    assert "Leninsk" in also and "Zvezdograd" in also


# --- the embedded page (embed=true) ---------------------------------------------------------------


def open_embedded(page: str = "app_pages/map.py", **params) -> AppTest:
    """Open a link in an ``<iframe>``, as the "Embed this view" snippet writes it (``embed=true``)."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.context = {"is_embedded": True}  # what Streamlit's front end says of embed=true
    app.query_params["embed"] = "true"
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    if page != "app_pages/map.py":
        app.switch_page(page).run()  # AppTest knows a page's URL only after a first run
    return app


def embedded_map_height(app: AppTest) -> int:
    """The height of the map the embedded page draws (its only component)."""
    (drawn,) = app.get("component_instance")
    return json.loads(drawn.proto.json_args)["height"]


def test_an_embedded_link_draws_the_map_at_the_snippets_height(atlas):
    app = open_embedded(country="KGZ", h="640")
    assert not app.exception and not app.warning
    assert embedded_map_height(app) == 640
    assert not app.pills and not app.multiselect and not app.dataframe  # the map alone: no filters, no tables
    assert any("Open in the atlas" in m.value and "country=KGZ" in m.value for m in app.markdown)


@pytest.mark.parametrize(
    ("page", "height", "shown"),
    [
        ("app_pages/map.py", "²", "²"),  # h=%C2%B2: a digit to str.isdigit, not to int()
        ("app_pages/map.py", "⑤", "⑤"),  # h=%E2%91%A4
        ("app_pages/map.py", "9" * 5000, "9" * 37 + "…"),  # past int()'s 4,300 digits
        ("app_pages/sites.py", "²", "²"),  # /sites?embed=true&h=%C2%B2
    ],
)
def test_a_bad_height_in_an_embedded_link_is_named_and_the_map_still_drawn(atlas, page, height, shown):
    app = open_embedded(page, country="TJK", h=height)
    assert not app.exception, app.exception
    assert embedded_map_height(app) == 480  # the default height
    assert len(app.warning) == 1
    said = unescaped(app.warning[0].value)
    assert f"Ignored h={shown}: not a height in pixels from 300 to 1200." in said
    assert any("Open in the atlas" in m.value and "country=TJK" in m.value for m in app.markdown)  # the rest as linked


def test_an_embedded_link_names_every_part_it_cannot_use_escaped():
    app = open_embedded(site="<atlantis>", h="-5", country="KGZ")
    assert not app.exception
    said = app.warning[0].value
    assert "site=<atlantis>" in unescaped(said) and "h=-5" in unescaped(said)
    assert "\\<atlantis\\>" in said  # escaped: shown as written, never as markup
    assert embedded_map_height(app) == 480


# --- Compare mode and confidence ------------------------------------------------------------------


def param(app: AppTest, name: str) -> list[str]:
    """A query parameter's values as the URL holds them."""
    value = app.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def changes_table(app: AppTest):
    return next((frame.value for frame in app.dataframe if {"before", "after", "what"} <= set(frame.value.columns)), None)


def test_a_compare_link_lists_the_changes_and_keeps_both_dates_in_the_url(atlas):
    app = run_app(asof="2024-01-01", vs="2013-01-01")
    assert not app.exception and not app.warning
    assert app.text_input(key="f_vs").value == "2013-01-01"
    assert any("What changed, 01 Jan 2013 → 01 Jan 2024" in h.value for h in app.subheader)
    table = changes_table(app)
    assert table is not None
    rows = {(site, what): after for site, what, after in zip(table["site_id"], table["what"], table["after"])}
    assert rows[("balkhash-radar", "Status")].startswith("Closed") and rows[("emba", "Lease")] == "none in force"
    assert param(app, "asof") == ["2024-01-01"] and param(app, "vs") == ["2013-01-01"]


def test_choosing_a_date_to_compare_with_writes_it_to_the_url_and_clearing_it_stops(atlas):
    app = run_app(asof="2024-01-01")
    assert changes_table(app) is None
    app.text_input(key="f_vs").set_value("2013-01-01").run()
    assert not app.exception
    assert param(app, "vs") == ["2013-01-01"] and changes_table(app) is not None
    app.text_input(key="f_vs").set_value("").run()
    assert "vs" not in app.query_params and changes_table(app) is None


def test_the_confidence_filter_is_part_of_the_link(atlas):
    app = run_app(conf="unconfirmed", from_="2014", to="2014")
    assert not app.exception and not app.warning
    assert app.multiselect(key="f_conf").value == ["unconfirmed"]
    events = tables(app)["events"]
    assert list(events["id"]) == ["2014-seed000-joint-claim"] and events["confidence"].iloc[0] == "? unconfirmed"
    app.multiselect(key="f_conf").set_value(["confirmed", "reported"]).run()
    assert param(app, "conf") == ["confirmed", "reported"]


def test_a_disputed_lease_shows_both_values_in_the_site_panel(atlas):
    app = run_app(site="kant", asof="2010-01-01")
    assert not app.exception
    said = " ".join(unescaped(m.value) for m in app.markdown)
    captions = " ".join(unescaped(c.value) for c in app.caption)
    assert "Sources disagree on the lease's annual rent usd" in said
    assert "4500000" in said and "Kept (best sourced)" in captions and "Other value" in captions
    assert "Radio Free Europe" in captions or "RFE/RL" in captions


# --- how the tables show their rows: the columns that matter first, no "None", counts in words ---

NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "<NA>"}
FIRST_COLUMNS = {  # what each table under the map shows first, in this order (then the rest)
    "changes": ["site", "what", "before", "after"],
    "sites": ["name", "status", "lessee", "lease_end"],
    "events": ["date", "title", "site"],
    "leases": ["site", "parties", "start", "end", "rent_usd"],
}


def frames_by_table(app: AppTest) -> dict:
    """The Dataframe elements under the map (the compare table and each tab's), by table."""
    found = {}
    for kind in ("sites", "events", "leases"):
        open_table(app, kind)
        found[kind] = next(tab.dataframe[0] for tab in app.tabs if len(tab.dataframe))
    found["changes"] = next(frame for frame in app.dataframe if {"before", "after"} <= set(frame.value.columns))
    return found


def test_the_tables_show_the_columns_that_matter_first_in_full_contrast_and_never_none(atlas):
    app = run_app(asof="2020-01-01", vs="1995-01-01")
    assert not app.exception
    for name, frame in frames_by_table(app).items():
        order = list(frame.proto.column_order)
        assert order[: len(FIRST_COLUMNS[name])] == FIRST_COLUMNS[name], (name, order)
        config = json.loads(frame.proto.columns)
        assert not [column for column, said in config.items() if said.get("pinned")], f"{name}: a pinned column is drawn faded"
        value = frame.value
        if value[order].isna().any().any():  # a missing figure reads as the table's placeholder
            assert frame.proto.HasField("placeholder") and frame.proto.placeholder not in NOT_A_VALUE, name
        cells = {cell for cell in value[order].to_numpy().ravel() if isinstance(cell, str)}
        assert not cells & NOT_A_VALUE, (name, cells & NOT_A_VALUE)
    leases = frames_by_table(app)["leases"]
    assert leases.value["rent_usd"].isna().any() and leases.proto.placeholder == "—"  # a rent not published: a dash


def test_one_change_is_counted_in_the_singular(atlas):
    app = run_app(asof="2024-01-01", vs="2013-01-01", q="Vostochny")  # one site, one change (its operator)
    assert not app.exception
    said = [c.value for c in app.caption if "the map rings each changed site" in c.value]
    assert said and said[0].startswith("1 change at the only site shown;"), said
    many = run_app(asof="2024-01-01", vs="2013-01-01")
    table = changes_table(many)
    said = next(c.value for c in many.caption if "the map rings each changed site" in c.value)
    assert said.startswith(f"{len(table)} changes at {table['site_id'].nunique()} of the {len(atlas.sites)} sites shown;")


def test_a_typed_date_applies_and_a_bad_one_is_said_and_changes_nothing(atlas):
    """A date typed into "Compare with" (Enter applies it) starts the comparison; a date that
    is not one is said under its field, and the view keeps the date it had."""
    app = run_app()
    app.text_input(key="f_vs").set_value("2010-01-01").run()
    assert not app.exception, app.exception
    assert app.query_params.get("vs") == ["2010-01-01"] or app.query_params.get("vs") == "2010-01-01"
    app.text_input(key="f_vs").set_value("2010-13-45").run()
    warned = [w.value.replace("\\", "") for w in app.sidebar.warning]  # as shown (the markdown's escapes dropped)
    assert any("2010-13-45" in w and "not a date like 2013-06-01" in w for w in warned), warned
    assert app.query_params.get("vs") in (["2010-01-01"], "2010-01-01")  # the view keeps its date
    app.text_input(key="f_asof").set_value("1850-01-01").run()
    assert any("1850-01-01" in w and "outside 1991-01-01 to today" in w for w in (w.value.replace("\\", "") for w in app.sidebar.warning))


def test_moving_the_map_keeps_the_links_warning_and_the_map_in_the_url(atlas):
    """A link's warning stays until the user changes the view; moving the map is not a change of
    view. Where the user leaves the map goes into the URL (map=); a bad map= is named."""
    app = run_app(country=["KGZ", "XXX"], map="42.5,74.6,7")
    assert len(app.warning) == 1 and "country=XXX" in unescaped(app.warning[0].value)
    assert app.query_params.get("map") in ("42.5,74.6,7", ["42.5,74.6,7"])
    app.session_state["map_at"] = (43.0, 75.25, 8.0)  # as the map reports a move (ui/map_widget._follow_frame)
    app.run()
    assert len(app.warning) == 1 and "country=XXX" in unescaped(app.warning[0].value)
    assert app.query_params.get("map") in ("43,75.25,8", ["43,75.25,8"])
    bad = run_app(map="91,0,4")
    assert "map=91,0,4" in unescaped(bad.warning[0].value) and "not a place on the map" in bad.warning[0].value


def test_the_operator_filter_narrows_the_page_and_is_part_of_the_link(atlas):
    from strategic_sites.view.timeline import status_as_of

    app = run_app(asof="2024-01-01")
    widget = app.multiselect(key="f_operator")
    assert "Roscosmos" in widget.options  # only the groups the data has
    assert "Companies" in widget.options and len(widget.options) == len(set(atlas.control["operator_group"]))
    widget.set_value(["roscosmos"]).run()
    assert not app.exception
    assert param(app, "operator") == ["roscosmos"]
    status = status_as_of(atlas.control, "2024-01-01")
    run_by_roscosmos = set(status.loc[status["operator_group"] == "roscosmos", "site_id"])
    assert metrics(app)["Sites shown"] == str(len(run_by_roscosmos))
    assert set(tables(app)["sites"]["id"]) == run_by_roscosmos
    linked = run_app(asof="2024-01-01", operator="roscosmos")
    assert linked.multiselect(key="f_operator").value == ["roscosmos"]
    assert metrics(linked)["Sites shown"] == str(len(run_by_roscosmos))


def test_the_share_box_offers_this_view_as_data(atlas):
    app = run_app(country="KGZ", asof="2013-06-01")
    said = " ".join(m.value for m in app.markdown)
    version = atlas.data_version.code
    assert f"/api/v1/sites.geojson?country=KGZ&asof=2013-06-01&data={version}" in said
    assert f"/api/v1/events.csv?country=KGZ&asof=2013-06-01&data={version}" in said and "/api/v1/openapi.json" in said
