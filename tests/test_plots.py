"""Plot helpers draw on the Axes they are given (or the current one), return it, never show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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


# ---------------------------------------------------------------- plain_log_ticks


def test_plain_log_ticks_labels_a_log_axis_with_plain_numbers(two_axes):
    _, ax = two_axes
    ax.semilogx([1, 150], [0, 1])
    assert fg.plots.plain_log_ticks(ax, axis="x") is ax
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if 1 <= t.get_position()[0] <= 150]
    assert {"1", "2", "5", "10", "20", "50", "100"} <= set(labels), labels
    assert not any("10^" in label or "$" in label for label in labels), labels


@pytest.mark.parametrize(("axis", "message"), [("z", "axis must be"), ("y", "log axis")])
def test_plain_log_ticks_rejects_a_bad_axis(axis, message):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        fg.plots.plain_log_ticks(ax, axis=axis)


# ---------------------------------------------------------------- legend_below


def test_legend_below_gathers_each_label_once_under_the_panels():
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4), layout="constrained")
    left.scatter([0, 1], [0, 1], label="draws")
    left.legend()
    right.scatter([0, 1], [1, 0], label="draws")
    right.axhline(0.5, label="exact")
    right.legend()
    legend = fg.plots.legend_below(fig, ncols=1)
    assert [t.get_text() for t in legend.get_texts()] == ["draws", "exact"]
    assert left.get_legend() is None and right.get_legend() is None
    assert fig.legends == [legend]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend_box = legend.get_window_extent(renderer)
    for ax in (left, right):
        # below every panel, its tick labels included: it covers no data and no label
        assert legend_box.y1 <= ax.get_tightbbox(renderer).y0 + 1, (legend_box, ax)


@pytest.mark.parametrize(
    ("fig", "ncols", "error", "message"),
    [
        ("figure", None, TypeError, "fig must be a matplotlib Figure, got str"),
        (None, None, ValueError, "no labelled artist"),
        (None, 0, ValueError, "ncols must be an integer of at least 1, got 0"),
        (None, True, ValueError, "ncols must be an integer of at least 1, got True"),
    ],
)
def test_legend_below_rejects_bad_input(fig, ncols, error, message):
    if fig is None:
        fig, ax = plt.subplots()
        ax.plot([0, 1], label="draws" if ncols is not None else None)
    with pytest.raises(error, match=message):
        fg.plots.legend_below(fig, ncols=ncols)


# ---------------------------------------------------------------- plot_count_bars


def test_plot_count_bars_pools_counts_at_the_cap(two_axes):
    _, ax = two_axes
    counts = [1, 1, 1, 2, 4, 7, 9, 30]
    assert fg.plots.plot_count_bars(counts, cap=5, ax=ax) is ax
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches}
    assert heights == {1: 3, 2: 1, 3: 0, 4: 1, 5: 3}
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-1] == "5+" and labels[0] == "1", labels
    assert sum(heights.values()) == len(counts)


def test_plot_count_bars_on_the_radon_counties(two_axes):
    _, ax = two_axes
    houses = fg.load_radon().groupby("county").size()
    fg.plots.plot_count_bars(houses, cap=20, ax=ax)
    assert sum(p.get_height() for p in ax.patches) == houses.size
    assert ax.patches[-1].get_height() == (houses >= 20).sum()
    assert ax.get_xticklabels()[-1].get_text() == "20+"


@pytest.mark.parametrize(
    ("counts", "cap", "message"),
    [
        ([1, 2], 0, "cap must be"),
        ([1, 2], 2.5, "cap must be"),
        ([], 3, "empty"),
        ([1, -1], 3, "non-negative"),
    ],
)
def test_plot_count_bars_rejects_bad_input(counts, cap, message):
    with pytest.raises(ValueError, match=message):
        fg.plots.plot_count_bars(counts, cap=cap)


# ---------------------------------------------------------------- plot_bars


def test_plot_bars_draws_one_bar_per_cell_with_notes(two_axes):
    _, ax = two_axes
    table = pd.DataFrame(
        {"ESS a": [900.0, 850.0, 300.0], "ESS b": [40.0, 700.0, 650.0], "other": [1, 2, 3]},
        index=["a c, b c", "a c, b nc", "b 0.3"],
    )
    assert fg.plots.plot_bars(table, columns=["ESS a", "ESS b"], notes=["1", "2", "3"], ax=ax) is ax
    assert len(ax.patches) == 6
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == sorted([*table["ESS a"], *table["ESS b"]])
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]
    assert ax.get_xticklabels()[0].get_text() == "a c\nb c"
    assert _labels(ax) == ["ESS a", "ESS b"]
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 2  # the two columns differ in grey too
    # headroom above the tallest bar for the notes and the legend
    assert ax.get_ylim() == (0.0, pytest.approx(900.0 * 1.25))


def test_plot_bars_rejects_bad_input():
    table = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(KeyError, match="not in the table"):
        fg.plots.plot_bars(table, columns=["y"])
    with pytest.raises(ValueError, match="columns is empty"):
        fg.plots.plot_bars(table, columns=[])
    with pytest.raises(ValueError, match="one entry per row"):
        fg.plots.plot_bars(table, columns=["x"], notes=["only one"])


# ---------------------------------------------------------------- trajectories


def _leapfrog_paths():
    from funnelguide.dynamics import funnel_logp_grad, leapfrog

    paths, errors = {}, {}
    for name, start, momentum in (
        ("mouth", [1.5, 2.0], [1.0, 0.5]),
        ("neck", [0.05, -5.0], [0.3, -0.3]),
    ):
        positions, _, energies = leapfrog(
            funnel_logp_grad, np.array(start), np.array(momentum), step_size=0.25, n_steps=24
        )
        n_done = int(np.isfinite(energies).sum())
        paths[name] = positions[:n_done]
        errors[name] = np.abs(energies[:n_done] - energies[0])
    return paths, errors


def test_shade_neals_funnel_marks_two_sd_of_x(two_axes):
    _, ax = two_axes
    assert fg.plots.shade_neals_funnel(v_limits=(-6.0, 4.0), ax=ax) is ax
    assert ax.get_ylim() == (-6.0, 4.0)
    right = max(ax.lines, key=lambda line: line.get_xdata().max())
    x, v = right.get_xdata(), right.get_ydata()
    np.testing.assert_allclose(x, 2 * np.exp(v / 2))
    with pytest.raises(ValueError, match="x_limits"):
        fg.plots.shade_neals_funnel(x_limits=(1.0, -1.0), ax=ax)


def test_plot_trajectories_draws_each_path_and_its_mark(two_axes):
    _, ax = two_axes
    paths, _ = _leapfrog_paths()
    fg.plots.plot_trajectories(paths, marks={"mouth": None, "neck": 1}, ax=ax)
    assert _labels(ax) == ["mouth", "neck"]
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), paths["mouth"])
    cross = ax.lines[-1]
    np.testing.assert_array_equal(cross.get_xydata()[0], paths["neck"][1])
    with pytest.raises(ValueError, match="not a point of its path"):
        fg.plots.plot_trajectories(paths, marks={"neck": 99}, ax=ax)
    with pytest.raises(ValueError, match="shape"):
        fg.plots.plot_trajectories({"bad": np.zeros(3)}, ax=ax)


def test_animate_trajectories_has_a_frame_per_step_and_stays_light():
    paths, errors = _leapfrog_paths()
    animation = fg.plots.animate_trajectories(
        paths, errors, threshold=1000.0, marks={"neck": 1}, title="leapfrog in the funnel"
    )
    figure = animation._fig
    assert figure.get_suptitle() == "leapfrog in the funnel"
    longest = max(len(path) for path in paths.values())
    frames = list(animation.new_frame_seq())
    assert len(frames) == longest
    animation._func(longest - 1)  # the last frame: every path drawn in full
    ax_funnel, ax_error = figure.axes
    drawn = {line.get_label(): line for line in ax_funnel.lines}
    np.testing.assert_array_equal(drawn["mouth"].get_xydata(), paths["mouth"])
    assert ax_error.get_yscale() == "log"
    # all frames inline (jshtml, as the site embeds them) stay well below 3 MB
    assert len(animation.to_jshtml()) < 3_000_000


def test_animate_trajectories_rejects_mismatched_errors():
    paths, errors = _leapfrog_paths()
    with pytest.raises(ValueError, match="one error per point"):
        fg.plots.animate_trajectories(paths, {"mouth": errors["mouth"]}, threshold=1000.0)
    with pytest.raises(ValueError, match="threshold"):
        fg.plots.animate_trajectories(paths, errors, threshold=0)


# ---------------------------------------------------------------- plot_densities, format_table


def test_plot_densities_draws_each_sample_with_its_mean(two_axes):
    _, ax = two_axes
    radon = fg.load_radon()
    samples = {
        "basement": radon.loc[radon["floor"] == 0, "log_radon"],
        "first floor": radon.loc[radon["floor"] == 1, "log_radon"],
    }
    assert fg.plots.plot_densities(samples, bins=20, ax=ax) is ax
    steps = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert len(steps) == 2
    for step in steps:
        heights, edges = step.get_data().values, step.get_data().edges
        assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
    means = [line.get_xdata()[0] for line in ax.lines]
    assert means == pytest.approx([v.mean() for v in samples.values()])
    assert f"first floor ({len(samples['first floor'])})" in _labels(ax)
    with pytest.raises(ValueError, match="non-empty and finite"):
        fg.plots.plot_densities({"bad": [1.0, np.nan]}, ax=ax)
    with pytest.raises(ValueError, match="bins"):
        fg.plots.plot_densities(samples, bins=0, ax=ax)


def test_format_table_rounds_floats_and_leaves_the_rest():
    table = pd.DataFrame(
        {
            "error": [0.000123456, -12.3456, np.nan],
            "energy": [1.5e9, 1234.5, 0.5],
            "steps": [24, 3, 1],
            "divergent": [True, False, True],
            "name": ["a", "b", "c"],
        }
    )
    shown = fg.plots.format_table(table, digits=2)
    assert shown["error"].tolist() == ["0.00012", "-12", ""]
    assert shown["energy"].tolist() == ["1.5e+09", "1234", "0.5"]
    assert shown["steps"].tolist() == ["24", "3", "1"]
    assert shown["divergent"].tolist() == ["True", "False", "True"]
    assert shown["name"].tolist() == ["a", "b", "c"]
    assert shown.index.equals(table.index) and table["error"].iloc[0] == 0.000123456
    with pytest.raises(ValueError, match="digits"):
        fg.plots.format_table(table, digits=0)
    with pytest.raises(TypeError, match="DataFrame"):
        fg.plots.format_table(table["error"])
