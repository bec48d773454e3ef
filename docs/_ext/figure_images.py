"""Executed pages show figures as images, never as the text ``<Figure size ...>``.

The kernels that execute the MyST-NB pages inherit this process's environment. ipykernel picks
matplotlib-inline only when ``MPLBACKEND`` is unset; with ``MPLBACKEND=Agg`` (common on headless
machines and in containers) a kernel draws with Agg, the display formatter gives a figure no
image/png, and every executed figure shows as the text "<Figure size 640x480 with 1 Axes>".
So this extension sets ``MPLBACKEND`` for the kernels to matplotlib-inline when it is set up
(before any kernel starts; the Sphinx process has already imported matplotlib with the backend it
chose, and sphinx-gallery switches the examples to Agg itself), and after an HTML build it warns
(an error under ``-W``) for every page that still shows a figure as its text.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"

#: What IPython prints for a figure it cannot show as an image (matplotlib's Figure.__repr__,
#: HTML-escaped as Sphinx writes it), e.g. "<Figure size 640x480 with 1 Axes>".
FIGURE_TEXT = re.compile(r"&lt;Figure size [0-9.]+x[0-9.]+ with [0-9]+ Axes&gt;")

#: Folders of a built site that hold copies and assets, not pages.
_NOT_PAGES = ("_static", "_sources", "_images", "_downloads")


def figure_texts(outdir: Path) -> dict[str, list[str]]:
    """Pages of a built site that show a figure as its text, with what each shows."""
    found = {}
    for page in sorted(Path(outdir).rglob("*.html")):
        relative = page.relative_to(outdir)
        if relative.parts[0] in _NOT_PAGES:
            continue
        if hits := FIGURE_TEXT.findall(page.read_text(encoding="utf-8", errors="replace")):
            found[relative.as_posix()] = [html.unescape(hit) for hit in hits]
    return found


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page, hits in figure_texts(Path(app.outdir)).items():
        logger.warning(
            "%s shows %d figure(s) as text instead of an image (%s); the kernel's matplotlib "
            "backend was %s, expected %s",
            page,
            len(hits),
            hits[0],
            os.environ.get("MPLBACKEND", "unset"),
            KERNEL_MPLBACKEND,
        )


def setup(app):
    os.environ["MPLBACKEND"] = KERNEL_MPLBACKEND
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
