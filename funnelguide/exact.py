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

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline

from funnelguide.data import load_eight_schools, load_radon
from funnelguide.models import _checked_frame

__all__ = [
    "PRIOR_FAMILIES",
    "ExactPosterior",
    "exact_eight_schools",
    "exact_radon_scales",
    "log_scale_prior",
]

#: Prior families for a scale parameter and the PyMC distribution each stands for.
PRIOR_FAMILIES: dict[str, str] = {
    "halfcauchy": "pm.HalfCauchy(name, beta=scale)",
    "halfnormal": "pm.HalfNormal(name, sigma=scale)",
    "exponential": "pm.Exponential(name, scale=scale)  (rate 1 / scale)",
}

RADON_SCALES = ("sigma_a", "sigma_b", "eps")

#: Prior standard deviation of ``mu_a`` and ``mu_b`` in :func:`funnelguide.radon_model`.
RADON_MU_SD = 100.0**2
#: Prior of ``mu`` in :func:`funnelguide.eight_schools_model`: Normal(0, 5).
EIGHT_SCHOOLS_MU_SD = 5.0
EIGHT_SCHOOLS_TAU_PRIOR = ("halfcauchy", 5.0)

#: Default grid points per axis of :func:`exact_radon_scales`.
RADON_GRID_POINTS = {"sigma_a": 48, "sigma_b": 80, "eps": 32}
#: A grid edge is placed where the marginal density has fallen below this fraction of its peak.
_TAIL = 1e-9
#: ``edge_mass`` is the posterior mass within this fraction of a grid's range from each edge.
EDGE_FRACTION = 0.02
_COARSE_POINTS = 16
_MAX_ADAPT_PASSES = 16
_CHUNK_POINTS = 2048

Bounds = Mapping[str, tuple[float, float]]
PriorSpec = str | tuple[str, float] | Mapping[str, str | tuple[str, float]]


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExactPosterior:
    """Exact marginal posteriors of a model's parameters, computed on grids.

    Each marginal is a density on a grid of nodes, normalized so that the trapezoidal rule over
    the grid gives 1; the cumulative distribution is the trapezoidal integral, interpolated
    linearly between nodes, and quantiles invert it. Print the object for a summary.

    Attributes
    ----------
    model : str
        Which model (``"radon"`` or ``"eight schools"``).
    grids : dict of str to numpy.ndarray
        The nodes of each parameter's grid, increasing.
    densities : dict of str to numpy.ndarray
        The marginal posterior density of each parameter at its nodes.
    edge_mass : dict of str to (float, float)
        Posterior mass in the outermost 2% of each grid's range, at its lower and its upper
        edge. An edge at the boundary of the parameter's support (0 for a scale) cuts nothing
        off and reports 0.0. Large values mean the grid truncates the posterior.
    priors : dict of str to str
        The prior of each parameter, in words.
    seconds : float
        Wall time of the computation.

    See Also
    --------
    exact_radon_scales, exact_eight_schools : What makes one.
    """

    model: str
    grids: dict[str, np.ndarray]
    densities: dict[str, np.ndarray]
    edge_mass: dict[str, tuple[float, float]]
    priors: dict[str, str]
    seconds: float

    @property
    def names(self) -> tuple[str, ...]:
        """The parameters, in the order of :meth:`summary`."""
        return tuple(self.grids)

    def _check_name(self, name: object) -> str:
        if name not in self.grids:
            raise KeyError(
                f"{name!r} is not a parameter of this exact posterior ({self.model}); "
                f"it has {list(self.grids)}."
            )
        return str(name)

    def density(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the grid and the marginal density of one parameter.

        Parameters
        ----------
        name : str
            A parameter, one of :attr:`names`.

        Returns
        -------
        grid, density : numpy.ndarray
            Nodes and density values; ``numpy.trapezoid(density, grid)`` is 1. Ready for
            ``fg.plots.plot_scale_posteriors(..., exact=result.density("sigma_b"))``.

        Raises
        ------
        KeyError
            If ``name`` is not one of :attr:`names`.

        Examples
        --------
        >>> import numpy as np
        >>> import funnelguide as fg
        >>> grid, density = fg.exact_eight_schools().density("tau")
        >>> round(float(np.trapezoid(density, grid)), 6)
        1.0
        """
        name = self._check_name(name)
        return self.grids[name].copy(), self.densities[name].copy()

    def _cumulative(self, name: str) -> np.ndarray:
        return _cumulative(self.grids[name], self.densities[name])

    def cdf(self, name: str, x: float | np.ndarray) -> float | np.ndarray:
        """Return the posterior probability that ``name`` is at most ``x``.

        The density is taken as linear between grid nodes, so the distribution function is
        exact for it: quadratic within each cell, equal to the trapezoidal sums at the nodes.

        Parameters
        ----------
        name : str
            A parameter, one of :attr:`names`.
        x : float or array-like
            Value(s); below the grid gives 0, above it 1.

        Returns
        -------
        float or numpy.ndarray
            P(name <= x), shaped like ``x``.

        Raises
        ------
        KeyError
            If ``name`` is not one of :attr:`names`.

        Examples
        --------
        >>> import funnelguide as fg
        >>> exact = fg.exact_eight_schools()
        >>> 0.0 < exact.cdf("tau", 1.0) < exact.cdf("tau", 10.0) < 1.0
        True
        """
        name = self._check_name(name)
        values = _cdf(self.grids[name], self.densities[name], np.asarray(x, dtype=float))
        return float(values) if values.ndim == 0 else values

    def quantile(self, name: str, q: float | np.ndarray) -> float | np.ndarray:
        """Return posterior quantile(s) of one parameter.

        Parameters
        ----------
        name : str
            A parameter, one of :attr:`names`.
        q : float or array-like
            Probabilities in [0, 1].

        Returns
        -------
        float or numpy.ndarray
            The quantile(s), shaped like ``q``; the inverse of :meth:`cdf`.

        Raises
        ------
        KeyError
            If ``name`` is not one of :attr:`names`.
        ValueError
            If a probability is outside [0, 1].

        Examples
        --------
        >>> import funnelguide as fg
        >>> exact = fg.exact_eight_schools()
        >>> bool(exact.quantile("mu", 0.05) < exact.quantile("mu", 0.5))
        True
        """
        name = self._check_name(name)
        probs = np.asarray(q, dtype=float)
        if not np.all((probs >= 0.0) & (probs <= 1.0)):
            raise ValueError(f"q must hold probabilities in [0, 1], got {q!r}.")
        grid, density = self.grids[name], self.densities[name]
        cumulative = self._cumulative(name)
        cell = np.clip(np.searchsorted(cumulative, probs, side="left") - 1, 0, grid.size - 2)
        width = grid[cell + 1] - grid[cell]
        slope = (density[cell + 1] - density[cell]) / width
        rest = np.maximum(probs - cumulative[cell], 0.0)
        # Solve density * t + slope * t**2 / 2 = rest for t in [0, width], in the form that
        # stays accurate when the slope is near zero.
        root = np.sqrt(np.maximum(density[cell] ** 2 + 2.0 * slope * rest, 0.0))
        denominator = density[cell] + root
        offset = np.where(
            denominator > 0, 2.0 * rest / np.where(denominator > 0, denominator, 1.0), 0.0
        )
        values = grid[cell] + np.clip(offset, 0.0, width)
        return float(values) if values.ndim == 0 else values

    def mean(self, name: str) -> float:
        """Return the posterior mean of one parameter (trapezoidal rule on its grid).

        Parameters
        ----------
        name : str
            A parameter, one of :attr:`names`.

        Returns
        -------
        float
            The posterior mean.

        Examples
        --------
        >>> import funnelguide as fg
        >>> exact = fg.exact_eight_schools()
        >>> bool(exact.quantile("tau", 0.5) < exact.mean("tau"))  # a right-skewed scale
        True
        """
        name = self._check_name(name)
        grid, density = self.grids[name], self.densities[name]
        return float(np.trapezoid(grid * density, grid))

    def sd(self, name: str) -> float:
        """Return the posterior standard deviation of one parameter.

        Parameters
        ----------
        name : str
            A parameter, one of :attr:`names`.

        Returns
        -------
        float
            The posterior standard deviation.

        Examples
        --------
        >>> import funnelguide as fg
        >>> bool(fg.exact_eight_schools().sd("mu") > 0)
        True
        """
        name = self._check_name(name)
        grid, density = self.grids[name], self.densities[name]
        variance = np.trapezoid((grid - self.mean(name)) ** 2 * density, grid)
        return float(math.sqrt(variance))

    def summary(self) -> pd.DataFrame:
        """Return mean, standard deviation and 5%, 50%, 95% quantiles of every parameter.

        Returns
        -------
        pandas.DataFrame
            Indexed by parameter name, columns ``mean``, ``sd``, ``q05``, ``q50``, ``q95``.

        Examples
        --------
        >>> import funnelguide as fg
        >>> fg.exact_eight_schools().summary().columns.tolist()
        ['mean', 'sd', 'q05', 'q50', 'q95']
        """
        rows = {
            name: {
                "mean": self.mean(name),
                "sd": self.sd(name),
                "q05": self.quantile(name, 0.05),
                "q50": self.quantile(name, 0.5),
                "q95": self.quantile(name, 0.95),
            }
            for name in self.names
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "parameter"
        return frame

    def __str__(self) -> str:
        priors = ", ".join(f"{name} ~ {prior}" for name, prior in self.priors.items())
        edges = ", ".join(
            f"{name} [{grid[0]:.3g}, {grid[-1]:.3g}] ({grid.size} points, edge mass "
            f"{max(self.edge_mass[name]):.1e})"
            for name, grid in self.grids.items()
        )
        return "\n".join(
            [
                f"Exact posterior of the {self.model} model ({self.seconds:.2f} s)",
                f"  priors: {priors}",
                f"  grids:  {edges}",
                self.summary().to_string(float_format=lambda value: f"{value:.4f}"),
            ]
        )


def _cumulative(grid: np.ndarray, density: np.ndarray) -> np.ndarray:
    """Return the trapezoidal integral of the density from the first node to each node."""
    steps = 0.5 * (density[1:] + density[:-1]) * np.diff(grid)
    return np.concatenate([[0.0], np.cumsum(steps)])


def _cdf(grid: np.ndarray, density: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Return the distribution function of the density taken as linear between nodes."""
    cell = np.clip(np.searchsorted(grid, points, side="right") - 1, 0, grid.size - 2)
    width = grid[cell + 1] - grid[cell]
    offset = np.clip(points - grid[cell], 0.0, width)
    slope = (density[cell + 1] - density[cell]) / width
    values = _cumulative(grid, density)[cell] + density[cell] * offset + 0.5 * slope * offset**2
    return np.clip(values, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Priors of the scales
# --------------------------------------------------------------------------------------------


def log_scale_prior(family: str, scale: float, x: np.ndarray) -> np.ndarray:
    """Return the log density of a scale prior at ``x >= 0``, normalizing constant included.

    Parameters
    ----------
    family : {"halfcauchy", "halfnormal", "exponential"}
        ``HalfCauchy(beta=scale)``, ``HalfNormal(sigma=scale)`` or ``Exponential`` with mean
        ``scale`` (rate ``1 / scale``), as in PyMC.
    scale : float
        The prior's scale, positive.
    x : array-like
        Points, non-negative.

    Returns
    -------
    numpy.ndarray
        The log density at ``x``.

    Raises
    ------
    ValueError
        For an unknown family or a scale that is not a positive finite number.

    Examples
    --------
    >>> from funnelguide.exact import log_scale_prior
    >>> round(float(log_scale_prior("exponential", 2.0, 0.0)), 4)
    -0.6931
    """
    family, scale = _checked_prior(family, scale, "family")
    x = np.asarray(x, dtype=float)
    if family == "halfcauchy":
        return math.log(2.0 / (math.pi * scale)) - np.log1p((x / scale) ** 2)
    if family == "halfnormal":
        return 0.5 * math.log(2.0 / math.pi) - math.log(scale) - 0.5 * (x / scale) ** 2
    return -math.log(scale) - x / scale


def _checked_prior(family: object, scale: object, where: str) -> tuple[str, float]:
    if not isinstance(family, str) or family not in PRIOR_FAMILIES:
        raise ValueError(
            f"{where}={family!r} is not a known prior family; use one of {list(PRIOR_FAMILIES)}."
        )
    if (
        not isinstance(scale, numbers.Real)
        or isinstance(scale, bool)
        or not math.isfinite(scale)
        or scale <= 0
    ):
        raise ValueError(
            f"the scale of the {family} prior ({where}) must be a positive finite number, "
            f"got {scale!r}."
        )
    return family, float(scale)


def _prior_label(family: str, scale: float) -> str:
    name = {"halfcauchy": "HalfCauchy", "halfnormal": "HalfNormal"}.get(family)
    if name is None:
        return f"Exponential(scale={scale:g})"
    return f"{name}({scale:g})"


def _resolve_priors(
    prior: PriorSpec, prior_scale: float, names: tuple[str, ...]
) -> dict[str, tuple[str, float]]:
    """Turn the ``prior`` and ``prior_scale`` arguments into a (family, scale) per name."""

    def one(value: object, where: str) -> tuple[str, float]:
        if isinstance(value, str):
            return _checked_prior(value, prior_scale, where)
        if isinstance(value, tuple) and len(value) == 2:
            return _checked_prior(value[0], value[1], where)
        raise TypeError(
            f"{where} must be a family name such as 'halfnormal' or a (family, scale) pair such "
            f"as ('halfnormal', 1.0), got {value!r}."
        )

    if isinstance(prior, Mapping):
        unknown = [key for key in prior if key not in names]
        if unknown:
            raise ValueError(
                f"prior names {unknown!r}, which the model does not have; its scales are "
                f"{list(names)}."
            )
        default = _checked_prior("halfcauchy", prior_scale, "prior_scale")
        return {
            name: one(prior[name], f"prior[{name!r}]") if name in prior else default
            for name in names
        }
    resolved = one(prior, "prior")
    return dict.fromkeys(names, resolved)


# --------------------------------------------------------------------------------------------
# Grids
# --------------------------------------------------------------------------------------------


def _grid_points(
    grid_points: int | Mapping[str, int], defaults: Mapping[str, int]
) -> dict[str, int]:
    if isinstance(grid_points, Mapping):
        unknown = [key for key in grid_points if key not in defaults]
        if unknown:
            raise ValueError(
                f"grid_points names {unknown!r}; the grid's axes are {list(defaults)}."
            )
        points = {**defaults, **grid_points}
    else:
        points = dict.fromkeys(defaults, grid_points)
    for name, value in points.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 8:
            raise ValueError(
                f"grid_points for {name!r} must be an integer of at least 8, got {value!r}."
            )
    return {name: int(value) for name, value in points.items()}


def _checked_bounds(
    bounds: Bounds | None, names: tuple[str, ...], support_low: Mapping[str, float]
) -> dict[str, tuple[float, float]]:
    if bounds is None:
        return {}
    if not isinstance(bounds, Mapping):
        raise TypeError(
            f"bounds must be a mapping from parameter to (lower, upper), got {bounds!r}."
        )
    checked = {}
    for name, value in bounds.items():
        if name not in names:
            raise ValueError(f"bounds names {name!r}; the grid's axes are {list(names)}.")
        try:
            low, high = (float(v) for v in value)
        except (TypeError, ValueError):
            raise TypeError(
                f"bounds[{name!r}] must be a (lower, upper) pair of numbers, got {value!r}."
            ) from None
        if not (math.isfinite(low) and math.isfinite(high) and support_low[name] <= low < high):
            raise ValueError(
                f"bounds[{name!r}]={value!r} must satisfy {support_low[name]:g} <= lower < upper "
                "with finite numbers."
            )
        checked[name] = (low, high)
    return checked


def _marginals_from_log_joint(log_joint: np.ndarray, axes: list[np.ndarray]) -> list[np.ndarray]:
    """Return the normalized marginal densities of a joint given in logs on a product grid."""
    weights = [_trapezoid_weights(axis) for axis in axes]
    weighted = np.exp(log_joint - log_joint.max())
    for k, weight in enumerate(weights):
        weighted = weighted * np.expand_dims(weight, [j for j in range(len(axes)) if j != k])
    marginals = []
    for k, weight in enumerate(weights):
        others = tuple(j for j in range(len(axes)) if j != k)
        # Sum of the trapezoid-weighted joint over the other axes; undo this axis's weights.
        marginal = weighted.sum(axis=others) / np.where(weight > 0, weight, 1.0)
        marginals.append(marginal / np.trapezoid(marginal, axes[k]))
    return marginals


def _refined(
    grid: np.ndarray, density: np.ndarray, factor: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate a smooth, positive marginal onto a grid ``factor`` times finer.

    A cubic spline through the log density is far more accurate between nodes than a straight
    line through the density, so quantiles of a modest 3-D grid come out accurate too.
    """
    fine = np.linspace(grid[0], grid[-1], (grid.size - 1) * factor + 1)
    log_density = np.log(np.maximum(density, np.finfo(float).tiny))
    refined = np.exp(CubicSpline(grid, log_density)(fine))
    return fine, refined / np.trapezoid(refined, fine)


def _trapezoid_weights(axis: np.ndarray) -> np.ndarray:
    steps = np.diff(axis)
    weights = np.zeros_like(axis)
    weights[:-1] += 0.5 * steps
    weights[1:] += 0.5 * steps
    return weights


def _log_marginals(log_joint: np.ndarray) -> list[np.ndarray]:
    """Log of the (unnormalized) marginal on each axis, summing over the others' nodes."""
    peak = log_joint.max()
    joint = np.exp(log_joint - peak)
    ndim = log_joint.ndim
    with np.errstate(divide="ignore"):  # a marginal that underflows to 0 has log -inf
        return [
            peak + np.log(joint.sum(axis=tuple(j for j in range(ndim) if j != k)))
            for k in range(ndim)
        ]


def _adapt_bounds(
    log_joint_on: Callable[[dict[str, np.ndarray]], np.ndarray],
    initial: dict[str, tuple[float, float]],
    fixed: dict[str, tuple[float, float]],
    support_low: Mapping[str, float],
) -> dict[str, tuple[float, float]]:
    """Move each free axis's bounds until they enclose the posterior tightly.

    A coarse grid is evaluated; on each free axis the bounds move to one node beyond the nodes
    where the marginal exceeds ``_TAIL`` times its peak, or widen when that region touches an
    edge. Repeats until every region fills most of its axis and nothing widens.
    """
    bounds = {**initial, **fixed}
    free = [name for name in bounds if name not in fixed]
    for _ in range(_MAX_ADAPT_PASSES):
        axes = {name: np.linspace(*bounds[name], _COARSE_POINTS) for name in bounds}
        log_margs = _log_marginals(log_joint_on(axes))
        settled = True
        for name, log_marg in zip(bounds, log_margs, strict=True):
            if name not in free:
                continue
            nodes, (low, high) = axes[name], bounds[name]
            inside = np.flatnonzero(log_marg - log_marg.max() > math.log(_TAIL))
            first, last = int(inside[0]), int(inside[-1])
            width = high - low
            if last == nodes.size - 1:
                new_high, settled = high + 2.0 * width, False
            else:
                new_high = float(nodes[last + 1])
            if first == 0 and low > support_low[name]:
                new_low, settled = max(support_low[name], low - 2.0 * width), False
            else:
                new_low = float(nodes[max(first - 1, 0)])
            if (last - first) < 0.6 * nodes.size:
                settled = False
            bounds[name] = (new_low, new_high)
        if settled:
            break
    return bounds


def _edge_masses(grid: np.ndarray, density: np.ndarray, support_low: float) -> tuple[float, float]:
    """Posterior mass in the outermost ``EDGE_FRACTION`` of the grid's range at each end."""
    reach = EDGE_FRACTION * (grid[-1] - grid[0])
    lower = 0.0 if grid[0] <= support_low else float(_cdf(grid, density, grid[0] + reach))
    upper = 1.0 - float(_cdf(grid, density, grid[-1] - reach))
    return lower, max(upper, 0.0)


def _check_edges(
    edge_mass: Mapping[str, tuple[float, float]],
    grids: Mapping[str, np.ndarray],
    max_edge_mass: float,
) -> None:
    for name, (lower, upper) in edge_mass.items():
        grid = grids[name]
        width = grid[-1] - grid[0]
        if upper > max_edge_mass:
            raise ValueError(
                f"the grid misses the posterior: {upper:.2%} of the posterior mass of {name} "
                f"lies in the outermost 2% of its grid, at the upper edge {grid[-1]:.4g} (allowed "
                f"{max_edge_mass:.2%}). Widen the grid, e.g. bounds={{{name!r}: "
                f"({grid[0]:.4g}, {grid[-1] + 2 * width:.4g})}}, or leave {name} out of bounds "
                "to have it chosen automatically."
            )
        if lower > max_edge_mass:
            raise ValueError(
                f"the grid misses the posterior: {lower:.2%} of the posterior mass of {name} "
                f"lies in the outermost 2% of its grid, at the lower edge {grid[0]:.4g} (allowed "
                f"{max_edge_mass:.2%}). Lower that edge, e.g. bounds={{{name!r}: "
                f"({max(grid[0] - width, 0.0):.4g}, {grid[-1]:.4g})}}."
            )


def _checked_max_edge_mass(max_edge_mass: object) -> float:
    if (
        not isinstance(max_edge_mass, numbers.Real)
        or isinstance(max_edge_mass, bool)
        or not 0.0 < max_edge_mass < 1.0
    ):
        raise ValueError(f"max_edge_mass must be a number in (0, 1), got {max_edge_mass!r}.")
    return float(max_edge_mass)


# --------------------------------------------------------------------------------------------
# Radon
# --------------------------------------------------------------------------------------------


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
    prior: PriorSpec = "halfcauchy",
    prior_scale: float = 5.0,
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
    prior : str, (str, float) or mapping, default "halfcauchy"
        Prior of the scales: a family (``"halfcauchy"``, ``"halfnormal"`` or
        ``"exponential"``) with scale ``prior_scale`` for all three;
        a ``(family, scale)`` pair for all three; or a mapping from scale name to either, e.g.
        ``{"sigma_b": ("halfnormal", 1.0)}``, the scales it leaves out keeping
        ``HalfCauchy(prior_scale)``. The default is the post's ``HalfCauchy(5)`` on each.
    prior_scale : float, default 5.0
        The scale of priors given by family name only: HalfCauchy's ``beta``, HalfNormal's
        ``sigma``, or the Exponential's mean (rate ``1 / prior_scale``).
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
    priors = _resolve_priors(prior, prior_scale, RADON_SCALES)
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


def _read_only(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    frozen = {}
    for name, array in arrays.items():
        copy = np.array(array, dtype=float)
        copy.setflags(write=False)
        frozen[name] = copy
    return frozen


# --------------------------------------------------------------------------------------------
# Eight schools
# --------------------------------------------------------------------------------------------


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
        high = 4.0 * float(np.max(np.abs(y)) + np.max(sigma))
        for _ in range(40):
            nodes = np.linspace(0.0, high, 2001)
            log_post = log_tau_posterior(nodes)
            inside = np.flatnonzero(log_post - log_post.max() > math.log(_TAIL))
            if inside[-1] < nodes.size - 1:
                break
            high *= 2.0
        tau_bounds = (0.0, float(nodes[min(inside[-1] + 1, nodes.size - 1)]))
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
