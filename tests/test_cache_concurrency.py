"""The result cache under concurrency: several processes writing and reading the same keys.

The gallery runs two examples at a time, and examples that sample the same model with the same
settings and seed share one cache entry. Here two processes (one per core of a 2-core machine,
so they truly run at once) sample Neal's funnel with the same seeds in the same order into one
``cache_dir``, with warnings as errors: each must get its draws without a
:class:`~funnelguide.CacheWarning` (an entry deleted or half written under a reader) and without
an error on write, and every entry left behind must be complete.

Two processes are enough to catch the race: against a cache that replaces an entry in place
(no temporary name, no lock) this test failed in each of two runs, once with a ``CacheWarning``
on read (a manifest missing under the reader) and once with an ``OSError`` on write (a folder
removed under the writer). Each process more costs an import and a compile (about 15 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 2
SEEDS = range(1, 9)

#: One worker: samples the funnel at every seed into the shared cache, and saves the draws of
#: ``v`` it got, so that the test can compare the processes' answers.
WORKER = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    warnings.simplefilter("error")
    import funnelguide as fg

    cache_dir, out, seeds = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    model = fg.neals_funnel_model(3, parameterization="noncentered")
    draws = {}
    for seed in seeds:
        idata = fg.sample(model, draws=20, tune=20, chains=1, random_seed=seed, cache_dir=cache_dir)
        draws[str(seed)] = idata.posterior["v"].to_numpy()
    np.savez(out, **draws)
    """
)


def test_concurrent_writers_and_readers_of_the_same_keys(tmp_path):
    cache_dir = tmp_path / "cache"
    env = {
        **os.environ,
        "PYTHONWARNINGS": "error",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("FUNNELGUIDE_CACHE_DIR", None)
    outputs = [tmp_path / f"draws-{i}.npz" for i in range(PROCESSES)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-W", "error", "-c", WORKER, str(cache_dir), str(out)]
            + [str(seed) for seed in SEEDS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outputs
    ]
    failures = []
    for worker in workers:
        _, stderr = worker.communicate(timeout=600)
        if worker.returncode != 0:
            failures.append("\n".join(stderr.splitlines()[-15:]))
    assert not failures, f"{len(failures)} of {PROCESSES} processes failed:\n" + "\n---\n".join(
        failures
    )
    # Same seed, same draws, whichever process sampled them and whoever read them.
    answers = [np.load(out) for out in outputs]
    for seed in SEEDS:
        for other in answers[1:]:
            np.testing.assert_array_equal(other[str(seed)], answers[0][str(seed)])
    # Every entry left is complete, and nothing temporary is left behind.
    entries = [p for p in cache_dir.iterdir() if not p.name.endswith(".lock")]
    assert len(entries) == len(SEEDS), sorted(p.name for p in cache_dir.iterdir())
    assert all(not p.name.startswith(".") for p in cache_dir.iterdir())
    for entry in entries:
        assert entry.is_dir()
        stored = xr.open_datatree(entry / "data.zarr", engine="zarr", consolidated=False)
        assert stored.posterior["v"].shape == (1, 20)
        stored.close()
