"""The selected site's panel (ui/site.py), as Streamlit runs it."""

from __future__ import annotations

from test_app import metrics, run_app


def test_a_site_outside_the_filters_is_shown_and_says_so(atlas):
    app = run_app(site="kant", country="KAZ")  # Kant is in Kyrgyzstan
    assert not app.exception, app.exception
    assert app.main.subheader[0].value.startswith("Kant Air Base")
    assert any("outside the current filters" in c.value for c in app.main.caption)
    assert "Leased to Russia" in metrics(app).values()  # its status, though the view holds no Kyrgyz site
    assert metrics(app)["Sites shown"] == str((atlas.sites["country"] == "KAZ").sum())


def test_a_site_inside_the_filters_has_no_such_note():
    app = run_app(site="kant", country="KGZ")
    assert not any("outside the current filters" in c.value for c in app.main.caption)


def test_close_clears_the_selection_and_the_link():
    app = run_app(site="kant", country="KGZ")
    app.button(key="close-site").click().run()
    assert not app.exception
    assert not app.main.subheader
    assert "Click a site on the map" in app.info[0].value
    assert app.query_params == {"country": "KGZ"}
