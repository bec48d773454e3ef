"""Spread the pages MyST-NB executes over Sphinx's parallel reading processes.

With ``-j N`` Sphinx reads the sources in chunks of consecutive names, N processes at a time
(:func:`sphinx.util.parallel.make_chunks`: 98 pages at ``-j 2`` make four chunks of 22 and one
of 10). MyST-NB executes a notebook page while it is read, so the chunk that happens to hold
several of them runs them one after another, alone, once the other chunks are done. On this site
all five executed pages fell in the last chunk: the build read its 98 pages in 55 s, 51 s of
them in that chunk on one core (2026-12-02, 2 cores).

On ``env-before-read-docs``, the event Sphinx emits for reordering what it reads, this extension
moves each executed page to the head of its own chunk, in turn, keeping the chunks' sizes and
every other page's order. The chunks that start first then run a notebook each, side by side.
It changes the order pages are read in, nothing a page shows.

Two pages executed at once also open MyST-NB's cache (jupyter-cache, an SQLite file) at once.
On a clean build neither finds the file, both create its tables, and the second fails ("table
settings already exists"), which ended the first build with this extension. So before the read
forks, the extension creates the cache in the main process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.util.parallel import make_chunks


def spread_over_chunks(
    docnames: Sequence[str], executed: Callable[[str], bool], nproc: int
) -> list[str]:
    """Reorder ``docnames`` so that the executed ones head distinct chunks, round robin.

    The chunks are those :func:`sphinx.util.parallel.make_chunks` makes of ``nproc`` processes;
    their sizes do not depend on the order. With more executed pages than chunks, the chunks
    take a second one each, and so on. The other pages keep their relative order.
    """
    sizes = [len(chunk) for chunk in make_chunks(list(docnames), nproc)]
    is_executed = {name: executed(name) for name in docnames}
    heavy = [name for name in docnames if is_executed[name]]
    light = iter(name for name in docnames if not is_executed[name])
    chunks: list[list[str]] = [[] for _ in sizes]
    chunk = 0
    for name in heavy:
        while len(chunks[chunk]) >= sizes[chunk]:  # a chunk already full of executed pages
            chunk = (chunk + 1) % len(sizes)
        chunks[chunk].append(name)
        chunk = (chunk + 1) % len(sizes)
    for members, size in zip(chunks, sizes, strict=True):
        members.extend(next(light) for _ in range(size - len(members)))
    return [name for members in chunks for name in members]


def executes(app: Any, docname: str) -> bool:
    """Whether MyST-NB will execute ``docname`` when it is read."""
    env = app.env
    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is None or nb_config.execution_mode == "off":
        return False
    from myst_nb.core.read import create_nb_reader

    path = Path(env.doc2path(docname))
    if not path.is_file():
        return False
    posix_path = PurePosixPath(path.as_posix())
    if any(posix_path.match(pattern) for pattern in nb_config.execution_excludepatterns):
        return False
    content = path.read_text(encoding="utf-8") if path.suffix == ".md" else None
    return create_nb_reader(str(path), env.myst_config, nb_config, content) is not None


def reorder(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: reorder ``docnames`` in place for a parallel read.

    (Where an extension forbids a parallel read, Sphinx reads serially, and the order is moot.)
    """
    if app.parallel <= 1:
        return
    docnames[:] = spread_over_chunks(docnames, lambda name: executes(app, name), app.parallel)
    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is not None and nb_config.execution_mode == "cache":
        from jupyter_cache import get_cache

        # creates the database and its tables if missing; the forked readers open their own
        get_cache(nb_config.execution_cache_path).db.dispose()


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-before-read-docs", reorder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
