"""The exact posterior of the eight schools model (:func:`exact_eight_schools`)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import numpy as np
import pandas as pd

from funnelguide._checks import _checked_frame
from funnelguide._model_priors import EIGHT_SCHOOLS_PRIORS
from funnelguide.data import load_eight_schools
from funnelguide.exact._grids import (
    _TAIL,
    Bounds,
    _adapt_bounds,
    _check_edges,
    _checked_bounds,
    _checked_max_edge_mass,
    _edge_masses,
    _grid_points,
    _trapezoid_weights,
)
from funnelguide.exact._priors import (
    _prior_label,
    log_scale_prior,
)
from funnelguide.exact._result import ExactPosterior, _read_only


def _eight_schools_mu_sd() -> float:
    """Return the prior sd of ``mu``, Normal(0, sd) as the integral needs."""
    mu = EIGHT_SCHOOLS_PRIORS["mu"]
    if mu.family != "normal" or mu.loc != 0.0:
        raise NotImplementedError(
            f"the exact eight schools posterior integrates mu ~ Normal(0, sd); the model's "
            f"prior is {mu}."
        )
    return mu.scale


#: Prior sd of ``mu`` in :func:`funnelguide.eight_schools_model`, Normal(0, sd).
EIGHT_SCHOOLS_MU_SD = _eight_schools_mu_sd()
#: Prior of ``tau`` in :func:`funnelguide.eight_schools_model`, (family, scale).
EIGHT_SCHOOLS_TAU_PRIOR = (EIGHT_SCHOOLS_PRIORS["tau"].family, EIGHT_SCHOOLS_PRIORS["tau"].scale)


def _eight_schools_tau_terms(
    tau: np.ndarray, y: np.ndarray, sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log p(y | tau) with theta and mu integrated out, and the mean and sd of mu | tau, y."""
    variance = sigma[None, :] ** 2 + tau[:, None] ** 2
    precision = 1.0 / EIGHT_SCHOOLS_MU_SD**2 + (1.0 / variance).sum(axis=1)
    weighted = (y[None, :] / variance).sum(axis=1)
    log_lik = -0.5 * (
        y.size * math.log(2.0 * math.pi)
        + np.log(variance).sum(axis=1)
        + (y[None, :] ** 2 / variance).sum(axis=1)
        + 2.0 * math.log(EIGHT_SCHOOLS_MU_SD)
        + np.log(precision)
        - weighted**2 / precision
    )
    return log_lik, weighted / precision, 1.0 / np.sqrt(precision)


def exact_eight_schools(
    data: pd.DataFrame | None = None,
    *,
    bounds: Bounds | None = None,
    grid_points: int | Mapping[str, int] = 4001,
    max_edge_mass: float = 1e-3,
) -> ExactPosterior:
    """Compute the exact posterior of ``mu`` and ``tau`` in the eight schools model.

    In :func:`funnelguide.eight_schools_model` the school effects integrate out,
    ``y[j] | mu, tau ~ Normal(mu, sigma[j]**2 + tau**2)``, and given ``tau`` so does ``mu``
    (prior ``Normal(0, 5)``). ``p(tau | y)`` is evaluated on a fine 1-D grid (prior
    ``HalfCauchy(5)``), and the marginal of ``mu`` is the resulting mixture of the normal
    distributions of ``mu | tau, y``.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Columns ``school``, ``y`` and ``sigma``; by default
        :func:`funnelguide.load_eight_schools`.
    bounds : mapping of str to (float, float), optional
        Fixed grid bounds for ``tau`` and/or ``mu``, e.g. ``{"tau": (0.0, 60.0)}``; by
        default they end where the density has fallen below 1e-9 of its peak.
    grid_points : int or mapping of str to int, default 4001
        Grid nodes for ``mu`` and ``tau`` (at least 8), or a mapping giving them per name.
    max_edge_mass : float, default 1e-3
        Largest posterior mass allowed in the outermost 2% of a grid's range at an edge that
        cuts the support.

    Returns
    -------
    ExactPosterior
        Marginals of ``mu`` and ``tau``.

    Raises
    ------
    ValueError
        For bad bounds or grid points, or when the grid misses the posterior.
    TypeError, KeyError
        For data that are not a frame with the needed columns.

    See Also
    --------
    eight_schools_model : The model whose posterior this is.
    exact_radon_scales : The same for the radon model's scales.

    Examples
    --------
    >>> import funnelguide as fg
    >>> exact = fg.exact_eight_schools()
    >>> exact.summary().index.tolist()
    ['mu', 'tau']
    >>> bool(exact.cdf("tau", 0.0) == 0.0)
    True
    """
    start = time.perf_counter()
    data = load_eight_schools() if data is None else data
    data = _checked_frame(
        data, numeric=["y", "sigma"], labels=["school"], what="the eight schools model"
    )
    if (data["sigma"] <= 0).any():
        raise ValueError("data['sigma'] must be positive (standard errors).")
    names = ("mu", "tau")
    support_low = {"mu": -math.inf, "tau": 0.0}
    fixed = _checked_bounds(bounds, names, support_low)
    points = _grid_points(grid_points, dict.fromkeys(names, 4001))
    max_edge_mass = _checked_max_edge_mass(max_edge_mass)
    y = data["y"].to_numpy(dtype=float)
    sigma = data["sigma"].to_numpy(dtype=float)

    def log_tau_posterior(tau: np.ndarray) -> np.ndarray:
        log_lik, _, _ = _eight_schools_tau_terms(tau, y, sigma)
        return log_lik + log_scale_prior(*EIGHT_SCHOOLS_TAU_PRIOR, tau)

    tau_bounds = fixed.get("tau")
    if tau_bounds is None:
        initial = {"tau": (0.0, 4.0 * float(np.max(np.abs(y)) + np.max(sigma)))}
        tau_bounds = _adapt_bounds(
            lambda axes: log_tau_posterior(axes["tau"]), initial, {}, {"tau": 0.0}
        )["tau"]
    tau = np.linspace(*tau_bounds, points["tau"])
    log_post = log_tau_posterior(tau)
    tau_density = np.exp(log_post - log_post.max())
    tau_density /= np.trapezoid(tau_density, tau)

    _, mu_means, mu_sds = _eight_schools_tau_terms(tau, y, sigma)
    weights = tau_density * _trapezoid_weights(tau)
    weights /= weights.sum()
    mu_bounds = fixed.get("mu")
    if mu_bounds is None:
        used = weights > _TAIL * weights.max()
        reach = math.sqrt(-2.0 * math.log(_TAIL))
        mu_bounds = (
            float(np.min(mu_means[used] - reach * mu_sds[used])),
            float(np.max(mu_means[used] + reach * mu_sds[used])),
        )
    mu = np.linspace(*mu_bounds, points["mu"])
    mu_density = np.zeros_like(mu)
    for chunk in np.array_split(np.arange(tau.size), max(1, tau.size // 500)):
        standard = (mu[:, None] - mu_means[chunk]) / mu_sds[chunk]
        mu_density += (
            np.exp(-0.5 * standard**2) / (math.sqrt(2 * math.pi) * mu_sds[chunk])
        ) @ weights[chunk]
    mu_density /= np.trapezoid(mu_density, mu)

    grids = {"mu": mu, "tau": tau}
    densities = {"mu": mu_density, "tau": tau_density}
    edge_mass = {
        name: _edge_masses(grids[name], densities[name], support_low[name]) for name in names
    }
    _check_edges(edge_mass, grids, max_edge_mass)
    return ExactPosterior(
        model="eight schools",
        grids=_read_only(grids),
        densities=_read_only(densities),
        edge_mass=edge_mass,
        priors={
            "mu": f"Normal(0, {EIGHT_SCHOOLS_MU_SD:g})",
            "tau": _prior_label(*EIGHT_SCHOOLS_TAU_PRIOR),
        },
        seconds=time.perf_counter() - start,
    )
