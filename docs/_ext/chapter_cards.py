"""Cards on the landing page, one for each written chapter of the gallery.

A page that contains the mark ``<!-- funnelguide:chapter-cards -->`` gets, in its place, a
sphinx-design grid of cards: each names a chapter (``chapter_cards`` in ``conf.py``: folder
pattern under the gallery's examples, title, blurb and the example whose thumbnail it shows),
links to the chapter's index and shows a thumbnail sphinx-gallery made. A chapter whose folder
does not exist (or has no gallery header, which sphinx-gallery needs to build it) gets no card,
so the page never links to a chapter that has not been written.

sphinx-gallery's ``minigallery`` directive is not used: it shows one thumbnail per example,
linking to the example, with the example's title; a card here stands for a whole chapter, with
its own title and blurb, and links to the chapter's index.

The cards depend on the examples folder, not on the page's source, so the pages with the mark
are read again on every build (their code cells come from MyST-NB's cache).
"""

from __future__ import annotations

import itertools
from pathlib import Path

MARK = "<!-- funnelguide:chapter-cards -->"
#: The file names sphinx-gallery accepts as a folder's gallery header.
GALLERY_HEADERS = ("GALLERY_HEADER.rst", "README.rst", "README.txt")


def example_title(script: Path) -> str:
    """The reST title of a gallery script: the docstring line underlined with ``=``."""
    lines = Path(script).read_text(encoding="utf-8").splitlines()
    for line, underline in itertools.pairwise(lines):
        if line.strip() and set(underline.strip()) == {"="}:
            return line.strip()
    return Path(script).stem


def has_gallery_header(folder: Path) -> bool:
    """Whether sphinx-gallery builds ``folder``: it has one of the gallery header files."""
    return any((Path(folder) / header).is_file() for header in GALLERY_HEADERS)


def chapter_thumbnail(
    folder: Path, preferred: str, srcdir: Path, gallery_dir: str
) -> tuple[str, str] | None:
    """Path (from the docs root) and alt text of the thumbnail sphinx-gallery made for the
    chapter's preferred example, or for its first one; None before the gallery has run."""
    scripts = sorted(Path(folder).glob("plot_*.py"))
    chosen = [s for s in scripts if s.stem == preferred] or scripts[:1]
    if not chosen:
        return None
    thumbs = Path(srcdir) / gallery_dir / Path(folder).name / "images" / "thumb"
    found = sorted(thumbs.glob(f"sphx_glr_{chosen[0].stem}_thumb.*"))
    if not found:
        return None
    alt = f"Figure from the example '{example_title(chosen[0])}'"
    return "/" + found[0].relative_to(srcdir).as_posix(), alt


def chapter_cards(chapters, examples: Path, srcdir: Path, gallery_dir: str) -> str:
    """MyST markup for a grid of cards, one for each written chapter of the gallery.

    ``chapters`` lists (folder pattern, title, blurb, preferred example) in reading order;
    ``examples`` is the gallery's source folder, ``gallery_dir`` the folder (under ``srcdir``)
    that sphinx-gallery writes it to.
    """
    cards = []
    for pattern, title, blurb, preferred in chapters:
        folders = sorted(f for f in Path(examples).glob(pattern) if has_gallery_header(f))
        if not folders:
            continue
        options = [f":link: /{gallery_dir}/{folders[0].name}/index", ":link-type: doc"]
        if thumbnail := chapter_thumbnail(folders[0], preferred, srcdir, gallery_dir):
            options += [f":img-top: {thumbnail[0]}", f":img-alt: {thumbnail[1]}"]
        cards.append(
            f":::{{grid-item-card}} {title}\n" + "\n".join(options) + f"\n\n{blurb}\n:::\n"
        )
    if not cards:
        return f"The chapters are listed in {{doc}}`the gallery </{gallery_dir}/index>`.\n"
    grid = "::::{grid} 1 1 3 3\n:gutter: 3\n:class-container: funnelguide-cards\n\n"
    return grid + "\n".join(cards) + "::::\n"


def _gallery(app) -> tuple[Path, str]:
    """The first gallery of sphinx-gallery's configuration: its examples folder (absolute) and
    the folder under the docs root it is written to."""
    conf = app.config.sphinx_gallery_conf
    examples, gallery = conf["examples_dirs"], conf["gallery_dirs"]
    examples = examples[0] if isinstance(examples, list | tuple) else examples
    gallery = gallery[0] if isinstance(gallery, list | tuple) else gallery
    return (Path(app.srcdir) / examples).resolve(), Path(gallery).as_posix()


def _insert_cards(app, docname: str, source: list[str]) -> None:
    pages = app.env.__dict__.setdefault("chapter_card_pages", set())
    if MARK not in source[0]:
        pages.discard(docname)
        return
    pages.add(docname)
    examples, gallery = _gallery(app)
    markup = chapter_cards(app.config.chapter_cards, examples, Path(app.srcdir), gallery)
    source[0] = source[0].replace(MARK, markup)


def _reread_card_pages(app, env, added, changed, removed) -> list[str]:
    return sorted(env.__dict__.get("chapter_card_pages", ()))


def _merge_card_pages(app, env, docnames, other) -> None:
    """In a parallel read (``sphinx -j``), take the pages with the mark a worker read."""
    pages = env.__dict__.setdefault("chapter_card_pages", set())
    pages |= other.__dict__.get("chapter_card_pages", set())


def _purge_card_page(app, env, docname: str) -> None:
    env.__dict__.get("chapter_card_pages", set()).discard(docname)


def setup(app):
    app.add_config_value("chapter_cards", [], "env", list)
    app.connect("source-read", _insert_cards)
    app.connect("env-get-outdated", _reread_card_pages)
    app.connect("env-merge-info", _merge_card_pages)
    app.connect("env-purge-doc", _purge_card_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
