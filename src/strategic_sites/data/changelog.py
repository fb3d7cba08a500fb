"""The data's version and its changelog: what a link pins, and what changed since.

A data folder's **version** is the first 8 hex digits of its fingerprint (a hash of every data
file's bytes, :func:`strategic_sites.data.atlas.fingerprint`), with the date of its latest change.
``CHANGELOG-data.md``, in the data folder, records each change in one line of a Markdown table:

    | date | version | what changed | why |
    |---|---|---|---|
    | 2026-11-30 | 7d4b3242 | Confidence grades for every fact | issue 13 |

``version`` is the folder's version *after* the change (``python -m strategic_sites version``
prints it). The footer, the About page, the exports and the shared link (``data=``) carry the
version; a link made with another version opens with a notice listing the changes since.

A folder whose version no line records (edited without an entry) is dated by its newest
data file; a changelog that cannot be read counts as empty. Neither stops the atlas loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

CHANGELOG = "CHANGELOG-data.md"
CODE_LENGTH = 8
_ROW = re.compile(r"^\|\s*(\d{4}-\d{2}-\d{2})\s*\|\s*([0-9a-f]{8})\s*\|(.*)\|(.*)\|\s*$")
_CODE = re.compile(r"^[0-9a-f]{8}$")


@dataclass(frozen=True)
class Change:
    day: str  # YYYY-MM-DD
    version: str  # the data's version after the change
    what: str
    why: str


@dataclass(frozen=True)
class DataVersion:
    code: str  # 8 hex digits of the data's fingerprint
    changed: str  # the date of the latest change, YYYY-MM-DD ("" when not known)
    changes: tuple[Change, ...] = ()  # the changelog, oldest first
    recorded: bool = False  # whether the changelog has a line for this version

    @property
    def label(self) -> str:
        """``7d4b3242, changed 30 Nov 2026``."""
        if not self.changed:
            return self.code
        return f"{self.code}, changed {date.fromisoformat(self.changed):%d %b %Y}"

    def since(self, code: str) -> list[Change] | None:
        """The changes made after the data had version ``code``, oldest first (None: a version
        the changelog does not record)."""
        if code == self.code:
            return []
        positions = [i for i, change in enumerate(self.changes) if change.version == code]
        if not positions:
            return None
        return list(self.changes[positions[-1] + 1 :])


def is_code(value: str) -> bool:
    """Whether a link's ``data=`` value looks like a version (8 lowercase hex digits)."""
    return bool(_CODE.match(value or ""))


def read_changelog(folder: Path) -> tuple[Change, ...]:
    """The changelog's lines, oldest first; lines that are not a change are skipped."""
    path = Path(folder) / CHANGELOG
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ()
    changes = []
    for line in text.splitlines():
        match = _ROW.match(line.strip())
        if match:
            changes.append(Change(match[1], match[2], match[3].strip(), match[4].strip()))
    return tuple(sorted(changes, key=lambda change: change.day))


def _newest_file_day(folder: Path, names) -> str:
    times = [(Path(folder) / name).stat().st_mtime for name in names if (Path(folder) / name).exists()]
    return datetime.fromtimestamp(max(times)).date().isoformat() if times else ""


def version_of(folder: Path, fingerprint: str, files) -> DataVersion:
    """The version of a data folder whose fingerprint is ``fingerprint`` (``files``: its data files)."""
    code = fingerprint[:CODE_LENGTH]
    changes = read_changelog(folder)
    own = [change for change in changes if change.version == code]
    if own:
        return DataVersion(code, own[-1].day, changes, recorded=True)
    return DataVersion(code, _newest_file_day(folder, files), changes, recorded=False)
