"""The public API of funnelguide, and how its re-exported names are documented and linked.

``PUBLIC_API`` maps each public qualified name to its object: ``funnelguide.__all__`` (less the
public submodules) and each public submodule's ``__all__``. ``conf.py`` reads it (numpydoc's
validation), and ``tests/test_docs_pages.py`` checks that ``api.rst`` lists exactly these names.

Two hooks make a re-exported name behave like the public one:

* ``missing-reference``: the library's docstrings may name a function the way its users call it,
  ``map_vs_mean``, while they sit in ``funnelguide.plots``; Sphinx looks only in the current
  module and at the top level, so such a reference is retried as ``funnelguide.<name>``. Anything
  else missing stays missing (and fails the build under nitpicky mode).
* ``autodoc-process-docstring``: a re-exported constant (``funnelguide.NEALS_FUNNEL_V_EXACT``)
  gets the ``#:`` comment written where it is defined: autodoc reads only the comments of the
  module it documents and otherwise shows the docstring of the value's type.
"""

from __future__ import annotations

import inspect
import sys

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

import funnelguide

#: Public submodules documented with their own names (``funnelguide.plots.plot_funnel``).
PUBLIC_SUBMODULES = ("plots", "dynamics")

#: The public API the reference documents, by qualified name.
PUBLIC_API = {
    f"funnelguide.{name}": getattr(funnelguide, name)
    for name in funnelguide.__all__
    if name not in PUBLIC_SUBMODULES
} | {
    f"funnelguide.{module}.{name}": getattr(getattr(funnelguide, module), name)
    for module in PUBLIC_SUBMODULES
    for name in getattr(funnelguide, module).__all__
}


def resolve_reexported(app, env, node, contnode):
    """Resolve a reference to a public name written without its package, else None."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target or target.startswith("funnelguide."):
        return None
    if f"funnelguide.{target.lstrip('~')}" not in PUBLIC_API:
        return None
    python = env.domains.python_domain
    return python.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"funnelguide.{target}", node, contnode
    )


def defining_comment(name: str) -> list[str] | None:
    """The ``#:`` comment above the assignment of ``name``'s last part in a funnelguide module."""
    short = name.rsplit(".", 1)[1]
    for module in sorted(m for m in sys.modules if m.startswith("funnelguide.")):
        try:
            analyzer = ModuleAnalyzer.for_module(module)
            analyzer.analyze()
        except PycodeError:
            continue
        if doc := analyzer.attr_docs.get(("", short)):
            return list(doc)
    return None


def docs_of_reexported_data(app, what, name, obj, options, lines) -> None:
    """Replace the type's docstring of a public constant by the comment where it is defined."""
    if what != "data" or name not in PUBLIC_API:
        return
    own_doc = "\n".join(lines).strip()
    if own_doc and own_doc != inspect.cleandoc(type(obj).__doc__ or ""):
        return  # a docstring of its own, not the one of its type (dict, str, ...)
    if doc := defining_comment(name):
        lines[:] = doc


def setup(app):
    app.connect("missing-reference", resolve_reexported)
    app.connect("autodoc-process-docstring", docs_of_reexported_data, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
