"""Priors of the scales, as the exact computations evaluate them (private).

The model's own priors come from the table both the models and the exact code read
(:mod:`funnelguide._model_priors`); the ``prior`` arguments of the exact functions replace them
by other families or scales.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from funnelguide._checks import _is_real
from funnelguide._model_priors import Prior

#: Prior families for a scale parameter and the PyMC distribution each stands for.
PRIOR_FAMILIES: dict[str, str] = {
    "halfcauchy": "pm.HalfCauchy(name, beta=scale)",
    "halfnormal": "pm.HalfNormal(name, sigma=scale)",
    "exponential": "pm.Exponential(name, scale=scale)  (rate 1 / scale)",
}

PriorSpec = str | tuple[str, float] | Mapping[str, str | tuple[str, float]]


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
    if not _is_real(scale) or not math.isfinite(scale) or scale <= 0:
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
    prior: PriorSpec | None, prior_scale: float | None, model_priors: Mapping[str, Prior]
) -> dict[str, tuple[str, float]]:
    """Turn the ``prior`` and ``prior_scale`` arguments into a (family, scale) per scale name.

    What an argument leaves open is the model's own: a scale the ``prior`` mapping leaves out
    (or every scale, for ``prior=None``) keeps the model's family, and a family given by name
    only has the scale ``prior_scale``, or the model's scale when that is None too.
    """
    names = tuple(model_priors)
    if prior_scale is not None:
        _checked_prior(model_priors[names[0]].family, prior_scale, "prior_scale")

    def scale_of(name: str) -> float:
        return model_priors[name].scale if prior_scale is None else prior_scale

    def one(value: object, name: str, where: str) -> tuple[str, float]:
        if isinstance(value, str):
            return _checked_prior(value, scale_of(name), where)
        if isinstance(value, tuple) and len(value) == 2:
            return _checked_prior(value[0], value[1], where)
        raise TypeError(
            f"{where} must be a family name such as 'halfnormal' or a (family, scale) pair such "
            f"as ('halfnormal', 1.0), got {value!r}."
        )

    if prior is None:
        prior = {}
    if isinstance(prior, Mapping):
        unknown = [key for key in prior if key not in names]
        if unknown:
            raise ValueError(
                f"prior names {unknown!r}, which the model does not have; its scales are "
                f"{list(names)}."
            )
        return {
            name: one(prior[name], name, f"prior[{name!r}]")
            if name in prior
            else _checked_prior(model_priors[name].family, scale_of(name), "prior_scale")
            for name in names
        }
    return {name: one(prior, name, "prior") for name in names}
