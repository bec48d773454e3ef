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

#: Docstring examples known to fail, in files other work is changing at the time of writing.
#: Strict: once an example is fixed its entry here must go, or the run fails.
KNOWN_BROKEN_EXAMPLES = {
    "funnelguide.models.neals_funnel_model": "prints (np.int64(0), np.int64(1)), not (0, 1)",
    "funnelguide.plots.plot_lower_tail": "warns: non-positive xlim on a log-scaled axis",
    "funnelguide.plots.plot_scale_posteriors": "warns: non-positive xlim on a log-scaled axis",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the known broken docstring examples as strict expected failures."""
    for item in items:
        reason = KNOWN_BROKEN_EXAMPLES.get(item.name)
        if reason and isinstance(item, pytest.DoctestItem):
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
