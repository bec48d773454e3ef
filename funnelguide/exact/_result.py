"""The result of an exact computation: marginal densities on grids (private)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


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
        # One prior and one grid per line, so that the report fits a narrow column.
        priors = [f"  prior  {name} ~ {prior}" for name, prior in self.priors.items()]
        grids = [
            f"  grid   {name} [{grid[0]:.3g}, {grid[-1]:.3g}], {grid.size} points, "
            f"edge mass {max(self.edge_mass[name]):.1e}"
            for name, grid in self.grids.items()
        ]
        return "\n".join(
            [
                f"Exact posterior of the {self.model} model ({self.seconds:.2f} s)",
                *priors,
                *grids,
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


def _read_only(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    frozen = {}
    for name, array in arrays.items():
        copy = np.array(array, dtype=float)
        copy.setflags(write=False)
        frozen[name] = copy
    return frozen
