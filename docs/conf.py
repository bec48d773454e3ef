"""Sphinx configuration of the funnelguide site.

Build it with ``nox -s docs`` (a clean build, warnings as errors, nitpicky) or, by hand,
``python -m sphinx -W -n --keep-going -b html docs docs/_build/html``.

Three rules shape this file:

1. Every figure and number comes from code run at build time: the sphinx-gallery examples run on
   every clean build, the MyST-NB pages are executed, and a warning raised by example code fails
   the build like an exception does.
2. The build needs no network and the built site loads nothing from another host: MathJax is
   served from ``_static``, the gallery's execution-times pages are plain tables (sphinx-gallery's
   own pull jQuery and DataTables from CDNs), and intersphinx falls back to an empty local
   inventory when it cannot reach a project (see "Intersphinx" below).
3. Nothing is silenced that a reader would notice: the only suppressed warning types are named
   below with the reason.
"""

from __future__ import annotations

import builtins
import dataclasses
import html
import importlib.util
import inspect
import itertools
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from sphinx.errors import ExtensionError, PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

import funnelguide

DOCS = Path(__file__).resolve().parent
# Examples and executed pages that sample the same model with the same settings and seed share
# one run, through fg.sample's result cache (the environment reaches MyST-NB's kernels too). It
# lives in _build, which a clean build (nox -s docs) removes first.
os.environ[funnelguide.sampling.CACHE_DIR_ENV] = str(DOCS / "_build" / "funnelguide-cache")
sys.path.insert(0, str(DOCS / "_ext"))  # gallery_warnings: reset hook named by string below

# The kernels that execute the MyST-NB pages draw with matplotlib-inline, whatever the
# environment says. ipykernel picks that backend only when MPLBACKEND is unset; with
# MPLBACKEND=Agg (common on headless machines and in containers) a kernel would draw with Agg,
# the display formatter would give a figure no image/png, and every executed figure would show
# as the text "<Figure size 640x480 with 1 Axes>". The kernels inherit this process's
# environment. (This process already imported matplotlib above, with the backend it chose;
# sphinx-gallery switches the examples to Agg itself.) _check_no_figure_text below fails the
# build on any page that still shows a figure's text.
KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"
os.environ["MPLBACKEND"] = KERNEL_MPLBACKEND

logger = logging.getLogger("funnelguide.conf")

#: Public submodules documented with their own names (``funnelguide.plots.plot_funnel``).
PUBLIC_SUBMODULES = ("plots", "dynamics")

#: The public API the reference documents: funnelguide.__all__ (less the public submodules) and
#: each public submodule's __all__, by qualified name.
PUBLIC_API = {
    f"funnelguide.{name}": getattr(funnelguide, name)
    for name in funnelguide.__all__
    if name not in PUBLIC_SUBMODULES
} | {
    f"funnelguide.{module}.{name}": getattr(getattr(funnelguide, module), name)
    for module in PUBLIC_SUBMODULES
    for name in getattr(funnelguide, module).__all__
}

# -- Project ----------------------------------------------------------------------------------

project = "funnelguide"
author = "the funnelguide authors"
copyright = f"2026, {author}"
release = version = funnelguide.__version__

# -- General ----------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "sphinxcontrib.bibtex",
    "sphinx_copybutton",
    "sphinx_design",
    "funnel_explorer",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes a notebook next to each generated .rst page; MyST-NB would read it as
    # a second source of the same page ("multiple files found for the document").
    "auto_examples/*.ipynb",
    "auto_examples/**/*.ipynb",
    # sphinx-gallery's backreference files (API object -> examples) are not pages.
    "api/generated/backreferences/*",
]

nitpicky = True
default_role = "py:obj"
add_function_parentheses = False

suppress_warnings = [
    # A citation key may appear both in a page's own bibliography and in the site-wide one
    # (references.md lists every entry); citations resolve to the page's own list first.
    "bibtex.duplicate_citation",
]

# -- Intersphinx ------------------------------------------------------------------------------
#
# Links into the PyMC, ArviZ, NumPy, matplotlib, xarray, pandas, SciPy and Python docs come from
# their published inventories, which live on the network. The build must pass without one, so:
#
# * each project has two inventory locations, tried in order: its website, then
#   ``_intersphinx/empty-objects.inv``, a committed inventory with no entries. When the website
#   cannot be reached, Sphinx logs the failure at INFO level ("had working alternatives") instead
#   of the warning that ``-W`` would turn into an error. (Sphinx 9 gives that warning no type, so
#   ``suppress_warnings`` cannot silence it; several locations tried in turn is documented
#   intersphinx behaviour.)
# * references into those projects that cannot be resolved are exempt from nitpicky mode by
#   ``nitpick_ignore_regex`` below, by package prefix only: a broken reference to anything in
#   ``funnelguide`` still fails the build.
# * ``FUNNELGUIDE_DOCS_OFFLINE=1`` skips the websites entirely (no connection is attempted).
#
# Online, the site links into those projects; offline, the same names render as plain code.
# The timeout bounds the wait where a network drops packets instead of refusing connections.

_EMPTY_INVENTORY = "_intersphinx/empty-objects.inv"
_OFFLINE = os.environ.get("FUNNELGUIDE_DOCS_OFFLINE", "").strip() not in ("", "0")

_EXTERNAL_DOCS = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "pandas": "https://pandas.pydata.org/docs/",
    "xarray": "https://docs.xarray.dev/en/stable/",
    "matplotlib": "https://matplotlib.org/stable/",
    "pymc": "https://www.pymc.io/projects/docs/en/stable/",
    "pytensor": "https://pytensor.readthedocs.io/en/latest/",
    "arviz": "https://python.arviz.org/en/latest/",
    "arviz_base": "https://arviz-base.readthedocs.io/en/latest/",
    "arviz_stats": "https://arviz-stats.readthedocs.io/en/latest/",
    "arviz_plots": "https://arviz-plots.readthedocs.io/en/latest/",
}
intersphinx_mapping = {
    name: (url, (_EMPTY_INVENTORY,) if _OFFLINE else (None, _EMPTY_INVENTORY))
    for name, url in _EXTERNAL_DOCS.items()
}
intersphinx_timeout = 10

_EXTERNAL_PREFIXES = sorted(
    {
        *sys.stdlib_module_names,
        "numpy",
        "np",
        "scipy",
        "pandas",
        "pd",
        "xarray",
        "xr",
        "matplotlib",
        "mpl",
        "plt",
        "pymc",
        "pm",
        "pytensor",
        "nutpie",
        "arviz",
        "az",
        "arviz_base",
        "arviz_stats",
        "arviz_plots",
        "numba",
        "zarr",
    }
)
_BUILTIN_NAMES = sorted(name for name in dir(builtins) if not name.startswith("_"))
nitpick_ignore_regex = [
    # numpy.ndarray, collections.abc.Mapping, pm.Model, ...
    (r"py:.*", rf"~?({'|'.join(map(re.escape, _EXTERNAL_PREFIXES))})(\..+)?"),
    # int, str, None, ...
    (r"py:.*", rf"({'|'.join(_BUILTIN_NAMES)})"),
    # explicit intersphinx targets such as python:str or numpy:array_like (numpydoc's own links)
    (r".*", rf"({'|'.join(_EXTERNAL_DOCS)}):.+"),
]

# -- Autodoc, autosummary, numpydoc -----------------------------------------------------------

autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_typehints = "none"  # types are in the numpydoc Parameters / Returns sections

numpydoc_show_class_members = False
# Types in Parameters / Returns link only when they are known names: numpydoc's own list (int,
# str, bool, ...) and the ones below. Other words ("mapping of str to float", "two arrays") stay
# plain text instead of becoming references that nitpicky mode would report as broken.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
_XREF_CLASSES = {
    "xarray.DataTree": ("DataTree",),
    "xarray.DataArray": ("DataArray",),
    "xarray.Dataset": ("Dataset",),
    "pandas.DataFrame": ("DataFrame",),
    "pandas.Series": ("Series",),
    "matplotlib.axes.Axes": ("Axes",),
    "matplotlib.figure.Figure": ("Figure",),
    "matplotlib.animation.FuncAnimation": ("FuncAnimation",),
    "pymc.Model": ("Model", "pm.Model"),
    "numpy.ndarray": ("np.ndarray", "ndarray"),
    "numpy.random.Generator": ("Generator", "np.random.Generator"),
    "collections.abc.Mapping": ("Mapping",),
    "collections.abc.Sequence": ("Sequence",),
    "pathlib.Path": ("Path",),
    "os.PathLike": ("PathLike",),
}
numpydoc_xref_aliases = {
    alias: f":class:`{target}`"
    for target, aliases in _XREF_CLASSES.items()
    for alias in (target, *aliases)
}
# numpydoc links builtins as ``python:int``; offline, an unresolved link shows its target, so
# these carry a title and read "int" either way.
numpydoc_xref_aliases |= {
    name: f":class:`{name} <python:{name}>`"
    for name in ("int", "float", "complex", "str", "bytes", "list", "tuple", "dict", "set")
} | {
    "string": ":class:`string <python:str>`",
    "None": ":data:`None <python:None>`",
    "True": ":data:`True <python:True>`",
    "False": ":data:`False <python:False>`",
    "callable": ":func:`callable <python:callable>`",
    "iterable": ":term:`iterable <python:iterable>`",
    "sequence": ":term:`sequence <python:sequence>`",
    "generator": ":term:`generator <python:generator>`",
    "mapping": ":term:`mapping <python:mapping>`",
    "path-like": ":term:`path-like <python:path-like object>`",
    "array-like": ":term:`array-like <numpy:array_like>`",
    "array_like": ":term:`array-like <numpy:array_like>`",
}
# Every public object has a docstring that documents its parameters and what it returns.
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "RT01"}
# Dataclasses document their fields under Attributes, which numpydoc's PR01 does not count.
numpydoc_validation_exclude = {
    rf"\.{re.escape(name.rsplit('.', 1)[1])}$"
    for name, obj in PUBLIC_API.items()
    if dataclasses.is_dataclass(obj)
}

# -- sphinx-gallery ---------------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": re.escape(os.sep) + r"plot_",  # every plot_*.py is executed
    "ignore_pattern": r"(__init__|conftest)\.py",
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": "True",  # examples run on every clean build
    "abort_on_example_error": False,  # --keep-going: report every failing example, then fail
    "only_warn_on_example_error": False,
    "reset_modules": ("matplotlib", "gallery_warnings.warnings_as_errors"),
    "reset_modules_order": "both",
    "matplotlib_animations": (True, "jshtml"),  # frames inline, no ffmpeg, no network
    "doc_module": ("funnelguide",),
    "backreferences_dir": "api/generated/backreferences",
    "remove_config_comments": True,
    "download_all_examples": True,
    "show_memory": False,
    # What each example costs to run, on pages of their own; the CDN scripts sphinx-gallery
    # puts on them are dropped (_plain_execution_times), which leaves a plain table.
    "write_computation_times": True,
    # Two examples at a time, in worker processes that loky starts afresh (never forked from a
    # process whose PyTensor, BLAS or nutpie threads are running). An example can opt out with
    # "# sphinx_gallery_parallel = False": it then runs first, alone, in the main process.
    "parallel": 2,
    # Each figure also at twice its resolution, which high-density screens (phones, most
    # laptops) pick from the <img srcset>; at 1x a figure's text is blurred on them.
    "image_srcset": ["2x"],
}

# -- The package, served by the site --------------------------------------------------------
#
# A reader who downloads an example needs the package it imports. The build makes a wheel of
# the package it was built with (hatchling, the project's build backend, offline; see
# _build_wheel), the gallery's front page links it with the :download: role, and every notebook
# the gallery offers starts with a cell that says how to install it.

WHEEL_DIR = DOCS / "_build" / "wheel"
WHEEL_NAME = f"funnelguide-{version}-py3-none-any.whl"
rst_epilog = f"""
.. |funnelguide_wheel| replace:: :download:`{WHEEL_NAME} </_build/wheel/{WHEEL_NAME}>`
.. |funnelguide_wheel_name| replace:: {WHEEL_NAME}
"""

sphinx_gallery_conf["first_notebook_cell"] = f"""\
# This notebook imports funnelguide {version}, the package its site was built with.
# The site serves it as a wheel, linked on the gallery's front page. Download
# {WHEEL_NAME} next to this notebook and install it into the
# notebook's environment (pip also fetches PyMC, nutpie and ArviZ):
#     %pip install {WHEEL_NAME}
import importlib.util

if importlib.util.find_spec("funnelguide") is None:
    raise ModuleNotFoundError("funnelguide is not installed: see the comment above")
%matplotlib inline"""

# -- MyST-NB ----------------------------------------------------------------------------------

myst_enable_extensions = ["amsmath", "colon_fence", "deflist", "dollarmath", "fieldlist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_excludepatterns = ["auto_examples/*"]
# Anything an executed page writes to stderr (warnings included) is a Sphinx warning, so -W fails
# the build; a cell whose stderr is expected can say so with the tag "remove-stderr".
nb_output_stderr = "warn"
nb_merge_streams = True

# -- Bibliography -----------------------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- Math: MathJax 3 served from the site -----------------------------------------------------
#
# Sphinx's default mathjax_path is a CDN. The ``django-static-mathjax`` package on PyPI ships the
# MathJax 3.2.2 distribution as plain files (no Django needed to use them); after the build its
# ``es5`` folder is copied to ``_static/mathjax`` (see ``_copy_mathjax``), so math renders with
# no network. It is in the ``docs`` dependency group.

mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

# -- HTML -------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = "funnelguide"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["funnelguide.css"]
html_context = {"default_mode": "light"}  # pydata-sphinx-theme logs a console error without one
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": []}
html_show_sourcelink = True
copybutton_exclude = ".linenos, .gp, .go"


# -- Hooks ------------------------------------------------------------------------------------


def _build_wheel(app) -> None:
    """Build the wheel the site serves (WHEEL_DIR) from the package's sources, with hatchling."""
    shutil.rmtree(WHEEL_DIR, ignore_errors=True)
    command = [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(WHEEL_DIR)]
    result = subprocess.run(command, cwd=DOCS.parent, capture_output=True, text=True, check=False)
    built = sorted(p.name for p in WHEEL_DIR.glob("*.whl"))
    if result.returncode != 0 or built != [WHEEL_NAME]:
        raise ExtensionError(
            f"building the wheel the site serves failed ({' '.join(command)}): expected "
            f"{WHEEL_NAME}, got {built}\n{result.stdout}{result.stderr}"
        )


def _mathjax_es5() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "MathJax is served from the site: install the docs dependency group "
            "(it includes django-static-mathjax, which provides the 'mathjax' package)."
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").is_file():
        raise ExtensionError(f"MathJax files not found where expected: {es5}")
    return es5


def _copy_mathjax(app, exception) -> None:
    """Copy MathJax's browser build into ``_static/mathjax``, skipping the unused bundles."""
    if exception is not None or app.builder.format != "html":
        return
    es5 = _mathjax_es5()
    target = Path(app.outdir) / "_static" / "mathjax"
    unused_bundles = [p.name for p in es5.glob("*.js") if p.name != "tex-chtml.js"]
    shutil.copytree(es5, target, dirs_exist_ok=True, ignore=lambda _d, _n: unused_bundles)


_API_ENTRY = re.compile(r"^\s{3}(?:~?funnelguide\.)?([A-Za-z_][\w.]*)\s*$")


def _documented_api_names() -> set[str]:
    """Names listed in the autosummary blocks of api.rst, qualified from ``funnelguide``."""
    names: set[str] = set()
    module = "funnelguide"
    in_autosummary = False
    for line in (DOCS / "api.rst").read_text(encoding="utf-8").splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and line.strip() and not line.startswith(" "):
            in_autosummary = False
        elif in_autosummary and not line.strip().startswith(":") and (m := _API_ENTRY.match(line)):
            names.add(f"{module}.{m.group(1)}")
    return names


def _check_api_page(app) -> None:
    """Warn (an error under -W) when api.rst and the public names of the package disagree."""
    public = set(PUBLIC_API)
    documented = _documented_api_names()
    for name in sorted(public - documented):
        logger.warning("public name %s is missing from api.rst", name, location="api")
    for name in sorted(documented - public):
        logger.warning("api.rst lists %s, which is not public (__all__)", name, location="api")


#: The gallery's chapters in reading order: folder pattern under examples/, card title, blurb,
#: and the example whose thumbnail the card shows (the chapter's first example if it is absent).
#: The landing page gets a card for each chapter whose folder exists, so it never links to a
#: chapter that has not been written.
CHAPTERS = [
    (
        "01_*",
        "The post, retold",
        "Wiecki's radon analysis step by step: the data, the centered model and its funnel, the "
        "non-centered fix, the bias it removes, and modes against means.",
        "plot_04_funnel",
    ),
    (
        "02_*",
        "Knowing the truth",
        "The exact answers, computed without sampling, beside what each parameterization "
        "reports: Neal's funnel, radon's scales and the eight schools, with advice per group.",
        "plot_01_neals_funnel",
    ),
    (
        "03_*",
        "How samplers see it",
        "Samplers side by side, leapfrog trajectories falling into the funnel's neck, the "
        "typical set, and why a mode is a poor summary.",
        "plot_02_funnel_trajectories",
    ),
    (
        "04_*",
        "Your own model",
        "Models the project did not build, in plain PyMC: their groups found from the graph, "
        "the advised form written by the library, the posterior checked against a long run.",
        "plot_01_batting",
    ),
]
_CHAPTER_CARDS_MARK = "<!-- funnelguide:chapter-cards -->"
_GALLERY_HEADERS = ("GALLERY_HEADER.rst", "README.rst", "README.txt")


def _example_title(script: Path) -> str:
    """The reST title of a gallery script: the docstring line underlined with ``=``."""
    lines = script.read_text(encoding="utf-8").splitlines()
    for line, underline in itertools.pairwise(lines):
        if line.strip() and set(underline.strip()) == {"="}:
            return line.strip()
    return script.stem


def _chapter_thumbnail(folder: Path, preferred: str) -> tuple[str, str] | None:
    """Path (from the docs root) and alt text of the thumbnail sphinx-gallery made for the
    chapter's preferred example, or for its first one; None before the gallery has run."""
    scripts = sorted(folder.glob("plot_*.py"))
    chosen = [s for s in scripts if s.stem == preferred] or scripts[:1]
    if not chosen:
        return None
    thumbs = DOCS / "auto_examples" / folder.name / "images" / "thumb"
    found = sorted(thumbs.glob(f"sphx_glr_{chosen[0].stem}_thumb.*"))
    if not found:
        return None
    alt = f"Figure from the example '{_example_title(chosen[0])}'"
    return "/" + found[0].relative_to(DOCS).as_posix(), alt


def chapter_cards() -> str:
    """MyST markup for a grid of cards, one for each written chapter of the gallery."""
    examples = DOCS.parent / "examples"
    cards = []
    for pattern, title, blurb, preferred in CHAPTERS:
        folders = sorted(
            folder
            for folder in examples.glob(pattern)
            if any((folder / header).is_file() for header in _GALLERY_HEADERS)
        )
        if not folders:
            continue
        options = [f":link: /auto_examples/{folders[0].name}/index", ":link-type: doc"]
        if thumbnail := _chapter_thumbnail(folders[0], preferred):
            options += [f":img-top: {thumbnail[0]}", f":img-alt: {thumbnail[1]}"]
        cards.append(
            f":::{{grid-item-card}} {title}\n" + "\n".join(options) + f"\n\n{blurb}\n:::\n"
        )
    if not cards:
        return "The chapters are listed in {doc}`the gallery </auto_examples/index>`.\n"
    grid = "::::{grid} 1 1 3 3\n:gutter: 3\n:class-container: funnelguide-cards\n\n"
    return grid + "\n".join(cards) + "::::\n"


def _reread_landing_page(app, env, added, changed, removed) -> list[str]:
    """The chapter cards depend on examples/, not on index.md: re-read it on every build (its
    one code cell comes from MyST-NB's cache, so this costs little)."""
    return ["index"]


def _insert_chapter_cards(app, docname: str, source: list[str]) -> None:
    if docname == "index" and _CHAPTER_CARDS_MARK in source[0]:
        source[0] = source[0].replace(_CHAPTER_CARDS_MARK, chapter_cards())


# matplotlib's jshtml animation player links Font Awesome 4 from a CDN for its button icons.
# The theme already loads Font Awesome (served from _static), which draws the same icons, so the
# CDN stylesheet is dropped from the gallery pages before they are parsed.
_CDN_FONT_AWESOME = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*"\s*/?>', re.IGNORECASE
)


# Its frame is an <img> with no alt text; a screen reader would announce an unnamed image. The
# frame gets the page's title as its description, and says how it is played.
_ANIMATION_FRAME = re.compile(r'<img id="(_anim_img\w+)">')
_RST_TITLE = re.compile(r"^(\S[^\n]*)\n(=+)\s*$", re.MULTILINE)


def _animation_frame_alt(source: str) -> str:
    title = _RST_TITLE.search(source)
    subject = f"{title.group(1).strip()}: " if title else ""
    text = f"{subject}animation frame; the buttons below play it or step through it frame by frame"
    return html.escape(text, quote=True)


def _fix_animation_player(app, docname: str, source: list[str]) -> None:
    if docname.startswith("auto_examples/"):
        source[0] = _CDN_FONT_AWESOME.sub("", source[0])
        if _ANIMATION_FRAME.search(source[0]):
            alt = _animation_frame_alt(source[0])
            source[0] = _ANIMATION_FRAME.sub(
                lambda match: f'<img id="{match.group(1)}" alt="{alt}">', source[0]
            )


# sphinx-gallery's execution-times pages open with a raw HTML block that loads jQuery, DataTables
# and Bootstrap from CDNs to make the table sortable; offline that is a broken script and a
# console error. The block is dropped, and so is the memory column, which reads 0 unless
# show_memory is on.
_EXECUTION_TIMES_HTML = re.compile(r"\n *\.\. raw:: html\n(?:\n| {4,}[^\n]*\n)*")
_MEMORY_CELL = re.compile(r"^     - (?:Mem \(MB\)|[0-9.]+|N/A)\n(?=   \* - |\Z)", re.MULTILINE)


def _plain_execution_times(app, docname: str, source: list[str]) -> None:
    if docname.rsplit("/", 1)[-1] == "sg_execution_times":
        text = _EXECUTION_TIMES_HTML.sub("\n", source[0], count=1)
        source[0] = _MEMORY_CELL.sub("", text.rstrip("\n") + "\n")


class _ExternalAssetFinder(HTMLParser):
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

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attribute = self._LOADING.get(tag)
        values = dict(attrs)
        url = (values.get(attribute) or "") if attribute else ""
        if tag == "link" and not {"stylesheet", "preload", "icon", "modulepreload"} & set(
            (values.get("rel") or "").lower().split()
        ):
            return
        if re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE):
            self.external.append(f"<{tag}> {url}")


def _check_no_external_assets(app, exception) -> None:
    """Warn (an error under -W) for every page that would load a script, style or image from
    another host: the site must work with no network."""
    if exception is not None or app.builder.format != "html":
        return
    for page in sorted(Path(app.outdir).rglob("*.html")):
        finder = _ExternalAssetFinder()
        finder.feed(page.read_text(encoding="utf-8", errors="replace"))
        for asset in finder.external:
            logger.warning(
                "%s loads %s from another host; serve it from _static or leave it out",
                page.relative_to(app.outdir).as_posix(),
                asset,
            )


#: What IPython prints for a figure it cannot show as an image (matplotlib's Figure.__repr__,
#: HTML-escaped as Sphinx writes it), e.g. "<Figure size 640x480 with 1 Axes>".
FIGURE_TEXT = re.compile(r"&lt;Figure size [0-9.]+x[0-9.]+ with [0-9]+ Axes&gt;")


def figure_texts(outdir: Path) -> dict[str, list[str]]:
    """Pages of a built site that show a figure as its text, with what each shows."""
    found = {}
    for page in sorted(Path(outdir).rglob("*.html")):
        relative = page.relative_to(outdir)
        if relative.parts[0] in ("_static", "_sources", "_images", "_downloads"):
            continue
        if hits := FIGURE_TEXT.findall(page.read_text(encoding="utf-8", errors="replace")):
            found[relative.as_posix()] = [html.unescape(hit) for hit in hits]
    return found


def _check_no_figure_text(app, exception) -> None:
    """Warn (an error under -W) for every page that shows a figure as the text
    "<Figure size ...>" instead of its image: the sign of an executed page whose kernel drew
    with a backend that gives figures no image (see KERNEL_MPLBACKEND)."""
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


def _resolve_reexported(app, env, node, contnode):
    """Resolve ``:func:`map_vs_mean``` written in a submodule's docstring to the public name.

    The library's docstrings may name a function the way its users call it, ``map_vs_mean``,
    while they sit in ``funnelguide.plots``; Sphinx looks only in the current module and at the
    top level, so such a reference is retried as ``funnelguide.<name>``. Anything else missing
    stays missing (and fails the build under nitpicky mode).
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target or target.startswith("funnelguide."):
        return None
    if f"funnelguide.{target.lstrip('~')}" not in PUBLIC_API:
        return None
    python = env.domains.python_domain
    return python.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"funnelguide.{target}", node, contnode
    )


def _docs_of_reexported_data(app, what, name, obj, options, lines) -> None:
    """Give a re-exported constant (``funnelguide.NEALS_FUNNEL_V_EXACT``) the ``#:`` comment
    written where it is defined: autodoc reads only the comments of the module it documents and
    otherwise shows the docstring of the value's type."""
    if what != "data" or name not in PUBLIC_API:
        return
    own_doc = "\n".join(lines).strip()
    if own_doc and own_doc != inspect.cleandoc(type(obj).__doc__ or ""):
        return  # a docstring of its own, not the one of its type (dict, str, ...)
    short = name.rsplit(".", 1)[1]
    for module in sorted(m for m in sys.modules if m.startswith("funnelguide.")):
        try:
            analyzer = ModuleAnalyzer.for_module(module)
            analyzer.analyze()
        except PycodeError:
            continue
        if doc := analyzer.attr_docs.get(("", short)):
            lines[:] = list(doc)
            return


def _check_gallery_folders(app) -> None:
    """Warn (an error under -W) for a folder of examples without a gallery header:
    sphinx-gallery skips such a folder silently, so its examples would neither run nor show."""
    for folder in sorted(p for p in (DOCS.parent / "examples").iterdir() if p.is_dir()):
        has_examples = any(folder.glob("plot_*.py"))
        if has_examples and not any((folder / h).is_file() for h in _GALLERY_HEADERS):
            logger.warning(
                "examples/%s has examples but no GALLERY_HEADER.rst; sphinx-gallery skips it",
                folder.name,
            )


def setup(app) -> None:
    _mathjax_es5()  # fail early, before the examples run, if MathJax is missing
    app.connect("builder-inited", _check_api_page, priority=100)  # before the gallery runs
    app.connect("builder-inited", _check_gallery_folders, priority=100)
    app.connect("builder-inited", _build_wheel, priority=100)
    app.connect("source-read", _insert_chapter_cards)
    app.connect("env-get-outdated", _reread_landing_page)
    app.connect("source-read", _fix_animation_player)
    app.connect("source-read", _plain_execution_times)
    app.connect("build-finished", _check_no_external_assets)
    app.connect("build-finished", _check_no_figure_text)
    app.connect("missing-reference", _resolve_reexported)
    app.connect("autodoc-process-docstring", _docs_of_reexported_data, priority=100)
    app.connect("build-finished", _copy_mathjax)
