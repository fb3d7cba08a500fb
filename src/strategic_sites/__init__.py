"""Strategic Sites Atlas: Russia's strategic sites in and around Central Asia.

Everything here is plain Python (pandas, geopandas, shapely, pandera); only
:mod:`strategic_sites.ui` imports Streamlit.
"""

from strategic_sites.data.atlas import Atlas, AtlasError, Problem, load_atlas

__all__ = ["Atlas", "AtlasError", "Problem", "load_atlas"]
