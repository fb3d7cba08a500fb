"""Citations (outputs/cite.py, ui/cite.py, CITATION.cff): what a reference manager imports from
"Cite this view" and "Cite this site", the sources each lists, and the repository's citation file."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
import yaml

from strategic_sites.outputs import cite, tables
from strategic_sites.view import urlstate
from strategic_sites.view.filters import apply
from strategic_sites.view.timeline import events_of_site
from strategic_sites.view.urlstate import Known

ROOT = Path(__file__).resolve().parents[1]
VENDOR = Path(__file__).parent / "vendor"
LINK = "https://atlas.example/?country=KGZ&asof=2026-12-07&data=def37359"
DAY = date(2026, 12, 7)
DISPUTED_LEASE = "lease:baikonur:2010-06-07"  # the 2004 agreement's terms; its rent is disputed
HOSTILE = r"Rent {in} 100% of $ & #1 a_b ^~ \relax } { Байконур «Ту-160»"


def view_of(atlas, **params):
    filters, warnings = urlstate.parse(params, Known.of(atlas))
    assert not warnings
    return apply(atlas, filters)


def source_ids(csl: list[dict]) -> list[str]:
    """The ids of the cited sources (the atlas, always first, left out)."""
    assert csl[0]["type"] == "dataset" and csl[0]["title"] == "Strategic Sites Atlas"
    return [item["id"] for item in csl[1:]]


@pytest.fixture(scope="module")
def kyrgyz(atlas):
    return view_of(atlas, country="KGZ")


@pytest.fixture(scope="module")
def hostile_atlas(atlas):
    """The atlas with the disputed lease's kept source titled with every LaTeX special character."""
    kept = cite.fact(atlas, DISPUTED_LEASE).sources[0]
    sources = atlas.sources.copy()
    sources.loc[sources["id"] == kept, "title"] = HOSTILE
    sources.loc[sources["id"] == kept, "url"] = "https://example.kz/закон {1} 100%"
    return dataclasses.replace(atlas, sources=sources)


# --- what is cited -------------------------------------------------------------------------------


def test_a_view_cites_exactly_the_sources_of_its_sites_and_events(atlas, kyrgyz):
    bibliography = tables.bibliography(atlas, set(kyrgyz.sites["id"]), set(kyrgyz.events["id"]))
    assert 0 < len(bibliography) < len(atlas.sources)  # a filtered view: some sources, not all
    csl = cite.items(atlas, kyrgyz, LINK, "view", DAY)
    assert source_ids(csl) == list(bibliography["id"])
    assert csl[0]["URL"] == LINK
    assert csl[0]["version"] == atlas.data_version.code
    assert csl[0]["accessed"] == {"date-parts": [[2026, 12, 7]]}
    assert "Kyrgyzstan" in csl[0]["note"]  # the view, in words


def test_a_site_cites_every_source_of_its_facts_as_its_panel_lists_them(atlas):
    for site_id in atlas.sites["id"]:
        csl = cite.items(atlas, None, LINK, f"site:{site_id}", DAY)
        assert {item["title"] for item in csl[1:]} == set(tables.site_sources(atlas, site_id)["source"]), site_id
        assert len(source_ids(csl)) == len(set(source_ids(csl)))


def test_each_fact_of_a_site_cites_its_own_sources(atlas):
    facts = cite.facts(atlas, "baikonur")
    kinds = [fact.kind for fact in facts]
    assert kinds.count("control") == (atlas.control["site_id"] == "baikonur").sum()
    assert kinds.count("lease") == (atlas.leases["site_id"] == "baikonur").sum()
    assert kinds.count("event") == len(events_of_site(atlas.events, "baikonur"))
    event = atlas.events[atlas.events["id"] == "2013-07-02-proton-m-crash"].iloc[0]
    crash = next(fact for fact in facts if fact.scope == "event:2013-07-02-proton-m-crash")
    assert crash.label.startswith(f"Event 2013-07-02: {event['title']}")
    assert source_ids(cite.items(atlas, None, LINK, crash.scope, DAY)) == list(event["source_ids"])
    for fact in facts:
        assert source_ids(cite.items(atlas, None, LINK, fact.scope, DAY))[: len(fact.sources)] == list(fact.sources)


def test_a_disputed_fact_cites_the_other_values_source_marked_as_such(atlas):
    lease = atlas.leases[(atlas.leases["site_id"] == "baikonur") & (atlas.leases["start"] == "2010-06-07")].iloc[0]
    other = lease["dispute_source_id"]
    csl = cite.items(atlas, None, LINK, DISPUTED_LEASE, DAY)
    assert source_ids(csl) == [*lease["source_ids"], other]
    marked = {item["id"]: item.get("note", "") for item in csl[1:]}
    assert marked[other].startswith("Other value of a disputed fact")
    assert str(lease["dispute_value"]) in marked[other]
    assert not any(marked[kept] for kept in lease["source_ids"])
    written = cite.citation(atlas, None, LINK, "text", DISPUTED_LEASE, DAY).text
    kept_part, other_part = written.split("Sources of the other value (disputed):")
    assert "SpaceDaily" in other_part and "SpaceDaily" not in kept_part


@pytest.mark.parametrize(
    ("fmt", "scope", "message"),
    [
        ("docx", "view", "“docx” is not a citation format: use text, bibtex, ris, csl-json."),
        ("ris", "site:nowhere", "There is no site with id “nowhere”."),
        ("ris", "event:nothing", "There is no event with id “nothing”."),
        ("ris", "lease:baikonur:1066-10-14", "Site “baikonur” has no lease starting “1066-10-14”."),
        ("ris", "page", "“page” is not something to cite: use view, site:<site id>, control:<site id>:<start>, "
         "lease:<site id>:<start> or event:<event id>."),  # fmt: skip
    ],
)
def test_a_bad_request_says_what_is_wrong(atlas, fmt, scope, message):
    with pytest.raises(cite.CiteError) as raised:
        cite.citation(atlas, None, LINK, fmt, scope)
    assert str(raised.value) == message


def test_each_format_comes_with_its_media_type_and_file_name(atlas, kyrgyz):
    made = {fmt: cite.citation(atlas, kyrgyz, LINK, fmt, "site:kant", DAY) for fmt in cite.FORMATS}
    code = atlas.data_version.code  # the file names say which data they cite
    assert {fmt: (c.media_type.split(";")[0], c.file_name) for fmt, c in made.items()} == {
        "text": ("text/plain", f"cite_site-kant_{code}.txt"),
        "bibtex": ("application/x-bibtex", f"cite_site-kant_{code}.bib"),
        "ris": ("application/x-research-info-systems", f"cite_site-kant_{code}.ris"),
        "csl-json": ("application/vnd.citationstyles.csl+json", f"cite_site-kant_{code}.json"),
    }


# --- BibTeX --------------------------------------------------------------------------------------


def test_bibtex_parses_with_one_entry_per_item_unique_keys_and_their_fields(atlas, kyrgyz):
    csl = cite.items(atlas, kyrgyz, LINK, "view", DAY)
    library = bibtexparser.parse_string(cite.citation(atlas, kyrgyz, LINK, "bibtex", "view", DAY).text)
    assert library.failed_blocks == []
    entries = library.entries
    assert len(entries) == len(csl)
    keys = [entry.key for entry in entries]
    assert len({key.casefold() for key in keys}) == len(keys)
    for entry, item in zip(entries, csl, strict=True):
        fields = entry.fields_dict
        assert entry.entry_type == cite.BIBTEX_TYPES[item["type"]]
        assert fields["title"].value.startswith("{") and fields["title"].value.endswith("}")
        if item.get("URL"):
            assert fields["url"].value == item["URL"]
        if item.get("issued"):
            assert re.fullmatch(r"\d{4}(-\d\d){0,2}", fields["date"].value)
    atlas_entry = entries[0].fields_dict
    assert entries[0].entry_type == "dataset"
    assert atlas_entry["version"].value == atlas.data_version.code
    assert atlas_entry["urldate"].value == "2026-12-07"
    assert atlas_entry["author"].value == "{Strategic Sites Atlas contributors}"  # an institution, not a person


def test_bibtex_entry_types_fit_the_sources(atlas):
    types = {entry.key: entry.entry_type for entry in bibtexparser.parse_string(
        cite.citation(atlas, view_of(atlas), LINK, "bibtex", "view", DAY).text).entries}  # fmt: skip
    assert types["zakonpravo-2010-ratification"] == "legislation"  # a law's text in a legal database
    assert types["spacedaily-2004-lease-2050"] == "article"  # a dated news article
    assert set(types.values()) == {"dataset", "legislation", "article", "online"}


_UNESCAPED = {latex: char for char, latex in ((c, cite.latex(c)) for c in "\\{}%&$#_^~")}


def test_a_title_with_latex_special_characters_survives_bibtex(hostile_atlas):
    written = cite.citation(hostile_atlas, None, LINK, "bibtex", DISPUTED_LEASE, DAY).text
    library = bibtexparser.parse_string(written)
    assert library.failed_blocks == []
    entry = next(e for e in library.entries if e.key == "zakonpravo-2010-ratification")
    fields = entry.fields_dict
    assert set(fields) == {"title", "publisher", "date", "url"}  # nothing swallowed by a brace or a %
    title = fields["title"].value.removeprefix("{").removesuffix("}")
    assert "Байконур «Ту-160»" in title  # Unicode kept as it is
    pattern = "|".join(re.escape(latex) for latex in sorted(_UNESCAPED, key=len, reverse=True))
    assert re.sub(pattern, lambda m: _UNESCAPED[m.group()], title) == HOSTILE
    assert fields["url"].value == "https://example.kz/%D0%B7%D0%B0%D0%BA%D0%BE%D0%BD%20%7B1%7D%20100%"
    assert fields["date"].value == "2010-04-29"


# --- RIS -----------------------------------------------------------------------------------------


def test_ris_reads_back_as_written(atlas, kyrgyz):
    csl = cite.items(atlas, kyrgyz, LINK, "view", DAY)
    written = cite.citation(atlas, kyrgyz, LINK, "ris", "view", DAY).text
    assert written.startswith("TY  - DATA\n")
    read = rispy.loads(written)
    assert read == cite.ris_entries(csl)
    assert [entry["type_of_reference"] for entry in read] == [cite.RIS_TYPES[item["type"]] for item in csl]
    assert read[0]["access_date"] == "2026/12/07/" and read[0]["urls"] == [LINK]


def test_ris_keeps_a_hostile_title_and_a_disputed_sources_note(hostile_atlas):
    read = rispy.loads(cite.citation(hostile_atlas, None, LINK, "ris", DISPUTED_LEASE, DAY).text)
    assert [entry["type_of_reference"] for entry in read[:2]] == ["DATA", "STAT"]  # the atlas, then the law kept
    assert read[1]["title"] == HOSTILE
    assert read[1]["urls"] == ["https://example.kz/закон {1} 100%"]
    assert read[-1]["type_of_reference"] == "NEWS" and read[-1]["notes"][0].startswith("Other value of a disputed fact")


# --- CSL-JSON and formatted text -----------------------------------------------------------------


@pytest.fixture(scope="module")
def csl_schema():
    return json.loads((VENDOR / "csl-data-schema" / "csl-data.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scope", ["view", "site:baikonur", DISPUTED_LEASE, "event:2013-07-02-proton-m-crash"])
def test_csl_json_is_valid_csl_data(atlas, csl_schema, scope):
    written = cite.citation(atlas, view_of(atlas), LINK, "csl-json", scope, DAY).text
    jsonschema.Draft7Validator(csl_schema).validate(json.loads(written))


def test_csl_json_of_a_hostile_title_is_valid_and_keeps_it(hostile_atlas, csl_schema):
    read = json.loads(cite.citation(hostile_atlas, None, LINK, "csl-json", DISPUTED_LEASE, DAY).text)
    jsonschema.Draft7Validator(csl_schema).validate(read)
    assert read[1]["title"] == HOSTILE
    assert read[0]["type"] == "dataset" and read[0]["version"] == hostile_atlas.data_version.code


def test_the_schema_would_catch_a_bad_item(csl_schema):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(csl_schema).validate([{"id": "x", "type": "web page", "title": "A"}])


def test_the_formatted_citation_is_harvard_with_version_link_and_access_date(atlas, kyrgyz):
    reference = cite.reference(atlas, kyrgyz, LINK, "view", DAY)
    assert reference == (
        f"Strategic Sites Atlas contributors ({atlas.data_version.changed[:4]}) Strategic Sites Atlas "
        f"[Data set, version {atlas.data_version.code}]. Available at: {LINK} (Accessed: 7 December 2026)."
    )
    written = cite.citation(atlas, kyrgyz, LINK, "text", "view", DAY).text
    head, sources = written.split("\n\nSources:\n")
    assert head.startswith(reference)
    csl = cite.items(atlas, kyrgyz, LINK, "view", DAY)
    assert len(sources.strip().splitlines()) == len(csl) - 1  # one reference per source
    assert len(cite.formatted(csl)) == len(csl)


def test_a_web_page_without_an_author_is_written_under_its_publisher():
    page = {"id": "p", "type": "webpage", "title": "Kant air base", "container-title": "Wikipedia", "URL": "https://w.example/Kant"}
    assert cite.formatted([page]) == ["Wikipedia (no date) Kant air base. Available at: https://w.example/Kant."]


# --- the page ------------------------------------------------------------------------------------


def test_the_sidebar_and_the_site_panel_offer_the_citations(atlas):
    from strategic_sites.ui import cite as ui_cite
    from test_app import run_app

    app = run_app(site="baikonur")
    assert not app.exception, app.exception
    assert not [button for button in app.get("download_button") if button.key.startswith("cite-")]  # closed: nothing built
    for opened in (ui_cite.CITE_VIEW_OPEN, ui_cite.CITE_SITE_OPEN):
        app.session_state[opened] = True  # as a click on each expander's header does
    app.run()
    assert not app.exception, app.exception
    buttons = {button.key: button.label for button in app.get("download_button")}
    for key in ("cite-view", "cite-site"):
        assert [buttons.get(f"{key}-{fmt}") for fmt in ("bibtex", "ris", "csl-json", "text")] == [
            "BibTeX (.bib)", "RIS (.ris)", "CSL-JSON (.json)", "Text (.txt)"]  # fmt: skip
    assert [expander.label for expander in app.sidebar.expander] == ["Cite this view"]
    assert [expander.label for expander in app.main.expander if expander.label.startswith("Cite")] == [
        "Cite this site or one of its facts"]  # fmt: skip
    references = [code.value for code in app.code if code.value.startswith("Strategic Sites Atlas contributors")]
    assert len(references) == 2  # the view's (sidebar) and the site's (site panel)
    assert all("site=baikonur" in reference for reference in references)  # the link opens what is cited
    choose = app.selectbox(key="cite-fact-baikonur")
    assert choose.label == "Cite one fact"
    assert "Lease signed 2004-01-09: Kazakhstan → Russia, 2010-06-07 – 2050 (! disputed)" in choose.options
    choose.set_value(DISPUTED_LEASE).run()
    assert not app.exception, app.exception
    cited = [code.value for code in app.code if "Fact: Lease signed 2004-01-09" in code.value]
    assert len(cited) == 1 and "Sources of the other value (disputed):" in cited[0]
    assert {"cite-fact-bibtex", "cite-fact-ris", "cite-fact-csl-json", "cite-fact-text"} <= {b.key for b in app.get("download_button")}


# --- CITATION.cff --------------------------------------------------------------------------------


def test_citation_cff_is_valid_cff_and_names_the_latest_data_release(atlas):
    schema = json.loads((VENDOR / "cff-schema@1.2.0" / "schema.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    cff["date-released"] = str(cff["date-released"])  # YAML reads a date; the schema wants its text
    jsonschema.Draft7Validator(schema).validate(cff)
    assert cff["title"] == cite.TITLE and cff["authors"] == [{"name": cite.AUTHOR}]
    latest = atlas.data_version.changes[-1]
    assert (cff["version"], cff["date-released"]) == (latest.version, latest.day), (
        f"CITATION.cff's version and date-released are the last line of geodata/CHANGELOG-data.md: "
        f"set them to {latest.version} and {latest.day}"
    )
    assert "url" not in cff and "repository-code" not in cff  # the project has no public address yet
