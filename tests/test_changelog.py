"""The data's version and CHANGELOG-data.md: what a link pins, and what changed since."""

from __future__ import annotations

import subprocess
import sys

from datafiles import edit_row
from strategic_sites import load_atlas
from strategic_sites.data.changelog import CHANGELOG, read_changelog, version_of
from strategic_sites.data.atlas import FILES


def test_the_shipped_data_has_a_changelog_line_for_its_version(atlas):
    """Every change to geodata/ comes with its line: the latest line names the data served."""
    version = atlas.data_version
    assert version.recorded and version.code == atlas.version[:8]
    assert version.changes[-1].version == version.code and version.changed == version.changes[-1].day
    assert all(change.what and change.why for change in version.changes)


def test_changes_since_a_version_are_the_lines_after_it(atlas):
    version = atlas.data_version
    first = version.changes[0].version
    assert version.since(first) == list(version.changes[1:])
    assert version.since(version.code) == []
    assert version.since("0123abcd") is None


def test_a_folder_edited_without_a_changelog_line_is_dated_by_its_files(shipped_copy):
    edit_row(shipped_copy, "events.csv", 0, title="An edited title")
    atlas = load_atlas(shipped_copy)
    version = atlas.data_version
    assert not version.recorded and version.code == atlas.version[:8]
    assert len(version.changed) == 10 and version.changes  # today's date, and the old lines still listed
    out = subprocess.run([sys.executable, "-m", "strategic_sites", "version", str(shipped_copy)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == version.code and "has no line for this version" in out.stderr


def test_an_unreadable_or_odd_changelog_never_stops_the_atlas(shipped_copy):
    (shipped_copy / CHANGELOG).write_bytes(b"\xff\xfe not utf-8 \x00")
    assert read_changelog(shipped_copy) == ()
    assert load_atlas(shipped_copy).data_version.changes == ()
    (shipped_copy / CHANGELOG).write_text("| 2026-01-01 | nothex12 | bad version |  |\n| 2026-02-01 | 0123abcd | kept | why |\n", encoding="utf-8")
    assert [c.version for c in read_changelog(shipped_copy)] == ["0123abcd"]
    (shipped_copy / CHANGELOG).unlink()
    assert version_of(shipped_copy, "f" * 16, FILES).changes == ()
