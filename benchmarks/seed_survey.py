"""The seed survey: on which seeds does each gallery example's hidden checks hold?

Every gallery script that samples sets ``RANDOM_SEED = 8927`` for the reader and, in hidden
lines, lets the environment variable ``FUNNELGUIDE_SEED`` replace it. This script runs every
``examples/**/plot_*.py`` (found by glob, so new chapters join by themselves) once per seed,
headless, with that variable set, and records whether the script ran through, and if not,
which assertion (file, line, source text) or which other error stopped it.

Run it on demand, not in CI: ``nox -s seed-survey [-- --seeds 8927 1 2 3 4 --pattern 01_radon]``.
Results: ``benchmarks/results/seed_survey.csv`` (one row per example and seed) and
``seed_survey.md`` (a table, example by seed). Examples sharing a fit share one run per seed,
through ``fg.sample``'s result cache in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_SEEDS = (8927, 1, 2, 3, 4)
SEED_ENV = "FUNNELGUIDE_SEED"
#: The last frame of a traceback that lies in the example itself: ``File ".../plot_x.py", line N``.
FRAME = re.compile(r'File "(?P<file>[^"]*plot_[^"]*\.py)", line (?P<line>\d+)')


def failure_of(script: Path, stderr: str) -> str:
    """Name what stopped ``script``: the failing assertion's line and source, or the error."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    error = lines[-1].strip() if lines else "no output"
    frames = [m for m in FRAME.finditer(stderr) if Path(m["file"]).name == script.name]
    if not frames:
        return error[:200]
    number = int(frames[-1]["line"])
    source = script.read_text(encoding="utf-8").splitlines()
    statement = source[number - 1].strip() if 0 < number <= len(source) else "?"
    kind = "assert" if error.startswith("AssertionError") else error.split(":")[0]
    return f"{kind} at line {number}: {statement}"[:200]


def run_one(script: Path, seed: int, cache_dir: str, timeout: float) -> dict[str, object]:
    """Run one example at one seed and return its row of the survey."""
    env = {
        **os.environ,
        SEED_ENV: str(seed),
        "MPLBACKEND": "Agg",
        "FUNNELGUIDE_CACHE_DIR": cache_dir,
    }
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-W", "error", script.name],
            cwd=script.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        holds = result.returncode == 0
        failure = "" if holds else failure_of(script, result.stderr)
    except subprocess.TimeoutExpired:
        holds, failure = False, f"timed out after {timeout:.0f} s"
    return {
        "example": script.relative_to(EXAMPLES).as_posix(),
        "seed": seed,
        "holds": holds,
        "failure": failure,
        "seconds": round(time.perf_counter() - start, 1),
    }


def markdown(rows: list[dict[str, object]], seeds: list[int]) -> str:
    """A table, one line per example and one column per seed, then the failures in full."""
    examples = list(dict.fromkeys(row["example"] for row in rows))
    cell = {(row["example"], row["seed"]): row for row in rows}
    lines = [
        "| example | " + " | ".join(map(str, seeds)) + " |",
        "|---|" + "---|" * len(seeds),
    ]
    for example in examples:
        marks = [
            "-"
            if (example, seed) not in cell
            else "holds"
            if cell[example, seed]["holds"]
            else "FAILS"
            for seed in seeds
        ]
        lines.append(f"| {example} | " + " | ".join(marks) + " |")
    failures = [row for row in rows if not row["holds"]]
    if failures:
        lines += ["", "Failures:", ""]
        lines += [f"- {row['example']}, seed {row['seed']}: `{row['failure']}`" for row in failures]
    return "\n".join(lines) + "\n"


def write_results(rows: list[dict[str, object]], seeds: list[int], out: Path) -> str:
    """Write the rows so far as CSV and as a markdown table; return the table."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "seed_survey.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table = markdown(rows, seeds)
    (out / "seed_survey.md").write_text(table, encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--pattern", default="", help="regex on the example's path, e.g. 01_radon")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    scripts = [
        script
        for script in sorted(EXAMPLES.glob("**/plot_*.py"))
        if re.search(args.pattern, script.relative_to(EXAMPLES).as_posix())
    ]
    if not scripts:
        parser.error(f"--pattern {args.pattern!r} matches no example under {EXAMPLES}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="seed-survey-") as cache_dir:
        for seed in args.seeds:
            for script in scripts:
                row = run_one(script, seed, cache_dir, args.timeout)
                print(
                    f"{row['example']:<45} seed {seed:>5}: "
                    f"{'holds' if row['holds'] else 'FAILS ' + str(row['failure'])} "
                    f"({row['seconds']} s)",
                    flush=True,
                )
                rows.append(row)
                table = write_results(rows, args.seeds, args.out)  # after every run: a stopped
                # survey keeps what it found
    print("\n" + table)
    return 0 if all(row["holds"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
