"""Sessions for funnelguide: ``nox -s tests`` (default), ``gallery``, ``lint``, ``docs``,
``docs-upstream``, ``docs-live``, ``browser``, ``bench``, ``seed-survey``.

Run ``nox -l`` for the list. Every session but ``docs-upstream`` installs the exact versions of
``uv.lock`` (the versions the pages' claims were checked on); ``docs-upstream`` builds the site
against the newest releases. After a change of dependencies in pyproject.toml, ``uv lock``
updates the lock; a session fails while the lock is out of date. Needs ``uv`` on PATH.
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


def _uv() -> str:
    """The uv executable: the one of the ``uv`` package nox runs with, else the one on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv") or "uv"
    return find_uv_bin()


def _install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install from ``uv.lock``: the package (editable) and the named dependency groups.

    With ``project=False`` only the groups (e.g. ruff for ``lint``). The lock is exported to a
    requirements file with ``uv export --locked``, which fails if it is out of date.
    """
    # Byte-compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines), Python
    # writes no .pyc files, and every process (each gallery worker and notebook kernel) would
    # otherwise compile pandas, SciPy, PyMC and PyTensor from source again: about 10 s each.
    session.env["UV_COMPILE_BYTECODE"] = "1"
    requirements = Path(session.create_tmp()) / "requirements.txt"
    if project:  # the package's dependencies and the groups
        selection = ["--no-default-groups", *(f"--group={group}" for group in groups)]
    else:
        selection = [f"--only-group={group}" for group in groups]
    session.run_install(
        *(_uv(), "export", "--locked", "--no-hashes", "--no-emit-project", "--quiet"),
        *selection,
        f"--output-file={requirements}",
        external=True,
    )
    session.install("-r", str(requirements))
    if project:
        session.install("--no-deps", "-e", ".")


def _install_newest(session: nox.Session, *groups: str) -> None:
    """Install the package and the named groups at the newest releases pyproject.toml allows."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.env["UV_COMPILE_BYTECODE"] = "1"  # as in _install
    session.install("--upgrade", "-e", ".", *requirements)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests: the library, bad inputs, docstring examples, the gallery's form.

    Two worker processes (pytest-xdist), each taking whole test files, so that a file's shared
    fits are sampled once; ``nox -s tests -- -n 0`` runs in one process, and arguments after
    ``--`` go to pytest. The gallery scripts themselves run in the docs build; ``nox -s gallery``
    runs them stand-alone.
    """
    _install(session, "test")
    session.run(
        "pytest", "-n", "2", "--dist", "loadfile", *session.posargs, env={"MPLBACKEND": "Agg"}
    )


@nox.session
def gallery(session: nox.Session) -> None:
    """Run every gallery script stand-alone with ``python``, headless, warnings as errors."""
    _install(session, "test")
    session.run(
        "pytest",
        "-m",
        "gallery",
        "tests/test_gallery.py",
        *session.posargs,
        env={"MPLBACKEND": "Agg"},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff, the version of the ``lint`` group in uv.lock."""
    _install(session, "lint", project=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site from scratch, warnings as errors: ``nox -s docs [-- sphinx args]``.

    Every gallery example and MyST-NB page is executed, with the versions of uv.lock. Extra
    arguments go to sphinx-build, e.g. ``nox -s docs -- -b linkcheck``; the output goes to
    ``docs/_build/<builder>``. ``FUNNELGUIDE_DOCS_OFFLINE=1`` skips fetching intersphinx
    inventories. For a quick look at layout only (nothing executed, so glued numbers are
    missing and the build reports them):
    ``nox -s docs -- -D sphinx_gallery_conf.plot_gallery=0 -D nb_execution_mode=off``.
    """
    _install(session, "docs")
    _build_docs(session)


@nox.session(name="docs-upstream")
def docs_upstream(session: nox.Session) -> None:
    """Build the site against the newest releases, not uv.lock: ``nox -s docs-upstream``.

    The same clean build as ``docs``; an upstream change that breaks a page's claim fails here,
    naming the claim, before the lock is moved on. Writes to ``docs/_build/`` like ``docs``.
    """
    _install_newest(session, "docs")
    _build_docs(session)


def _build_docs(session: nox.Session) -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-b", dest="builder", default="html")
    args, sphinx_args = parser.parse_known_args(session.posargs)
    for generated in DOCS_GENERATED:
        shutil.rmtree(DOCS / generated, ignore_errors=True)
    output = DOCS / "_build" / args.builder
    # -j 2: the MyST-NB pages run two at a time (the gallery has its own ``parallel``).
    command = ["python", "-m", "sphinx", "-W", "-n", "--keep-going", "-j", "2", "-b", args.builder]
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
    # the package too: the explorer tests compare its JavaScript with fg.dynamics (numpy, scipy)
    _install(session, "browser")
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


@nox.session(name="bench-own-models")
def bench_own_models(session: nox.Session) -> None:
    """The "Your own model" chapter's models in every form: ``nox -s bench-own-models``.

    ``benchmarks/own_models.py`` (worst ESS per second and per gradient of the centered fit, the
    advised rewrite, all non-centered and per-member weights, as ratios to the centered fit) and
    ``benchmarks/groups_timing.py`` (finding and rewriting the groups of a ten-group model).
    Extra arguments go to ``own_models.py``, e.g. ``-- --seeds 1 2``. Take timings on an
    otherwise idle machine.
    """
    _install(session, "docs")
    session.run("python", "benchmarks/own_models.py", *session.posargs, env={"MPLBACKEND": "Agg"})
    session.run("python", "benchmarks/groups_timing.py", env={"MPLBACKEND": "Agg"})


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
