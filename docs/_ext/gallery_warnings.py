"""Make every warning raised while a gallery example runs an error, as matplotlib's gallery does.

sphinx-gallery executes the examples inside the Sphinx process, so a global
``warnings.filterwarnings("error")`` in ``conf.py`` would also turn warnings of Sphinx and its
extensions into exceptions. This reset function (listed in ``sphinx_gallery_conf["reset_modules"]``
by its dotted name, so the configuration stays picklable) switches warnings to errors just before
each example runs and restores the previous filters right after it. An example that triggers a
warning then fails like one that raises, and sphinx-gallery fails the build at its end.

The only warning let through is the one matplotlib gives for ``plt.show()`` on the non-GUI Agg
backend, which every example calls so that it also runs on its own with ``python``.
"""

from __future__ import annotations

import warnings
from typing import Any

_active: warnings.catch_warnings | None = None

_AGG_SHOW = (
    r"(Matplotlib is currently using agg, which is a non-GUI backend, so cannot show the figure"
    r"|(\n|.)*is non-interactive, and thus cannot be shown)"
)


def warnings_as_errors(gallery_conf: dict[str, Any], fname: str | None, when: str) -> None:
    """Turn warnings into errors before an example runs; restore the filters after it.

    Parameters
    ----------
    gallery_conf : dict
        sphinx-gallery's configuration (unused).
    fname : str or None
        The example about to run or just run; None when sphinx-gallery enters a folder.
    when : {"before", "after"}
        Which side of the example this call is on.
    """
    global _active
    if fname is None:
        return
    if when == "before":
        if _active is not None:  # the previous example's "after" never came: restore first
            _active.__exit__(None, None, None)
        _active = warnings.catch_warnings()
        _active.__enter__()
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=_AGG_SHOW, category=UserWarning)
    elif when == "after" and _active is not None:
        _active.__exit__(None, None, None)
        _active = None
