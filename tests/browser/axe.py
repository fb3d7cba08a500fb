"""axe-core in the browser tests: inject the pinned copy into a page or a frame, run the WCAG 2.2
AA rules, and return what it finds, each element with where it comes from.

The copy is tests/vendor/axe-core@<version>/axe.min.js (from the npm registry, with its licence);
the app never serves it. Each element found gets an *origin*, the part of the page it belongs to,
so that a finding can be compared with the floor page's (a bare Streamlit page with an st_folium
map) strictly: same rule, same origin, not just the same rule anywhere.

- In a Streamlit page: the ``data-testid`` of the element and of its ancestors, outermost first,
  without Streamlit's layout wrappers (vertical and horizontal blocks, columns, element
  containers), which only say how deep an element is nested; then the element's tag.
  E.g. ``stApp > stAppViewContainer > stMain > stMainBlockContainer > stCaptionContainer > p``.
- In the map's iframe: the ``leaflet-*`` classes of the element and its ancestors (without
  Leaflet's state classes such as ``leaflet-interactive``), outermost first; then the tag.
  E.g. ``leaflet-container > leaflet-control-container > leaflet-top leaflet-right >
  leaflet-control leaflet-control-layers > a``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "vendor"
_COPIES = sorted(VENDOR.glob("axe-core@*/axe.min.js"))
assert len(_COPIES) == 1, f"expected one pinned axe-core in {VENDOR}, found {_COPIES}"
AXE_JS = _COPIES[0]
AXE_VERSION = AXE_JS.parent.name.split("@", 1)[1]

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a tag: 2.2's new A criteria are
# not automatable; ``wcag22aa`` is target-size).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ("serious", "critical")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
HTML_CHARS = 240  # an element's HTML, trimmed, in a report

# Runs in the page or frame: axe.run on its document (not its frames: each frame is run in
# itself), each element with its origin (computed here, where the element is at hand).
_RUN = """async ([tags, htmlChars]) => {
    const LAYOUT = new Set(['stVerticalBlock', 'stVerticalBlockBorderWrapper', 'stHorizontalBlock',
        'stColumn', 'stElementContainer', 'stLayoutWrapper']);
    const LEAFLET_STATE = /^leaflet-(zoom-animated|zoom-anim|zoom-hide|interactive|clickable|fade-anim|pan-anim|grab|dragging|drag-target|touch|touch-drag|touch-zoom|retina|safari|oldie|marker-draggable)$/;
    const origin = (element) => {
        const inMap = !!element.closest('.leaflet-container');
        const parts = [];
        for (let e = element; e && e.nodeType === 1; e = e.parentElement) {
            if (inMap) {
                const classes = [...e.classList].filter(c => c.startsWith('leaflet-') && !LEAFLET_STATE.test(c)).sort();
                if (classes.length) parts.unshift(classes.join(' '));
            } else {
                const id = e.getAttribute('data-testid');
                if (id && !LAYOUT.has(id)) parts.unshift(id);
            }
        }
        parts.push(element.tagName.toLowerCase());
        return parts.join(' > ');
    };
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        iframes: false,
        elementRef: true,
        resultTypes: ['violations'],
    });
    const trim = (text) => text.length > htmlChars ? text.slice(0, htmlChars) + '…' : text;
    return results.violations.map(v => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        tags: v.tags,
        nodes: v.nodes.map(n => ({
            target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | '),
            html: trim(n.html.replace(/\\s+/g, ' ')),
            impact: n.impact,
            origin: n.element ? origin(n.element) : '(unknown)',
            summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim(),
        })),
    }));
}"""


@dataclass(frozen=True)
class Node:
    target: str
    html: str
    impact: str
    origin: str
    summary: str = field(default="", compare=False)


@dataclass(frozen=True)
class Finding:
    """One element failing one rule, in one place (``where``: "page" or "map")."""

    rule: str
    impact: str
    where: str
    node: Node

    @property
    def key(self) -> tuple[str, str, str]:
        """What the floor page must share to excuse this finding: the rule and the element's origin."""
        return (self.where, self.rule, self.node.origin)

    def line(self) -> str:
        return f"[{self.impact}] {self.rule} ({self.where}) {self.node.target}\n      origin: {self.node.origin}\n      html: {self.node.html}"


def inject(target) -> None:
    """Put axe into a Playwright ``Page`` or ``Frame`` (once)."""
    if not target.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        # Run as the page's own script would be, not as an inline <script>: the Content-Security-Policy
        # (src/strategic_sites/api/headers.py) refuses inline scripts the atlas did not write.
        target.evaluate(AXE_JS.read_text(encoding="utf-8"))
    version = target.evaluate("() => axe.version")
    assert version == AXE_VERSION, f"axe {version} in the page, {AXE_VERSION} pinned"


def run(target, where: str = "page") -> list[Finding]:
    """Every WCAG 2.2 AA violation in ``target``'s document (a ``Page`` or ``Frame``; its own
    frames are left out), one :class:`Finding` per element. ``where`` labels them."""
    inject(target)
    found = []
    for violation in target.evaluate(_RUN, [TAGS, HTML_CHARS]):
        for node in violation["nodes"]:
            found.append(
                Finding(
                    rule=violation["rule"],
                    impact=node["impact"] or violation["impact"] or "unknown",
                    where=where,
                    node=Node(node["target"], node["html"], node["impact"] or "", node["origin"], node["summary"]),
                )
            )
    return found


def map_frames(page) -> list:
    """The Frames of the page's st_folium maps (the iframes ``iframe[title="streamlit_folium.st_folium"]``)."""
    frames = []
    for handle in page.query_selector_all(MAP_FRAME):
        frame = handle.content_frame()
        if frame is not None:
            frames.append(frame)
    return frames


def run_page(page) -> list[Finding]:
    """The page's document and, each on its own, every st_folium map frame in it ("map")."""
    found = run(page, "page")
    for index, frame in enumerate(map_frames(page)):
        found += run(frame, "map" if index == 0 else f"map{index + 1}")
    return found


def serious(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.impact in SERIOUS]


def not_in(found: list[Finding], floor: list[Finding]) -> list[Finding]:
    """The findings of ``found`` that the floor has not: a finding is excused only when the floor
    has the same rule on an element of the same origin, in the same place (page or map)."""
    excused = {f.key for f in floor}
    return [f for f in found if f.key not in excused]


def summary(found: list[Finding], every: bool = True) -> str:
    """A readable list: per place, rule and origin, how many elements, then each of them (its
    target, its HTML trimmed, and why it fails); with ``every=False``, only the first of each origin."""
    groups: dict[tuple[str, str, str], dict[str, list[Finding]]] = {}
    for f in found:
        groups.setdefault((f.where, f.rule, f.impact), {}).setdefault(f.node.origin, []).append(f)
    lines = []
    for (where, rule, impact), origins in sorted(groups.items()):
        lines.append(f"  {rule} [{impact}] in the {where}: {sum(map(len, origins.values()))} element(s)")
        for origin, items in sorted(origins.items()):
            lines.append(f"    {len(items)} at {origin}")
            for item in items if every else items[:1]:
                lines.append(f"      - {item.node.target}\n        {item.node.html}")
                if item.node.summary:
                    lines.append(f"        why: {item.node.summary[:400]}")
    return "\n".join(lines)
