"""Serve MathJax 3 from the site's ``_static/mathjax`` instead of Sphinx's default CDN.

The ``django-static-mathjax`` package on PyPI ships the MathJax 3.2.2 distribution as plain files
(no Django needed to use them). After an HTML build its ``es5`` folder is copied to
``_static/mathjax``, without the bundles the site does not load, so math renders with no network;
``conf.py`` points ``mathjax_path`` at ``mathjax/tex-chtml.js``. The build fails at its start,
before any example runs, when the package is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

#: The one MathJax bundle the site loads (``mathjax_path``); the other top-level bundles are
#: left out of the copy.
BUNDLE = "tex-chtml.js"


def mathjax_es5() -> Path:
    """The ``es5`` folder of the installed ``mathjax`` package (django-static-mathjax)."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "MathJax is served from the site: install the docs dependency group "
            "(it includes django-static-mathjax, which provides the 'mathjax' package)."
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / BUNDLE).is_file():
        raise ExtensionError(f"MathJax files not found where expected: {es5}")
    return es5


def copy_mathjax(es5: Path, target: Path) -> None:
    """Copy MathJax's browser build from ``es5`` to ``target``, skipping the unused bundles."""
    unused_bundles = [p.name for p in Path(es5).glob("*.js") if p.name != BUNDLE]
    shutil.copytree(es5, target, dirs_exist_ok=True, ignore=lambda _d, _n: unused_bundles)


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        copy_mathjax(mathjax_es5(), Path(app.outdir) / "_static" / "mathjax")


def setup(app):
    mathjax_es5()  # fail early, before the examples run, if MathJax is missing
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
