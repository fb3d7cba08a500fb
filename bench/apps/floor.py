"""The floor: the smallest Streamlit page that shows an st_folium map of the same sites as plain
CircleMarkers, with the same vendored assets (and the same filter radio)."""

from benchapp import page

page("floor")
