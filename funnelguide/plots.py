"""The post's figures as Axes-level helpers.

Every function takes the data first, everything else keyword-only, draws on ``ax`` (the current
Axes when ``ax`` is None), returns that Axes, and never samples or shows. Colours come from the
Okabe-Ito palette, which colour-blind readers can tell apart, and every series also differs in
marker or line style.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from funnelguide._checks import _is_real
from funnelguide._idata import divergent, draws, element_label, scalar_draws

__all__ = [
    "COLORS",
    "plot_chain",
    "plot_funnel",
    "plot_lower_tail",
    "plot_map_vs_mean",
    "plot_scale_posteriors",
]

#: Okabe-Ito colours by role: centered fits, non-centered fits, divergences, truth, extra.
COLORS = {
    "centered": "#D55E00",
    "noncentered": "#0072B2",
    "divergent": "#CC79A7",
    "exact": "#000000",
    "other": "#009E73",
    "highlight": "#E69F00",
}
_CYCLE = ["#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9"]
_LINESTYLES = ["-", "--", "-.", ":"]


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        return plt.gca()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def plot_chain(
    idata: xr.DataTree,
    var: str,
    *,
    chain: int = 0,
    ax: Axes | None = None,
    **line_kw: Any,
) -> Axes:
    """Draw one chain's trace of a variable: every element of a vector as its own line.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit.
    var : str
        A variable of the posterior, scalar (``sigma_b``) or vector (``b``).
    chain : int, default 0
        Which chain.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If ``var`` is not in the posterior.
    ValueError
        If ``chain`` is not one of the fit's chains.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1)
    >>> ax = fg.plots.plot_chain(idata, "tau", chain=1)
    """
    ax = _axes(ax)
    array = draws(idata, var)
    chains = array["chain"].to_numpy()
    if chain not in chains:
        raise ValueError(f"chain={chain!r} is not a chain of this fit; it has {chains.tolist()}.")
    values = array.sel(chain=chain).to_numpy().reshape(array.sizes["draw"], -1)
    scalar = values.shape[1] == 1
    style = {"lw": 0.8, "color": COLORS["noncentered"]} if scalar else {"lw": 0.4, "alpha": 0.5}
    style.update(line_kw)
    ax.plot(array["draw"].to_numpy(), values, **style)
    ax.set_xlabel("draw")
    ax.set_ylabel(var)
    ax.set_title(f"{var}, chain {chain}")
    return ax


def plot_funnel(
    idata: xr.DataTree,
    *,
    var: str,
    index: int | str,
    scale: str,
    log_scale: bool = False,
    show_divergences: bool = True,
    ax: Axes | None = None,
    **scatter_kw: Any,
) -> Axes:
    """Scatter one group member against the group's scale: the funnel.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit.
    var : str
        The group variable; ``"b_offset"`` shows the same draws in offset space.
    index : int or str
        Position (``75``) or coordinate label (``"AITKIN"``) of the member.
    scale : str
        The scale parameter, on the vertical axis.
    log_scale : bool, default False
        Draw the scale on a log axis, which opens up the neck.
    show_divergences : bool, default True
        Mark divergent draws; needs the fit's sample statistics.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.
    **scatter_kw
        Passed to :meth:`matplotlib.axes.Axes.scatter` for the non-divergent draws.

    Returns
    -------
    matplotlib.axes.Axes
        With one collection of draws, and a second of divergent draws when there are any.

    Raises
    ------
    KeyError
        If ``var`` or ``scale`` is not in the posterior.
    ValueError
        For an ``index`` the variable does not have, a ``scale`` that is not scalar, or a fit
        without sample statistics when ``show_divergences`` is True.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1)
    >>> ax = fg.plots.plot_funnel(idata, var="theta", index="A", scale="tau", log_scale=True)
    """
    ax = _axes(ax)
    member = draws(idata, var, index).to_numpy().ravel()
    scale_values = scalar_draws(idata, scale, argument="scale").ravel()
    diverging = (
        divergent(idata).to_numpy().ravel() if show_divergences else np.zeros_like(member, bool)
    )
    style = {
        "s": 6,
        "alpha": 0.4,
        "color": COLORS["noncentered"],
        "linewidths": 0,
        "label": "draws",
    }
    style.update(scatter_kw)
    ax.scatter(member[~diverging], scale_values[~diverging], **style)
    if diverging.any():
        ax.scatter(
            member[diverging],
            scale_values[diverging],
            s=22,
            marker="x",
            color=COLORS["divergent"],
            linewidths=1.2,
            label=f"divergent ({diverging.sum()})",
        )
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(element_label(var, index))
    ax.set_ylabel(f"{scale} (log scale)" if log_scale else scale)
    return ax


def plot_scale_posteriors(
    fits: Mapping[str, xr.DataTree],
    *,
    scale: str,
    exact: tuple[np.ndarray, np.ndarray] | None = None,
    bins: int = 60,
    ax: Axes | None = None,
) -> Axes:
    """Overlay the posterior of a scale parameter from several fits, each mean marked.

    Parameters
    ----------
    fits : mapping of str to xarray.DataTree
        Label to fit, e.g. ``{"centered": centered_idata, "non-centered": noncentered_idata}``.
        A label containing "non" and "center" is drawn in the non-centered colour, one
        containing "center" otherwise in the centered colour.
    scale : str
        The scalar parameter to compare.
    exact : tuple of two arrays, optional
        A grid and the exact density on it, drawn as a black line.
    bins : int, default 60
        Histogram bins, shared by all fits.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With one step line per fit, one vertical line per fit's mean, and the exact density
        when given.

    Raises
    ------
    ValueError
        If ``fits`` is empty or ``scale`` is not a scalar parameter of each.
    KeyError
        If a fit lacks ``scale``.

    Examples
    --------
    >>> import funnelguide as fg
    >>> fit = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1)
    >>> ax = fg.plots.plot_scale_posteriors({"centered": fit}, scale="tau")
    """
    ax = _axes(ax)
    if not fits:
        raise ValueError("fits is empty; pass a mapping of label to fit, e.g. {'centered': idata}.")
    values = {
        label: scalar_draws(fit, scale, argument="scale").ravel() for label, fit in fits.items()
    }
    top = max(np.quantile(v, 0.995) for v in values.values())
    edges = np.linspace(0.0, top, bins + 1)
    for i, (label, draws_) in enumerate(values.items()):
        color = _color_for(label, i)
        linestyle = _LINESTYLES[i % len(_LINESTYLES)]
        density, _ = np.histogram(draws_, bins=edges, density=True)
        density *= np.mean(draws_ <= top)
        ax.stairs(density, edges, color=color, linestyle=linestyle, lw=1.6, label=label)
        ax.axvline(
            draws_.mean(),
            color=color,
            linestyle=linestyle,
            lw=1.0,
            alpha=0.9,
            label=f"mean, {label}: {draws_.mean():.3f}",
        )
    if exact is not None:
        grid, density = exact
        ax.plot(grid, density, color=COLORS["exact"], lw=1.2, label="exact")
    ax.set_xlim(0.0, top)
    ax.set_xlabel(scale)
    ax.set_ylabel("posterior density")
    ax.legend(fontsize="small")
    return ax


def plot_lower_tail(
    fits: Mapping[str, xr.DataTree],
    *,
    scale: str,
    exact: tuple[np.ndarray, np.ndarray] | None = None,
    top: float = 0.2,
    xlim: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the lower tail of a scale parameter's posterior: its CDF, log scale, from each fit.

    A histogram hides a missing lower tail in its first bin. The share of draws below each
    value (the empirical cumulative distribution function), with the scale on a log axis,
    shows it: a fit that never entered the neck of a funnel stays flat at zero while a fit
    that did, or the exact answer, has already climbed.

    Parameters
    ----------
    fits : mapping of str to xarray.DataTree
        Label to fit, coloured as in :func:`plot_scale_posteriors`.
    scale : str
        The scalar, positive parameter to compare.
    exact : tuple of two arrays, optional
        A grid and the exact cumulative distribution function on it (e.g. from
        :meth:`funnelguide.ExactPosterior.cdf`), drawn as a black line.
    top : float, default 0.2
        The highest share shown (the y axis runs from 0 to ``top``); between 0 and 1.
    xlim : tuple of two floats, optional
        The range of ``scale`` shown, both positive. By default the exact grid's range when
        ``exact`` is given, otherwise from the smallest fit's 0.2% quantile to where every
        fit's curve has passed ``top``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With one step line per fit (and the exact line when given), a log x axis and a
        legend.

    Raises
    ------
    ValueError
        If ``fits`` is empty, ``scale`` is not scalar, ``top`` is not in (0, 1], ``xlim`` is
        not two increasing positive numbers, or a fit has draws of ``scale`` that are not
        positive.
    KeyError
        If a fit lacks ``scale``.

    See Also
    --------
    plot_scale_posteriors : the whole posterior of the same parameter, as histograms.

    Examples
    --------
    >>> import funnelguide as fg
    >>> fit = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1)
    >>> ax = fg.plots.plot_lower_tail({"centered": fit}, scale="tau")
    """
    ax = _axes(ax)
    if not fits:
        raise ValueError("fits is empty; pass a mapping of label to fit, e.g. {'centered': idata}.")
    if not _is_real(top) or not 0.0 < top <= 1.0:
        raise ValueError(f"top must be a share in (0, 1], got {top!r}.")
    values = {
        label: scalar_draws(fit, scale, argument="scale").ravel() for label, fit in fits.items()
    }
    for label, draws_ in values.items():
        if not np.all(draws_ > 0):
            raise ValueError(
                f"scale={scale!r} must be positive to be drawn on a log axis; the fit "
                f"{label!r} has draws down to {draws_.min():g}."
            )
    if xlim is None:
        if exact is not None:
            xlim = (float(exact[0][0]), float(exact[0][-1]))
        else:
            upper = min(1.0, 1.5 * top)
            xlim = (
                min(float(np.quantile(v, 0.002)) for v in values.values()),
                max(float(np.quantile(v, upper)) for v in values.values()),
            )
    elif not (
        isinstance(xlim, Sequence)
        and len(xlim) == 2
        and all(isinstance(x, numbers.Real) for x in xlim)
        and 0 < xlim[0] < xlim[1]
    ):
        raise ValueError(f"xlim must be two increasing positive numbers, got {xlim!r}.")
    if exact is not None:
        grid, cdf = exact
        ax.plot(grid, cdf, color=COLORS["exact"], lw=1.4, label="exact")
    for i, (label, draws_) in enumerate(values.items()):
        ax.ecdf(
            draws_,
            color=_color_for(label, i),
            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
            lw=1.6,
            label=label,
        )
    ax.set_xscale("log")
    ax.set_xlim(*xlim)
    ax.set_ylim(0.0, top)
    ax.set_xlabel(f"{scale} (log scale)")
    ax.set_ylabel(f"share of the posterior below {scale}")
    ax.legend(fontsize="x-small", loc="upper left")
    return ax


def _color_for(label: str, position: int) -> str:
    lowered = label.lower().replace("-", "")
    if "noncenter" in lowered:
        return COLORS["noncentered"]
    if "center" in lowered:
        return COLORS["centered"]
    return _CYCLE[position % len(_CYCLE)]


def plot_map_vs_mean(table: pd.DataFrame, *, var: str, ax: Axes | None = None) -> Axes:
    """Draw each element's MAP against its posterior mean and sd, sorted by the mean.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`map_vs_mean`: columns ``map``, ``posterior_mean`` and
        ``posterior_sd``, one row per element.
    var : str
        The variable's name, for the axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With the posterior means and +-1 sd as error bars, and the MAP as a second series.

    Raises
    ------
    KeyError
        If ``table`` lacks a needed column.

    Examples
    --------
    >>> import pandas as pd
    >>> import funnelguide as fg
    >>> table = pd.DataFrame({"map": [0.1, 0.1], "posterior_mean": [-0.5, -0.8],
    ...                       "posterior_sd": [0.2, 0.3]})
    >>> ax = fg.plots.plot_map_vs_mean(table, var="theta")
    """
    ax = _axes(ax)
    missing = [col for col in ("map", "posterior_mean", "posterior_sd") if col not in table]
    if missing:
        raise KeyError(
            f"table is missing column(s) {missing}; pass the result of fg.map_vs_mean, which "
            f"has map, posterior_mean and posterior_sd (this table has {list(table.columns)})."
        )
    ordered = table.sort_values("posterior_mean")
    position = np.arange(len(ordered))
    ax.errorbar(
        position,
        ordered["posterior_mean"],
        yerr=ordered["posterior_sd"],
        fmt="o",
        ms=3,
        color=COLORS["noncentered"],
        elinewidth=0.6,
        label="posterior mean ± 1 sd",
    )
    ax.plot(position, ordered["map"], "s", ms=3, color=COLORS["centered"], label="joint MAP")
    ax.set_xlabel(f"{ordered.index.name or 'element'} (sorted by posterior mean)")
    ax.set_ylabel(var)
    ax.legend(fontsize="small")
    return ax
