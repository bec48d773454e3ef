"""Time the site's builds: clean, nothing changed, one example touched, one example edited.

The builds run on a private copy of the repository (``git archive HEAD`` by default, or the
working tree with ``--worktree``), so the shared ``docs/`` folder is never cleaned or rebuilt
under anyone's feet. Each build is the command ``nox -s docs`` runs::

    python -m sphinx -W -n --keep-going -b html -d docs/_build/doctrees docs docs/_build/html

1. **clean**: nothing generated yet; every gallery example and MyST-NB page is executed.
2. **no change**: the same command again; the target is < 30 s with nothing executed.
3. **touch**: one example's modification time changes, its content does not; sphinx-gallery
   keys on content (MD5), so nothing is executed.
4. **edit**: one example gets an extra code cell; exactly that example is executed again.

For each build: wall time, exit status, peak memory (the largest single process, from
``getrusage``; and, with psutil installed, the peak of the build's process tree, summed as
proportional set size so that pages shared by forked workers count once, polled every 0.5 s),
how many examples sphinx-gallery ran (and how many of them failed; a failing example runs again
on every build), how many MyST-NB pages were executed, and which gallery pages were regenerated.
The targets of issue 6 are checked and the numbers written to
``benchmarks/results/docs_timing.json``.

PyTensor compiles into a fresh folder inside the copy (``--pytensor-cache cold``, the default:
a fresh machine) or into the user's usual one (``--pytensor-cache user``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from run import BUSY_SHARE, cpu_busy_share  # benchmarks/run.py, next to this script

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: Never copied from a working tree: version control, environments, build output, caches.
IGNORED = (
    ".git",
    ".nox",
    ".venv",
    "_build",
    "auto_examples",
    "generated",
    "jupyter_execute",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".funnelguide-cache",
    "results",
)
#: What the "edit" build appends to one example (in the private copy only).
EDIT_LINE = "docs_timing_edit = True  # added by benchmarks/docs_timing.py"
TARGETS = {"clean_s": 300.0, "no_change_s": 30.0, "peak_memory_gb": 4.0}
GB = 1024**3


def copy_sources(destination: Path, *, worktree: bool) -> None:
    """Put the repository's sources (committed ``HEAD`` or the working tree) in ``destination``."""
    if worktree:
        shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*IGNORED))
        return
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    archive_path = destination.parent / "head.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(destination, filter="data")
    archive_path.unlink()


def _tree_memory(pid: int) -> int:
    """Memory of a process and its descendants: summed PSS (shared pages counted once)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        # PSS splits pages shared by forked workers among them; RSS would count them repeatedly
        total += getattr(info, "pss", info.rss)
    return total


def _gallery_pages(site: Path) -> dict[str, int]:
    folder = site / "docs" / "auto_examples"
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns
        for path in folder.rglob("plot_*.rst")
    }


def _parse_log(log: str) -> dict[str, Any]:
    executed = re.search(r"successfully executed (\d+) out of (\d+) file", log)
    skipped = re.search(r"excluding (\d+) files? that had previously been run", log)
    environment = re.search(r"updating environment: .*?(\d+) added, (\d+) changed", log)
    return {
        # "successfully executed N out of M": M examples ran (failing ones included), N passed
        "gallery_executed": int(executed.group(2)) if executed else 0,
        "gallery_succeeded": int(executed.group(1)) if executed else 0,
        "gallery_skipped_md5": int(skipped.group(1)) if skipped else None,
        "notebooks_executed": len(re.findall(r"Executing notebook using", log)),
        "notebooks_from_cache": len(re.findall(r"Using cached notebook", log)),
        "documents_added_or_changed": (
            int(environment.group(1)) + int(environment.group(2)) if environment else 0
        ),
        "warnings": len(re.findall(r"(?m)^.*WARNING:", log)),
    }


def run_build(site: Path, env: dict[str, str], extra: list[str], log_path: Path) -> dict[str, Any]:
    """Run one sphinx build of ``site`` and measure it."""
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "-n",
        "--keep-going",
        "-b",
        "html",
        "-d",
        "docs/_build/doctrees",
        *extra,
        "docs",
        "docs/_build/html",
    ]
    before = _gallery_pages(site) if (site / "docs" / "auto_examples").exists() else {}
    peak_tree = 0
    with log_path.open("w", encoding="utf-8") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT)
        stop = threading.Event()

        def poll() -> None:
            nonlocal peak_tree
            while not stop.is_set():
                peak_tree = max(peak_tree, _tree_memory(process.pid))
                stop.wait(0.5)

        poller = None
        try:
            import psutil  # noqa: F401

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
        except ImportError:
            pass
        returncode = process.wait()
        elapsed = time.perf_counter() - start
        stop.set()
        if poller is not None:
            poller.join()
    after = _gallery_pages(site)
    regenerated = sorted(name for name, mtime in after.items() if before.get(name) != mtime)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return {
        "seconds": elapsed,
        "returncode": returncode,
        "peak_tree_pss_gb": peak_tree / GB if peak_tree else None,
        "regenerated_gallery_pages": regenerated,
        "log": str(log_path),
        "log_tail": text[-1500:] if returncode else "",
        **_parse_log(text),
    }


def _example_to_change(site: Path, chosen: str | None) -> Path:
    if chosen is not None:
        path = site / chosen
        if not path.is_file():
            raise SystemExit(f"--example {chosen!r} is not a file of the repository.")
        return path
    examples = sorted((site / "examples").rglob("plot_*.py"))
    if not examples:
        raise SystemExit("No examples/**/plot_*.py found: nothing to time.")
    return examples[0]


def _print_report(builds: dict[str, dict[str, Any]], checks: dict[str, Any]) -> None:
    print(
        f"\n{'build':<10} {'time':>8} {'exit':>5} {'examples run':>13} {'failed':>7} "
        f"{'notebooks run':>14} {'tree peak':>10}  regenerated pages"
    )
    for name, b in builds.items():
        tree = f"{b['peak_tree_pss_gb']:.2f} GB" if b["peak_tree_pss_gb"] else "n/a"
        print(
            f"{name:<10} {b['seconds']:>7.1f}s {b['returncode']:>5} {b['gallery_executed']:>13} "
            f"{b['gallery_executed'] - b['gallery_succeeded']:>7} {b['notebooks_executed']:>14} "
            f"{tree:>10}  {', '.join(b['regenerated_gallery_pages'])}"
        )
    print(
        "\ntree peak: memory of the build and its worker processes (PSS, polled every 0.5 s); "
        f"largest single process of the clean build: {checks['clean_max_rss_gb']:.2f} GB"
    )
    print("Targets (issue 6):")
    for name, check in checks["targets"].items():
        print(f"  {name:<44} {'met' if check else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    """Time the four builds, check the targets, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worktree", action="store_true", help="copy the working tree, not HEAD")
    parser.add_argument("--example", help="example to touch and edit (path in the repository)")
    parser.add_argument("--pytensor-cache", choices=("cold", "user"), default="cold")
    parser.add_argument(
        "--online", action="store_true", help="let intersphinx fetch inventories (default: offline)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the build copy and print its path"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "docs_timing.json")
    parser.add_argument(
        "sphinx_args", nargs="*", help="extra sphinx-build arguments (after --), e.g. -D key=value"
    )
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="funnelguide-docs-timing-"))
    site = scratch / "site"
    copy_sources(site, worktree=args.worktree)
    if not (site / "docs" / "conf.py").is_file():
        raise SystemExit("docs/conf.py does not exist yet: there is no site to time.")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    if not args.online:
        env["FUNNELGUIDE_DOCS_OFFLINE"] = "1"
    if args.pytensor_cache == "cold":
        env["PYTENSOR_FLAGS"] = f"base_compiledir={scratch / 'pytensor'}"
    example = _example_to_change(site, args.example)
    print(f"Building a copy of {'the working tree' if args.worktree else 'HEAD'} in {site}")

    builds: dict[str, dict[str, Any]] = {}
    busy_before = cpu_busy_share()
    rss_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    for name in ("clean", "no_change", "touch", "edit"):
        if name == "touch":
            os.utime(example)
        elif name == "edit":
            with example.open("a", encoding="utf-8") as handle:
                # a code cell of its own: appended to a text cell, it could break its reST
                handle.write(f"\n\n# %%\n{EDIT_LINE}\n")
        print(f"... {name} build", flush=True)
        builds[name] = run_build(site, env, args.sphinx_args, scratch / f"{name}.log")
        if name == "clean":
            clean_max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is in KiB on Linux; it is the largest single process, never a sum
    clean_max_rss_gb = max(clean_max_rss, rss_before) * 1024 / GB
    edited_page = str(example.relative_to(site / "examples").with_suffix(".rst"))
    clean_peak = builds["clean"]["peak_tree_pss_gb"] or clean_max_rss_gb
    checks = {
        "clean_max_rss_gb": clean_max_rss_gb,
        "example_changed": str(example.relative_to(site)),
        "targets": {
            "all four builds succeed": all(b["returncode"] == 0 for b in builds.values()),
            f"clean build < {TARGETS['clean_s']:.0f} s": builds["clean"]["seconds"]
            < TARGETS["clean_s"],
            f"no-change rebuild < {TARGETS['no_change_s']:.0f} s": builds["no_change"]["seconds"]
            < TARGETS["no_change_s"],
            "no-change rebuild executes nothing": builds["no_change"]["gallery_executed"] == 0
            and builds["no_change"]["notebooks_executed"] == 0,
            "touch rebuild executes nothing": builds["touch"]["gallery_executed"] == 0
            and builds["touch"]["notebooks_executed"] == 0,
            "edit rebuild runs that example only": builds["edit"]["gallery_executed"] == 1
            and builds["edit"]["regenerated_gallery_pages"] == [edited_page]
            and builds["edit"]["notebooks_executed"] == 0,
            f"clean build peak memory < {TARGETS['peak_memory_gb']:.0f} GB": clean_peak
            < TARGETS["peak_memory_gb"],
        },
    }
    _print_report(builds, checks)
    load, busy_after = os.getloadavg(), cpu_busy_share()
    shares = [share for share in (busy_before, busy_after) if share is not None]
    if not shares or max(shares) > BUSY_SHARE:
        measured = ", ".join(f"{share:.0%}" for share in shares) or "unknown"
        print(
            f"\nOther work used the CPUs (busy share before/after: {measured}): "
            "these times are provisional."
        )
    report = {
        "source": "worktree" if args.worktree else "HEAD",
        "pytensor_cache": args.pytensor_cache,
        "cpu_count": os.cpu_count(),
        "load_average_after": load,
        "cpu_busy_share_before": busy_before,
        "cpu_busy_share_after": busy_after,
        "builds": builds,
        "checks": checks,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nWrote {args.out}")
    if args.keep:
        print(f"Kept the build copy in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
