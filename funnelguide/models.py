"""Model builders: radon, eight schools and Neal's funnel, centered, non-centered or per group.

Every builder returns a fresh :class:`pymc.Model` and never samples. A hierarchical group (the
county intercepts ``a``, the slopes ``b``, the school effects ``theta``, the funnel's ``x``) is
drawn in one of three forms, chosen by its *centering weight* ``w``:

- ``w = 1``, **centered**: ``a ~ Normal(mu_a, sigma_a)``;
- ``w = 0``, **non-centered**: ``a_offset ~ Normal(0, 1)`` and ``a = mu_a + sigma_a * a_offset``
  as a Deterministic;
- ``0 < w < 1``, **partially centered** (Papaspiliopoulos, Roberts and Skold 2007):
  ``a_partial ~ Normal(w * mu_a, sigma_a**w)`` and
  ``a = mu_a + sigma_a**(1 - w) * (a_partial - w * mu_a)``.

All three define the same posterior for ``a``; they differ only in the geometry the sampler sees.
Each builder writes its model once, centered; the other forms are produced by
:func:`funnelguide.reparameterize`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pymc as pm

from funnelguide._checks import _checked_frame, _is_integer, _is_real
from funnelguide._model_priors import (
    EIGHT_SCHOOLS_PRIORS,
    NEALS_FUNNEL_PRIORS,
    POOLED_RADON_PRIORS,
    RADON_PRIORS,
)
from funnelguide.data import load_eight_schools, load_radon

__all__ = [
    "PARAMETERIZATIONS",
    "eight_schools_model",
    "neals_funnel_model",
    "pooled_radon_model",
    "radon_model",
    "resolve_parameterization",
]

#: The named parameterizations and the centering weight each stands for.
PARAMETERIZATIONS: dict[str, float] = {"centered": 1.0, "noncentered": 0.0}

#: Hierarchical groups of each model and the scale parameter of each.
RADON_GROUPS = {"a": "sigma_a", "b": "sigma_b"}
EIGHT_SCHOOLS_GROUPS = {"theta": "tau"}
NEALS_FUNNEL_GROUPS = {"x": "v"}

Parameterization = str | float | Mapping[str, str | float]


def _weight_of(value: object, where: str) -> float:
    """Turn one parameterization value (a name or a number in [0, 1]) into a centering weight."""
    if isinstance(value, str):
        if value not in PARAMETERIZATIONS:
            raise ValueError(
                f"{where}={value!r} is not a known parameterization; "
                f"use one of {sorted(PARAMETERIZATIONS)} or a number in [0, 1] "
                "(1 centered, 0 non-centered)."
            )
        return PARAMETERIZATIONS[value]
    if _is_real(value):
        weight = float(value)
        if not (0.0 <= weight <= 1.0):  # also rejects NaN
            raise ValueError(
                f"{where}={value!r} is outside [0, 1]; a centering weight is 1 for centered, "
                "0 for non-centered, or a number in between for partial centering."
            )
        return weight
    raise TypeError(
        f"{where} must be one of {sorted(PARAMETERIZATIONS)} or a number in [0, 1], "
        f"got {value!r} of type {type(value).__name__}."
    )


def resolve_parameterization(
    parameterization: Parameterization, groups: Sequence[str]
) -> dict[str, float]:
    """Resolve a ``parameterization`` argument into a centering weight per group.

    Parameters
    ----------
    parameterization : str, float or mapping
        ``"centered"``, ``"noncentered"``, a centering weight in [0, 1] applied to every group,
        or a mapping from group name to any of those. Groups a mapping leaves out are centered.
    groups : sequence of str
        The hierarchical groups of the model.

    Returns
    -------
    dict of str to float
        Centering weight per group: 1.0 centered, 0.0 non-centered.

    Raises
    ------
    ValueError
        For an unknown name, a weight outside [0, 1] or a group the model does not have.
    TypeError
        For a value that is neither a name, a number nor a mapping.

    Examples
    --------
    >>> from funnelguide.models import resolve_parameterization
    >>> resolve_parameterization({"b": "noncentered"}, ["a", "b"])
    {'a': 1.0, 'b': 0.0}
    """
    if isinstance(parameterization, Mapping):
        unknown = [key for key in parameterization if key not in groups]
        if unknown:
            raise ValueError(
                f"parameterization names group(s) {unknown!r} that this model does not have; "
                f"its groups are {list(groups)}."
            )
        return {
            group: _weight_of(
                parameterization.get(group, "centered"), f"parameterization[{group!r}]"
            )
            for group in groups
        }
    weight = _weight_of(parameterization, "parameterization")
    return dict.fromkeys(groups, weight)


def _in_form(model: pm.Model, weights: Mapping[str, float]) -> pm.Model:
    """Rewrite the centered ``model``'s groups at their centering weights."""
    rewrite = {group: weight for group, weight in weights.items() if weight != 1.0}
    if not rewrite:
        return model
    from funnelguide.reparam import reparameterize  # reparam imports this module

    return reparameterize(model, rewrite)


def radon_model(
    data: pd.DataFrame | None = None, *, parameterization: Parameterization = "centered"
) -> pm.Model:
    """Build the hierarchical linear regression of ``log_radon`` on ``floor`` by county.

    The model of Wiecki's post: a county intercept ``a`` and floor slope ``b`` for each county,
    drawn from normal distributions with hyperpriors ``mu_a, sigma_a, mu_b, sigma_b``, and a
    common noise ``eps``::

        mu_a, mu_b ~ Normal(0, 100**2)
        sigma_a, sigma_b, eps ~ HalfCauchy(5)
        a[c] ~ Normal(mu_a, sigma_a);  b[c] ~ Normal(mu_b, sigma_b)
        log_radon[i] ~ Normal(a[county[i]] + b[county[i]] * floor[i], eps)

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Measurements with columns ``county`` (name), ``floor`` and ``log_radon``; by default
        :func:`load_radon`. Counties are coded in alphabetical order of their names.
    parameterization : str, float or mapping, default "centered"
        ``"centered"``, ``"noncentered"``, a centering weight in [0, 1], or a mapping from
        group (``"a"``, ``"b"``) to any of those, e.g. ``{"a": "centered", "b": "noncentered"}``.
        Non-centered groups add ``a_offset`` / ``b_offset`` and keep ``a`` / ``b`` as
        Deterministics; partially centered ones add ``a_partial`` / ``b_partial``.

    Returns
    -------
    pymc.Model
        With coords ``county`` (names) and ``obs_id``, data ``county_idx`` and ``floor``, and the
        observed variable ``log_radon``.

    Raises
    ------
    KeyError
        If ``data`` lacks a needed column.
    ValueError, TypeError
        For empty data, missing or non-numeric values, or an unknown parameterization.

    See Also
    --------
    load_radon : The data.
    sample : Sample the model with NUTS.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.radon_model(parameterization="noncentered")
    >>> sorted(model.named_vars)[:4]
    ['a', 'a_offset', 'b', 'b_offset']
    """
    data = load_radon() if data is None else data
    data = _checked_frame(
        data, numeric=["floor", "log_radon"], labels=["county"], what="the radon model"
    )
    weights = resolve_parameterization(parameterization, list(RADON_GROUPS))
    counties = sorted(data["county"].astype(str).unique())
    county_idx = pd.Categorical(data["county"].astype(str), categories=counties).codes
    coords = {"county": counties, "obs_id": np.arange(len(data))}
    with pm.Model(coords=coords) as model:
        county_idx_data = pm.Data("county_idx", county_idx.astype("int64"), dims="obs_id")
        floor = pm.Data("floor", data["floor"].to_numpy(dtype=float), dims="obs_id")
        mu_a = RADON_PRIORS["mu_a"].rv("mu_a")
        sigma_a = RADON_PRIORS["sigma_a"].rv("sigma_a")
        mu_b = RADON_PRIORS["mu_b"].rv("mu_b")
        sigma_b = RADON_PRIORS["sigma_b"].rv("sigma_b")
        a = pm.Normal("a", mu=mu_a, sigma=sigma_a, dims="county")
        b = pm.Normal("b", mu=mu_b, sigma=sigma_b, dims="county")
        eps = RADON_PRIORS["eps"].rv("eps")
        mean = a[county_idx_data] + b[county_idx_data] * floor
        pm.Normal(
            "log_radon",
            mu=mean,
            sigma=eps,
            observed=data["log_radon"].to_numpy(dtype=float),
            dims="obs_id",
        )
    return _in_form(model, weights)


def eight_schools_model(
    data: pd.DataFrame | None = None, *, parameterization: Parameterization = "centered"
) -> pm.Model:
    """Build the eight schools model of Rubin (1981).

    ::

        mu ~ Normal(0, 5);  tau ~ HalfCauchy(5)
        theta[j] ~ Normal(mu, tau)
        y[j] ~ Normal(theta[j], sigma[j])

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Columns ``school``, ``y`` and ``sigma`` (all ``sigma`` positive); by default
        :func:`load_eight_schools`.
    parameterization : str, float or mapping, default "centered"
        As in :func:`radon_model`; the one group is ``"theta"`` (``theta_offset`` when
        non-centered).

    Returns
    -------
    pymc.Model
        With coord ``school`` and observed variable ``y``.

    Raises
    ------
    KeyError
        If ``data`` lacks a needed column.
    ValueError, TypeError
        For empty data, missing, non-numeric or non-positive ``sigma`` values, or an unknown
        parameterization.

    See Also
    --------
    load_eight_schools : The data.

    Examples
    --------
    >>> import funnelguide as fg
    >>> sorted(fg.eight_schools_model(parameterization="noncentered").named_vars)
    ['mu', 'tau', 'theta', 'theta_offset', 'y']
    """
    data = load_eight_schools() if data is None else data
    data = _checked_frame(
        data, numeric=["y", "sigma"], labels=["school"], what="the eight schools model"
    )
    if (data["sigma"] <= 0).any():
        bad = data["sigma"][data["sigma"] <= 0]
        raise ValueError(
            f"data['sigma'] must be positive (a standard error), got {float(bad.iloc[0])!r} "
            f"at row {bad.index[0]!r}."
        )
    weights = resolve_parameterization(parameterization, list(EIGHT_SCHOOLS_GROUPS))
    coords = {"school": data["school"].astype(str).tolist()}
    with pm.Model(coords=coords) as model:
        mu = EIGHT_SCHOOLS_PRIORS["mu"].rv("mu")
        tau = EIGHT_SCHOOLS_PRIORS["tau"].rv("tau")
        theta = pm.Normal("theta", mu=mu, sigma=tau, dims="school")
        pm.Normal(
            "y",
            mu=theta,
            sigma=data["sigma"].to_numpy(dtype=float),
            observed=data["y"].to_numpy(dtype=float),
            dims="school",
        )
    return _in_form(model, weights)


def neals_funnel_model(
    ndim: int = 10, *, parameterization: Parameterization = "centered"
) -> pm.Model:
    """Build Neal's funnel (Neal 2003), a distribution whose answer is known exactly.

    ::

        v ~ Normal(0, 3)
        x[k] | v ~ Normal(0, exp(v / 2)),   k = 1, ..., ndim - 1

    The marginal of ``v`` is Normal(0, 3) whatever ``ndim`` is, so any sampler's draws of ``v``
    can be checked against mean 0, standard deviation 3 and P(v < -3) = 0.1587.

    Parameters
    ----------
    ndim : int, default 10
        Total dimension, ``v`` included; at least 2.
    parameterization : str, float or mapping, default "centered"
        As in :func:`radon_model`; the one group is ``"x"`` (``x_offset`` when non-centered),
        whose scale is ``exp(v / 2)``.

    Returns
    -------
    pymc.Model
        With coord ``component`` (``0 .. ndim - 2``) for ``x``; no observed data.

    Raises
    ------
    TypeError, ValueError
        If ``ndim`` is not an integer of at least 2, or for an unknown parameterization.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.neals_funnel_model(ndim=3)
    >>> [int(label) for label in model.coords["component"]]
    [0, 1]
    """
    if not _is_integer(ndim):
        raise TypeError(
            f"ndim must be an integer of at least 2, got {ndim!r} of type {type(ndim).__name__}."
        )
    if ndim < 2:
        raise ValueError(f"ndim must be at least 2 (v and one x), got {ndim!r}.")
    weights = resolve_parameterization(parameterization, list(NEALS_FUNNEL_GROUPS))
    with pm.Model(coords={"component": np.arange(int(ndim) - 1)}) as model:
        v = NEALS_FUNNEL_PRIORS["v"].rv("v")
        pm.Normal("x", mu=0.0, sigma=pm.math.exp(v / 2.0), dims="component")
    return _in_form(model, weights)


_V_PRIOR = NEALS_FUNNEL_PRIORS["v"]

#: The exact moments of Neal's funnel's ``v``: mean, standard deviation and P(v < -3).
NEALS_FUNNEL_V_EXACT = {
    "mean": _V_PRIOR.loc,
    "sd": _V_PRIOR.scale,
    "p_below_minus_3": 0.5 * math.erfc((_V_PRIOR.loc + 3.0) / (_V_PRIOR.scale * math.sqrt(2.0))),
}


def pooled_radon_model(data: pd.DataFrame | None = None) -> pm.Model:
    """Build the complete-pooling radon regression: one intercept and slope for every county.

    ::

        a, b ~ Normal(0, 100**2);  eps ~ HalfCauchy(5)
        log_radon[i] ~ Normal(a + b * floor[i], eps)

    A model without hierarchy and so without a funnel: its posterior is close to Gaussian, the
    case where a Laplace approximation at the mode works.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Columns ``floor`` and ``log_radon``; by default :func:`load_radon`.

    Returns
    -------
    pymc.Model
        With coord ``obs_id`` and the observed variable ``log_radon``.

    Raises
    ------
    KeyError, ValueError, TypeError
        As :func:`radon_model` for bad data.

    Examples
    --------
    >>> import funnelguide as fg
    >>> sorted(fg.pooled_radon_model().named_vars)
    ['a', 'b', 'eps', 'floor', 'log_radon']
    """
    data = load_radon() if data is None else data
    data = _checked_frame(
        data, numeric=["floor", "log_radon"], labels=[], what="the pooled radon model"
    )
    with pm.Model(coords={"obs_id": np.arange(len(data))}) as model:
        floor = pm.Data("floor", data["floor"].to_numpy(dtype=float), dims="obs_id")
        a = POOLED_RADON_PRIORS["a"].rv("a")
        b = POOLED_RADON_PRIORS["b"].rv("b")
        eps = POOLED_RADON_PRIORS["eps"].rv("eps")
        pm.Normal(
            "log_radon",
            mu=a + b * floor,
            sigma=eps,
            observed=data["log_radon"].to_numpy(dtype=float),
            dims="obs_id",
        )
    return model
