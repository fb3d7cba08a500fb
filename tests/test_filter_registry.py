"""The filters that choose sites are declared once (filters.CHOICES), and every part of the atlas
reads them: each round-trips through the URL, narrows the view, is named in the downloads' file
names and in the export's note, and has its widget in the sidebar (tests/test_app.py)."""

from __future__ import annotations

from datetime import date

import pytest

from strategic_sites.outputs import export, tables
from strategic_sites.view.filters import CHOICES, Filters, apply
from strategic_sites.view.timeline import status_as_of
from strategic_sites.view.urlstate import Known, parse, serialise

TODAY = date(2026, 11, 24)
DAY = date(2024, 1, 1)


def a_value(choice, atlas, known):
    """A value of the filter that some site has on DAY (the first the widget offers)."""
    offered = choice.shown_values(atlas) if choice.shown_values else None
    return next(
        v for v in choice.values(known)
        if (offered is None or v in offered) and len(apply(atlas, Filters(asof=DAY, **{choice.field: (v,)})).sites)
    )


@pytest.mark.parametrize("choice", CHOICES, ids=[c.param for c in CHOICES])
def test_every_filter_travels_with_the_link_and_is_named_in_files_and_notes(atlas, choice):
    known = Known.of(atlas, today=TODAY)
    value = a_value(choice, atlas, known)
    filters = Filters(asof=DAY, year_to=TODAY.year, **{choice.field: (value,)})
    params = serialise(filters, known)
    assert params[choice.param] == [value]
    assert parse(params, known) == (filters, [])
    # A link written in other case, or repeated, reads the same.
    assert parse({**params, choice.param: [choice.normalise(value).swapcase(), value]}, known)[0] == filters
    assert f"_{value}_" in tables.download_name("sites", filters, "csv")
    note = export.describe(atlas, apply(atlas, filters))
    assert any(line.startswith(f"{choice.heading}: ") for line in note), note
    # An unknown value is named in the link's warning, in the filter's own words.
    _, warnings = parse({choice.param: ["no-such-value"]}, known)
    assert warnings == [f"Ignored {choice.param}=no-such-value: not a known {choice.noun}."]


@pytest.mark.parametrize("choice", CHOICES, ids=[c.param for c in CHOICES])
def test_every_filter_narrows_the_sites(atlas, choice):
    known = Known.of(atlas, today=TODAY)
    value = a_value(choice, atlas, known)
    everything = apply(atlas, Filters(asof=DAY))
    narrowed = apply(atlas, Filters(asof=DAY, **{choice.field: (value,)}))
    assert 0 < len(narrowed.sites) <= len(everything.sites)
    assert set(narrowed.sites["id"]) <= set(everything.sites["id"])


def test_the_operator_filter_keeps_the_sites_run_so_on_the_as_of_date(atlas):
    status = status_as_of(atlas.control, DAY)
    for group in ("roscosmos", "russian_military", "company"):
        view = apply(atlas, Filters(asof=DAY, operators=(group,)))
        assert set(view.sites["id"]) == set(status.loc[status["operator_group"] == group, "site_id"]), group
    assert "baikonur" in set(apply(atlas, Filters(asof=DAY, operators=("roscosmos",))).sites["id"])
    # In 1990 the cosmodrome was the USSR Ministry of Defence's.
    assert "baikonur" in set(apply(atlas, Filters(asof=date(1990, 1, 1), operators=("soviet_military",))).sites["id"])
    # Events away from every site go, as with a kind or a status: the filter is about who ran a site.
    view = apply(atlas, Filters(asof=DAY, operators=("roscosmos",)))
    assert not ((view.events["site_id"] == "") & view.events["concern_ids"].str.len().eq(0)).any()


def test_every_control_period_of_the_shipped_data_names_its_operator_group(atlas):
    assert (atlas.control["operator_group"] != "").all()
