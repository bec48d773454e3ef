"""Exact posteriors of the scales: the ground truth a sampler can be checked against.

Two models of the story are Gaussian and linear once their scales are fixed, so everything but
the scales integrates out in closed form and the scales' posterior can be computed on a grid, to
any accuracy, without sampling:

- **radon** (:func:`exact_radon_scales`): given ``sigma_a``, ``sigma_b`` and ``eps``, each
  county's ``(a, b)`` integrates out (a 2x2 computation per county), then ``mu_a`` and
  ``mu_b`` (one 2-D Gaussian integral). The marginal likelihood times the priors of the three
  scales is evaluated on a 3-D grid.
- **eight schools** (:func:`exact_eight_schools`): ``theta`` integrates out
  (``y[j] ~ Normal(mu, sigma[j]**2 + tau**2)``), and so does ``mu`` given ``tau``; a 1-D grid
  over ``tau`` gives the joint, and the marginal of ``mu`` is a mixture of normals.

Both return an :class:`ExactPosterior`: marginal densities on their grids, exact means, standard
deviations and quantiles, and the posterior mass near the edges of each grid (``edge_mass``),
which must be small for the grid to hold the posterior. A grid that misses the posterior raises
a :class:`ValueError` saying which edge to move.
"""

from funnelguide.exact._priors import PRIOR_FAMILIES, log_scale_prior
from funnelguide.exact._result import ExactPosterior
from funnelguide.exact.eight_schools import exact_eight_schools
from funnelguide.exact.radon import exact_radon_scales

__all__ = [
    "PRIOR_FAMILIES",
    "ExactPosterior",
    "exact_eight_schools",
    "exact_radon_scales",
    "log_scale_prior",
]
