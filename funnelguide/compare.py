"""Comparing fits: how fast a fit delivers independent draws, and whether two fits agree.

Two questions follow every rewrite of a model: did the new form sample better, and is its
posterior still the same? :func:`efficiency` answers the first from one fit (divergences, the
worst effective sample size, per second and per gradient evaluation); :func:`posterior_agreement`
the second, by the posterior means of two fits measured in their Monte Carlo standard errors.
Both work on any result of :func:`funnelguide.sample` or :func:`pymc.sample`.
"""

from __future__ import annotations

from collections.abc import Iterable

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from funnelguide._idata import _group, divergent, sample_stat

__all__ = ["efficiency", "posterior_agreement"]

#: The sample statistic counting leapfrog steps (gradient evaluations) per draw, under the name
#: both nutpie and PyMC's own NUTS give it.
_STEPS = "n_steps"


def _var_names(posterior: xr.Dataset, var_names: object, *, argument: str = "var_names") -> list:
    """Check ``var_names`` against a posterior; ``None`` means every variable it has."""
    if var_names is None:
        return list(posterior.data_vars)
    if isinstance(var_names, str):
        var_names = [var_names]
    if not isinstance(var_names, Iterable) or not all(isinstance(v, str) for v in var_names):
        raise TypeError(f"{argument} must be None or a list of variable names, got {var_names!r}.")
    names = list(var_names)
    if not names:
        raise ValueError(f"{argument} must name at least one variable, got {var_names!r}.")
    missing = [name for name in names if name not in posterior.data_vars]
    if missing:
        raise KeyError(
            f"{argument} names {missing}, not in the posterior; it has "
            f"{sorted(posterior.data_vars)}."
        )
    return names


def _worst_ess(idata: xr.DataTree, names: list[str]) -> float:
    """Smallest bulk ESS over every element of ``names`` (elements with NaN ESS skipped)."""
    ess = azs.ess(idata, var_names=names, method="bulk")
    values = np.concatenate([np.ravel(ess[name].to_numpy()) for name in names])
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError(
            f"no element of {names} has a finite effective sample size (constant draws?)."
        )
    return float(values.min())


def efficiency(idata: xr.DataTree, var_names: list[str] | None = None) -> pd.Series:
    """How fast a fit delivered independent draws: its worst ESS per second and per gradient.

    The worst (smallest) bulk effective sample size over every element of the chosen variables
    is the number of independent draws the fit is worth for its hardest quantity. Divided by the
    sampling time it compares forms of a model on this machine; divided by the number of
    gradient evaluations (leapfrog steps, the cost NUTS pays per draw) it compares them
    independently of the machine and of compile time.

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`sample` or :func:`pymc.sample` (NUTS), with ``posterior`` and
        ``sample_stats``.
    var_names : list of str, optional
        The posterior variables whose worst ESS counts; default every posterior variable,
        Deterministics included (so the original variables of a rewritten model count).

    Returns
    -------
    pandas.Series
        ``divergences`` (after tuning), ``worst ESS``, ``worst ESS / s`` (over
        ``posterior.attrs["sampling_time"]``, tuning included, compiling not) and
        ``worst ESS / 1000 gradients`` (over the ``n_steps`` of the kept draws).

    Raises
    ------
    TypeError
        If ``idata`` is not a DataTree or ``var_names`` not a list of names.
    KeyError
        If ``var_names`` names a variable the posterior lacks.
    ValueError
        If ``idata`` has no posterior or sample statistics, no ``sampling_time`` attribute, no
        ``n_steps`` statistic, or no variable with a finite ESS.

    See Also
    --------
    posterior_agreement : Whether two fits found the same posterior.
    arviz_stats.ess : The effective sample size used here.

    Notes
    -----
    :func:`sample` records ``sampling_time`` without the compile time, and so does
    :func:`pymc.sample` (both its nutpie and its own NUTS path); a result assembled by other
    means may lack it. The time includes tuning, the gradient count does not.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(parameterization="noncentered"),
    ...                   draws=300, tune=300, chains=2, random_seed=1)
    >>> fg.efficiency(idata).index.tolist()
    ['divergences', 'worst ESS', 'worst ESS / s', 'worst ESS / 1000 gradients']
    """
    posterior = _group(idata, "posterior")
    names = _var_names(posterior, var_names)
    diverging = divergent(idata)
    steps = sample_stat(idata, _STEPS)
    seconds = posterior.attrs.get("sampling_time")
    if seconds is None:
        raise ValueError(
            "idata.posterior.attrs has no 'sampling_time' (it has "
            f"{sorted(posterior.attrs)}); fg.sample and pymc.sample record it. Set it to the "
            "sampling time in seconds to compare fits made by other means."
        )
    seconds = float(seconds)
    if not seconds > 0:
        raise ValueError(f"idata.posterior.attrs['sampling_time'] must be positive, got {seconds}.")
    worst = _worst_ess(idata, names)
    return pd.Series(
        {
            "divergences": float(diverging.sum()),
            "worst ESS": worst,
            "worst ESS / s": worst / seconds,
            "worst ESS / 1000 gradients": 1000.0 * worst / float(steps.sum()),
        },
        name="efficiency",
    )


def posterior_agreement(
    idata: xr.DataTree, reference: xr.DataTree, var_names: list[str] | None = None
) -> pd.Series:
    r"""How far a fit's posterior means are from a reference's, in Monte Carlo standard errors.

    For every element of a variable, the difference of the two posterior means divided by the
    standard error of that difference,

    .. math:: z = \frac{|\bar x - \bar x_{\mathrm{ref}}|}
                       {\sqrt{\mathrm{MCSE}^2 + \mathrm{MCSE}_{\mathrm{ref}}^2}},

    and its largest value over the variable's elements. Two fits of the same posterior give
    values of a few at most (a variable with many elements has a larger maximum by chance); a
    fit that misses part of the posterior, or a different posterior, gives large ones. A fit
    whose own MCSE rests on a handful of effective draws is judged by an unreliable yardstick.

    Parameters
    ----------
    idata, reference : xarray.DataTree
        Two results of :func:`sample` or :func:`pymc.sample`, e.g. a fit and a long run of a
        form known to sample well. Their models may differ in form: only the named variables
        are compared.
    var_names : list of str, optional
        The variables to compare; default every posterior variable the two fits share.

    Returns
    -------
    pandas.Series
        Indexed by variable: the largest ``z`` over its elements.

    Raises
    ------
    TypeError
        If either fit is not a DataTree, or ``var_names`` not a list of names.
    KeyError
        If a variable is missing from either posterior.
    ValueError
        If either fit has no posterior, the fits share no variable, or a variable's dims or
        coordinates differ between them.

    See Also
    --------
    efficiency : How fast each fit delivered independent draws.
    arviz_stats.mcse : The Monte Carlo standard error used here.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.eight_schools_model(parameterization="noncentered")
    >>> fit = fg.sample(model, draws=300, tune=300, chains=2, random_seed=1)
    >>> reference = fg.sample(model, draws=1000, tune=300, chains=2, random_seed=2)
    >>> bool(fg.posterior_agreement(fit, reference, ["mu", "tau"]).max() < 5)
    True
    """
    posterior = _group(idata, "posterior")
    reference_posterior = _group(reference, "posterior")
    if var_names is None:
        names = [name for name in posterior.data_vars if name in reference_posterior.data_vars]
        if not names:
            raise ValueError(
                f"idata and reference share no posterior variable: idata has "
                f"{sorted(posterior.data_vars)}, reference has "
                f"{sorted(reference_posterior.data_vars)}."
            )
    else:
        names = _var_names(posterior, var_names)
        _var_names(reference_posterior, names, argument="var_names (in reference)")
    mcse = azs.mcse(idata, var_names=names)
    reference_mcse = azs.mcse(reference, var_names=names)
    rows = {}
    for name in names:
        mean = posterior[name].mean(("chain", "draw"))
        reference_mean = reference_posterior[name].mean(("chain", "draw"))
        if mean.dims != reference_mean.dims or any(
            not np.array_equal(mean[d].to_numpy(), reference_mean[d].to_numpy())
            for d in mean.dims
            if d in mean.coords and d in reference_mean.coords
        ):
            raise ValueError(
                f"variable {name!r} has dims {dict(mean.sizes)} in idata but "
                f"{dict(reference_mean.sizes)} in reference (or other coordinates); compare "
                "fits of the same variable."
            )
        difference = np.abs(mean.to_numpy() - reference_mean.to_numpy())
        error = np.hypot(mcse[name].to_numpy(), reference_mcse[name].to_numpy())
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(error > 0, difference / error, np.where(difference > 0, np.inf, np.nan))
        rows[name] = float(np.nanmax(z)) if np.any(~np.isnan(z)) else float("nan")
    return pd.Series(rows, name="largest |difference| / MCSE", dtype=float)
