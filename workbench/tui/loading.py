"""Loading big reviews quickly: pause the cyclic garbage collector while caches are read.

Reading 100,000 records and studies creates millions of objects; with the
collector running, each full collection walks every object already loaded,
which makes loading several times slower. While `bulk_loading()` is active
the collector is paused; afterwards the loaded objects are frozen out of
later collections (`gc.freeze`), which also keeps key presses free of long
collection pauses. Nesting and concurrent use from worker threads are safe.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = True


@contextmanager
def bulk_loading():
    """Pause the cyclic GC for the duration; freeze what was loaded at the end."""
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()
