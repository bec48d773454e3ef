"""funnelguide: why hierarchical models are tricky to sample, and how to fix it.

The library behind the funnelguide site: bundled data, model builders in centered,
non-centered and per-group forms, fast NUTS sampling with a result cache, funnel diagnostics,
modes against expectations, and the figures of the story.
"""

from funnelguide import plots
from funnelguide.data import load_eight_schools, load_radon
from funnelguide.diagnostics import FunnelReport, funnel_report
from funnelguide.models import (
    NEALS_FUNNEL_V_EXACT,
    eight_schools_model,
    neals_funnel_model,
    radon_model,
)
from funnelguide.modes import find_map, map_vs_mean
from funnelguide.sampling import CacheWarning, sample

__version__ = "0.1.0"

__all__ = [
    "NEALS_FUNNEL_V_EXACT",
    "CacheWarning",
    "FunnelReport",
    "eight_schools_model",
    "find_map",
    "funnel_report",
    "load_eight_schools",
    "load_radon",
    "map_vs_mean",
    "neals_funnel_model",
    "plots",
    "radon_model",
    "sample",
]
