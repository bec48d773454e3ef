"""Benchmark of the chapter "Your own model": which form of each model samples fastest.

For each model of ``examples/04_own_model`` (batting, crossed, nested, correlated), in one
process and one run: the centered model as the page writes it, the rewrite ``fg.diagnose``
advises from the centered fit, the all-non-centered rewrite, and the rewrite with the
per-member weights of ``diagnosis.member_parameterization`` (1 or 0 per member, from each
member's shrinkage factor). A multivariate normal group takes weights 0 and 1 for the whole
group only, so the correlated model has no per-member row.

The models are not copied here: each is built by running the page's own code blocks (split by
sphinx-gallery's parser, as the gallery does) up to the block that defines ``centered_model``,
so the benchmark measures what the reader sees. The figure of merit is the worst bulk ESS over
the centered model's free variables (which every rewrite keeps under their names) per second of
sampling (``posterior.attrs["sampling_time"]``, compiling excluded) and per 1000 gradient
evaluations (machine-independent). Ratios are against the centered fit of the same seed; a form
whose rewrite is the same model as another's (same fingerprint) shares that fit.

Run ``python benchmarks/own_models.py [--seeds 1 2 3] [--models correlated]``, on an idle
machine for the per-second column. Writes ``benchmarks/results/own_models.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
from sphinx_gallery.py_source_parser import split_code_and_text_blocks

import funnelguide as fg
from funnelguide.sampling import model_fingerprint

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CHAPTER = ROOT / "examples" / "04_own_model"
PAGES = {
    "batting": "plot_01_batting.py",
    "crossed": "plot_02_crossed.py",
    "nested": "plot_03_nested.py",
    "correlated": "plot_04_correlated.py",
}
#: The name each page gives the model as the user writes it.
MODEL_NAME = "centered_model"


def page_model(name: str) -> pm.Model:
    """Build a page's centered model by running its code blocks up to the one defining it."""
    script = CHAPTER / PAGES[name]
    _, blocks = split_code_and_text_blocks(script)
    namespace: dict[str, object] = {"__name__": f"own_models_{name}", "__file__": str(script)}
    for label, content, line in blocks:
        if label != "code":
            continue
        code = compile("\n" * (line - 1) + content, str(script), "exec")  # keep line numbers
        exec(code, namespace)  # the project's own gallery script
        if MODEL_NAME in namespace:
            model = namespace[MODEL_NAME]
            if not isinstance(model, pm.Model):
                raise TypeError(f"{script.name}: {MODEL_NAME} is a {type(model).__name__}")
            return model
    raise LookupError(f"{script.name} defines no {MODEL_NAME!r}; the benchmark needs one")


def efficiency(idata, var_names: list[str]) -> dict[str, float]:
    """:func:`funnelguide.efficiency` as a row of the table, with the sampling seconds."""
    row = fg.efficiency(idata, var_names)
    return {
        "divergences": int(row["divergences"]),
        "seconds": float(idata.posterior.attrs["sampling_time"]),
        "worst_ess": row["worst ESS"],
        "ess_per_s": row["worst ESS / s"],
        "ess_per_1000_grad": row["worst ESS / 1000 gradients"],
    }


def _has_multivariate_group(model: pm.Model) -> bool:
    return bool((fg.hierarchical_groups(model)["family"] == "MvNormal").any())


def bench_model(name: str, seed: int) -> list[dict[str, object]]:
    """All forms of one chapter model at one seed, as rows of the result table."""
    centered = page_model(name)
    names = [rv.name for rv in centered.free_RVs]
    fits: dict[str, dict[str, float]] = {}  # by model fingerprint: one fit per distinct model

    def fit(model: pm.Model):
        key = model_fingerprint(model)
        if key not in fits:
            idata = fg.sample(model, random_seed=seed, cache_dir=False)
            fits[key] = {**efficiency(idata, names), "idata": idata}
        return fits[key]

    rows = {"centered": fit(centered)}
    diagnosis = fg.diagnose(rows["centered"]["idata"], centered)
    forms: dict[str, object] = {
        "advised": diagnosis.parameterization,
        "all non-centered": "noncentered",
    }
    if not _has_multivariate_group(centered):
        forms["per-member weights"] = diagnosis.member_parameterization
    for form, parameterization in forms.items():
        rows[form] = fit(fg.reparameterize(centered, parameterization))
    base = rows["centered"]
    shares = {
        group: float(np.mean(weights))
        for group, weights in diagnosis.member_parameterization.items()
    }
    table = [
        {
            "model": name,
            "seed": seed,
            "form": form,
            **{k: v for k, v in row.items() if k != "idata"},
            "ess_per_s_vs_centered": row["ess_per_s"] / base["ess_per_s"],
            "ess_per_grad_vs_centered": row["ess_per_1000_grad"] / base["ess_per_1000_grad"],
            "advice": str(diagnosis.parameterization),
            "share_centered_per_member": str(shares) if shares else "skipped: MvNormal group",
        }
        for form, row in rows.items()
    ]
    if "per-member weights" not in rows:
        table.append(
            {
                "model": name,
                "seed": seed,
                "form": "per-member weights",
                "advice": str(diagnosis.parameterization),
                "share_centered_per_member": "skipped: an MvNormal group takes weights 0 and 1 "
                "for the whole group only",
            }
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--models", nargs="+", choices=list(PAGES), default=list(PAGES))
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
        print(table[columns].to_string(index=False, na_rep="-"))
        print()
        print(
            table.drop_duplicates("model")[
                ["model", "advice", "share_centered_per_member"]
            ].to_string(index=False)
        )


if __name__ == "__main__":
    main()
