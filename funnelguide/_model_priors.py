"""The priors of the library's models, in one table (private).

Each model builder of :mod:`funnelguide.models` draws these parameters with
:meth:`Prior.rv`, and the exact posteriors of :mod:`funnelguide.exact` (and the funnel of
:mod:`funnelguide.dynamics`) evaluate the same priors with :meth:`Prior.logpdf`, so a prior
changed here changes both; ``tests/test_priors.py`` checks that the model's log density and
the table's agree for every entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: The families a table entry can have, with the PyMC distribution each becomes.
FAMILIES = {
    "normal": "pm.Normal(name, mu=loc, sigma=scale)",
    "halfcauchy": "pm.HalfCauchy(name, beta=scale)",
    "halfnormal": "pm.HalfNormal(name, sigma=scale)",
    "exponential": "pm.Exponential(name, scale=scale)  (rate 1 / scale)",
}


@dataclass(frozen=True)
class Prior:
    """A prior of one parameter: a family, its scale and (normal only) its location."""

    family: str
    scale: float
    loc: float = 0.0

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown prior family {self.family!r}; use one of {list(FAMILIES)}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"a prior's scale must be positive and finite, got {self.scale!r}")
        if self.family != "normal" and self.loc != 0.0:
            raise ValueError(f"a {self.family} prior has no location, got loc={self.loc!r}")

    def rv(self, name: str, **kwargs):
        """Draw the PyMC random variable ``name`` with this prior in the current model."""
        import pymc as pm

        if self.family == "normal":
            return pm.Normal(name, mu=self.loc, sigma=self.scale, **kwargs)
        if self.family == "halfcauchy":
            return pm.HalfCauchy(name, beta=self.scale, **kwargs)
        if self.family == "halfnormal":
            return pm.HalfNormal(name, sigma=self.scale, **kwargs)
        return pm.Exponential(name, scale=self.scale, **kwargs)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """Return the log density at ``x``, normalizing constant included (scipy.stats)."""
        x = np.asarray(x, dtype=float)
        if self.family == "normal":
            return stats.norm.logpdf(x, loc=self.loc, scale=self.scale)
        if self.family == "halfcauchy":
            return stats.halfcauchy.logpdf(x, scale=self.scale)
        if self.family == "halfnormal":
            return stats.halfnorm.logpdf(x, scale=self.scale)
        return stats.expon.logpdf(x, scale=self.scale)


#: :func:`funnelguide.radon_model`, as in Wiecki's post.
RADON_PRIORS = {
    "mu_a": Prior("normal", 100.0**2),
    "sigma_a": Prior("halfcauchy", 5.0),
    "mu_b": Prior("normal", 100.0**2),
    "sigma_b": Prior("halfcauchy", 5.0),
    "eps": Prior("halfcauchy", 5.0),
}

#: :func:`funnelguide.pooled_radon_model`.
POOLED_RADON_PRIORS = {
    "a": Prior("normal", 100.0**2),
    "b": Prior("normal", 100.0**2),
    "eps": Prior("halfcauchy", 5.0),
}

#: :func:`funnelguide.eight_schools_model`.
EIGHT_SCHOOLS_PRIORS = {
    "mu": Prior("normal", 5.0),
    "tau": Prior("halfcauchy", 5.0),
}

#: :func:`funnelguide.neals_funnel_model` (``x``'s scale ``exp(v / 2)`` is the model, not a prior).
NEALS_FUNNEL_PRIORS = {
    "v": Prior("normal", 3.0),
}

#: Every model's table, by the name of its builder.
MODEL_PRIORS = {
    "radon_model": RADON_PRIORS,
    "pooled_radon_model": POOLED_RADON_PRIORS,
    "eight_schools_model": EIGHT_SCHOOLS_PRIORS,
    "neals_funnel_model": NEALS_FUNNEL_PRIORS,
}
