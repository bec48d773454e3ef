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


def test_readthedocs_installs_the_package_with_the_docs_dependency_group(rtd: dict) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "docs" in pyproject["dependency-groups"]
    install_jobs = rtd["build"]["jobs"]["install"]
    commands = [shlex.split(command) for command in install_jobs]
    pip_installs = [c for c in commands if c[:4] == ["python", "-m", "pip", "install"]]
    with_group = [
        c for c in pip_installs if "--group" in c and c[c.index("--group") + 1 :][:1] == ["docs"]
    ]
    assert with_group, f"no `pip install ... --group docs` among {install_jobs}"
    assert "." in with_group[0], f"the package itself is not installed: {with_group[0]}"
    # pip reads dependency groups from 25.1 on: an earlier job must upgrade pip to that
    before = commands[: commands.index(with_group[0])]
    assert any("--upgrade" in c and any(_pip_at_least_25_1(arg) for arg in c) for c in before), (
        f"pip must be upgraded to >=25.1 before `--group` is used: {install_jobs}"
    )
