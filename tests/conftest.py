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


@pytest.fixture(scope="session")
def mini(tmp_path_factory):
    """The three-site dataset, loaded once: tests read it and never change it in place (a
    test that breaks the data edits its own ``mini_folder``)."""
    folder = tmp_path_factory.mktemp("mini-shared") / "mini"
    shutil.copytree(MINI, folder)
    shutil.copy(GEODATA / "countries.geojson", folder / "countries.geojson")
    return load_atlas(folder)

