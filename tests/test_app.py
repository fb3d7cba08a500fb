"""The dashboard as Streamlit runs it (AppTest): what a user sees on the default page."""

from __future__ import annotations

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


def test_map_page_shows_the_atlas_counts_and_sites(atlas):
    app = run_app()
    assert not app.exception, app.exception
    assert app.title[0].value == "Strategic Sites Atlas"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Sites"] == str(atlas.counts["sites"])
    assert metrics["Events"] == str(atlas.counts["events"])
    table = app.dataframe[0].value
    assert len(table) == atlas.counts["sites"]
    assert set(table["name"]) == set(atlas.sites["name"])


def test_a_broken_data_folder_gives_one_clear_error_and_no_traceback(shipped_copy, monkeypatch):
    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.exception
    assert len(app.error) == 1
    assert f"control.csv line {line}, column 'status'" in app.error[0].value
    assert not app.dataframe  # nothing half-loaded is shown


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
    assert not app.error and len(app.dataframe[0].value) == atlas.counts["sites"]

    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    app.run()
    assert not app.exception
    assert f"control.csv line {line}, column 'status'" in app.error[0].value
    assert "last version of the data" in app.warning[0].value
    assert len(app.dataframe[0].value) == atlas.counts["sites"]  # nothing already loaded is lost
