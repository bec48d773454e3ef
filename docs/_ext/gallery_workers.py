"""Keep the gallery's worker processes for the whole build, with the models they compiled.

sphinx-gallery runs the examples in loky worker processes (``parallel`` in ``conf.py``). loky
replaces a worker whose memory has grown by more than 300 MB since its first task, taking it for
a leak. A worker that samples grows that much by design: ``fg.sample`` keeps every model it
compiled (numba machine code) so that the next example sampling the same model skips the
compile. In a whole build (2026-12-02, 2 cores) loky replaced four workers, and each new one
imported PyMC again and compiled again the models its predecessor had compiled: the gallery
made 36 numba compiles of models (155 s) where 31 (147 s) do with the workers kept.

This reset function (listed in ``sphinx_gallery_conf["reset_modules"]`` by its dotted name)
runs inside the worker before each example and lifts that limit in the worker's own copy of
loky, the only place it is read. The machine's memory bounds the build instead: the workers'
peak resident size is what ``nox -s docs-timing`` reports.
"""

from __future__ import annotations

import sys
from typing import Any

#: Memory growth (bytes) loky tolerates in a worker before replacing it: 64 GiB, more than a
#: build machine has, so loky never replaces a worker for its growth.
WORKER_MEMORY_GROWTH_LIMIT = 64 * 2**30

_LOKY_EXECUTOR = "joblib.externals.loky.process_executor"


def keep_workers(gallery_conf: dict[str, Any], fname: str | None, when: str) -> None:
    """Lift loky's memory-growth limit in this process, if it is a loky worker.

    Parameters
    ----------
    gallery_conf : dict
        sphinx-gallery's configuration (unused).
    fname : str or None
        The example about to run or just run (unused).
    when : {"before", "after"}
        Which side of the example this call is on (unused: the limit is lifted either way).
    """
    executor = sys.modules.get(_LOKY_EXECUTOR)
    if executor is not None and hasattr(executor, "_MAX_MEMORY_LEAK_SIZE"):
        executor._MAX_MEMORY_LEAK_SIZE = max(
            executor._MAX_MEMORY_LEAK_SIZE, WORKER_MEMORY_GROWTH_LIMIT
        )
