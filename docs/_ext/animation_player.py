"""Make matplotlib's jshtml animation player on the gallery's pages work offline and be named.

sphinx-gallery embeds an animation (``matplotlib_animations = (True, "jshtml")``) as matplotlib's
HTML player, which has two faults on this site:

* it links Font Awesome 4 from a CDN for its button icons. The theme already loads Font Awesome
  (served from ``_static``), which draws the same icons, so the CDN stylesheet is dropped;
* its frame is an ``<img>`` with no alt text, which a screen reader announces as an unnamed
  image. The frame gets the page's title as its description, and says how it is played.

Both are fixed in the gallery's generated sources (``source-read``), before they are parsed.
"""

from __future__ import annotations

import html
import re

_CDN_FONT_AWESOME = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*"\s*/?>', re.IGNORECASE
)
_ANIMATION_FRAME = re.compile(r'<img id="(_anim_img\w+)">')
_RST_TITLE = re.compile(r"^(\S[^\n]*)\n(=+)\s*$", re.MULTILINE)


def frame_alt(source: str) -> str:
    """The alt text of an animation frame on the page whose reST source is ``source``."""
    title = _RST_TITLE.search(source)
    subject = f"{title.group(1).strip()}: " if title else ""
    text = f"{subject}animation frame; the buttons below play it or step through it frame by frame"
    return html.escape(text, quote=True)


def fix_player(source: str) -> str:
    """``source`` without the CDN stylesheet, each animation frame with its alt text."""
    source = _CDN_FONT_AWESOME.sub("", source)
    if _ANIMATION_FRAME.search(source):
        alt = frame_alt(source)
        source = _ANIMATION_FRAME.sub(
            lambda match: f'<img id="{match.group(1)}" alt="{alt}">', source
        )
    return source


def _on_source_read(app, docname: str, source: list[str]) -> None:
    gallery_dirs = app.config.sphinx_gallery_conf["gallery_dirs"]
    if isinstance(gallery_dirs, str):
        gallery_dirs = [gallery_dirs]
    if any(docname.startswith(f"{gallery}/") for gallery in gallery_dirs):
        source[0] = fix_player(source[0])


def setup(app):
    app.setup_extension("sphinx_gallery.gen_gallery")
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
