"""Grids and their bounds: points, bounds checks, marginals, edge masses (private)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
from scipy.interpolate import CubicSpline

from funnelguide._checks import _checked_fraction, _checked_int
from funnelguide.exact._result import _cdf

#: A grid edge is placed where the marginal density has fallen below this fraction of its peak.
_TAIL = 1e-9
#: ``edge_mass`` is the posterior mass within this fraction of a grid's range from each edge.
EDGE_FRACTION = 0.02
_COARSE_POINTS = 16
_MAX_ADAPT_PASSES = 16

Bounds = Mapping[str, tuple[float, float]]


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
    return {name: _checked_int(f"grid_points for {name!r}", n, 8) for name, n in points.items()}


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
    return _checked_fraction("max_edge_mass", max_edge_mass)
