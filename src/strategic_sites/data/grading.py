"""The confidence grades by rule (docs/research/confidence.md), checked on every graded row.

A row's grade must follow from the sources it cites, read through two columns of ``sources.csv``:

- ``kind``: what the source is (:data:`~strategic_sites.core.vocab.SOURCE_KINDS`): a primary
  legal text, an official statement, a news report, a reference work, or other;
- ``origin``: the publisher whose story it is, when the source relays another's (a wire story, a
  press release, a reprint, a mirror). Blank: its own ``publisher``. Sources of one origin count
  once: a wire story and its reprints are one publisher, not two.

The rules:

- ``confirmed`` needs a primary legal text, or two independent publishers;
- ``unconfirmed`` is a single claim: one publisher, and neither a legal text nor an official statement;
- ``disputed`` needs a ``dispute_source_id`` that is not among the kept value's sources, and a
  ``dispute_value`` that differs from the kept one;
- ``reported`` is the grade where the citations decide nothing else, and is never refused.

A row that breaks its rule is an error with its file and line, unless its ``note`` gives the
reason after ``Grade exception:`` (a reviewed exception; the About page lists them, from
:func:`exceptions`). Two sources with one URL are an error in ``sources.csv``
(:func:`distinct_urls`): the same page cited twice would count as two publishers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from strategic_sites.core.problems import Problem
from strategic_sites.data.columns import split_list
from strategic_sites.data.reading import Raw
from strategic_sites.core.vocab import DISPUTE_COLUMNS

LEGAL, OFFICIAL = "legal", "official"
EXCEPTION = re.compile(r"grade exception:\s*(?P<reason>.+?)(?:\s*$|(?<=[.!?])\s)", re.IGNORECASE | re.DOTALL)
_FROM = re.compile(r"\((?:from|via)\s+(?P<origin>[^)]+)\)", re.IGNORECASE)
GRADED_FILES = ("control.csv", "leases.csv", "events.csv")


@dataclass(frozen=True)
class Cited:
    """What the grading rule reads of one source: its kind and the publisher it counts as."""

    kind: str
    origin: str


def publishers(sources: pd.DataFrame) -> dict[str, Cited]:
    """Each source id's kind and independent publisher: ``origin`` when given, else the source
    its publisher names as "(from X)" or "(via X)", else the publisher itself, compared without
    case or spacing."""
    frame = sources.reindex(columns=["id", "publisher", "kind", "origin"], fill_value="")
    table = {}
    for row in frame.itertuples(index=False):
        said = _FROM.search(row.publisher or "")
        origin = row.origin or (said.group("origin") if said else "") or row.publisher or row.id
        table[row.id] = Cited(row.kind or "", " ".join(origin.casefold().split()))
    return table


def exception_reason(note: str) -> str:
    """The reviewed reason a row's grade may break its rule ("" when its note gives none)."""
    found = EXCEPTION.search(note or "")
    return found.group("reason").strip() if found else ""


def _same_value(kept: str, other: str) -> bool:
    """The two values of a dispute say the same: equal as text (case and spaces aside), or as numbers."""
    a, b = " ".join(str(kept).casefold().split()), " ".join(str(other).casefold().split())
    if a == b:
        return True
    try:
        return float(a.replace(",", "")) == float(b.replace(",", ""))
    except ValueError:
        return False


def grade_problem(row: Mapping[str, str], cited: Mapping[str, Cited]) -> tuple[str, str]:
    """The column and message of the rule this row's grade breaks, or ("", "") when it keeps it."""
    grade = row.get("confidence", "") or ""
    ids = split_list(row.get("source_id", ""))
    known = [cited[i] for i in ids if i in cited]
    origins = {c.origin for c in known}
    kinds = {c.kind for c in known}
    if grade == "confirmed" and LEGAL not in kinds and len(origins) < 2:
        return "confidence", (
            "is 'confirmed' but cites neither a primary legal text nor two independent publishers"
            f" ({_described(ids, cited)}): grade it 'reported', or cite the second source"
        )
    if grade == "unconfirmed":
        if len(origins) > 1:
            return "confidence", f"is 'unconfirmed' but {len(origins)} independent publishers report it ({_described(ids, cited)}): grade it 'reported' or 'confirmed'"
        official = sorted(kinds & {LEGAL, OFFICIAL})
        if official:
            return "confidence", f"is 'unconfirmed' but rests on {'a primary legal text' if LEGAL in official else 'an official statement'} ({_described(ids, cited)}): grade it 'reported' or 'confirmed'"
    if grade == "disputed":
        shared = [i for i in split_list(row.get("dispute_source_id", "")) if i in ids]
        if shared:
            return "dispute_source_id", f"{', '.join(map(repr, shared))} is also a source of the kept value: a dispute needs a source on the other side that the kept value does not cite"
        field = row.get("dispute_field", "")
        if field and field in row and _same_value(row[field], row.get("dispute_value", "")):
            return "dispute_value", f"{row.get('dispute_value', '')!r} is the kept {field} itself: a dispute needs a different value"
    return "", ""


def _described(ids: list[str], cited: Mapping[str, Cited]) -> str:
    parts = [f"{i}: {cited[i].kind or 'kind not given'}, {cited[i].origin}" for i in ids if i in cited]
    return "; ".join(parts) or "no known source"


def grades(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """The check of a graded file (control, leases, events): each row's grade against the rule,
    unless its note gives a reviewed exception. Nothing to say before sources.csv met its schema.

    A ``reported`` row is never refused, and rows citing the same sources with the same grade
    are judged once: 100,000 events cost the load a few distinct citations, not a rule per row."""
    if "sources.csv" not in valid or "confidence" not in raw.frame.columns:
        return []
    cited = publishers(valid["sources.csv"].frame)
    frame = raw.frame
    columns = [c for c in ("confidence", "source_id", "note", *DISPUTE_COLUMNS) if c in frame.columns]
    judged = frame[columns][frame["confidence"].isin(("confirmed", "unconfirmed", "disputed")).to_numpy()]
    single = judged[(judged["confidence"] != "disputed").to_numpy()]
    verdicts = {
        key: verdict
        for key in single[["confidence", "source_id"]].drop_duplicates().itertuples(index=False, name=None)
        if (verdict := grade_problem({"confidence": key[0], "source_id": key[1]}, cited))[0]
    }
    failing: list[tuple[object, tuple[str, str]]] = []
    if verdicts:
        keys = pd.Series(list(zip(single["confidence"], single["source_id"])), index=single.index)
        failing += [(index, verdicts[key]) for index, key in keys[keys.isin(verdicts.keys())].items()]
    disputed = judged[(judged["confidence"] == "disputed").to_numpy()]
    for index, row in zip(disputed.index, disputed[columns].to_dict("records")):
        verdict = grade_problem({**row, **_kept(frame, index, row)}, cited)
        if verdict[0]:
            failing.append((index, verdict))
    notes = frame["note"] if "note" in frame.columns else None
    return [
        Problem(raw.name, raw.where(index), column, message + " (or give the reviewed reason in note, after 'Grade exception:')")
        for index, (column, message) in sorted(failing, key=lambda item: frame.index.get_loc(item[0]))
        if notes is None or not exception_reason(notes.at[index])
    ]


def _kept(frame: pd.DataFrame, index, row: Mapping[str, str]) -> dict[str, str]:
    """The kept value of the column a disputed row's dispute concerns."""
    field = row.get("dispute_field", "")
    return {field: frame.at[index, field]} if field in frame.columns else {}


def distinct_urls(raw: Raw, valid: Mapping[str, Raw]) -> list[Problem]:
    """No two sources share a URL (ignoring a trailing slash and the scheme's case): the same page
    cited under two ids would count as two publishers."""
    frame = raw.frame
    if "url" not in frame.columns:
        return []
    keys = frame["url"].map(lambda url: url.strip().rstrip("/").casefold() if url else "")
    first: dict[str, object] = {}
    found = []
    for index, key in keys.items():
        if not key:
            continue
        if key in first:
            earlier = first[key]
            found.append(
                Problem(raw.name, raw.where(index), "url", f"is the URL of source {frame.at[earlier, 'id']!r} ({raw.where(earlier)}) too: keep one id and cite it everywhere")
            )
        else:
            first[key] = index
    return found


@dataclass(frozen=True)
class GradeException:
    """A reviewed exception to the grading rule: the row, its grade, the rule it breaks and why."""

    file: str
    row: str  # the fact, as a reader names it (an event's id, a site's period or lease)
    grade: str
    rule: str
    reason: str


def exceptions(frames: Iterable[tuple[str, pd.DataFrame]], sources: pd.DataFrame) -> list[GradeException]:
    """Every row whose grade breaks the rule and whose note gives the reviewed reason, for the
    About page: from the typed frames of the graded files (name, frame) and the sources."""
    cited = publishers(sources)
    found = []
    for name, frame in frames:
        if "confidence" not in frame.columns:
            continue
        for row in frame.astype(object).where(frame.notna(), "").astype(str).to_dict("records"):
            reason = exception_reason(row.get("note", ""))
            if not reason:
                continue
            _, rule = grade_problem(row, cited)
            if rule:
                found.append(GradeException(name, _fact(name, row), row["confidence"], rule.split(" (")[0].split(":")[0], reason))
    return found


def _fact(name: str, row: Mapping[str, str]) -> str:
    if name == "events.csv":
        return f"event {row.get('id', '')}"
    what = "lease" if name == "leases.csv" else "control period"
    return f"{row.get('site_id', '')}: {what} from {str(row.get('start', ''))[:10]}"
