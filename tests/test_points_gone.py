"""A tab that held the user's own points, opened in a session that holds none (the server
restarted under it, or its address was copied elsewhere), says so rather than showing the map
without them in silence; the address bar says how many points the tab holds, the share link never."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, run_app, unescaped

from strategic_sites.ui import state
from strategic_sites.ui.points import Points
from strategic_sites.uploads.upload import read_points
from strategic_sites.view import urlstate

CSV = b"name,lat,lon\nBishkek office,42.87,74.59\nAlmaty,43.24,76.89\nTashkent,41.3,69.28\n"


def gone(app: AppTest) -> list[str]:
    return [w.value for w in app.warning if "Your own points are not shown" in w.value]


@pytest.mark.parametrize(
    ("value", "count", "warned"),
    [("3", 3, False), ("120", 120, False), (" 7 ", 7, False), ("0", None, True), ("-4", None, True), ("abc", None, True),
     ("１２", None, True), ("12345678", None, True), ("", None, True)],
)
def test_points_in_an_address_is_a_count_or_a_warning_naming_it(value, count, warned):
    held, warnings = urlstate.points_held({"points": [value]})
    assert held == count
    assert bool(warnings) == warned
    if warned:
        assert warnings[0].startswith("Ignored points=") and "not a number of points" in warnings[0]


def test_an_address_without_points_says_nothing_of_them():
    assert urlstate.points_held({"country": ["KAZ"]}) == (None, [])
    held, warnings = urlstate.points_held({"points": ["2", "3"]})
    assert held is None and len(warnings) == 1 and "given more than once" in warnings[0]


def test_a_new_session_opened_with_points_in_its_address_says_they_are_not_shown_and_how_to_add_them():
    app = run_app(country="KGZ", points="120")
    assert not app.exception, app.exception
    (notice,) = gone(app)
    assert "120 points" in notice and "add the file again" in unescaped(notice) and "server was restarted" in notice
    # The view of the link is shown all the same, and the address no longer says the tab holds points.
    assert app.query_params == {"country": "KGZ"}
    app.run()  # a later run of the same session: still said, until hidden or points are added
    assert len(gone(app)) == 1


def test_the_notice_hides_on_request_and_stays_hidden():
    app = run_app(points="5")
    assert gone(app)
    app.button(key=state.HIDE_POINTS_GONE).click().run()
    assert not gone(app)
    app.run()
    assert not gone(app)


def test_a_bad_points_value_is_named_once_and_opens_no_notice():
    app = run_app(points="<b>x</b>")
    assert not app.exception
    assert not gone(app)
    (warning,) = [w.value for w in app.warning if "points=" in unescaped(w.value)]
    assert "not a number of points" in warning


def test_a_session_with_points_writes_their_count_to_the_address_never_to_the_share_link(atlas):
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["country"] = "KGZ"
    app.query_params["points"] = "3"
    app.run()
    upload = read_points("mine.csv", CSV, atlas.countries)
    assert upload.ok
    app.session_state[state.POINTS] = Points("mine.csv", "k", upload)  # as the uploader keeps them
    app.run()
    assert app.query_params["points"] == "3" and app.query_params["country"] == "KGZ"
    assert not gone(app)  # points are here again: nothing to say
    share = next(c.value for c in app.sidebar.code)
    assert "points=" not in share and "country=KGZ" in share
    # Removing them takes the count out of the address.
    app.button(key=state.REMOVE_POINTS).click().run()
    assert "points" not in app.query_params
    assert not gone(app)
