"""Sessions for funnelguide: ``nox -s tests`` (default), ``lint``, ``docs``.

Run ``nox -l`` for the list. Installs use uv when it is available, virtualenv otherwise.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def _install(session: nox.Session, *groups: str) -> None:
    """Install the package (editable) and the named dependency groups of pyproject.toml."""
    requirements = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
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
