"""Modes against expectations: the MAP of a model, and how it compares with posterior means."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from funnelguide._idata import posterior_var
from funnelguide.sampling import _check_model

__all__ = ["find_map", "map_vs_mean"]


def find_map(model: pm.Model, **kwargs: Any) -> dict[str, np.ndarray]:
    """Find the joint mode (maximum a posteriori) of a model, like :func:`pymc.find_MAP`.

    The optimizer maximizes the joint density of all parameters. For a hierarchical model that
    density grows without bound as a group's scale goes to 0 with every member equal, so the
    "MAP" of the centered radon model has ``sigma_b`` near 0 and all slopes ``b`` equal: a
    point of high density but no probability mass.

    Parameters
    ----------
    model : pymc.Model
        The model.
    **kwargs
        Passed to :func:`pymc.find_MAP` (e.g. ``method``, ``maxeval``, ``random_seed``). The
        progress bar is off unless ``progressbar=True`` is passed.

    Returns
    -------
    dict of str to numpy.ndarray
        Every named variable of the model (transformed ones included, e.g.
        ``sigma_b_log__``) at the mode.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`.

    See Also
    --------
    map_vs_mean : Put the MAP beside the posterior mean.

    Examples
    --------
    >>> import funnelguide as fg
    >>> point = fg.find_map(fg.radon_model())
    >>> bool(point["sigma_b"] < 0.01)
    True
    """
    _check_model(model)
    kwargs.setdefault("progressbar", False)
    kwargs.setdefault("jitter", False)
    kwargs["return_inferencedata"] = True
    result = pm.find_MAP(model=model, **kwargs)
    return {
        name: np.asarray(value)[0, 0] for name, value in result["posterior"].to_dataset().items()
    }


def map_vs_mean(
    map_estimate: dict[str, np.ndarray], idata: xr.DataTree, *, var: str = "b"
) -> pd.DataFrame:
    """Tabulate a variable's MAP against its posterior mean and standard deviation, per element.

    Parameters
    ----------
    map_estimate : dict of str to numpy.ndarray
        The result of :func:`find_map`.
    idata : xarray.DataTree
        A fit of the same model (either parameterization).
    var : str, default "b"
        The variable, a scalar or a vector with one coordinate (e.g. ``county``).

    Returns
    -------
    pandas.DataFrame
        Indexed by the variable's coordinate (``county`` for ``b``), with columns ``map``,
        ``posterior_mean`` and ``posterior_sd``.

    Raises
    ------
    KeyError
        If ``var`` is missing from ``map_estimate`` or from the posterior.
    ValueError
        If their shapes disagree.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.eight_schools_model(parameterization="noncentered")
    >>> idata = fg.sample(model, draws=200, tune=200, chains=2, random_seed=3)
    >>> table = fg.map_vs_mean(fg.find_map(model), idata, var="theta")
    >>> list(table.columns)
    ['map', 'posterior_mean', 'posterior_sd']
    """
    if var not in map_estimate:
        raise KeyError(
            f"variable {var!r} is not in map_estimate; it has {sorted(map_estimate)}."
        )
    draws = posterior_var(idata, var)
    mean = draws.mean(("chain", "draw"))
    mode = np.asarray(map_estimate[var])
    if mode.shape != mean.shape:
        raise ValueError(
            f"map_estimate[{var!r}] has shape {mode.shape} but the posterior of {var!r} has "
            f"shape {mean.shape}; were they made from the same model?"
        )
    dims = [dim for dim in draws.dims if dim not in ("chain", "draw")]
    index = (
        pd.Index(draws[dims[0]].to_numpy(), name=dims[0]) if len(dims) == 1 else pd.Index([var])
    )
    return pd.DataFrame(
        {
            "map": mode.ravel(),
            "posterior_mean": mean.to_numpy().ravel(),
            "posterior_sd": draws.std(("chain", "draw")).to_numpy().ravel(),
        },
        index=index,
    )
