"""Same seed, same draws: whether numba compiles the model afresh or loads it from disk.

Each run is a new Python process with its own PyTensor compile folder (``base_compiledir``): the
first finds the folder empty and compiles everything, the second finds the numba cache the first
one wrote and loads from it. With PyTensor's default fastmath flags the radon model gave
different (still valid) draws in the two cases, with nutpie and with PyMC's own NUTS alike;
``fg.sample`` compiles without fastmath so that they are bit-identical; so does ``fg.find_map``,
whose stopping point on the centered model's unbounded ridge moved with the compile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys
import numpy as np
import funnelguide as fg
from funnelguide.sampling import _COMPILED, model_fingerprint

model = fg.radon_model(parameterization="centered")
arrays = {}
for sampler in ("nutpie", "pymc"):
    idata = fg.sample(
        model, draws=100, tune=100, chains=2, random_seed=5, nuts_sampler=sampler
    )
    for k in idata.posterior.data_vars:
        arrays[f"{sampler}_posterior_{k}"] = idata.posterior[k].to_numpy()
    arrays[f"{sampler}_diverging"] = idata.sample_stats["diverging"].to_numpy()
    arrays[f"{sampler}_step_size"] = idata.sample_stats["step_size"].to_numpy()
# The MAP stops where the optimizer gives up on an unbounded ridge: a fresh compile with
# fastmath stopped elsewhere than a cached one (7.2e-08 against 2.5e-08 for sigma_b).
arrays["find_map_sigma_b"] = fg.find_map(model)["sigma_b"]
np.savez(sys.argv[1], **arrays)
compiled = _COMPILED[model_fingerprint(model)]
stats = {}
for label, fn in (("logp", compiled.logp_func), ("expand", compiled.expand_func)):
    numba_stats = fn.vm.jit_fn.stats
    stats[label] = {
        "hits": sum(numba_stats.cache_hits.values()),
        "misses": sum(numba_stats.cache_misses.values()),
    }
print(json.dumps(stats))
"""


def _run_child(compiledir: Path, out: Path) -> dict[str, dict[str, int]]:
    env = dict(os.environ)
    env["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fresh_and_warm(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compile_cache")
    compiledir = folder / "pytensor"
    fresh_stats = _run_child(compiledir, folder / "fresh.npz")
    warm_stats = _run_child(compiledir, folder / "warm.npz")
    with np.load(folder / "fresh.npz") as fresh, np.load(folder / "warm.npz") as warm:
        fresh_arrays = {k: fresh[k] for k in fresh.files}
        warm_arrays = {k: warm[k] for k in warm.files}
    return fresh_stats, warm_stats, fresh_arrays, warm_arrays


def test_first_run_compiles_and_second_loads_from_disk(fresh_and_warm):
    fresh_stats, warm_stats, _, _ = fresh_and_warm
    for label in ("logp", "expand"):
        assert fresh_stats[label]["misses"] >= 1, fresh_stats
        assert fresh_stats[label]["hits"] == 0, fresh_stats
        assert warm_stats[label]["hits"] >= 1, warm_stats
        assert warm_stats[label]["misses"] == 0, warm_stats


def test_fresh_and_warm_compiles_give_bit_identical_draws(fresh_and_warm):
    _, _, fresh, warm = fresh_and_warm
    assert sorted(fresh) == sorted(warm)
    assert {"nutpie_posterior_sigma_b", "pymc_posterior_sigma_b", "find_map_sigma_b"} <= set(fresh)
    for name in fresh:
        assert fresh[name].shape == warm[name].shape, name
        assert fresh[name].tobytes() == warm[name].tobytes(), f"{name} differs fresh vs warm"
