"""The dashboard as Streamlit runs it (AppTest): what a user sees on the default page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datafiles import edit_row
from strategic_sites.ui import DATA_ENV

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def run_app(timeout: float = 60) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=timeout)
    app.run()
    return app


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


def test_as_of_date_changes_the_leases_in_force(atlas):
    app = run_app()
    app.date_input(key="asof").set_value(date(1993, 6, 1)).run()
    assert not app.exception
    assert metrics(app)["Leases in force on 01 Jun 1993"] == "0"  # the first lease, Baikonur's, dates from Dec 1994
    app.date_input(key="asof").set_value(date(2000, 1, 1)).run()
    assert int(metrics(app)["Leases in force on 01 Jan 2000"]) >= 1


def test_a_selected_site_shows_its_history_leases_events_and_sources(atlas):
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["site"] = "kant"
    app.run()
    assert not app.exception
    assert app.subheader[0].value.startswith("Kant Air Base")
    shown = metrics(app)
    assert any(v == "Leased to Russia" for v in shown.values())
    history, leases, events, sources = (d.value for d in app.dataframe)
    assert len(history) == (atlas.control["site_id"] == "kant").sum()
    assert history["status"].iloc[0] == "Soviet (USSR, to 1991)"
    assert len(leases) == (atlas.leases["site_id"] == "kant").sum()
    assert "Kant air base agreement signed in Moscow" in set(events["title"])  # not at the site, but about it
    assert "Status of Russian Kant Air Base in Kyrgyzstan to be changed" in set(sources["title"])


def test_an_unknown_site_gives_a_clear_message_not_a_traceback():
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["site"] = "<atlantis>"
    app.run()
    assert not app.exception
    assert "There is no site with id" in app.warning[0].value
    assert "atlantis" in app.warning[0].value


def test_a_broken_data_folder_gives_one_clear_error_and_no_traceback(shipped_copy, monkeypatch):
    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    assert len(app.error) == 1
    assert f"control.csv line {line}, column 'status'" in app.error[0].value
    assert not app.metric  # nothing half-loaded is shown


@pytest.mark.parametrize("missing", ["sites.geojson", "sources.csv"])
def test_a_missing_file_is_named_on_the_page(shipped_copy, monkeypatch, missing):
    (shipped_copy / missing).unlink()
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    assert f"{missing}: file is missing" in app.error[0].value


def test_data_broken_while_the_app_runs_keeps_the_last_good_view(shipped_copy, monkeypatch, atlas):
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.error and metrics(app)["Sites shown"] == str(atlas.counts["sites"])

    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    app.run()
    assert not app.exception
    assert f"control.csv line {line}, column 'status'" in app.error[0].value
    assert "last version of the data" in app.warning[0].value
    assert metrics(app)["Sites shown"] == str(atlas.counts["sites"])  # nothing already loaded is lost
