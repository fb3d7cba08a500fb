"""The confidence grades follow the rule of docs/research/confidence.md: the validator refuses a
grade its sources do not bear out, naming file, line and column, unless a reviewed exception says why."""

from __future__ import annotations

import pytest

from datafiles import edit_row, read_rows, write_rows
from strategic_sites import AtlasError, load_atlas
from strategic_sites.data.grading import exceptions

# Four test sources, added to a copy of the shipped data: a law, a ministry's statement, a wire
# story and a newspaper's reprint of it (one origin), and an independent newspaper.
TEST_SOURCES = [
    {"id": "t-law", "title": "Law on a test agreement", "publisher": "Test legal database", "kind": "legal", "url": "https://law.test/1"},
    {"id": "t-ministry", "title": "Statement on a test", "publisher": "Test Foreign Ministry", "kind": "official", "url": "https://mfa.test/1"},
    {"id": "t-wire", "title": "Wire story", "publisher": "Test Wire", "kind": "news", "url": "https://wire.test/1"},
    {"id": "t-reprint", "title": "Wire story, reprinted", "publisher": "Daily Test (from Test Wire)", "kind": "news", "url": "https://daily.test/1"},
    {"id": "t-own", "title": "Own reporting", "publisher": "Test Courier", "kind": "news", "url": "https://courier.test/1"},
]


@pytest.fixture
def folder(shipped_copy):
    path = shipped_copy / "sources.csv"
    rows = read_rows(path)
    fields = list(rows[0]) + [c for c in ("kind", "origin") if c not in rows[0]]
    write_rows(path, rows + [{**{c: "" for c in fields}, **source} for source in TEST_SOURCES], fields)
    return shipped_copy


def problems_of(folder) -> list[str]:
    with pytest.raises(AtlasError) as info:
        load_atlas(folder)
    return [str(p) for p in info.value.problems]


def event(folder, **cells) -> int:
    """Set the first event's grade and citations (blank dispute columns unless given)."""
    cells = {"dispute_field": "", "dispute_value": "", "dispute_source_id": "", **cells}
    return edit_row(folder, "events.csv", 0, **cells)


@pytest.mark.parametrize(
    "cells, says",
    [
        ({"confidence": "confirmed", "source_id": "t-wire"}, "is 'confirmed' but cites neither a primary legal text nor two independent publishers"),
        ({"confidence": "confirmed", "source_id": "t-wire;t-reprint"}, "is 'confirmed' but cites neither"),
        ({"confidence": "unconfirmed", "source_id": "t-ministry"}, "is 'unconfirmed' but rests on an official statement"),
        ({"confidence": "unconfirmed", "source_id": "t-law"}, "is 'unconfirmed' but rests on a primary legal text"),
        ({"confidence": "unconfirmed", "source_id": "t-wire;t-own"}, "is 'unconfirmed' but 2 independent publishers report it"),
    ],
    ids=["confirmed-on-one-story", "confirmed-on-a-story-and-its-reprint", "unconfirmed-official", "unconfirmed-legal", "unconfirmed-two-publishers"],
)
def test_a_grade_its_sources_do_not_bear_out_is_refused_with_its_line(folder, cells, says):
    line = event(folder, **cells)
    problems = problems_of(folder)
    assert any(f"events.csv line {line}, column 'confidence'" in p and says in p for p in problems), problems


@pytest.mark.parametrize(
    "cells",
    [
        {"confidence": "confirmed", "source_id": "t-law"},
        {"confidence": "confirmed", "source_id": "t-wire;t-own"},
        {"confidence": "unconfirmed", "source_id": "t-own"},
        {"confidence": "reported", "source_id": "t-wire;t-reprint"},
    ],
    ids=["confirmed-by-law", "confirmed-by-two-publishers", "unconfirmed-single-claim", "reported-anything"],
)
def test_a_grade_that_keeps_the_rule_loads(folder, cells):
    event(folder, **cells)
    load_atlas(folder)


def test_a_dispute_citing_the_kept_values_own_source_is_refused(folder):
    line = event(folder, confidence="disputed", source_id="t-wire", dispute_field="date", dispute_value="1940", dispute_source_id="t-wire")
    problems = problems_of(folder)
    assert any(f"events.csv line {line}, column 'dispute_source_id'" in p and "also a source of the kept value" in p for p in problems), problems


def test_a_dispute_whose_other_value_is_the_kept_one_is_refused(folder):
    kept = read_rows(folder / "events.csv")[0]["date"]
    line = event(folder, confidence="disputed", source_id="t-wire", dispute_field="date", dispute_value=kept, dispute_source_id="t-own")
    problems = problems_of(folder)
    assert any(f"events.csv line {line}, column 'dispute_value'" in p and "is the kept date itself" in p for p in problems), problems


def test_a_real_dispute_loads(folder):
    event(folder, confidence="disputed", source_id="t-wire", dispute_field="date", dispute_value="1940", dispute_source_id="t-own")
    load_atlas(folder)


def test_the_rule_holds_in_control_periods_and_leases_too(folder):
    control = edit_row(folder, "control.csv", 0, confidence="confirmed", source_id="t-own", dispute_field="", dispute_value="", dispute_source_id="")
    lease = edit_row(folder, "leases.csv", 0, confidence="unconfirmed", source_id="t-ministry", dispute_field="", dispute_value="", dispute_source_id="")
    problems = problems_of(folder)
    assert any(f"control.csv line {control}, column 'confidence'" in p for p in problems), problems
    assert any(f"leases.csv line {lease}, column 'confidence'" in p for p in problems), problems


def test_a_reviewed_exception_in_the_note_is_accepted_and_listed(folder):
    edit_row(folder, "control.csv", 0, confidence="confirmed", source_id="t-own", note="Grade exception: the treaty's text is cited on the lease row.")
    atlas = load_atlas(folder)
    listed = exceptions([("control.csv", atlas.control)], atlas.sources)
    assert [e.reason for e in listed] == ["the treaty's text is cited on the lease row."]
    assert listed[0].grade == "confirmed" and "cites neither" in listed[0].rule


def test_an_event_takes_its_reviewed_exception_in_its_own_note(folder):
    rows = read_rows(folder / "events.csv")
    fields = list(rows[0]) + (["note"] if "note" not in rows[0] else [])
    rows[0].update(confidence="unconfirmed", source_id="t-ministry", dispute_field="", dispute_value="", dispute_source_id="")
    rows[0]["note"] = "Grade exception: the ministry denies its own earlier claim."
    write_rows(folder / "events.csv", rows, fields)
    atlas = load_atlas(folder)
    listed = exceptions([("events.csv", atlas.events)], atlas.sources)
    assert [(e.row, e.reason) for e in listed] == [(f"event {rows[0]['id']}", "the ministry denies its own earlier claim.")]


def test_two_sources_with_one_url_are_refused(folder):
    rows = read_rows(folder / "sources.csv")
    line = len(rows) + 1  # the last source's line (the header is line 1)
    edit_row(folder, "sources.csv", len(rows) - 1, url=rows[0]["url"] or "https://law.test/1")
    problems = problems_of(folder)
    assert any(f"sources.csv line {line}, column 'url'" in p and "keep one id and cite it everywhere" in p for p in problems), problems


def test_a_source_of_an_unknown_kind_is_refused(folder):
    line = edit_row(folder, "sources.csv", 0, kind="rumour")
    problems = problems_of(folder)
    assert any(f"sources.csv line {line}, column 'kind'" in p and "must be one of: legal, official" in p for p in problems), problems


def test_the_about_page_lists_a_reviewed_exception(folder, monkeypatch):
    from test_app import run_app
    from strategic_sites.ui import DATA_ENV

    edit_row(folder, "control.csv", 0, confidence="confirmed", source_id="t-own", note="Grade exception: <b>the treaty</b> is cited on the lease row.")
    monkeypatch.setenv(DATA_ENV, str(folder))
    app = run_app()
    app.switch_page("app_pages/about.py").run()
    assert not app.exception
    listed = next(frame.value for frame in app.dataframe if "why it is kept" in frame.value.columns)
    assert list(listed["why it is kept"]) == ["<b>the treaty</b> is cited on the lease row."]  # as text, never markup
    assert list(listed["grade"]) == ["confirmed"]
