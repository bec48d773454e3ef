"""Sampler benchmark for funnelguide: compile time, sampling time, divergences, worst ESS/s.

For each model, on this machine, in one run:

- ``fg.sample`` first call (compiles) and a repeated call on a freshly built copy of the same
  model with another seed (reuses the compiled model, keyed by the model's fingerprint);
- plain ``pm.sample`` (PyMC's default NUTS, nutpie);
- ``pm.sample(nuts_sampler="pymc")`` (PyMC's own NUTS).

Every method runs in a new Python process with its own PyTensor compile folder: first empty
(``cold``: what a reader pays on a fresh machine), then once more on the folder the first run
filled (``warm``: a new process on a machine that has compiled this model before). Import time
is not counted; compile time is whatever a call spends before sampling starts.

The figure of merit is the worst bulk ESS per second over the model's hyperparameters, counting
compile time (``ess_s_total``) and not counting it (``ess_s_sampling``). The script prints a
table, the ratios that issue 6 sets targets for, and writes ``benchmarks/results/bench.json``.

Run ``python benchmarks/run.py --help``; ``nox -s bench`` runs it with the defaults.
Timings are only meaningful on an otherwise idle machine: the script measures how busy the CPUs
are just before and just after its runs (when none of its own processes run) and says so when
other work was using them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


@dataclass(frozen=True)
class Case:
    """A model to benchmark: how to build it and which variables are its hyperparameters."""

    builder: str
    parameterization: str
    hyperparameters: tuple[str, ...]


CASES: dict[str, Case] = {
    "radon_centered": Case(
        "radon_model", "centered", ("mu_a", "sigma_a", "mu_b", "sigma_b", "eps")
    ),
    "radon_noncentered": Case(
        "radon_model", "noncentered", ("mu_a", "sigma_a", "mu_b", "sigma_b", "eps")
    ),
    "eight_schools_centered": Case("eight_schools_model", "centered", ("mu", "tau")),
    "eight_schools_noncentered": Case("eight_schools_model", "noncentered", ("mu", "tau")),
    "funnel_centered": Case("neals_funnel_model", "centered", ("v",)),
    "funnel_noncentered": Case("neals_funnel_model", "noncentered", ("v",)),
}
DEFAULT_MODELS = (
    "radon_centered",
    "radon_noncentered",
    "eight_schools_noncentered",
    "funnel_noncentered",
)
METHODS = ("fg", "nutpie", "pymc")
METHOD_LABELS = {
    "fg_first": "fg.sample, first call",
    "fg_repeat": "fg.sample, repeated call",
    "nutpie": "pm.sample (nutpie)",
    "pymc": 'pm.sample(nuts_sampler="pymc")',
}
#: Issue 6's targets for the non-centered radon model: (numerator, denominator, minimum ratio).
TARGETS = (
    ("fg_first", "pymc", 1.5),
    ("fg_repeat", "pymc", 10.0),
    ("fg_first", "nutpie", 0.9),
    ("fg_repeat", "nutpie", 0.9),
)
TARGET_MODEL = "radon_noncentered"
FIRST_SEED, REPEAT_SEED = 1, 2
#: Above this share of CPU time used by others, just before or after the runs, timings are
#: reported as provisional.
BUSY_SHARE = 0.2


# -- worker: one method on one model, in its own process ------------------------------------------


def _measure(idata: Any, case: Case, total: float, compile_time: float) -> dict[str, Any]:
    """Divergences, bulk ESS of each hyperparameter, and ESS per second of the worst one."""
    import arviz_stats

    ess = arviz_stats.ess(idata, var_names=list(case.hyperparameters), method="bulk")
    ess_by_var = {name: float(ess[name].to_numpy()) for name in case.hyperparameters}
    worst = min(ess_by_var, key=ess_by_var.get)
    sampling = max(total - compile_time, 1e-9)
    return {
        "compile_s": compile_time,
        "sampling_s": sampling,
        "total_s": total,
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "ess_bulk": ess_by_var,
        "worst_var": worst,
        "worst_ess": ess_by_var[worst],
        "ess_s_total": ess_by_var[worst] / total,
        "ess_s_sampling": ess_by_var[worst] / sampling,
    }


def _build(case: Case) -> Any:
    import funnelguide as fg

    return getattr(fg, case.builder)(parameterization=case.parameterization)


def _sampling_time(idata: Any) -> float | None:
    for group in ("posterior", "sample_stats"):
        value = idata[group].attrs.get("sampling_time")
        if value is not None:
            return float(value)
    return None


def run_worker(model_name: str, method: str, settings: dict[str, int]) -> list[dict[str, Any]]:
    """Run one method on one model in this process and return its measurements."""
    import warnings

    import pymc as pm

    import funnelguide as fg

    warnings.simplefilter("ignore")  # timing, not linting: PyMC's own notices are not errors here
    case = CASES[model_name]
    records = []
    if method == "fg":
        for call, seed in (("fg_first", FIRST_SEED), ("fg_repeat", REPEAT_SEED)):
            model = _build(case)  # a new object each time: reuse is keyed by content
            start, cpu_start = time.perf_counter(), time.process_time()
            # cache_dir=False: a real run even when FUNNELGUIDE_CACHE_DIR is set
            idata = fg.sample(model, random_seed=seed, cache_dir=False, **settings)
            total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            compile_time = total - float(idata.posterior.attrs["sampling_time"])
            records.append(
                {
                    "method": call,
                    "seed": seed,
                    "fg_compile_time_attr": float(idata.posterior.attrs["compile_time"]),
                    "cpu_s": cpu,
                    **_measure(idata, case, total, compile_time),
                }
            )
        return records
    model = _build(case)
    sampler = {"nutpie": None, "pymc": "pymc"}[method]
    kwargs = {} if sampler is None else {"nuts_sampler": sampler}
    start, cpu_start = time.perf_counter(), time.process_time()
    idata = pm.sample(
        model=model,
        random_seed=FIRST_SEED,
        progressbar=False,
        compute_convergence_checks=False,
        **settings,
        **kwargs,
    )
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    sampling = _sampling_time(idata)
    compile_time = total - sampling if sampling is not None else float("nan")
    return [
        {
            "method": method,
            "seed": FIRST_SEED,
            "cpu_s": cpu,
            **_measure(idata, case, total, compile_time),
        }
    ]


# -- orchestrator ---------------------------------------------------------------------------------


def _spawn_worker(
    model_name: str, method: str, compiledir: Path, settings: dict[str, int]
) -> list[dict[str, Any]]:
    env = dict(os.environ)
    env["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        model_name,
        method,
        "--draws",
        str(settings["draws"]),
        "--tune",
        str(settings["tune"]),
        "--chains",
        str(settings["chains"]),
    ]
    result = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"worker {model_name}/{method} failed (exit {result.returncode}):\n"
            f"{result.stderr[-4000:]}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def cpu_busy_share(seconds: float = 2.0) -> float | None:
    """Share of all CPUs' time spent on anything but idling over ``seconds`` (None if unknown)."""

    def snapshot() -> tuple[int, int] | None:
        try:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        except OSError:
            return None
        ticks = [int(value) for value in fields]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
        return sum(ticks), idle

    first = snapshot()
    time.sleep(seconds)
    second = snapshot()
    if first is None or second is None or second[0] == first[0]:
        return None
    total, idle = second[0] - first[0], second[1] - first[1]
    return 1.0 - idle / total


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("funnelguide", "pymc", "pytensor", "nutpie", "numba", "arviz-stats"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _ratios(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ratios of worst ESS/s (counting compile) between methods, per model and cache state."""
    index = {(r["model"], r["cache"], r["method"]): r for r in records}
    ratios = []
    for model, cache in sorted({(r["model"], r["cache"]) for r in records}):
        for numerator, denominator, minimum in TARGETS:
            top = index.get((model, cache, numerator))
            bottom = index.get((model, cache, denominator))
            if top is None or bottom is None:
                continue
            ratio = top["ess_s_total"] / bottom["ess_s_total"]
            is_target = model == TARGET_MODEL
            ratios.append(
                {
                    "model": model,
                    "cache": cache,
                    "numerator": numerator,
                    "denominator": denominator,
                    "ess_s_ratio": ratio,
                    "time_ratio": bottom["total_s"] / top["total_s"],
                    "target": minimum if is_target else None,
                    "meets_target": (ratio >= minimum) if is_target else None,
                }
            )
    return ratios


def _print_table(records: list[dict[str, Any]]) -> None:
    header = (
        f"{'model':<26} {'cache':<5} {'method':<32} {'compile':>8} {'sampling':>8} "
        f"{'total':>7} {'div':>5} {'worst ESS':>16} {'ESS/s':>8} {'ESS/s*':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in records:
        worst = f"{r['worst_var']} {r['worst_ess']:.0f}"
        print(
            f"{r['model']:<26} {r['cache']:<5} {METHOD_LABELS[r['method']]:<32} "
            f"{r['compile_s']:>7.1f}s {r['sampling_s']:>7.1f}s {r['total_s']:>6.1f}s "
            f"{r['divergences']:>5d} {worst:>16} {r['ess_s_total']:>8.1f} "
            f"{r['ess_s_sampling']:>9.1f}"
        )
    print(
        "ESS/s counts compile and sampling; ESS/s* counts sampling only; "
        "worst = lowest bulk ESS over the hyperparameters."
    )


def _print_ratios(ratios: list[dict[str, Any]]) -> None:
    print(
        "\nRatios of worst ESS/s, compile counted (time ratio = denominator's total time / "
        "numerator's):"
    )
    for r in ratios:
        verdict = ""
        if r["target"] is not None:
            verdict = f"  target >= {r['target']:g}: {'met' if r['meets_target'] else 'NOT met'}"
        print(
            f"  {r['model']:<26} {r['cache']:<5} {METHOD_LABELS[r['numerator']]:<26} / "
            f"{METHOD_LABELS[r['denominator']]:<32} ESS/s x{r['ess_s_ratio']:>6.2f}  "
            f"time x{r['time_ratio']:>6.2f}{verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--worker``, one measurement) and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models",
        default=",".join(DEFAULT_MODELS),
        help=f"comma-separated, or 'all'; from {sorted(CASES)}",
    )
    parser.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated subset of {list(METHODS)}"
    )
    parser.add_argument(
        "--cache", default="cold,warm", help="compile-folder states to measure: cold, warm or both"
    )
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench.json")
    parser.add_argument("--worker", nargs=2, metavar=("MODEL", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = {"draws": args.draws, "tune": args.tune, "chains": args.chains}

    if args.worker:
        print(json.dumps(run_worker(*args.worker, settings)))
        return 0

    models = list(CASES) if args.models == "all" else args.models.split(",")
    methods = args.methods.split(",")
    caches = args.cache.split(",")
    for name, chosen, allowed in (
        ("--models", models, CASES),
        ("--methods", methods, METHODS),
        ("--cache", caches, ("cold", "warm")),
    ):
        unknown = [item for item in chosen if item not in allowed]
        if unknown:
            parser.error(f"{name}: unknown {unknown}; choose from {sorted(allowed)}")

    load_before, busy_before = os.getloadavg(), cpu_busy_share()
    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="funnelguide-bench-") as scratch:
        for model_name in models:
            for method in methods:
                compiledir = Path(scratch) / f"{model_name}-{method}"
                # The cold run always happens: it is what fills the folder for the warm run.
                for cache in ("cold", "warm") if "warm" in caches else ("cold",):
                    print(f"... {model_name} / {method} / {cache} compile folder", flush=True)
                    measured = _spawn_worker(model_name, method, compiledir, settings)
                    if cache in caches:
                        records += [{"model": model_name, "cache": cache, **r} for r in measured]
    load_after, busy_after = os.getloadavg(), cpu_busy_share()

    print()
    _print_table(records)
    ratios = _ratios(records)
    _print_ratios(ratios)
    shares = [share for share in (busy_before, busy_after) if share is not None]
    busy = max(shares) > BUSY_SHARE if shares else None
    if busy or busy is None:
        measured = ", ".join(f"{share:.0%}" for share in shares) or "unknown"
        print(
            f"\nOther work used the CPUs (busy share before/after: {measured}; 1-min load average "
            f"{load_before[0]:.1f} before, {os.cpu_count()} cores): these timings are provisional."
        )
    report = {
        "settings": {**settings, "first_seed": FIRST_SEED, "repeat_seed": REPEAT_SEED},
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "cpu_busy_share_before": busy_before,
            "cpu_busy_share_after": busy_after,
            "busy": busy,
        },
        "versions": _versions(),
        "wall_time_s": time.perf_counter() - started,
        "records": records,
        "ratios": ratios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
