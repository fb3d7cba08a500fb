"""The user's own points: "Add your own points" in the sidebar, the overlay they make on the
map, and their table. They live in this session only: never in the data folder, the link,
or anyone else's view.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from strategic_sites.map import overlay
from strategic_sites.uploads import budget
from strategic_sites.uploads import upload as uploads
from strategic_sites.view import language
from strategic_sites.outputs import tables
from strategic_sites.core import text
from strategic_sites.data.atlas import Atlas
from strategic_sites.map.elements import ScriptJSON, script_json
from strategic_sites.view.filters import View
from strategic_sites.ui import state, uploaded
from strategic_sites.ui.widgets import LINK, downloads, md

HELP = (
    f"CSV with lat/lon (or latitude/longitude, x/y) columns and optional date, name or title, kind, "
    f"country, url and source; GeoJSON points (the atlas's own downloads too); or GeoParquet points. Up to "
    f"{uploads.MAX_ROWS:,} rows, {uploads.MAX_COLUMNS:,} columns, {text.size(uploads.MAX_BYTES, binary=True)} (once decompressed too) "
    f"and {uploads.MAX_CELL:,} characters a cell. The points stay in this "
    "browser session: they are not part of the shared link or the data."
)
COLUMNS = ["name", "date", "kind", "country", "lat", "lon", "url", "source", "row"]
BUDGET = budget.from_environment()  # every session's points on this server, together
BUSY = ("The server is busy with other readers' uploads and has no memory to spare for this file now: "
        "try a smaller file, or again in a few minutes.")
GEOMETRY_BYTES = 100  # a shapely Point and its GEOS geometry


@dataclass
class Points:
    """An upload that gave points, with its bundle for the map in each language used."""

    name: str
    key: str  # a hash of the file's bytes
    upload: uploads.Upload
    bundles: dict[str, ScriptJSON] = field(default_factory=dict)
    _shown: tuple = (None, None)  # (filters, the points they show): the map, the tab and the table of a run ask alike

    @property
    def frame(self) -> pd.DataFrame:
        return self.upload.points

    def bundle(self, atlas: Atlas) -> ScriptJSON:
        """The points for the map, in the atlas's language, kept as the script's text in ASCII (a
        fifth of the memory of the lists it is made from, a byte a character, and written once, not
        for every map)."""
        if atlas.lang not in self.bundles:
            self.bundles[atlas.lang] = ScriptJSON(script_json(overlay.bundle(self.frame, language.names(atlas)), ascii=True))
        return self.bundles[atlas.lang]


def current() -> Points | None:
    """The points of this session, if the user has added some."""
    return st.session_state.get(state.POINTS)


def uploader(atlas: Atlas) -> None:
    """The sidebar's uploader. A new file replaces the points only when it gives some: a bad
    file is explained and the earlier points stay. A file once read is let go (its bytes freed,
    :mod:`.uploaded`, and the uploader emptied for the next file): what it gave, and what became
    of it, stay below the uploader until another file or "Remove your points"."""
    with st.sidebar:
        st.subheader("Your points")
        with st.container(key=state.UPLOADER):  # the uploader's place; the widget is new after each file
            file = st.file_uploader("Add your own points", type=["csv", "tsv", "txt", "geojson", "json", "parquet", "geoparquet"],
                                    help=HELP, key=f"{state.UPLOADER}-{st.session_state.get(state.UPLOADS, 0)}")
        if current() is not None and st.button("Remove your points", icon=":material/delete:", key=state.REMOVE_POINTS):
            st.session_state.pop(state.POINTS, None)
            st.session_state.pop(state.UPLOAD_READ, None)
            st.rerun()
        if file is not None:
            _read(file, atlas)
        upload = st.session_state.get(state.UPLOAD_READ)
        if upload is not None:
            _report(upload, current())


def gone_notice() -> None:
    """Say so when the address says this tab held the user's own points and this session holds
    none: the server restarted under the tab (a new session: the points lived in the old one), or
    the address was opened elsewhere. Shown above the page until points are added or the notice
    is hidden; never a silent map without them."""
    held = st.session_state.get(state.POINTS_GONE)
    if not held:
        return
    if current() is not None:  # added again
        st.session_state[state.POINTS_GONE] = None
        return
    with st.container(key=state.POINTS_GONE_BOX):
        st.warning(
            f"**Your own points are not shown.** This page was open with {text.plural(held, 'point')} added from a file. "
            "Such points are kept only in the browser session that added them, never in the link or the atlas's data, "
            "and that session has ended: the server was restarted, or the address was opened in another tab or browser. "
            "To see them again, add the file again under **Your points** in the sidebar.",
            icon=":material/location_off:",
        )
        if st.button("Hide this notice", key=state.HIDE_POINTS_GONE):
            st.session_state[state.POINTS_GONE] = None
            st.rerun()


def _read(file, atlas: Atlas) -> None:
    """Read a file just uploaded, within the server's budget; keep what it gave, let the file go,
    and draw the page again with an empty uploader."""
    data = file.getvalue()
    with BUDGET.reading(len(data)) as admitted:
        upload = uploads.read_points(file.name, data, atlas.countries) if admitted else uploads.refused(BUSY)
        st.session_state[state.UPLOAD_READ] = upload
        if upload.ok:
            points = Points(file.name, hashlib.sha256(data).hexdigest()[:16], upload)
            points.bundle(atlas)  # made now, so that what the points hold is counted
            BUDGET.keep(admitted, points, held(points))
            st.session_state[state.POINTS] = points
    uploaded.release(file.file_id)
    st.session_state[state.UPLOADS] = st.session_state.get(state.UPLOADS, 0) + 1
    st.rerun()


def held(points: Points) -> int:
    """The memory a session's points hold: the points and their rejects, their text for the map,
    and the map made with it (the file itself is let go once read)."""
    frames = points.upload.points.memory_usage(deep=True).sum() + points.upload.rejects.memory_usage(deep=True).sum()
    geometries = GEOMETRY_BYTES * len(points.frame)
    return int(frames + geometries + 2 * sum(sys.getsizeof(text) for text in points.bundles.values()))


def _report(upload: uploads.Upload, points: Points | None) -> None:
    """What became of the last file: its problems and notes, and its rejected rows."""
    if not upload.ok:
        kept = f" Your earlier points ({len(points.frame):,} from {md(points.name)}) are still shown." if points else ""
        st.error(" ".join(md(p) for p in upload.problems) + kept, icon=":material/error:")
        return
    st.caption(f"{text.plural(len(upload.points), 'point')} read.")
    for message in upload.notes:
        st.info(md(message), icon=":material/info:")
    if upload.problems:
        st.warning("\n\n".join(md(p) for p in upload.problems), icon=":material/warning:")
    if len(upload.rejects):
        downloads(("Download rejected rows", lambda: tables.to_csv(upload.rejects), "rejected_rows.csv", "text/csv", state.REJECTS_CSV))


def shown(points: Points, view: View) -> pd.DataFrame:
    """The points the view's filters show (country, period, search), worked out once per filters."""
    if points._shown[0] != view.filters:
        points._shown = (view.filters, overlay.shown(points.frame, view.filters))
    return points._shown[1]


def map_points(atlas: Atlas, view: View) -> tuple[str, ScriptJSON, dict] | None:
    """For the map: (the points' key, their bundle, which of them the view shows), or None."""
    points = current()
    if points is None:
        return None
    return points.key, points.bundle(atlas), overlay.bits(points.frame, shown(points, view))


def table(atlas: Atlas, view: View) -> None:
    """The points the view shows, with their downloads."""
    points = current()
    if points is None:
        return
    rows = shown(points, view)[COLUMNS]
    st.caption(f"{len(rows):,} of {text.plural(len(points.frame), 'point')} from {md(points.name)} {'matches' if len(rows) == 1 else 'match'} the filters (country, period, search).")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key=state.POINTS_TABLE,
        column_config={
            "name": st.column_config.TextColumn("Name", width="medium", pinned=True),
            "date": "Date",
            "kind": "Kind",
            "country": "Country",
            "lat": st.column_config.NumberColumn("Lat", format="%.4f"),
            "lon": st.column_config.NumberColumn("Lon", format="%.4f"),
            "url": st.column_config.LinkColumn("Link", **LINK),
            "source": "Source",
            "row": st.column_config.NumberColumn("Row in file", format="%d"),
        },
    )
    def geojson() -> str:
        return points.frame.loc[rows.index, COLUMNS + ["geometry"]].to_json(drop_id=True, ensure_ascii=False, na="null")

    downloads(
        ("Download CSV", lambda: tables.to_csv(rows), tables.download_name("your-points", view.filters, "csv"), "text/csv", f"{state.POINTS_TABLE}-csv"),
        ("Download GeoJSON", geojson, tables.download_name("your-points", view.filters, "geojson"), "application/geo+json", f"{state.POINTS_TABLE}-geojson"),
    )
