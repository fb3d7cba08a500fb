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


# --- what the panel shows: no missing-value markers, each source once, disputed figures named -----

import re  # noqa: E402

import pytest  # noqa: E402

from datafiles import edit_row, first_row  # noqa: E402
from strategic_sites.outputs import tables  # noqa: E402
from strategic_sites.ui import DATA_ENV  # noqa: E402
from test_app import unescaped  # noqa: E402

NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "<NA>"}
MARKER = re.compile(r"\b(None|nan|NaN|NaT)\b")


def assert_no_missing_value_markers(app) -> None:
    """No table cell, metric, caption or progress text of the page reads "None", "nan" or
    "NaT": a table with missing cells sets what they read as (a dash or blank)."""
    for frame in app.dataframe:
        value = frame.value
        if value.isna().any().any():
            assert frame.proto.HasField("placeholder") and frame.proto.placeholder not in NOT_A_VALUE, list(value.columns)
        cells = {str(cell) for cell in value.to_numpy().ravel() if not (cell is None or cell != cell)}
        assert not cells & NOT_A_VALUE, (list(value.columns), cells & NOT_A_VALUE)
    said = [m.value for m in app.metric] + [m.proto.delta for m in app.metric] + [c.value for c in app.caption]
    said += [p.proto.text for p in app.main.get("progress")]
    for text in said:
        assert not MARKER.search(unescaped(text)), text


@pytest.mark.parametrize(
    ("site", "asof"),
    [
        ("baikonur", "2015-01-01"),  # a lease with no published area, one agreement with no rent
        ("kapustin-yar-kz", "2020-01-01"),  # a lease with no end and no rent
        ("eurochem-zhanatas", "1995-01-01"),  # no status and no lease on the date
        ("dushanbe-201st-base", "2010-01-01"),  # a disputed start and a disputed end
    ],
)
def test_the_site_panel_never_shows_none_or_nan(site, asof):
    app = run_app(site=site, asof=asof)
    assert not app.exception, app.exception
    assert app.main.subheader  # the panel is there
    assert_no_missing_value_markers(app)


def test_no_lease_or_status_on_the_date_reads_as_such():
    app = run_app(site="eurochem-zhanatas", asof="1995-01-01")  # Russian-run from 2008
    shown = metrics(app)
    assert shown["Status on 01 Jan 1995"] == "No record" and shown["Lease"] == "Not leased"


def test_the_panel_lists_each_source_once_with_what_it_supports(atlas):
    app = run_app(site="baikonur", asof="2015-01-01")
    sources = next(frame.value for frame in app.dataframe if "supports" in frame.value.columns)
    facts = tables.site_facts(atlas, "baikonur")  # one row per fact and source
    assert len(sources) < len(facts)
    assert not sources.duplicated(["source", "publisher", "url"]).any()
    cited = facts.groupby(["source", "publisher", "url"]).size()
    assert sorted(sources["facts"], reverse=True) == list(sources["facts"])  # the sources behind most facts first
    assert dict(zip(zip(sources["source"], sources["publisher"], sources["url"]), sources["facts"])) == cited.to_dict()
    afp = sources.set_index("publisher").loc["SpaceDaily / AFP"]
    assert afp["facts"] > 1
    for said in ("Control: Leased to Russia", "Lease: Kazakhstan → Russia", "other value of annual rent usd: 150000000"):
        assert said in afp["supports"]
    assert any(f"**Sources** ({len(sources)}" in m.value for m in app.markdown)


def test_a_disputed_rent_says_so_beside_the_figure():
    app = run_app(site="baikonur", asof="2015-01-01")  # the 2004 agreement: US$115 m kept, AFP says 150 m
    rent = next(c.value for c in app.main.caption if unescaped(c.value).startswith("Rent: "))
    assert unescaped(rent) == "Rent: US$115 m a year (disputed: another source gives US$150 m)"
    assert rent.count("\\$") == 2  # escaped: two dollar signs never open a formula
    assert metrics(app)["Lease: Kazakhstan → Russia"] == "to 2050"


def test_an_undisputed_rent_is_plain_and_other_disputed_headline_figures_are_named():
    plain = run_app(site="baikonur", asof="2000-01-01")  # the 1994 agreement: not disputed
    assert [unescaped(c.value) for c in plain.main.caption if unescaped(c.value).startswith("Rent: ")] == ["Rent: US$115 m a year"]
    kant = run_app(site="kant", asof="2010-01-01")  # no rent (CACI) against US$4.5 m a year (RFE/RL)
    assert "Rent: US$0 a year (disputed: another source gives US$4.50 m)" in [unescaped(c.value) for c in kant.main.caption]
    dushanbe = run_app(site="dushanbe-201st-base", asof="2010-01-01")
    said = [unescaped(c.value) for c in dushanbe.main.caption]
    assert "Ends: 2014-10 (disputed: another source gives 2014-01-01)" in said
    assert any(s.startswith("From: 2004-10-17 (disputed: another source gives ") for s in said)


def test_a_disputed_figure_from_the_data_is_shown_as_written(shipped_copy, monkeypatch):
    row = first_row(shipped_copy, "leases.csv", site_id="baikonur", start="2010-06-07")
    edit_row(shipped_copy, "leases.csv", row, dispute_value="*2* [x](https://evil.example) $1$")
    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app(site="baikonur", asof="2015-01-01")
    assert not app.exception and not app.error
    rent = next(c.value for c in app.main.caption if unescaped(c.value).startswith("Rent: "))
    assert unescaped(rent) == "Rent: US$115 m a year (disputed: another source gives *2* [x](https://evil.example) $1$)"
    assert "](" not in rent and "\\*2\\*" in rent  # as text: no link, emphasis or formula can start
