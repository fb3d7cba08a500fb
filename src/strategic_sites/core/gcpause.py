"""The cyclic garbage collector paused while much is built at once: one pause for the whole atlas.

Loading 100,000 events, or writing their map data, makes millions of small objects that hold no
cycles; each collection the allocations trigger walks every live object, a third of the load time
and most of the JSON's. Reference counting frees everything as usual while the collector waits.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0  # blocks inside paused_gc(), in every thread
_resume = False  # whether the collector ran when the first of them began


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block. Blocks may nest or overlap (a server's
    threads: a data load and a map being written at once): the collector resumes when the last one
    ends, and only if it ran when the first began."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
