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

Once the gallery is done, nothing uses the workers again, yet loky keeps them, idle, until Python
exits, and then waits for them to exit: the clean build of 2026-12-02 spent 9 s between "build
succeeded" and its end, its main process in loky's exit handler, waiting (py-spy). As a Sphinx
extension, this module ends the workers right after the gallery is made (``builder-inited``,
after sphinx-gallery's handler): they are killed, which is safe for an idle worker and takes a
fraction of a second, and their memory is free for the rest of the build. A later gallery run in
the same process (``docs-live``) starts new workers.
"""

from __future__ import annotations

import sys
from typing import Any

#: sphinx-gallery makes the gallery on ``builder-inited`` at the default priority (500).
AFTER_THE_GALLERY = 900

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


def stop_workers(app: Any = None) -> None:
    """Kill the idle workers of loky's reusable executor, the one joblib's loky backend uses.

    Does nothing where no such executor was started (an unexecuted gallery, a serial one).
    """
    reusable = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(reusable, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", stop_workers, priority=AFTER_THE_GALLERY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
