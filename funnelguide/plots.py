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
from matplotlib import ticker
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from funnelguide._checks import _checked_int, _is_real
from funnelguide._idata import divergent, draws, element_label, scalar_draws

__all__ = [
    "COLORS",
    "animate_trajectories",
    "format_table",
    "legend_below",
    "plain_log_ticks",
    "plot_bars",
    "plot_chain",
    "plot_count_bars",
    "plot_densities",
    "plot_funnel",
    "plot_lower_tail",
    "plot_map_vs_mean",
    "plot_scale_posteriors",
    "plot_trajectories",
    "shade_neals_funnel",
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
    >>> idata = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1
    ... )
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
    >>> idata = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1
    ... )
    >>> ax = fg.plots.plot_funnel(
    ...     idata, var="theta", index="A", scale="tau", log_scale=True
    ... )
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
    >>> fit = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1
    ... )
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
    ax.legend(fontsize=9)
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
    >>> fit = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1
    ... )
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
    ax.legend(fontsize=9, loc="upper left")
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
    ax.legend(fontsize=9)
    return ax


def plain_log_ticks(ax: Axes | None = None, *, axis: str = "y") -> Axes:
    """Label a log axis with plain numbers at 1, 2 and 5 times each power of ten.

    Matplotlib labels a log axis ``10^0, 10^1``; a reader of a count or a scale reads
    ``1, 2, 5, 10, 20`` more easily.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where the axis is; the current Axes by default.
    axis : {"x", "y"}, default "y"
        Which axis; it must already be on a log scale.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``axis`` is not "x" or "y", or that axis is not on a log scale.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import funnelguide as fg
    >>> fig, ax = plt.subplots()
    >>> _ = ax.semilogx([1, 100], [0, 1])
    >>> ax = fg.plots.plain_log_ticks(ax, axis="x")
    """
    ax = _axes(ax)
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}.")
    target = ax.xaxis if axis == "x" else ax.yaxis
    if target.get_scale() != "log":
        raise ValueError(
            f"the {axis} axis is on a {target.get_scale()!r} scale; plain_log_ticks needs a log "
            f"axis (ax.set_{axis}scale('log') first)."
        )
    target.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(ticker.FormatStrFormatter("%g"))
    target.set_minor_formatter(ticker.NullFormatter())
    return ax


def legend_below(fig: Figure, *, ncols: int | None = None, **legend_kw: Any) -> Legend:
    """Gather a figure's legend entries into one legend under its panels.

    A legend inside a panel covers data, and in a funnel plot it tends to cover the neck,
    the part the figure is about. This takes the labelled artists of every Axes of
    ``fig`` (each label once, from the first Axes that has it), removes the Axes' own
    legends, and draws one legend in a row below the panels. A figure made with
    ``layout="constrained"`` makes room for it; in any other it overlaps the bottom edge.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; its Axes keep their artists.
    ncols : int, optional
        Columns of the legend; by default all entries in one row, at most four.
    **legend_kw
        Passed on to :meth:`matplotlib.figure.Figure.legend` (``markerscale=2``, ...); by
        default ``fontsize=9`` and no frame.

    Returns
    -------
    matplotlib.legend.Legend

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.
    ValueError
        If no Axes of ``fig`` has a labelled artist, or ``ncols`` is not an integer of at
        least 1.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import funnelguide as fg
    >>> fig, (left, right) = plt.subplots(1, 2, layout="constrained")
    >>> _ = left.plot([0, 1], label="draws")
    >>> _ = right.plot([1, 0], label="draws")
    >>> _ = right.axhline(0.5, label="exact")
    >>> [t.get_text() for t in fg.plots.legend_below(fig).get_texts()]
    ['draws', 'exact']
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    entries: dict[str, Any] = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    if not entries:
        raise ValueError(
            "fig has no labelled artist to put in a legend (give the plotted series label=...)."
        )
    ncols = min(len(entries), 4) if ncols is None else _checked_int("ncols", ncols, 1)
    for ax in fig.axes:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    return fig.legend(
        list(entries.values()),
        list(entries),
        **{"loc": "outside lower center", "fontsize": 9, "frameon": False, **legend_kw},
        ncols=ncols,
    )


def plot_count_bars(
    counts: Sequence[int] | pd.Series | np.ndarray,
    *,
    cap: int,
    ax: Axes | None = None,
    **bar_kw: Any,
) -> Axes:
    """Draw how many groups have each count: one bar per count, the largest ones pooled.

    Parameters
    ----------
    counts : sequence of int
        One count per group, e.g. the houses measured in each county.
    cap : int
        Counts of ``cap`` or more share the last bar, labelled ``"cap+"``; at least 1.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.
    **bar_kw
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        With one bar per count from the smallest to ``cap`` that occurs, integer ticks on
        the y axis, and "number of groups" as its label.

    Raises
    ------
    ValueError
        If ``counts`` is empty or holds a negative or non-integer value, or ``cap`` is not a
        positive integer.

    Examples
    --------
    >>> import funnelguide as fg
    >>> ax = fg.plots.plot_count_bars([1, 1, 2, 9, 30], cap=5)
    """
    ax = _axes(ax)
    if isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 1:
        raise ValueError(f"cap must be a positive integer, got {cap!r}.")
    values = np.asarray(counts)
    if values.size == 0:
        raise ValueError("counts is empty; pass one count per group.")
    if (
        not np.issubdtype(values.dtype, np.number)
        or np.any(values < 0)
        or np.any(values != np.round(values))
    ):
        raise ValueError(f"counts must be non-negative integers, got {values[:5].tolist()}...")
    capped = np.minimum(values.astype(int), cap)
    heights = np.bincount(capped, minlength=cap + 1)
    style = {"color": COLORS["noncentered"]}
    style.update(bar_kw)
    shown = np.arange(capped.min(), cap + 1)
    ax.bar(shown, heights[shown], **style)
    ticks = sorted({int(shown[0]), *range(5 * (int(shown[0]) // 5 + 1), cap, 5), cap})
    if cap <= 10:
        ticks = list(shown)
    ax.set_xticks(ticks, [f"{tick}+" if tick == cap else str(tick) for tick in ticks])
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_ylabel("number of groups")
    return ax


def plot_bars(
    table: pd.DataFrame,
    *,
    columns: Sequence[str],
    notes: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw columns of a table as grouped bars, one group per row, one bar per column.

    Each column gets its own colour and hatch, so the bars can be told apart in grey too.
    Row labels become the tick labels (a ``", "`` in a label starts a new line).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group of bars.
    columns : sequence of str
        The columns to draw, in order; at least one.
    notes : sequence of str, optional
        One short text per row, written above its group (e.g. ``"3 div."``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With ``len(table) * len(columns)`` bars and, for more than one column, a legend.

    Raises
    ------
    KeyError
        If a column is not in ``table``.
    ValueError
        If ``columns`` is empty or ``notes`` does not have one entry per row.

    Examples
    --------
    >>> import pandas as pd
    >>> import funnelguide as fg
    >>> table = pd.DataFrame(
    ...     {"ESS a": [900, 850], "ESS b": [40, 700]}, index=["c", "nc"]
    ... )
    >>> ax = fg.plots.plot_bars(
    ...     table, columns=["ESS a", "ESS b"], notes=["12 div.", "0 div."]
    ... )
    """
    ax = _axes(ax)
    columns = list(columns)
    if not columns:
        raise ValueError("columns is empty; name at least one column of the table.")
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the table; it has {list(table.columns)}.")
    if notes is not None and len(notes) != len(table):
        raise ValueError(
            f"notes must have one entry per row of the table ({len(table)}), got {len(notes)}."
        )
    positions = np.arange(len(table))
    width = 0.8 / len(columns)
    hatches = ["", "//", "..", "xx"]
    for i, column in enumerate(columns):
        ax.bar(
            positions + (i - (len(columns) - 1) / 2) * width,
            table[column].to_numpy(dtype=float),
            width,
            color=_CYCLE[(i + 2) % len(_CYCLE)] if len(columns) > 1 else COLORS["noncentered"],
            hatch=hatches[i % len(hatches)],
            edgecolor="white",
            label=column,
        )
    tops = table[columns].to_numpy(dtype=float).max(axis=1)
    if notes is not None:
        for position, top, note in zip(positions, tops, notes, strict=True):
            ax.annotate(
                note, (position, top), xytext=(0, 2), textcoords="offset points", ha="center"
            )
    # headroom above the tallest bar for its note and for the legend, which then covers nothing
    headroom = 1.0 + 0.1 * (notes is not None) + 0.15 * (len(columns) > 1)
    ax.set_ylim(0.0, max(float(np.nanmax(tops)), 0.0) * headroom or 1.0)
    ax.set_xticks(positions, [str(label).replace(", ", "\n") for label in table.index])
    if len(columns) > 1:
        ax.legend(loc="upper left", ncols=len(columns), fontsize=9)
    return ax


def shade_neals_funnel(
    *,
    x_limits: tuple[float, float] = (-6.0, 6.0),
    v_limits: tuple[float, float] = (-8.0, 6.0),
    ax: Axes | None = None,
) -> Axes:
    """Shade the log density of Neal's two-dimensional funnel and mark +-2 sd of ``x``.

    ``v ~ Normal(0, 3)`` and ``x | v ~ Normal(0, exp(v / 2))`` (standard deviations), as in
    :func:`funnelguide.dynamics.funnel_logp_grad`.

    Parameters
    ----------
    x_limits, v_limits : tuple of two floats
        The ranges shown, increasing.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With the shading, two dashed lines at ``x = +-2 exp(v / 2)``, and axis labels.

    Raises
    ------
    ValueError
        If a range is not two increasing numbers.

    Examples
    --------
    >>> import funnelguide as fg
    >>> ax = fg.plots.shade_neals_funnel(v_limits=(-6.0, 4.0))
    """
    ax = _axes(ax)
    for name, limits in (("x_limits", x_limits), ("v_limits", v_limits)):
        if not (
            isinstance(limits, Sequence)
            and len(limits) == 2
            and all(isinstance(x, numbers.Real) for x in limits)
            and limits[0] < limits[1]
        ):
            raise ValueError(f"{name} must be two increasing numbers, got {limits!r}.")
    x_grid = np.linspace(*x_limits, 300)
    v_grid = np.linspace(*v_limits, 300)
    xx, vv = np.meshgrid(x_grid, v_grid)
    x_sd = np.exp(vv / 2)
    log_density = -(vv**2) / 18 - 0.5 * (xx / x_sd) ** 2 - np.log(x_sd)
    ax.contourf(xx, vv, np.clip(log_density, -12, None), levels=12, cmap="Greys", alpha=0.6)
    for sign in (1, -1):
        ax.plot(sign * 2 * np.exp(v_grid / 2), v_grid, color=COLORS["exact"], lw=0.8, ls="--")
    ax.set(xlim=x_limits, ylim=v_limits, xlabel="x", ylabel="v")
    return ax


_TRAJECTORY_STYLES = [
    {"color": _CYCLE[2], "linestyle": "-", "marker": "o"},
    {"color": _CYCLE[1], "linestyle": "-.", "marker": "s"},
    {"color": _CYCLE[0], "linestyle": "--", "marker": "^"},
    {"color": _CYCLE[3], "linestyle": ":", "marker": "D"},
]
_MARK_STYLE = {
    "marker": "X",
    "linestyle": "none",
    "color": COLORS["divergent"],
    "markeredgecolor": "black",
    "markersize": 10,
}


def _check_paths(paths: Mapping[str, np.ndarray], marks: Mapping[str, int | None] | None):
    if not paths:
        raise ValueError("paths is empty; pass a mapping of label to an (n_steps + 1, 2) array.")
    for label, path in paths.items():
        if np.ndim(path) != 2 or np.shape(path)[1] != 2:
            raise ValueError(
                f"path {label!r} must be an array of shape (n_points, 2) of (x, v), got shape "
                f"{np.shape(path)}."
            )
    for label, mark in (marks or {}).items():
        if label not in paths:
            raise ValueError(f"marks has {label!r}, which is not a path ({list(paths)}).")
        if mark is not None and not 0 <= mark < len(paths[label]):
            raise ValueError(
                f"mark {mark!r} of {label!r} is not a point of its path (0 to "
                f"{len(paths[label]) - 1})."
            )


def plot_trajectories(
    paths: Mapping[str, np.ndarray],
    *,
    marks: Mapping[str, int | None] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw leapfrog trajectories in the (x, v) plane, each with its own colour and marker.

    Parameters
    ----------
    paths : mapping of str to array of shape (n_points, 2)
        Label to the positions of one trajectory, e.g. from
        :func:`funnelguide.dynamics.leapfrog`.
    marks : mapping of str to int or None, optional
        Label to the index of a point to mark with a cross (e.g. where the trajectory left
        the exact path); None marks nothing.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With one line per path, one cross per mark, and a legend of the paths.

    Raises
    ------
    ValueError
        If ``paths`` is empty, a path is not of shape (n, 2), or a mark is not a point of its
        path.

    Examples
    --------
    >>> import numpy as np
    >>> import funnelguide as fg
    >>> path = np.array([[0.0, 0.0], [0.5, -0.5], [0.8, -1.2]])
    >>> ax = fg.plots.plot_trajectories({"one": path}, marks={"one": 2})
    """
    ax = _axes(ax)
    _check_paths(paths, marks)
    for i, (label, path) in enumerate(paths.items()):
        style = _TRAJECTORY_STYLES[i % len(_TRAJECTORY_STYLES)]
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], lw=1.5, markersize=3, label=label, **style)
        mark = (marks or {}).get(label)
        if mark is not None:
            ax.plot(*path[mark], **_MARK_STYLE)
    ax.legend(fontsize=9, loc="lower right")
    return ax


def animate_trajectories(
    paths: Mapping[str, np.ndarray],
    energy_errors: Mapping[str, np.ndarray],
    *,
    threshold: float,
    marks: Mapping[str, int | None] | None = None,
    title: str | None = None,
    error_floor: float = 1e-4,
    interval: int = 250,
) -> FuncAnimation:
    """Animate leapfrog trajectories in Neal's funnel, step by step, with their energy error.

    The left panel is :func:`shade_neals_funnel` with the trajectories growing on it; the
    right panel is each trajectory's absolute energy error after every step, on a log scale,
    with the divergence threshold.

    Parameters
    ----------
    paths : mapping of str to array of shape (n_points, 2)
        Label to the positions of one trajectory (start included); at most four.
    energy_errors : mapping of str to array
        The same labels, each to the absolute energy error at every point of its path.
    threshold : float
        The divergence threshold, drawn as a line in the right panel; positive.
    marks : mapping of str to int or None, optional
        Label to the point marked with a cross once the animation reaches it.
    title : str, optional
        The figure's title (the site uses it as the frames' alt text).
    error_floor : float, default 1e-4
        Errors below this are drawn at it (the log axis cannot show zero).
    interval : int, default 250
        Milliseconds between frames.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        One frame per step of the longest path; its figure is ``animation._fig``, with
        the two Axes in ``figure.axes``. Keep a reference to it until it is shown.

    Raises
    ------
    ValueError
        If ``paths`` is empty or has more than four paths, a path is not of shape (n, 2),
        ``energy_errors`` lacks a path or has a different length from it, or ``threshold``
        is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> import funnelguide as fg
    >>> path = np.array([[0.0, 0.0], [0.5, -0.5], [0.8, -1.2]])
    >>> animation = fg.plots.animate_trajectories(
    ...     {"one": path}, {"one": np.array([0.0, 0.01, 0.02])}, threshold=1000.0
    ... )
    >>> html = animation.to_jshtml()  # one image per frame, as the gallery embeds it
    """
    _check_paths(paths, marks)
    if len(paths) > len(_TRAJECTORY_STYLES):
        raise ValueError(f"at most {len(_TRAJECTORY_STYLES)} paths, got {len(paths)}.")
    for label, path in paths.items():
        if label not in energy_errors or len(energy_errors[label]) != len(path):
            raise ValueError(
                f"energy_errors must give one error per point of each path; for {label!r} it "
                f"has {len(energy_errors.get(label, []))} for {len(path)} points."
            )
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or threshold <= 0:
        raise ValueError(f"threshold must be a positive number, got {threshold!r}.")
    n_steps = max(len(path) for path in paths.values()) - 1
    fig, (ax_funnel, ax_error) = plt.subplots(
        1, 2, figsize=(7.2, 3.6), dpi=100, layout="constrained", width_ratios=[1.1, 1]
    )
    shade_neals_funnel(ax=ax_funnel)
    ax_error.axhline(threshold, color=COLORS["divergent"], lw=1.2)
    ax_error.text(0.3, threshold * 1.8, "divergence threshold")
    ax_error.set(
        yscale="log",
        xlim=(0, n_steps),
        ylim=(error_floor, threshold * 1e3),
        xlabel="leapfrog step",
        ylabel="|energy error|",
    )
    if title is not None:
        fig.suptitle(title)
    ax_funnel.set_title("Leapfrog trajectories in (x, v)")
    ax_error.set_title("Energy error per step")
    lines, error_lines, crosses = {}, {}, {}
    for i, label in enumerate(paths):
        style = _TRAJECTORY_STYLES[i]
        (lines[label],) = ax_funnel.plot([], [], lw=1.5, markersize=3, label=label, **style)
        (error_lines[label],) = ax_error.plot([], [], lw=1.5, markersize=3, **style)
        (crosses[label],) = ax_funnel.plot([], [], **_MARK_STYLE)
    legend_below(fig)  # under the panels: inside, it covered the funnel's neck
    step_label = ax_error.text(0.98, 0.04, "", ha="right", transform=ax_error.transAxes)

    def show_step(step):
        for label, path in paths.items():
            shown = np.asarray(path)[: step + 1]
            lines[label].set_data(shown[:, 0], shown[:, 1])
            errors = np.asarray(energy_errors[label])[1 : step + 1]
            error_lines[label].set_data(np.arange(1, len(shown)), np.maximum(errors, error_floor))
            mark = (marks or {}).get(label)
            if mark is not None and step >= mark:
                crosses[label].set_data(*np.asarray(path)[mark, :, None])
            else:
                crosses[label].set_data([], [])
        step_label.set_text(f"step {step} of {n_steps}")
        return [*lines.values(), *error_lines.values(), *crosses.values(), step_label]

    return FuncAnimation(fig, show_step, frames=n_steps + 1, interval=interval, repeat_delay=1500)


def plot_densities(
    samples: Mapping[str, Sequence[float] | np.ndarray | pd.Series],
    *,
    bins: int = 30,
    ax: Axes | None = None,
) -> Axes:
    """Overlay the histograms of several samples as density step lines, each mean marked.

    Parameters
    ----------
    samples : mapping of str to 1-d array
        Label to values, e.g. ``{"basement": ..., "first floor": ...}``; each label gets its
        own colour and line style, and its size in the legend.
    bins : int, default 30
        Number of bins, shared by all samples, over their common range.
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        With one step line and one vertical mean line per sample, and a legend.

    Raises
    ------
    ValueError
        If ``samples`` is empty, a sample is empty or holds a non-finite value, or ``bins`` is
        not a positive integer.

    See Also
    --------
    plot_scale_posteriors : the same for a parameter of several fits.

    Examples
    --------
    >>> import funnelguide as fg
    >>> radon = fg.load_radon()
    >>> ax = fg.plots.plot_densities(
    ...     {"basement": radon.log_radon[radon.floor == 0],
    ...      "first floor": radon.log_radon[radon.floor == 1]})
    """
    ax = _axes(ax)
    if not samples:
        raise ValueError("samples is empty; pass a mapping of label to values.")
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}.")
    values = {label: np.asarray(v, dtype=float).ravel() for label, v in samples.items()}
    for label, v in values.items():
        if v.size == 0 or not np.all(np.isfinite(v)):
            raise ValueError(f"sample {label!r} must be non-empty and finite.")
    edges = np.linspace(
        min(v.min() for v in values.values()), max(v.max() for v in values.values()), bins + 1
    )
    for i, (label, v) in enumerate(values.items()):
        style = {"color": _CYCLE[(i + 1) % len(_CYCLE)], "linestyle": _LINESTYLES[i % 4]}
        density, _ = np.histogram(v, bins=edges, density=True)
        ax.stairs(density, edges, lw=1.8, label=f"{label} ({v.size})", **style)
        ax.axvline(v.mean(), lw=1.0, label=f"mean, {label}: {v.mean():.2f}", **style)
    ax.set_ylabel("density")
    ax.legend(fontsize=9)
    return ax


def format_table(table: pd.DataFrame, *, digits: int = 3) -> pd.DataFrame:
    """Show a table's floats with ``digits`` significant digits, for an HTML page.

    sphinx-gallery and Jupyter render the returned table as HTML when it ends a block.
    Numbers from 10**digits to a million are shown whole (``1234``, not ``1.23e+03``);
    missing values are left blank; integers, booleans and text are shown as they are.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; it is not changed.
    digits : int, default 3
        Significant digits of each float; at least 1.

    Returns
    -------
    pandas.DataFrame
        A copy with the same index and columns, every cell as text.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame.
    ValueError
        If ``digits`` is not a positive integer.

    Examples
    --------
    >>> import pandas as pd
    >>> import funnelguide as fg
    >>> fg.plots.format_table(
    ...     pd.DataFrame({"error": [0.000123456, 1234.5]})
    ... )["error"].tolist()
    ['0.000123', '1234']
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}.")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 1:
        raise ValueError(f"digits must be a positive integer, got {digits!r}.")

    def show(value: Any) -> str:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, np.floating)):
            return str(value)
        if np.isnan(value):
            return ""
        if 10**digits <= abs(value) < 1e6:
            return f"{value:.0f}"
        return f"{value:.{digits}g}"

    return table.map(show)
