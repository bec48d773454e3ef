"""A reader who downloads an example can run it: the wheel the site serves, in a fresh environment.

The test takes what a reader takes from the built site, over HTTP: the wheel linked on the
gallery's front page and one example's notebook from the bottom of its page. It installs the
wheel (and with it the dependencies its metadata names) into a new virtual environment made by
uv, adds only what runs a notebook (ipykernel, nbclient), and executes the notebook there, in a
temporary folder, with none of the repository on the path.

It needs the network access that ``pip install`` needs (PyPI, or uv's cache), and takes a few
minutes: the notebook samples a model.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import pytest
import uv

#: The example whose notebook is run: it samples two models with fg.sample and draws figures.
NOTEBOOK = "plot_01_neals_funnel.ipynb"
#: What running it may take, at most (the first nutpie compilation is most of it).
TIMEOUT_S = 900


def _links(html: str, suffix: str) -> list[str]:
    return [href for href in re.findall(r'href="([^"]+)"', html) if href.endswith(suffix)]


def _download(url: str, target: Path) -> Path:
    with urllib.request.urlopen(url, timeout=60) as response:
        target.write_bytes(response.read())
    return target


def _example_page_of(site_dir: Path, notebook: str) -> str:
    stem = PurePosixPath(notebook).stem
    pages = sorted(site_dir.glob(f"auto_examples/*/{stem}.html"))
    assert pages, f"the site has no example page for {notebook}"
    return pages[0].relative_to(site_dir).as_posix()


def test_the_gallery_front_page_serves_the_wheel_and_says_how_to_install_it(
    base_url: str, tmp_path: Path
) -> None:
    front = urllib.request.urlopen(urljoin(base_url, "auto_examples/index.html")).read().decode()
    wheels = _links(front, ".whl")
    assert len(wheels) == 1, f"the gallery's front page links {len(wheels)} wheels: {wheels}"
    name = PurePosixPath(wheels[0]).name
    assert re.fullmatch(r"funnelguide-[^-]+-py3-none-any\.whl", name), name
    assert f"pip install {name}" in front, "the front page does not say how to install the wheel"
    wheel = _download(
        urljoin(urljoin(base_url, "auto_examples/index.html"), wheels[0]), tmp_path / name
    )
    assert wheel.read_bytes()[:2] == b"PK", "the served wheel is not a zip file"


@pytest.mark.notebook
def test_a_downloaded_notebook_runs_with_only_the_served_wheel_installed(
    base_url: str, site_dir: Path, tmp_path: Path
) -> None:
    front_url = urljoin(base_url, "auto_examples/index.html")
    front = urllib.request.urlopen(front_url).read().decode()
    (wheel_href,) = _links(front, ".whl")
    wheel = _download(urljoin(front_url, wheel_href), tmp_path / PurePosixPath(wheel_href).name)

    page = _example_page_of(site_dir, NOTEBOOK)
    page_url = urljoin(base_url, page)
    notebooks = _links(urllib.request.urlopen(page_url).read().decode(), NOTEBOOK)
    assert notebooks, f"{page} offers no {NOTEBOOK} download"
    work = tmp_path / "reader"
    work.mkdir()
    notebook = _download(urljoin(page_url, notebooks[0]), work / NOTEBOOK)
    first_cell = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    assert f"pip install {wheel.name}" in "".join(first_cell["source"]), (
        "the notebook's first cell does not say how to install the wheel"
    )

    # A fresh environment: the wheel and its dependencies, plus what executes a notebook.
    venv = tmp_path / "venv"
    uv_bin = uv.find_uv_bin()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "MPLBACKEND") and not key.startswith("NOX")
    }
    env["FUNNELGUIDE_CACHE_DIR"] = str(tmp_path / "fg-cache")
    subprocess.run(
        [
            uv_bin,
            "venv",
            "-q",
            "--python",
            f"{sys.version_info[0]}.{sys.version_info[1]}",
            str(venv),
        ],
        check=True,
        env=env,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [
            uv_bin,
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            str(wheel),
            "ipykernel",
            "nbclient",
        ],
        check=True,
        env=env,
    )
    where = subprocess.run(
        [str(python), "-c", "import funnelguide; print(funnelguide.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"funnelguide imported from {where}, not the venv"

    executed = work / "executed.ipynb"
    result = subprocess.run(
        [
            str(venv / "bin" / "jupyter-execute"),
            str(notebook),
            f"--output={executed.stem}",
            f"--timeout={TIMEOUT_S}",
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=TIMEOUT_S + 120,
        check=False,
    )
    assert result.returncode == 0, f"the notebook failed:\n{result.stderr[-4000:]}"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    outputs = [out for cell in cells if cell["cell_type"] == "code" for out in cell["outputs"]]
    assert not [out for out in outputs if out["output_type"] == "error"]
    figures = [out for out in outputs if "image/png" in out.get("data", {})]
    assert figures, "the executed notebook shows no figure"
