"""Read the Docs builds the site the way ``nox -s docs`` does: same dependency group, -W."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
import yaml

from conftest import ROOT


@pytest.fixture(scope="module")
def rtd() -> dict:
    path = ROOT / ".readthedocs.yaml"
    assert path.is_file(), ".readthedocs.yaml is missing"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_readthedocs_builds_the_sphinx_site_with_warnings_as_errors(rtd: dict) -> None:
    assert rtd["version"] == 2
    assert rtd["sphinx"]["configuration"] == "docs/conf.py"
    assert (ROOT / rtd["sphinx"]["configuration"]).is_file()
    assert rtd["sphinx"].get("builder", "html") == "html"
    assert rtd["sphinx"]["fail_on_warning"] is True


def test_readthedocs_uses_the_projects_python(rtd: dict) -> None:
    local = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert str(rtd["build"]["tools"]["python"]) == local
    assert rtd["build"]["os"], "build.os is required by Read the Docs"


def _pip_at_least_25_1(spec: str) -> bool:
    match = re.fullmatch(r"pip>=(\d+)\.(\d+)(?:\.\d+)*", spec)
    return bool(match) and (int(match[1]), int(match[2])) >= (25, 1)


def test_readthedocs_installs_the_locked_docs_group_and_the_package(rtd: dict) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "docs" in pyproject["dependency-groups"]
    install_jobs = rtd["build"]["jobs"]["install"]
    commands = [shlex.split(command) for command in install_jobs]
    exports = [c for c in commands if "export" in c and "--locked" in c]
    assert exports, f"no `uv export --locked` among {install_jobs}"
    assert "docs" in exports[0][exports[0].index("--group") + 1 :][:1], exports[0]
    output = exports[0][exports[0].index("--output-file") + 1]
    later = commands[commands.index(exports[0]) + 1 :]
    assert any(c[-2:] == ["-r", output] for c in later), f"{output} is never installed"
    assert any(c[-2:] == ["-e", "."] for c in later), f"no package install: {install_jobs}"
