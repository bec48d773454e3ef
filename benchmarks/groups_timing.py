"""Time fg.hierarchical_groups plus fg.reparameterize on a model with ten groups.

Issue 12 asks for it to take under a second. Run: ``.venv/bin/python benchmarks/groups_timing.py``
(under ``flock /work/heavy.lock`` on a shared machine). Prints the median of five runs of each
step, after one warm-up run (PyTensor's first import-time work is not what is measured).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pymc as pm

import funnelguide as fg

N_GROUPS, MEMBERS, N_OBS = 10, 20, 400


def ten_group_model() -> pm.Model:
    """Crossed groups: ten factors with their own scale, one observation per row."""
    rng = np.random.default_rng(0)
    coords = {f"level_{g}": range(MEMBERS) for g in range(N_GROUPS)} | {"obs": range(N_OBS)}
    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu")
        mean = mu
        for g in range(N_GROUPS):
            scale = pm.HalfNormal(f"sigma_{g}")
            effect = pm.Normal(f"effect_{g}", 0.0, scale, dims=f"level_{g}")
            idx = pm.Data(f"idx_{g}", rng.integers(0, MEMBERS, N_OBS), dims="obs")
            mean = mean + effect[idx]
        pm.Normal("y", mean, 1.0, observed=rng.normal(size=N_OBS), dims="obs")
    return model


def main() -> None:
    model = ten_group_model()
    fg.reparameterize(model, "noncentered")  # warm-up
    find, rewrite = [], []
    for _ in range(5):
        start = time.perf_counter()
        groups = fg.hierarchical_groups(model)
        find.append(time.perf_counter() - start)
        start = time.perf_counter()
        fg.reparameterize(model, "noncentered")
        rewrite.append(time.perf_counter() - start)
    assert len(groups) == N_GROUPS
    print(f"model with {len(groups)} groups of {MEMBERS} members")
    print(f"  hierarchical_groups  median {statistics.median(find):.3f} s")
    print(f"  reparameterize       median {statistics.median(rewrite):.3f} s")
    total = statistics.median(find) + statistics.median(rewrite)
    print(f"  both                 {total:.3f} s (goal: under 1 s)")


if __name__ == "__main__":
    main()
