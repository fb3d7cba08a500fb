"""Compare mode (what changed between two dates) and the confidence filter, on the shipped data."""

from __future__ import annotations

from datetime import date

from strategic_sites.map import mapdata, popups
from strategic_sites.outputs import tables
from strategic_sites.view.filters import Filters, apply
from strategic_sites.view.language import names as names_of


def changed(view) -> dict[tuple[str, str], tuple[str, str]]:
    return {(row.site_id, row.what): (row.before, row.after) for row in view.changes.itertuples()}


def test_2013_against_2024_shows_what_a_reader_expects(atlas):
    """The issue's example: Balkhash radar closed, Vostochny run by Roscosmos, the Emba lease
    ended, the Kant and 201st agreements of 2012 and 2019 in force."""
    view = apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    assert view.compared == (date(2013, 1, 1), date(2024, 1, 1))
    found = changed(view)
    assert found[("balkhash-radar", "Status")][1].startswith("Closed")
    assert found[("emba", "Lease")][1] == "none in force" and "signed 1996-10-18" in found[("emba", "Lease")][0]
    assert "signed 2019-03-28" in found[("kant", "Lease")][1] and "to 2032" in found[("kant", "Lease")][1]
    assert "signed 2012-10-05" in found[("dushanbe-201st-base", "Lease")][1] and "to 2042" in found[("dushanbe-201st-base", "Lease")][1]
    assert "Roscosmos State Corporation" in found[("vostochny", "Operator")][1]
    # A site whose facts are the same on both dates is not listed, whatever its lease's blank rent.
    assert not any(site == "glits-929-kz" for site, _ in found)


def test_the_order_of_the_two_dates_does_not_change_the_answer(atlas):
    one = apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    other = apply(atlas, Filters(asof=date(2013, 1, 1), vs=date(2024, 1, 1)))
    assert changed(one) == changed(other)


def test_no_comparison_without_a_second_date(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1)))
    assert view.compared is None and view.changes.empty


def test_compare_covers_only_the_sites_shown(atlas):
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    assert set(view.changes["site_id"]) <= set(view.sites["id"]) and "kant" in set(view.changes["site_id"])


def test_changed_sites_are_ringed_on_the_map_with_before_and_after(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    sites = {site["id"]: site for site in mapdata.status_data(atlas, view)["sites"]}
    assert sites["emba"]["changed"]
    tooltip = sites["balkhash-radar"]["tooltip"]
    assert "Changed 01 Jan 2013 → 01 Jan 2024" in tooltip and "Status: Leased to Russia" in tooltip and "→ Closed" in tooltip
    unchanged = [s for s in sites.values() if not s["changed"]]
    assert unchanged and all("Changed" not in s["tooltip"] for s in unchanged)


def test_the_changes_table_names_sources_for_both_values(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    table = tables.changes_table(atlas, view)
    kant = table[(table["site_id"] == "kant") & (table["what"] == "Lease")].iloc[0]
    assert "CACI" in kant["sources"] or "Central Asia-Caucasus" in kant["sources"]
    assert kant["source"].startswith("http")
    assert "disputed" in kant["confidence"].split(" → ")[0]  # the 2003 agreement's rent is disputed


# --- confidence -----------------------------------------------------------------------------------


def test_the_confidence_filter_keeps_facts_of_the_chosen_grades(atlas):
    every = apply(atlas, Filters(asof=date(2024, 1, 1)))
    sure = apply(atlas, Filters(asof=date(2024, 1, 1), confidence=("confirmed",)))
    assert 0 < len(sure.events) < len(every.events)
    assert set(sure.events["confidence"].astype(str)) == {"confirmed"}
    assert set(sure.leases["confidence"].astype(str)) <= {"confirmed"}
    assert 0 < len(sure.sites) < len(every.sites)
    assert all(sure.status_of(site)["confidence"] == "confirmed" for site in sure.sites["id"])
    doubtful = apply(atlas, Filters(asof=date(2014, 6, 1), confidence=("unconfirmed",), year_from=2014, year_to=2014))
    assert list(doubtful.events["id"]) == ["2014-seed000-joint-claim"]


def test_a_disputed_lease_shows_both_values_and_both_sources_in_its_popup(atlas):
    """Kant's 2003 agreement: no rent (CACI), against US$4.5 m a year (RFE/RL, 2012)."""
    view = apply(atlas, Filters(asof=date(2010, 1, 1)))
    lease = view.lease_of("kant")
    assert lease["confidence"] == "disputed"
    html = popups.site_on_day(view.status_of("kant"), lease, date(2010, 1, 1), names_of(atlas), mapdata.lookups(atlas)[1])
    assert "Sources disagree on annual rent usd" in html and "4500000" in html
    kept, other = html.split("Kept", 1)[1].split("Other", 1)
    assert "0" in kept and "cacianalyst" in kept and "rferl" not in kept and "rferl" in other
    assert "ssa-conf-disputed" in html


def test_popups_escape_the_other_value(atlas):
    row = atlas.leases[atlas.leases["confidence"] == "disputed"].iloc[0].copy()
    row["dispute_value"] = "<img src=x onerror=alert(1)>"
    html = popups.dispute(row, {})
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
