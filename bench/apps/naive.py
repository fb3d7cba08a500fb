"""The naive baseline: the sites, and one folium Marker with a Popup per event in a MarkerCluster."""

from benchapp import page

page("naive")
