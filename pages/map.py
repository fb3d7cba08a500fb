"""The map page (default, at /). For now: what the atlas holds and where each site stands today."""

from datetime import date

import streamlit as st

from strategic_sites import ui
from strategic_sites.tables import sites_table
from strategic_sites.timeline import leases_in_force

atlas = ui.atlas()
today = date.today()

st.title("Strategic Sites Atlas")
st.caption("Russia's strategic sites in and around Central Asia: control status, lease terms and events, with sources.")

counts = st.columns(5)
counts[0].metric("Sites", atlas.counts["sites"])
counts[1].metric("Control periods", atlas.counts["control"])
counts[2].metric("Leases in force today", len(leases_in_force(atlas.leases, today)))
counts[3].metric("Events", atlas.counts["events"])
counts[4].metric("Sources", atlas.counts["sources"])

st.subheader(f"Sites as of {today:%d %B %Y}")
st.dataframe(
    sites_table(atlas, today),
    hide_index=True,
    column_order=["name", "name_ru", "kind", "country", "status", "since", "lessee", "lease_end", "years_left"],
    column_config={
        "name": "Site",
        "name_ru": "Name (Russian)",
        "kind": "Kind",
        "country": "Host country",
        "status": "Status today",
        "since": "Since",
        "lessee": "Lessee",
        "lease_end": "Lease ends",
        "years_left": st.column_config.NumberColumn("Years left", format="%.1f"),
    },
)
