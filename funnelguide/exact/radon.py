"""The exact posterior of the radon model's three scales (:func:`exact_radon_scales`)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from funnelguide._checks import _checked_frame
from funnelguide._model_priors import RADON_PRIORS
from funnelguide.data import load_radon
from funnelguide.exact._grids import (
    Bounds,
    _adapt_bounds,
    _check_edges,
    _checked_bounds,
    _checked_max_edge_mass,
    _edge_masses,
    _grid_points,
    _marginals_from_log_joint,
    _refined,
)
from funnelguide.exact._priors import (
    PriorSpec,
    _prior_label,
    _resolve_priors,
    log_scale_prior,
)
from funnelguide.exact._result import ExactPosterior, _read_only

RADON_SCALES = ("sigma_a", "sigma_b", "eps")
#: The priors of :func:`funnelguide.radon_model`'s three scales.
RADON_SCALE_PRIORS = {name: RADON_PRIORS[name] for name in RADON_SCALES}


def _radon_mu_sd() -> float:
    """Return the prior sd of ``mu_a`` and ``mu_b``, both Normal(0, sd) as the integral needs."""
    mu_a, mu_b = RADON_PRIORS["mu_a"], RADON_PRIORS["mu_b"]
    if not (mu_a.family == mu_b.family == "normal" and mu_a.loc == mu_b.loc == 0.0) or (
        mu_a.scale != mu_b.scale
    ):
        raise NotImplementedError(
            f"the exact radon posterior integrates mu_a, mu_b ~ Normal(0, sd) with one sd; the "
            f"model's priors are {mu_a} and {mu_b}."
        )
    return mu_a.scale


#: Prior standard deviation of ``mu_a`` and ``mu_b`` in :func:`funnelguide.radon_model`.
RADON_MU_SD = _radon_mu_sd()

#: Default grid points per axis of :func:`exact_radon_scales`.
RADON_GRID_POINTS = {"sigma_a": 48, "sigma_b": 80, "eps": 32}

_CHUNK_POINTS = 2048


@dataclass(frozen=True)
class _CountyStats:
    """Per-county sufficient statistics of the radon regression (arrays over counties).

    With x = floor and y = log_radon in one county: n, sx = sum x, sxx = sum x**2, sy = sum y,
    sxy = sum x*y, syy = sum y**2, and the combinations ``det_g = n sxx - sx**2``,
    ``c_b = sxx sy - sx sxy`` and ``c_a = n sxy - sx sy`` that the marginal likelihood uses.
    """

    n: np.ndarray
    sx: np.ndarray
    sxx: np.ndarray
    sy: np.ndarray
    sxy: np.ndarray
    syy: np.ndarray

    @classmethod
    def from_frame(cls, data: pd.DataFrame) -> _CountyStats:
        x = data["floor"].to_numpy(dtype=float)
        y = data["log_radon"].to_numpy(dtype=float)
        frame = pd.DataFrame(
            {
                "county": data["county"].astype(str).to_numpy(),
                "n": 1.0,
                "sx": x,
                "sxx": x * x,
                "sy": y,
                "sxy": x * y,
                "syy": y * y,
            }
        )
        sums = frame.groupby("county", sort=True).sum()
        return cls(**{col: sums[col].to_numpy() for col in ("n", "sx", "sxx", "sy", "sxy", "syy")})

    @property
    def det_g(self) -> np.ndarray:
        return self.n * self.sxx - self.sx**2

    @property
    def c_b(self) -> np.ndarray:
        return self.sxx * self.sy - self.sx * self.sxy

    @property
    def c_a(self) -> np.ndarray:
        return self.n * self.sxy - self.sx * self.sy


def _radon_log_marginal_likelihood(
    sigma_a: np.ndarray,
    sigma_b: np.ndarray,
    eps: np.ndarray,
    stats: _CountyStats,
    mu_sd: float = RADON_MU_SD,
) -> np.ndarray:
    """Log p(y | sigma_a, sigma_b, eps) of the radon model, a, b, mu_a, mu_b integrated out.

    In county c with design X (columns 1 and floor), G = X'X, r = X'y and the variance ratios
    T = diag(t_a, t_b) = diag(sigma_a**2, sigma_b**2) / eps**2, the data are
    y ~ Normal(X m, S) with S = eps**2 (I + X T X') and m = (mu_a, mu_b). Woodbury's identity
    gives, with R = (I + G T)^-1 (a 2x2 matrix, determinant 1 / det(I + G T)):

    - X' S^-1 X = G R / eps**2 and X' S^-1 y = R r / eps**2,
    - y' S^-1 y = (y'y - r' T R r) / eps**2,
    - log det S = n log eps**2 + log det(I + G T),

    all finite at sigma = 0. Summed over counties these make a Gaussian in m, integrated against
    m ~ Normal(0, mu_sd**2 I). Arguments are equal-length 1-D arrays.
    """
    e2 = eps**2
    t_a = (sigma_a**2 / e2)[:, None]
    t_b = (sigma_b**2 / e2)[:, None]
    n, sx, sxx, sy, sxy = stats.n, stats.sx, stats.sxx, stats.sy, stats.sxy
    det = 1.0 + t_a * n + t_b * sxx + (t_a * t_b) * stats.det_g  # det(I + G T)
    inv_det = 1.0 / det
    r0 = (sy + t_b * stats.c_b) * inv_det  # (R r)_0
    r1 = (sxy + t_a * stats.c_a) * inv_det  # (R r)_1
    a00 = ((n + t_b * stats.det_g) * inv_det).sum(axis=1)  # G R, summed over counties
    a01 = (sx * inv_det).sum(axis=1)
    a11 = ((sxx + t_a * stats.det_g) * inv_det).sum(axis=1)
    z0, z1 = r0.sum(axis=1), r1.sum(axis=1)
    quad = stats.syy.sum() - (t_a * sy * r0 + t_b * sxy * r1).sum(axis=1)
    log_det = np.log(det).sum(axis=1)
    # Everything above lacks its 1 / eps**2; integrate m ~ Normal(0, mu_sd**2 I) with
    # B = A / eps**2 + I / mu_sd**2.
    prior_precision = 1.0 / mu_sd**2
    b00, b01, b11 = a00 / e2 + prior_precision, a01 / e2, a11 / e2 + prior_precision
    det_b = b00 * b11 - b01 * b01
    z0, z1 = z0 / e2, z1 / e2
    z_b_z = (b11 * z0 * z0 - 2.0 * b01 * z0 * z1 + b00 * z1 * z1) / det_b
    total_n = float(n.sum())
    return -0.5 * (
        total_n * np.log(2.0 * math.pi * e2)
        + log_det
        + quad / e2
        + np.log(det_b)
        + 4.0 * math.log(mu_sd)
        - z_b_z
    )


def _radon_log_joint(
    axes: Mapping[str, np.ndarray],
    stats: _CountyStats,
    priors: Mapping[str, tuple[str, float]],
) -> np.ndarray:
    """Log posterior (up to a constant) on the product grid of the three scales' nodes."""
    sa_nodes, sb_nodes, eps_nodes = (axes[name] for name in RADON_SCALES)
    shape = (sa_nodes.size, sb_nodes.size, eps_nodes.size)
    sa, sb, eps = (g.ravel() for g in np.meshgrid(sa_nodes, sb_nodes, eps_nodes, indexing="ij"))
    log_lik = np.empty(sa.size)
    for start in range(0, sa.size, _CHUNK_POINTS):
        chunk = slice(start, start + _CHUNK_POINTS)
        log_lik[chunk] = _radon_log_marginal_likelihood(sa[chunk], sb[chunk], eps[chunk], stats)
    log_joint = log_lik.reshape(shape)
    for k, name in enumerate(RADON_SCALES):
        log_prior = log_scale_prior(*priors[name], axes[name])
        log_joint = log_joint + np.expand_dims(log_prior, [j for j in range(3) if j != k])
    return log_joint


def exact_radon_scales(
    data: pd.DataFrame | None = None,
    *,
    prior: PriorSpec | None = None,
    prior_scale: float | None = None,
    bounds: Bounds | None = None,
    grid_points: int | Mapping[str, int] | None = None,
    max_edge_mass: float = 1e-3,
) -> ExactPosterior:
    """Compute the exact posterior of the radon model's scales ``sigma_a``, ``sigma_b``, ``eps``.

    Given the three scales the model of :func:`funnelguide.radon_model` is Gaussian and
    linear, so the county intercepts ``a`` and slopes ``b`` and the means ``mu_a``, ``mu_b``
    integrate out in closed form: a 2x2 computation per county, then one 2-D Gaussian integral
    over ``(mu_a, mu_b) ~ Normal(0, 100**2)``. The marginal likelihood times the scales' priors
    is evaluated on a 3-D grid, whose bounds are found automatically (they end where the
    marginal density has fallen below 1e-9 of its peak) unless given. Takes a few seconds.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Columns ``county``, ``floor`` and ``log_radon``; by default :func:`funnelguide.load_radon`.
    prior : str, (str, float) or mapping, optional
        Prior of the scales: a family (``"halfcauchy"``, ``"halfnormal"`` or
        ``"exponential"``) with scale ``prior_scale`` for all three;
        a ``(family, scale)`` pair for all three; or a mapping from scale name to either, e.g.
        ``{"sigma_b": ("halfnormal", 1.0)}``, the scales it leaves out keeping the model's
        family. By default the priors of :func:`funnelguide.radon_model`, the post's
        ``HalfCauchy(5)`` on each.
    prior_scale : float, optional
        The scale of priors given by family name only: HalfCauchy's ``beta``, HalfNormal's
        ``sigma``, or the Exponential's mean (rate ``1 / prior_scale``); by default the
        scale of the model's prior (5).
    bounds : mapping of str to (float, float), optional
        Fixed grid bounds for some scales, e.g. ``{"sigma_b": (0.0, 1.5)}``; others are chosen
        automatically.
    grid_points : int or mapping of str to int, optional
        Grid nodes per axis (at least 8); by default 64 for ``sigma_a``, 96 for ``sigma_b`` and
        48 for ``eps``. Time grows with their product.
    max_edge_mass : float, default 1e-3
        Largest posterior mass allowed in the outermost 2% of a grid's range at an edge that
        cuts the support; more means the grid misses part of the posterior.

    Returns
    -------
    ExactPosterior
        Marginals of ``sigma_a``, ``sigma_b`` and ``eps``: ``.summary()``, ``.density(name)``,
        ``.cdf(name, x)``, ``.quantile(name, q)``, ``.edge_mass``.

    Raises
    ------
    ValueError
        For an unknown prior family, a non-positive prior scale, bad bounds or grid points, or
        when the grid misses the posterior (the message names the scale, the edge and a wider
        bound).
    TypeError, KeyError
        For data that are not a frame with the needed columns, or malformed arguments.

    See Also
    --------
    radon_model : The model whose posterior this is.
    exact_eight_schools : The same for eight schools.

    Examples
    --------
    >>> import funnelguide as fg
    >>> exact = fg.exact_radon_scales()
    >>> exact.summary().index.tolist()
    ['sigma_a', 'sigma_b', 'eps']
    >>> bool(exact.quantile("eps", 0.05) < 0.73 < exact.quantile("eps", 0.95))
    True
    >>> slopes = fg.exact_radon_scales(prior={"sigma_b": ("halfnormal", 0.1)})
    >>> bool(slopes.mean("sigma_b") < exact.mean("sigma_b"))
    True
    """
    start = time.perf_counter()
    data = load_radon() if data is None else data
    data = _checked_frame(
        data, numeric=["floor", "log_radon"], labels=["county"], what="the radon model"
    )
    priors = _resolve_priors(prior, prior_scale, RADON_SCALE_PRIORS)
    points = _grid_points(
        RADON_GRID_POINTS if grid_points is None else grid_points, RADON_GRID_POINTS
    )
    support_low = {"sigma_a": 0.0, "sigma_b": 0.0, "eps": 0.0}
    fixed = _checked_bounds(bounds, RADON_SCALES, support_low)
    if "eps" in fixed and fixed["eps"][0] <= 0.0:
        raise ValueError(
            f"bounds['eps']={bounds['eps']!r} must start above 0: the likelihood needs eps > 0."
        )
    max_edge_mass = _checked_max_edge_mass(max_edge_mass)
    stats = _CountyStats.from_frame(data)
    spread = float(np.std(data["log_radon"].to_numpy(dtype=float))) or 1.0
    initial = {
        "sigma_a": (0.0, 2.0 * spread),
        "sigma_b": (0.0, 2.0 * spread),
        "eps": (0.02 * spread, 2.0 * spread),
    }

    def log_joint_on(axes: Mapping[str, np.ndarray]) -> np.ndarray:
        return _radon_log_joint(axes, stats, priors)

    # eps must stay positive: a grid node at eps = 0 has no likelihood.
    eps_floor = {**support_low, "eps": 1e-6 * spread}
    final_bounds = _adapt_bounds(log_joint_on, initial, fixed, eps_floor)
    axes = {name: np.linspace(*final_bounds[name], points[name]) for name in RADON_SCALES}
    marginals = dict(
        zip(
            RADON_SCALES,
            _marginals_from_log_joint(log_joint_on(axes), list(axes.values())),
            strict=True,
        )
    )
    edge_mass = {
        name: _edge_masses(axes[name], marginals[name], support_low[name]) for name in RADON_SCALES
    }
    _check_edges(edge_mass, axes, max_edge_mass)
    refined = {name: _refined(axes[name], marginals[name]) for name in RADON_SCALES}
    grids = {name: grid for name, (grid, _) in refined.items()}
    densities = {name: density for name, (_, density) in refined.items()}
    return ExactPosterior(
        model="radon",
        grids=_read_only(grids),
        densities=_read_only(densities),
        edge_mass=edge_mass,
        priors={name: _prior_label(*priors[name]) for name in RADON_SCALES},
        seconds=time.perf_counter() - start,
    )
