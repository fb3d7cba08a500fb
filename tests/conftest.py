import shutil
from pathlib import Path

import pytest

from strategic_sites import load_atlas

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def atlas():
    """The shipped dataset."""
    return load_atlas(GEODATA)


@pytest.fixture
def shipped_copy(tmp_path):
    """A writable copy of the shipped data folder, for breaking on purpose."""
    folder = tmp_path / "geodata"
    shutil.copytree(GEODATA, folder)
    return folder


@pytest.fixture
def mini_folder(tmp_path):
    """A three-site dataset with hand-checked answers (countries from the shipped file)."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    shutil.copy(GEODATA / "countries.geojson", folder / "countries.geojson")
    return folder


@pytest.fixture
def mini(mini_folder):
    return load_atlas(mini_folder)


@pytest.fixture(autouse=True)
def _navigation_apps_rerun_their_entrypoint(monkeypatch):
    """Make AppTest rerun the app as the server does.

    AppTest forgets before every run that the app called ``st.navigation``, so with a
    ``pages/`` folder beside ``app.py`` its second run takes the old multipage path and
    executes the page script alone, without the shared sidebar. The server remembers
    (``st.navigation`` clears the flag for good); so does this patch.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)
