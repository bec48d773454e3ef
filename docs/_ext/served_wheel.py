"""Build the wheel of the package that the site serves, before anything else runs.

A reader who downloads an example needs the package it imports. On ``builder-inited`` this
extension builds a wheel of the project's sources with hatchling (the project's build backend,
offline) into ``served_wheel_dir``; the pages link it with the :download: role (``rst_epilog`` in
``conf.py``). The build fails if hatchling fails or names the wheel other than
``served_wheel_name``, so a page never links a wheel that is not there.

Configuration: ``served_wheel_project`` (the folder with ``pyproject.toml``),
``served_wheel_dir`` (where the wheel goes, emptied first) and ``served_wheel_name``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from sphinx.errors import ExtensionError


def build_wheel(project: Path, out_dir: Path, expected: str) -> Path:
    """Build ``project``'s wheel into an emptied ``out_dir``; fail unless it is ``expected``."""
    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    command = [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out_dir)]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    built = sorted(p.name for p in out_dir.glob("*.whl"))
    if result.returncode != 0 or built != [expected]:
        raise ExtensionError(
            f"building the wheel the site serves failed ({' '.join(command)}): expected "
            f"{expected}, got {built}\n{result.stdout}{result.stderr}"
        )
    return out_dir / expected


def _on_builder_inited(app) -> None:
    config = app.config
    build_wheel(
        Path(config.served_wheel_project), Path(config.served_wheel_dir), config.served_wheel_name
    )


def setup(app):
    app.add_config_value("served_wheel_project", "", "env", str)
    app.add_config_value("served_wheel_dir", "", "env", str)
    app.add_config_value("served_wheel_name", "", "env", str)
    app.connect("builder-inited", _on_builder_inited, priority=100)  # before the gallery runs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
