"""The gallery's execution-times pages as plain tables, with nothing loaded from another host.

sphinx-gallery's ``sg_execution_times`` pages open with a raw HTML block that loads jQuery,
DataTables and Bootstrap from CDNs to make the table sortable; offline that is a broken script
and a console error. The block is dropped (``source-read``), and so is the memory column, which
reads 0 unless ``show_memory`` is on. What is left is the table of examples and their times.
"""

from __future__ import annotations

import re

_EXECUTION_TIMES_HTML = re.compile(r"\n *\.\. raw:: html\n(?:\n| {4,}[^\n]*\n)*")
_MEMORY_CELL = re.compile(r"^     - (?:Mem \(MB\)|[0-9.]+|N/A)\n(?=   \* - |\Z)", re.MULTILINE)


def plain_table(source: str) -> str:
    """An ``sg_execution_times.rst`` source without its HTML block and its memory column."""
    text = _EXECUTION_TIMES_HTML.sub("\n", source, count=1)
    return _MEMORY_CELL.sub("", text.rstrip("\n") + "\n")


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if docname.rsplit("/", 1)[-1] == "sg_execution_times":
        source[0] = plain_table(source[0])


def setup(app):
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
