"""Sessions for funnelguide: ``nox -s tests`` (default), ``lint``, ``docs``, ``docs-live``,
``browser``, ``bench``, ``seed-survey``.

Run ``nox -l`` for the list. Installs use uv when it is available, virtualenv otherwise.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
#: What a clean docs build removes first: the output, and everything generated into the sources.
DOCS_GENERATED = ("_build", "auto_examples", "api/generated", "jupyter_execute")
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def _install(session: nox.Session, *groups: str) -> None:
    """Install the package (editable) and the named dependency groups of pyproject.toml."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-e", ".", *requirements)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: the library, bad inputs, and every gallery script run headless."""
    _install(session, "test")
    session.run("pytest", *session.posargs, env={"MPLBACKEND": "Agg"})


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff (uses the ruff on PATH, or installs it)."""
    session.run("python", "-m", "pip", "install", "--quiet", "ruff", external=True)
    session.run("python", "-m", "ruff", "check", ".", external=True)
    session.run("python", "-m", "ruff", "format", "--check", ".", external=True)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site from scratch, warnings as errors: ``nox -s docs [-- sphinx args]``.

    Every gallery example and MyST-NB page is executed. Extra arguments go to sphinx-build,
    e.g. ``nox -s docs -- -b linkcheck``; the output goes to ``docs/_build/<builder>``.
    ``FUNNELGUIDE_DOCS_OFFLINE=1`` skips fetching intersphinx inventories. For a quick look at
    layout only (nothing executed, so glued numbers are missing and the build reports them):
    ``nox -s docs -- -D sphinx_gallery_conf.plot_gallery=0 -D nb_execution_mode=off``.
    """
    _install(session, "docs")
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-b", dest="builder", default="html")
    args, sphinx_args = parser.parse_known_args(session.posargs)
    for generated in DOCS_GENERATED:
        shutil.rmtree(DOCS / generated, ignore_errors=True)
    output = DOCS / "_build" / args.builder
    command = ["python", "-m", "sphinx", "-W", "-n", "--keep-going", "-b", args.builder]
    command += ["-d", str(DOCS / "_build" / "doctrees"), *sphinx_args, str(DOCS), str(output)]
    start = time.perf_counter()
    try:
        session.run(*command)
    finally:
        elapsed = time.perf_counter() - start
        session.log(f"sphinx-build ({args.builder}) took {elapsed:.0f} s ({elapsed / 60:.1f} min).")
    index = output / "index.html"
    if index.is_file():
        session.log(f"The site: {index.resolve()}")


@nox.session(name="docs-live")
def docs_live(session: nox.Session) -> None:
    """Serve the site and rebuild it on every save, for writers: ``nox -s docs-live [-- args]``.

    Incremental: only the examples and pages that changed run again (after a ``nox -s docs``,
    nothing runs at start). Watches ``docs/``, ``examples/`` and ``funnelguide/``; the folders
    the build writes into are ignored, or every build would start the next. Extra arguments go
    to sphinx-autobuild, e.g. ``--port 0`` for any free port (the default is 8000).
    """
    _install(session, "docs")
    session.install("sphinx-autobuild>=2024.10")
    ignored = [f"--ignore={DOCS / generated}" for generated in DOCS_GENERATED]
    session.run(
        "sphinx-autobuild",
        *("-n", "--keep-going", "-d", str(DOCS / "_build" / "doctrees")),
        *("--watch", str(ROOT / "examples"), "--watch", str(ROOT / "funnelguide")),
        *ignored,
        *("--re-ignore", r"(__pycache__|\.ipynb_checkpoints|\.jupyter_cache)(/|$)|\.pyc$"),
        *session.posargs,
        str(DOCS),
        str(DOCS / "_build" / "html"),
    )


@nox.session
def browser(session: nox.Session) -> None:
    """Test the built site in headless Chromium: ``nox -s docs`` first, then ``nox -s browser``.

    Every page loads without console errors, images load, math renders, no request leaves
    127.0.0.1, search finds the funnel, the animation plays, downloads work, figures have alt
    text; screenshots go to ``docs/_build/screenshots/``. Uses Debian's Chromium at
    ``/usr/bin/chromium`` (``.ci/install-chromium.sh``), never a browser Playwright downloads.
    ``FUNNELGUIDE_SITE`` and ``FUNNELGUIDE_CHROMIUM`` override the paths.
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "browser"))
    # tests/browser has its own pytest.ini (the default `pytest` run leaves it out)
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark sampling and the site build: ``nox -s bench [-- run.py args] [--no-docs]``.

    Runs ``benchmarks/run.py`` (fg.sample against plain nutpie and PyMC's own NUTS: times,
    divergences, worst ESS/s, ratios against issue 6's targets) and then
    ``benchmarks/docs_timing.py`` (clean, no-change and one-example rebuilds, peak memory).
    Results go to ``benchmarks/results/``. Take timings on an otherwise idle machine.
    """
    _install(session, "docs")
    session.install("psutil")
    args = list(session.posargs)
    skip_docs = "--no-docs" in args
    args = [arg for arg in args if arg != "--no-docs"]
    session.run("python", "benchmarks/run.py", *args, env={"MPLBACKEND": "Agg"})
    if skip_docs:
        return
    if not (DOCS / "conf.py").is_file():
        session.warn("docs/conf.py does not exist: no site build to time.")
        return
    session.run("python", "benchmarks/docs_timing.py", env={"MPLBACKEND": "Agg"})


@nox.session(name="docs-timing")
def docs_timing(session: nox.Session) -> None:
    """Time the site's builds only: ``nox -s docs-timing [-- docs_timing.py args]``."""
    _install(session, "docs")
    session.install("psutil")
    session.run("python", "benchmarks/docs_timing.py", *session.posargs, env={"MPLBACKEND": "Agg"})


@nox.session(name="seed-survey")
def seed_survey(session: nox.Session) -> None:
    """Run every gallery example at several seeds: ``nox -s seed-survey [-- args]``.

    On demand, not in CI (it runs the whole gallery once per seed). Records per example and seed
    whether its hidden checks hold, and which assertion failed if not, in
    ``benchmarks/results/seed_survey.{csv,md}``. Arguments go to ``benchmarks/seed_survey.py``,
    e.g. ``-- --seeds 8927 1 2 3 4 --pattern 01_radon``.
    """
    _install(session, "docs")
    session.run("python", "benchmarks/seed_survey.py", *session.posargs)
