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

This file is configuration only. What runs during the build lives in the small extensions of
``_ext/``, each described in its module docstring and tested in ``tests/test_docs_ext.py``:

* ``served_wheel``: builds the wheel the site serves, before the gallery runs;
* ``offline_mathjax``: copies MathJax into ``_static/mathjax``;
* ``chapter_cards``: the landing page's card for each written chapter of the gallery;
* ``animation_player``: matplotlib's animation player without its CDN stylesheet, frames with alt
  text;
* ``execution_times``: the gallery's execution-times pages as plain tables;
* ``offline_assets``: fails the build for a page that loads anything from another host;
* ``figure_images``: the kernels draw figures as images (MPLBACKEND), and a page that shows a
  figure as text fails the build;
* ``reexported``: the public API (``PUBLIC_API``), links and docs of re-exported names;
* ``gallery_warnings``: warnings as errors while an example runs;
* ``gallery_workers``: the gallery's worker processes live for the whole gallery, and end with
  it;
* ``funnel_explorer``: the funnel-explorer directive;
* ``read_order``: with ``-j``, the executed MyST-NB pages head distinct reading chunks, so
  that they run side by side.

That ``api.rst`` lists every public name, and that every folder of examples has a gallery header
and a chapter card, are checked by ``tests/test_docs_pages.py``.
"""

from __future__ import annotations

import builtins
import dataclasses
import os
import re
import sys
from pathlib import Path

import funnelguide

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))  # the site's own extensions, listed in `extensions`

from reexported import PUBLIC_API  # noqa: E402

# Examples and executed pages that sample the same model with the same settings and seed share
# one run, through fg.sample's result cache (the environment reaches MyST-NB's kernels too). It
# lives in _build, which a clean build (nox -s docs) removes first.
os.environ[funnelguide.sampling.CACHE_DIR_ENV] = str(DOCS / "_build" / "funnelguide-cache")

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
    # the site's own, in _ext/
    "served_wheel",
    "offline_mathjax",
    "chapter_cards",
    "animation_player",
    "execution_times",
    "offline_assets",
    "figure_images",
    "reexported",
    "funnel_explorer",
    "read_order",
    "gallery_workers",
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
    # gallery_workers.keep_workers: loky keeps each worker, and the models it compiled, for the
    # whole gallery instead of replacing it when its memory grows; the gallery_workers extension
    # ends them when the gallery is done (see docs/_ext/gallery_workers.py)
    "reset_modules": (
        "matplotlib",
        "gallery_warnings.warnings_as_errors",
        "gallery_workers.keep_workers",
    ),
    "reset_modules_order": "both",
    "matplotlib_animations": (True, "jshtml"),  # frames inline, no ffmpeg, no network
    "doc_module": ("funnelguide",),
    "backreferences_dir": "api/generated/backreferences",
    "remove_config_comments": True,
    "download_all_examples": True,
    "show_memory": False,
    # What each example costs to run, on pages of their own; the CDN scripts sphinx-gallery
    # puts on them are dropped (the execution_times extension), which leaves a plain table.
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
# the package it was built with (the served_wheel extension, with hatchling, offline), the
# gallery's front page links it with the :download: role, and every notebook the gallery offers
# starts with a cell that says how to install it.

WHEEL_NAME = f"funnelguide-{version}-py3-none-any.whl"
served_wheel_project = str(DOCS.parent)
served_wheel_dir = str(DOCS / "_build" / "wheel")
served_wheel_name = WHEEL_NAME
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
# ``es5`` folder is copied to ``_static/mathjax`` (the offline_mathjax extension), so math
# renders with no network. It is in the ``docs`` dependency group.

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


# -- Landing page -----------------------------------------------------------------------------
#
# The gallery's chapters in reading order: folder pattern under examples/, card title, blurb,
# and the example whose thumbnail the card shows (the chapter's first example if it is absent).
# The chapter_cards extension puts a card for each chapter whose folder exists where a page says
# <!-- funnelguide:chapter-cards --> (index.md), so it never links to a chapter not yet written.

chapter_cards = [
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
