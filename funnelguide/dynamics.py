"""Hamiltonian dynamics in the two-dimensional funnel: what a divergence is, step by step.

A small, exact-arithmetic companion to the samplers: the log density of Neal's funnel in two
dimensions, in centered coordinates ``(x, v)`` and in offset coordinates ``(z, v)`` with
``x = z * exp(v / 2)``, a leapfrog integrator, and fixed-step HMC trajectories that record their
energy error. A trajectory whose energy rises by more than a threshold (1000, as in Stan, nutpie,
PyMC and NumPyro), or stops being finite, is divergent: the integrator has left the distribution
it was meant to follow. A fall in energy, however large, is not a divergence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from funnelguide._model_priors import NEALS_FUNNEL_PRIORS

__all__ = [
    "DIVERGENCE_THRESHOLD",
    "Trajectory",
    "funnel_logp_grad",
    "hmc_trajectories",
    "leapfrog",
    "offset_funnel_logp_grad",
]

#: Energy rise beyond which a trajectory counts as divergent (Stan's and PyMC's default).
DIVERGENCE_THRESHOLD = 1000.0

#: Standard deviation of ``v`` in Neal's funnel, its prior in :func:`neals_funnel_model`.
V_SD = NEALS_FUNNEL_PRIORS["v"].scale

LogpGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


def funnel_logp_grad(position: np.ndarray) -> tuple[float, np.ndarray]:
    """Log density (up to a constant) and gradient of the 2-D funnel at ``(x, v)``.

    ``v ~ Normal(0, 3)`` and ``x | v ~ Normal(0, exp(v / 2))``.

    Parameters
    ----------
    position : numpy.ndarray
        ``[x, v]``.

    Returns
    -------
    tuple of float and numpy.ndarray
        The log density and its gradient ``[d/dx, d/dv]``.

    Examples
    --------
    >>> import numpy as np
    >>> from funnelguide.dynamics import funnel_logp_grad
    >>> logp, grad = funnel_logp_grad(np.array([1.0, 0.0]))
    >>> logp, grad.tolist()
    (-0.5, [-1.0, 0.0])
    """
    x, v = _pair(position)
    precision = np.exp(-v)
    logp = -0.5 * v**2 / V_SD**2 - 0.5 * x**2 * precision - 0.5 * v
    grad = np.array([-x * precision, -v / V_SD**2 + 0.5 * x**2 * precision - 0.5])
    return float(logp), grad


def offset_funnel_logp_grad(position: np.ndarray) -> tuple[float, np.ndarray]:
    """Log density (up to a constant) and gradient of the funnel in offset coordinates ``(z, v)``.

    With ``x = z * exp(v / 2)`` the funnel becomes two independent normals,
    ``z ~ Normal(0, 1)`` and ``v ~ Normal(0, 3)``: no neck, no change of scale.

    Parameters
    ----------
    position : numpy.ndarray
        ``[z, v]``.

    Returns
    -------
    tuple of float and numpy.ndarray
        The log density and its gradient ``[d/dz, d/dv]``.

    Examples
    --------
    >>> import numpy as np
    >>> from funnelguide.dynamics import offset_funnel_logp_grad
    >>> offset_funnel_logp_grad(np.array([1.0, 3.0]))[1].tolist()
    [-1.0, -0.3333333333333333]
    """
    z, v = _pair(position)
    logp = -0.5 * v**2 / V_SD**2 - 0.5 * z**2
    return float(logp), np.array([-z, -v / V_SD**2])


def _pair(position: np.ndarray) -> tuple[float, float]:
    array = np.asarray(position, dtype=float)
    if array.shape != (2,):
        raise ValueError(f"position must have shape (2,) ([x, v]), got shape {array.shape}.")
    return float(array[0]), float(array[1])


def leapfrog(
    logp_grad: LogpGrad,
    position: np.ndarray,
    momentum: np.ndarray,
    *,
    step_size: float,
    n_steps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate Hamilton's equations with the leapfrog scheme (unit mass matrix).

    Parameters
    ----------
    logp_grad : callable
        Maps a position to ``(log density, gradient)``.
    position, momentum : numpy.ndarray
        Start, of equal shape ``(d,)``.
    step_size : float
        The leapfrog step, positive.
    n_steps : int
        Number of steps, at least 1.

    Returns
    -------
    positions : numpy.ndarray
        Shape ``(n_steps + 1, d)``, the start included.
    momenta : numpy.ndarray
        Shape ``(n_steps + 1, d)``.
    energies : numpy.ndarray
        The Hamiltonian ``-log p(q) + |p|^2 / 2`` at each point, shape ``(n_steps + 1,)``.
        Exact dynamics conserve it; its change is the integrator's energy error. The
        integration stops early, with the remaining entries NaN, once the energy has risen
        by more than :data:`DIVERGENCE_THRESHOLD` or a value overflows (the samplers'
        one-sided rule: a fall in energy does not stop it).

    Raises
    ------
    ValueError
        For a non-positive ``step_size``, ``n_steps`` below 1 or mismatched shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from funnelguide.dynamics import leapfrog, offset_funnel_logp_grad
    >>> q, p, h = leapfrog(offset_funnel_logp_grad, np.zeros(2), np.ones(2),
    ...                    step_size=0.1, n_steps=10)
    >>> bool(abs(h[-1] - h[0]) < 0.01)
    True
    """
    if not step_size > 0:
        raise ValueError(f"step_size must be positive, got {step_size!r}.")
    if not isinstance(n_steps, int | np.integer) or n_steps < 1:
        raise ValueError(f"n_steps must be an integer of at least 1, got {n_steps!r}.")
    q = np.array(position, dtype=float)
    p = np.array(momentum, dtype=float)
    if q.shape != p.shape or q.ndim != 1:
        raise ValueError(
            f"position and momentum must be vectors of equal length, got shapes {q.shape} and "
            f"{p.shape}."
        )
    positions = np.full((n_steps + 1, q.size), np.nan)
    momenta = np.full_like(positions, np.nan)
    energies = np.full(n_steps + 1, np.nan)
    logp, grad = logp_grad(q)
    positions[0], momenta[0], energies[0] = q, p, -logp + 0.5 * p @ p
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, n_steps + 1):
            p = p + 0.5 * step_size * grad
            q = q + step_size * p
            logp, grad = logp_grad(q)
            p = p + 0.5 * step_size * grad
            energy = -logp + 0.5 * p @ p
            if not np.isfinite(energy) or energy - energies[0] > DIVERGENCE_THRESHOLD:
                positions[step], momenta[step] = q, p
                energies[step] = energy if np.isfinite(energy) else np.inf
                break
            positions[step], momenta[step], energies[step] = q, p, energy
    return positions, momenta, energies


@dataclass(frozen=True)
class Trajectory:
    """One fixed-step HMC trajectory.

    Attributes
    ----------
    positions : numpy.ndarray
        Shape ``(n_steps + 1, 2)``; NaN after a divergence stopped it.
    energy_error : numpy.ndarray
        Hamiltonian minus its starting value, per step.
    divergent : bool
        Whether the energy rose by more than :data:`DIVERGENCE_THRESHOLD` (or overflowed).
    """

    positions: np.ndarray
    energy_error: np.ndarray
    divergent: bool

    @property
    def max_abs_energy_error(self) -> float:
        """The largest absolute energy error reached."""
        return float(np.nanmax(np.abs(self.energy_error)))


def hmc_trajectories(
    logp_grad: LogpGrad,
    starts: np.ndarray,
    *,
    step_size: float,
    n_steps: int,
    random_seed: int | None = None,
) -> list[Trajectory]:
    """Run one fixed-step HMC trajectory from each start, with fresh standard-normal momenta.

    Parameters
    ----------
    logp_grad : callable
        :func:`funnel_logp_grad`, :func:`offset_funnel_logp_grad`, or any map from a position
        to ``(log density, gradient)``.
    starts : numpy.ndarray
        Starting positions, shape ``(n, 2)``.
    step_size : float
        The leapfrog step, the same for every trajectory.
    n_steps : int
        Leapfrog steps per trajectory.
    random_seed : int, optional
        Seed of the momenta.

    Returns
    -------
    list of Trajectory

    Raises
    ------
    ValueError
        If ``starts`` is not of shape ``(n, 2)``, or for a bad ``step_size`` / ``n_steps``.

    Examples
    --------
    >>> import numpy as np
    >>> from funnelguide.dynamics import funnel_logp_grad, hmc_trajectories
    >>> neck = hmc_trajectories(funnel_logp_grad, np.array([[0.01, -6.0]]),
    ...                         step_size=0.5, n_steps=20, random_seed=1)
    >>> neck[0].divergent
    True
    """
    starts = np.asarray(starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must have shape (n, 2), got shape {starts.shape}.")
    rng = np.random.default_rng(random_seed)
    trajectories = []
    for start in starts:
        positions, _, energies = leapfrog(
            logp_grad, start, rng.standard_normal(2), step_size=step_size, n_steps=n_steps
        )
        error = energies - energies[0]
        trajectories.append(
            Trajectory(
                positions=positions,
                energy_error=error,
                divergent=bool(np.nanmax(error) > DIVERGENCE_THRESHOLD),
            )
        )
    return trajectories
