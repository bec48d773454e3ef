"""Every gallery script has the house form; and runs on its own, headless, warnings as errors.

The scripts are found by discovery (``examples/**/plot_*.py``), so a new chapter is tested as soon
as its files exist. The form checks are fast and always run. Running the scripts is slow (each
one compiles and samples models) and the docs build runs every one of them already, failing on
an error or a warning; so that test is marked ``gallery`` and left out of the default run
(``nox -s tests``). Run it with ``nox -s gallery`` or ``pytest -m gallery``: it runs each script
as a reader would, with ``python``, outside sphinx-gallery.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess
import symtable
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("**/plot_*.py"))
SCRIPT_IDS = [script.relative_to(EXAMPLES).as_posix() for script in SCRIPTS]

#: Seconds one script may take before it counts as failed (the budget per script is a minute on
#: two idle cores; this leaves room for a busy machine and a cold compile cache).
TIMEOUT = 300

#: A warning printed to stderr, e.g. by a worker process that did not inherit ``-W error``.
PRINTED_WARNING = re.compile(r"\b\w*Warning: ")


def test_the_gallery_has_scripts_in_chapters_with_headers():
    assert SCRIPTS, f"no plot_*.py found under {EXAMPLES}"
    for folder in {script.parent for script in SCRIPTS} | {EXAMPLES}:
        assert (folder / "GALLERY_HEADER.rst").is_file(), f"{folder} has no GALLERY_HEADER.rst"


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.mark.gallery
@pytest.mark.parametrize("script", SCRIPTS, ids=SCRIPT_IDS)
def test_gallery_script_runs_headless_without_warnings(script: Path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONWARNINGS": "error",  # also for any process the script starts
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    try:
        result = subprocess.run(
            [sys.executable, "-W", "error", script.name],
            cwd=script.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        stderr = error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr or ""
        pytest.fail(f"{script.name} ran longer than {TIMEOUT} s; its stderr:\n{_tail(stderr)}")
    relative = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    assert result.returncode == 0, (
        f"{relative} failed with exit code {result.returncode}; its stderr:\n{_tail(result.stderr)}"
    )
    printed = PRINTED_WARNING.findall(result.stderr)
    assert not printed, f"{relative} printed warnings; its stderr:\n{_tail(result.stderr)}"


def _docstring_title(script: Path) -> str:
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    lines = [line.rstrip() for line in docstring.strip().splitlines()]
    start = 1 if lines and set(lines[0]) <= set("=-~^*#") else 0  # optional overline
    title, underline = [*lines[start : start + 2], "", ""][:2]
    assert (
        title and underline and set(underline) <= set("=-~^*#") and len(underline) >= len(title)
    ), f"{script.name}: the docstring must open with a reST title, got {lines[:3]}"
    return title


@pytest.mark.parametrize("script", SCRIPTS, ids=SCRIPT_IDS)
def test_gallery_script_has_the_house_form(script: Path):
    title = _docstring_title(script)
    assert 1 <= len(title.split()) <= 6, f"{script.name}: title {title!r} is not 1-6 words"
    source = script.read_text(encoding="utf-8")
    hidden = re.findall(
        r"^# sphinx_gallery_start_ignore\n(.*?)^# sphinx_gallery_end_ignore$",
        source,
        flags=re.MULTILINE | re.DOTALL,
    )
    assert any(re.search(r"^\s*assert\b", block, re.MULTILINE) for block in hidden), (
        f"{script.name}: no assert between sphinx_gallery_start_ignore and _end_ignore"
    )
    assert re.search(r"^# Conclusion\n# -+$", source, re.MULTILINE), (
        f"{script.name}: no Conclusion section"
    )
    assert re.search(r"^# \.\. admonition:: References$", source, re.MULTILINE), (
        f"{script.name}: no closing References admonition"
    )


def _hidden_lines(source: str) -> set[int]:
    """Numbers (from 1) of the lines sphinx-gallery leaves out, the two markers included."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        inside |= line.strip() == "# sphinx_gallery_start_ignore"
        if inside:
            hidden.add(number)
        inside &= line.strip() != "# sphinx_gallery_end_ignore"
    return hidden


def _shown(source: str) -> str:
    """The script as the page shows it and a reader downloads it: hidden lines removed."""
    hidden = _hidden_lines(source)
    lines = source.splitlines()
    return "".join(f"{line}\n" for number, line in enumerate(lines, 1) if number not in hidden)


def _undefined_names(source: str) -> list[str]:
    """Names the code reads but never binds (nor imports, nor Python provides)."""
    module = symtable.symtable(source, "<shown>", "exec")
    bound = {
        symbol.get_name()
        for symbol in module.get_symbols()
        if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
    }

    def read(table: symtable.SymbolTable) -> set[str]:
        names = {
            symbol.get_name()
            for symbol in table.get_symbols()
            if symbol.is_referenced() and (table is module or symbol.is_global())
        }
        return names.union(*(read(child) for child in table.get_children()))

    return sorted(read(module) - bound - set(dir(builtins)) - {"__file__"})


@pytest.mark.parametrize("script", SCRIPTS, ids=SCRIPT_IDS)
def test_the_script_a_reader_downloads_defines_every_name_it_uses(script: Path):
    """Hidden lines are left out of the page and of the downloaded .py and .ipynb: the code
    shown must not use a name that only hidden lines define."""
    shown = _shown(script.read_text(encoding="utf-8"))
    compile(shown, script.name, "exec")  # the shown code is a whole program
    undefined = _undefined_names(shown)
    assert not undefined, (
        f"{script.name}: the shown code uses {undefined}, defined only in hidden "
        "lines (between sphinx_gallery_start_ignore and _end_ignore)"
    )


def _expressions_left_unshown(source: str) -> list[str]:
    """Visible expressions that end what the reader sees of a block but not the block itself.

    sphinx-gallery shows the value of a block's last statement (a table, a figure); when hidden
    statements follow it in the same block, nothing is shown.
    """
    unshown = []
    for block in re.split(r"^# %%.*$", source, flags=re.MULTILINE):
        hidden = _hidden_lines(block)
        statements = ast.parse(block).body
        visible = [node for node in statements if node.lineno not in hidden]
        if not visible or visible[-1] is statements[-1]:
            continue
        last = visible[-1]
        func = getattr(last.value, "func", None) if isinstance(last, ast.Expr) else None
        name = getattr(func, "attr", getattr(func, "id", None))
        if isinstance(last, ast.Expr) and name not in ("print", "show"):
            unshown.append(ast.get_source_segment(block, last).splitlines()[0])
    return unshown


@pytest.mark.parametrize("script", SCRIPTS, ids=SCRIPT_IDS)
def test_a_table_that_ends_what_a_block_shows_is_shown(script: Path):
    unshown = _expressions_left_unshown(script.read_text(encoding="utf-8"))
    assert not unshown, (
        f"{script.name}: hidden statements follow {unshown} in its block, so sphinx-gallery "
        "shows nothing for it: move the hidden lines above it"
    )
