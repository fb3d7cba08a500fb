"""folium's FastMarkerCluster: the sites, and the events' points as one array clustered in the browser."""

from benchapp import page

page("fast")
