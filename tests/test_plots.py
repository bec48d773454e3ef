"""Plot helpers draw on the Axes they are given (or the current one), return it, never show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import StepPatch

import funnelguide as fg
from funnelguide.plots import COLORS


@pytest.fixture(autouse=True)
def no_show_and_clean_figures(monkeypatch):
    def forbidden_show(*args, **kwargs):
        raise AssertionError("a plot helper called plt.show()")

    monkeypatch.setattr(plt, "show", forbidden_show)
    monkeypatch.setattr(plt.Figure, "show", forbidden_show)
    yield
    plt.close("all")


@pytest.fixture
def two_axes():
    """A figure with two Axes: helpers get the second, the first must stay empty."""
    fig, (spare, ax) = plt.subplots(1, 2)
    yield spare, ax
    assert not spare.lines and not spare.collections and not spare.patches
    assert plt.get_fignums() == [fig.number]  # no other figure was created


@pytest.fixture(scope="module")
def map_table(radon_centered_map, radon_noncentered_idata):
    return fg.map_vs_mean(radon_centered_map, radon_noncentered_idata, var="b")


def _labels(ax):
    return ax.get_legend_handles_labels()[1]


# ---------------------------------------------------------------- plot_chain


def test_plot_chain_of_a_scalar(radon_noncentered_idata, two_axes):
    _, ax = two_axes
    assert fg.plots.plot_chain(radon_noncentered_idata, "sigma_b", chain=2, ax=ax) is ax
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(
        ax.lines[0].get_ydata(), radon_noncentered_idata.posterior["sigma_b"].sel(chain=2)
    )
    assert ax.get_ylabel() == "sigma_b"
    assert ax.get_xlabel() == "draw"
    assert "chain 2" in ax.get_title()


def test_plot_chain_of_a_vector_draws_one_line_per_county(radon_centered_idata, two_axes):
    _, ax = two_axes
    assert fg.plots.plot_chain(radon_centered_idata, "b", ax=ax) is ax
    assert len(ax.lines) == 85
    assert ax.get_ylabel() == "b"


def test_plot_chain_uses_the_current_axes_when_ax_is_none(radon_noncentered_idata):
    plt.figure()
    current = plt.gca()
    assert fg.plots.plot_chain(radon_noncentered_idata, var="sigma_b") is current
    assert len(current.lines) == 1


# ---------------------------------------------------------------- plot_funnel


def test_plot_funnel_scatters_b75_against_sigma_b(radon_noncentered_idata, two_axes):
    _, ax = two_axes
    out = fg.plots.plot_funnel(
        radon_noncentered_idata, show_divergences=False, ax=ax, var="b", index=75, scale="sigma_b"
    )
    assert out is ax
    assert len(ax.collections) == 1
    offsets = ax.collections[0].get_offsets()
    assert offsets.shape == (4000, 2)
    posterior = radon_noncentered_idata.posterior
    np.testing.assert_array_equal(offsets[:, 0], posterior["b"].isel(county=75).to_numpy().ravel())
    np.testing.assert_array_equal(offsets[:, 1], posterior["sigma_b"].to_numpy().ravel())
    assert ax.get_xlabel() == "b[75]"
    assert ax.get_ylabel() == "sigma_b"
    assert ax.get_yscale() == "linear"
    assert _labels(ax) == ["draws"]


def test_plot_funnel_log_scale_and_label_index(radon_centered_idata, two_axes):
    _, ax = two_axes
    fg.plots.plot_funnel(
        radon_centered_idata, index="AITKIN", log_scale=True, ax=ax, var="b", scale="sigma_b"
    )
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "b[AITKIN]"
    assert ax.get_ylabel() == "sigma_b (log scale)"
    x = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    expected = radon_centered_idata.posterior["b"].sel(county="AITKIN").to_numpy().ravel()
    np.testing.assert_array_equal(np.sort(x), np.sort(expected))


def test_plot_funnel_in_offset_space(radon_noncentered_idata, two_axes):
    _, ax = two_axes
    fg.plots.plot_funnel(radon_noncentered_idata, var="b_offset", ax=ax, index=75, scale="sigma_b")
    assert ax.get_xlabel() == "b_offset[75]"


def test_plot_funnel_marks_divergent_draws(funnel_centered_idata, two_axes):
    _, ax = two_axes
    diverging = funnel_centered_idata.sample_stats["diverging"].to_numpy().ravel()
    n_divergent = int(diverging.sum())
    assert n_divergent > 0
    out = fg.plots.plot_funnel(funnel_centered_idata, var="x", index=0, scale="v", ax=ax)
    assert out is ax
    assert len(ax.collections) == 2
    draws, divergent = ax.collections
    assert len(draws.get_offsets()) == diverging.size - n_divergent
    assert len(divergent.get_offsets()) == n_divergent
    v = funnel_centered_idata.posterior["v"].to_numpy().ravel()
    np.testing.assert_array_equal(np.sort(divergent.get_offsets()[:, 1]), np.sort(v[diverging]))
    assert to_hex(divergent.get_facecolor()[0]) == COLORS["divergent"].lower()
    assert _labels(ax) == ["draws", f"divergent ({n_divergent})"]
    assert ax.get_xlabel() == "x[0]"
    assert ax.get_ylabel() == "v"


def test_plot_funnel_can_hide_divergences(funnel_centered_idata, two_axes):
    _, ax = two_axes
    fg.plots.plot_funnel(
        funnel_centered_idata, var="x", index=0, scale="v", show_divergences=False, ax=ax
    )
    assert len(ax.collections) == 1
    assert len(ax.collections[0].get_offsets()) == funnel_centered_idata.posterior["v"].size


def test_plot_funnel_uses_the_current_axes_when_ax_is_none(radon_noncentered_idata):
    plt.figure()
    current = plt.gca()
    assert (
        fg.plots.plot_funnel(radon_noncentered_idata, var="b", index=75, scale="sigma_b") is current
    )


# ---------------------------------------------------------------- plot_scale_posteriors


def test_plot_scale_posteriors_overlays_fits_with_their_means(
    radon_centered_idata, radon_noncentered_idata, two_axes
):
    _, ax = two_axes
    fits = {"centered": radon_centered_idata, "non-centered": radon_noncentered_idata}
    grid = np.linspace(0.0, 1.0, 50)
    out = fg.plots.plot_scale_posteriors(fits, exact=(grid, np.exp(-grid)), ax=ax, scale="sigma_b")
    assert out is ax
    steps = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert len(steps) == 2
    assert [to_hex(p.get_edgecolor()) for p in steps] == [
        COLORS["centered"].lower(),
        COLORS["noncentered"].lower(),
    ]
    means = [float(fit.posterior["sigma_b"].mean()) for fit in fits.values()]
    vertical = [line for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert [line.get_xdata()[0] for line in vertical] == pytest.approx(means)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [
        "centered",
        f"mean, centered: {means[0]:.3f}",
        "non-centered",
        f"mean, non-centered: {means[1]:.3f}",
        "exact",
    ]
    assert ax.get_xlabel() == "sigma_b"
    assert ax.get_xlim()[0] == 0.0


def test_plot_scale_posteriors_uses_the_current_axes_when_ax_is_none(radon_noncentered_idata):
    plt.figure()
    current = plt.gca()
    assert (
        fg.plots.plot_scale_posteriors({"fit": radon_noncentered_idata}, scale="sigma_b") is current
    )
    assert len(current.get_legend().get_texts()) == 2


# ---------------------------------------------------------------- plot_lower_tail


def _step_lines(ax):
    return [line for line in ax.lines if line.get_drawstyle().startswith("steps")]


def test_plot_lower_tail_draws_each_fits_ecdf_on_a_log_axis(
    radon_centered_idata, radon_noncentered_idata, two_axes
):
    _, ax = two_axes
    fits = {"centered": radon_centered_idata, "non-centered": radon_noncentered_idata}
    out = fg.plots.plot_lower_tail(fits, ax=ax, scale="sigma_b")
    assert out is ax
    assert ax.get_xscale() == "log"
    assert ax.get_ylim() == (0.0, 0.2)
    assert ax.get_xlabel() == "sigma_b (log scale)"
    assert ax.get_ylabel() == "share of the posterior below sigma_b"
    steps = _step_lines(ax)
    assert [to_hex(line.get_color()) for line in steps] == [
        COLORS["centered"].lower(),
        COLORS["noncentered"].lower(),
    ]
    assert [line.get_linestyle() for line in steps] == ["-", "--"]
    # each line is the empirical CDF of that fit's draws: the k-th smallest draw at k / n
    for line, fit in zip(steps, fits.values(), strict=True):
        values = np.sort(fit.posterior["sigma_b"].to_numpy().ravel())
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        np.testing.assert_array_equal(x[1:], values)
        np.testing.assert_allclose(y[1:], np.arange(1, len(values) + 1) / len(values))
        assert y[0] == 0.0
    # the default range starts at the lowest fit's 0.2% quantile
    lowest = min(float(fit.posterior["sigma_b"].quantile(0.002)) for fit in fits.values())
    assert ax.get_xlim()[0] == pytest.approx(lowest)
    assert _labels(ax) == ["centered", "non-centered"]


def test_plot_lower_tail_with_the_exact_cdf_takes_its_range(radon_noncentered_idata, two_axes):
    _, ax = two_axes
    grid = np.geomspace(0.01, 0.3, 40)
    cdf = np.linspace(0.0, 0.2, 40)
    fg.plots.plot_lower_tail(
        {"non-centered": radon_noncentered_idata},
        exact=(grid, cdf),
        top=0.5,
        ax=ax,
        scale="sigma_b",
    )
    exact_line = next(line for line in ax.lines if line.get_label() == "exact")
    np.testing.assert_array_equal(exact_line.get_xdata(), grid)
    assert to_hex(exact_line.get_color()) == COLORS["exact"].lower()
    assert ax.get_xlim() == pytest.approx((0.01, 0.3))
    assert ax.get_ylim() == (0.0, 0.5)


def test_plot_lower_tail_uses_the_current_axes_when_ax_is_none(radon_noncentered_idata):
    plt.figure()
    current = plt.gca()
    out = fg.plots.plot_lower_tail(
        {"fit": radon_noncentered_idata}, xlim=(0.01, 1.0), scale="sigma_b"
    )
    assert out is current
    assert current.get_xlim() == pytest.approx((0.01, 1.0))


# ---------------------------------------------------------------- plot_map_vs_mean


def test_plot_map_vs_mean(map_table, two_axes):
    _, ax = two_axes
    assert fg.plots.plot_map_vs_mean(map_table, ax=ax, var="b") is ax
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(containers) == 1
    means = np.asarray(containers[0].lines[0].get_ydata(), dtype=float)
    np.testing.assert_allclose(means, np.sort(map_table["posterior_mean"]))
    map_line = next(line for line in ax.lines if line.get_label() == "joint MAP")
    assert len(map_line.get_ydata()) == 85
    assert ax.get_ylabel() == "b"
    assert ax.get_xlabel() == "county (sorted by posterior mean)"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert sorted(legend) == ["joint MAP", "posterior mean ± 1 sd"]


def test_plot_map_vs_mean_uses_the_current_axes_when_ax_is_none(map_table):
    plt.figure()
    current = plt.gca()
    assert fg.plots.plot_map_vs_mean(map_table, var="b") is current
