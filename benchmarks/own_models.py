"""Benchmark of the chapter "Your own model": which form of each model samples fastest.

For each model of ``examples/04_own_model`` (written again here: benchmarks never import the
examples), in one process and one run: the centered model as a user writes it, the rewrite
``fg.diagnose`` advises from the centered fit, the all-non-centered rewrite, and the rewrite
with the per-member weights of ``diagnosis.member_parameterization``. Each form is compiled by
a first ``fg.sample`` call, then timed on a second call (sampling only, ``cache_dir=False``).
The figure of merit is the worst bulk ESS over the centered model's free variables (which
every rewrite keeps under their names) per second of sampling, and per 1000 gradient
evaluations (machine-independent). Ratios are against the centered fit of the same seed.

Run ``python benchmarks/own_models.py [--seeds 1 2 3]``; take timings on an idle machine
(``flock /work/heavy.lock ...`` on a shared one). Writes ``benchmarks/results/own_models.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import arviz_stats as azs
import numpy as np
import pandas as pd
import pymc as pm

import funnelguide as fg

RESULTS = Path(__file__).resolve().parent / "results"


def batting_model() -> pm.Model:
    """Hierarchical logistic regression of Efron and Morris's early-season hits."""
    batting = fg.load_batting()
    with pm.Model(coords={"player": batting["player"]}) as model:
        mu = pm.Normal("mu", -1.0, 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        alpha = pm.Normal("alpha", mu, sigma, dims="player")
        pm.Binomial(
            "hits",
            n=batting["at_bats"].to_numpy(),
            logit_p=alpha,
            observed=batting["hits"].to_numpy(),
            dims="player",
        )
    return model


def crossed_model(seed: int = 2007) -> pm.Model:
    """Crossed store and product effects: 100 observations per store, 10 per product."""
    rng = np.random.default_rng(seed)
    n_stores, n_products, n_obs = 6, 60, 600
    store_idx = np.repeat(np.arange(n_stores), n_obs // n_stores)
    product_idx = np.tile(np.arange(n_products), n_obs // n_products)
    y = rng.normal(
        rng.normal(2.0, 1.0, n_stores)[store_idx] + rng.normal(0.0, 0.15, n_products)[product_idx]
    )
    coords = {"store": np.arange(n_stores), "product": np.arange(n_products)}
    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        sigma_store = pm.HalfNormal("sigma_store", 2.0)
        sigma_product = pm.HalfNormal("sigma_product", 1.0)
        sigma_y = pm.HalfNormal("sigma_y", 2.0)
        store_effect = pm.Normal("store_effect", mu, sigma_store, dims="store")
        product_effect = pm.Normal("product_effect", 0.0, sigma_product, dims="product")
        pm.Normal("y", store_effect[store_idx] + product_effect[product_idx], sigma_y, observed=y)
    return model


MODELS = {"batting": batting_model, "crossed": crossed_model}


def timed_fit(model: pm.Model, seed: int, names: list[str]) -> dict[str, float]:
    """Compile with one call, time a second; worst bulk ESS over ``names``."""
    fg.sample(model, random_seed=seed + 10_000, cache_dir=False)
    start = time.perf_counter()
    idata = fg.sample(model, random_seed=seed, cache_dir=False)
    seconds = time.perf_counter() - start
    ess = azs.ess(idata, var_names=names)
    worst = min(float(ess[name].min()) for name in names)
    return {
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "seconds": seconds,
        "worst_ess": worst,
        "ess_per_s": worst / seconds,
        "ess_per_1000_grad": 1000 * worst / float(idata.sample_stats["n_steps"].sum()),
        "idata": idata,
    }


def bench_model(name: str, seed: int) -> list[dict[str, object]]:
    centered = MODELS[name]()
    names = [rv.name for rv in centered.free_RVs]
    rows = {"centered": timed_fit(centered, seed, names)}
    diagnosis = fg.diagnose(rows["centered"].pop("idata"), centered)
    forms = {
        "advised": diagnosis.parameterization,
        "all non-centered": "noncentered",
        "per-member weights": diagnosis.member_parameterization,
    }
    for form, parameterization in forms.items():
        rows[form] = timed_fit(fg.reparameterize(centered, parameterization), seed, names)
        rows[form].pop("idata")
    base = rows["centered"]
    return [
        {
            "model": name,
            "seed": seed,
            "form": form,
            **row,
            "ess_per_s_vs_centered": row["ess_per_s"] / base["ess_per_s"],
            "ess_per_grad_vs_centered": row["ess_per_1000_grad"] / base["ess_per_1000_grad"],
            "advice": str(diagnosis.parameterization),
        }
        for form, row in rows.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS))
    args = parser.parse_args()
    rows = [row for name in args.models for seed in args.seeds for row in bench_model(name, seed)]
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "own_models.json").write_text(json.dumps(rows, indent=2, default=str))
    columns = [
        "model",
        "seed",
        "form",
        "divergences",
        "worst_ess",
        "ess_per_s",
        "ess_per_s_vs_centered",
        "ess_per_grad_vs_centered",
    ]
    with pd.option_context("display.width", 120, "display.float_format", "{:.2f}".format):
        print(table[columns].to_string(index=False))
    print(table.drop_duplicates("model")[["model", "advice"]].to_string(index=False))


if __name__ == "__main__":
    main()
