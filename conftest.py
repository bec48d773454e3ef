"""pytest setup for the docstring examples of funnelguide/ (``--doctest-modules``).

The tests under tests/ have their own conftest.py; this one covers the examples in the
library's docstrings, which run in the same session.
"""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
# A result cache named in the maintainer's environment must not answer for the examples.
os.environ.pop("FUNNELGUIDE_CACHE_DIR", None)


@pytest.fixture(autouse=True)
def _fresh_figures():
    """Each docstring example draws on a new figure (the axes-level helpers use plt.gca())."""
    import matplotlib.pyplot as plt

    plt.close("all")
    yield
    plt.close("all")
