"""Fail the build for any page that would load a script, style or image from another host.

The site must work with no network (read from disk or served from a laptop). After an HTML
build every page is parsed, and each ``<script src>``, ``<img src>``, ``<link rel=stylesheet>``
(or preload, icon) ... whose URL names another host is reported as a warning (an error under
``-W``). Links a reader follows (``<a href>``) are not assets and are left alone.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from sphinx.util import logging

logger = logging.getLogger(__name__)


class ExternalAssetFinder(HTMLParser):
    """Collect the URLs of assets an HTML page would load from another host."""

    _LOADING: ClassVar[dict[str, str]] = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "track": "src",
        "object": "data",
        "link": "href",
    }
    _LOADING_LINKS: ClassVar[set[str]] = {"stylesheet", "preload", "icon", "modulepreload"}

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attribute = self._LOADING.get(tag)
        values = dict(attrs)
        url = (values.get(attribute) or "") if attribute else ""
        if tag == "link" and not self._LOADING_LINKS & set(
            (values.get("rel") or "").lower().split()
        ):
            return
        if re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE):
            self.external.append(f"<{tag}> {url}")


def external_assets(outdir: Path) -> dict[str, list[str]]:
    """Pages of a built site (relative paths) that load assets from another host, with them."""
    found = {}
    for page in sorted(Path(outdir).rglob("*.html")):
        finder = ExternalAssetFinder()
        finder.feed(page.read_text(encoding="utf-8", errors="replace"))
        if finder.external:
            found[page.relative_to(outdir).as_posix()] = finder.external
    return found


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page, assets in external_assets(Path(app.outdir)).items():
        for asset in assets:
            logger.warning(
                "%s loads %s from another host; serve it from _static or leave it out",
                page,
                asset,
            )


def setup(app):
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
