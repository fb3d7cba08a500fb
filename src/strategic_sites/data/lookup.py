"""The id → name and id → link tables of an atlas, built once per atlas.

Tables, charts, popups and the site panel all name sites and link sources; they ask
:func:`of` instead of each building its own dictionaries.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from strategic_sites.data.atlas import Atlas

_KEEP = 8  # atlases remembered (languages × data versions in use)


@dataclass(frozen=True)
class Lookup:
    site_names: dict[str, str]  # site id → name, in the atlas's language
    source_urls: dict[str, str]  # source id → URL ("" where it has none)
    source_publishers: dict[str, str]
    source_rows: dict[str, dict]  # source id → title, publisher, published, url (what popups link)

    def first_url(self, source_ids) -> str:
        """The link of the first source that has one."""
        return next((self.source_urls[s] for s in source_ids if self.source_urls.get(s)), "")

    def publishers(self, source_ids) -> str:
        return "; ".join(self.source_publishers.get(s, s) for s in source_ids)

    def site_name(self, site_id: str, default: str = "") -> str:
        return self.site_names.get(site_id, default)


_made: OrderedDict[tuple[int, int], tuple[Atlas, Lookup]] = OrderedDict()


def of(atlas: Atlas) -> Lookup:
    """The lookups of ``atlas`` (remembered by the identity of its frames: a localised or
    reloaded atlas gets its own)."""
    key = (id(atlas.sites), id(atlas.sources))
    hit = _made.get(key)
    if hit is not None and hit[0].sites is atlas.sites and hit[0].sources is atlas.sources:
        _made.move_to_end(key)
        return hit[1]
    sources = atlas.sources
    made = Lookup(
        site_names=dict(zip(atlas.sites["id"], atlas.sites["name"])),
        source_urls=dict(zip(sources["id"], sources["url"])),
        source_publishers=dict(zip(sources["id"], sources["publisher"])),
        source_rows=sources.set_index("id")[["title", "publisher", "published", "url"]].to_dict("index"),
    )
    _made[key] = (atlas, made)  # the atlas is kept with it, so the ids stay its own
    while len(_made) > _KEEP:
        _made.popitem(last=False)
    return made
