"""The site's structure, checked without building it.

* ``docs/api.rst`` lists exactly the public names of the package (``PUBLIC_API``), so no public
  function goes undocumented and the reference names nothing private;
* every folder of examples has a gallery header (sphinx-gallery skips a folder without one
  silently: its examples would neither run nor show) and a chapter card on the landing page
  (``chapter_cards`` in ``docs/conf.py``), whose preferred thumbnail is one of its examples.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from chapter_cards import has_gallery_header  # noqa: E402
from reexported import PUBLIC_API  # noqa: E402

_API_ENTRY = re.compile(r"^\s{3}(?:~?funnelguide\.)?([A-Za-z_][\w.]*)\s*$")


def documented_api_names(api_rst: str) -> set[str]:
    """Names listed in the autosummary blocks of an api.rst, qualified from ``funnelguide``."""
    names: set[str] = set()
    module = "funnelguide"
    in_autosummary = False
    for line in api_rst.splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and line.strip() and not line.startswith(" "):
            in_autosummary = False
        elif in_autosummary and not line.strip().startswith(":") and (m := _API_ENTRY.match(line)):
            names.add(f"{module}.{m.group(1)}")
    return names


@pytest.fixture(scope="module")
def conf() -> dict:
    """docs/conf.py's namespace, read with the environment it sets restored afterwards."""
    with mock.patch.dict(os.environ):
        return runpy.run_path(str(DOCS / "conf.py"))


def test_documented_api_names_reads_autosummary_blocks_only() -> None:
    api = (
        ".. currentmodule:: funnelguide\n\n"
        "Some prose naming not_listed.\n\n"
        ".. autosummary::\n   :toctree: api/generated\n   :nosignatures:\n\n"
        "   load_radon\n   radon_model\n\n"
        "More prose.\n\n"
        ".. currentmodule:: funnelguide.plots\n\n"
        ".. autosummary::\n\n   plot_funnel\n"
    )
    assert documented_api_names(api) == {
        "funnelguide.load_radon",
        "funnelguide.radon_model",
        "funnelguide.plots.plot_funnel",
    }


def test_api_page_lists_every_public_name_and_nothing_else() -> None:
    documented = documented_api_names((DOCS / "api.rst").read_text(encoding="utf-8"))
    assert sorted(set(PUBLIC_API) - documented) == [], "public, missing from docs/api.rst"
    assert sorted(documented - set(PUBLIC_API)) == [], "in docs/api.rst, not in any __all__"


def _example_folders() -> list[Path]:
    return sorted(p for p in (ROOT / "examples").iterdir() if any(p.glob("plot_*.py")))


def test_every_folder_of_examples_has_a_gallery_header() -> None:
    folders = _example_folders()
    assert folders, "no folder of examples found"
    assert [f.name for f in folders if not has_gallery_header(f)] == []


def test_every_folder_of_examples_has_a_chapter_card(conf: dict) -> None:
    chapters = conf["chapter_cards"]
    examples = ROOT / "examples"
    with_card = {f for pattern, *_ in chapters for f in examples.glob(pattern)}
    assert [f.name for f in _example_folders() if f not in with_card] == []
    for pattern, title, _blurb, preferred in chapters:
        folder = next(iter(sorted(examples.glob(pattern))), None)
        if folder is not None:  # a chapter not yet written has no card
            assert (folder / f"{preferred}.py").is_file(), f"{title}: no {preferred}.py"
