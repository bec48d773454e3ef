r"""
Three summaries of sigma_b
==========================

How much do the floor slopes differ between counties? The answer is the posterior of
``sigma_b``, and there are three common ways to boil it down to one number. The *joint MAP* is
the value of ``sigma_b`` at the single most probable point of all the model's parameters
together (how many there are is printed below). The
*marginal mode* is the peak of the posterior of ``sigma_b`` alone, once the other parameters are
averaged over. The *posterior mean* is the average of ``sigma_b`` over its posterior, which is
what the mean of a sampler's draws estimates.

For a well-behaved posterior the three nearly agree. For a hierarchical scale they do not, and
one of them does not depend on the data at all. This page puts the three on one axis, using the
exact posterior of ``sigma_b`` (computed on a grid, without sampling), and then checks each one
on simulated data where the true ``sigma_b`` is known.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import funnelguide as fg

RANDOM_SEED = 8927
# sphinx_gallery_start_ignore
# The seed survey (nox -s seed-survey) runs this page at other seeds too.
import os

RANDOM_SEED = int(os.environ.get("FUNNELGUIDE_SEED", RANDOM_SEED))
# sphinx_gallery_end_ignore

# %%
# The three numbers
# -----------------
#
# :func:`funnelguide.find_map` maximizes the joint density of the centered radon model.
# :func:`funnelguide.exact_radon_scales` integrates the intercepts, slopes and their means out
# of the posterior exactly and returns the marginal density of each scale on a fine grid: its
# highest point is the marginal mode, its mean the posterior mean.
radon = fg.load_radon()


def three_summaries(data):
    """Joint MAP, marginal mode and posterior mean of sigma_b for one data set."""
    map_estimate = fg.find_map(fg.radon_model(data))
    exact = fg.exact_radon_scales(data)
    grid, density = exact.density("sigma_b")
    summaries = {
        "joint MAP": float(map_estimate["sigma_b"]),
        "marginal mode": float(grid[np.argmax(density)]),
        "posterior mean": exact.mean("sigma_b"),
    }
    return summaries, exact, map_estimate


radon_summaries, radon_exact, radon_map = three_summaries(radon)
n_parameters = sum(
    value.size for value in fg.radon_model(radon).initial_point().values()
)
print(f"the joint MAP maximizes over {n_parameters} parameters")
for name, value in radon_summaries.items():
    print(f"{name:>15}: sigma_b = {value:.3g}")
print(
    f"\nposterior 90% interval: {radon_exact.quantile('sigma_b', 0.05):.3f} "
    f"to {radon_exact.quantile('sigma_b', 0.95):.3f}"
)
print(
    f"spread of the 85 county slopes b at the joint MAP: {np.std(radon_map['b']):.2g}"
)

# %%
# On one axis
# -----------
#
# The curve is the exact marginal posterior density of ``sigma_b``, the shaded band its central
# 90%. The three summaries are marked below it.
styles = {
    "joint MAP": {
        "color": fg.plots.COLORS["centered"],
        "marker": "v",
        "linestyle": ":",
    },
    "marginal mode": {
        "color": fg.plots.COLORS["other"],
        "marker": "^",
        "linestyle": "--",
    },
    "posterior mean": {
        "color": fg.plots.COLORS["noncentered"],
        "marker": "o",
        "linestyle": "-.",
    },
}
grid, density = radon_exact.density("sigma_b")
low, high = radon_exact.quantile("sigma_b", 0.05), radon_exact.quantile("sigma_b", 0.95)
fig, ax = plt.subplots(figsize=(7.2, 3.4), layout="constrained")
ax.plot(grid, density, color=fg.plots.COLORS["exact"], lw=1.8, label="exact posterior")
inside = (grid >= low) & (grid <= high)
ax.fill_between(
    grid[inside],
    density[inside],
    color=fg.plots.COLORS["exact"],
    alpha=0.12,
    linewidth=0,
    label="central 90%",
)
for name, value in radon_summaries.items():
    style = styles[name]
    ax.axvline(value, color=style["color"], linestyle=style["linestyle"], lw=1.5)
    ax.plot(
        value,
        0,
        marker=style["marker"],
        color=style["color"],
        markersize=11,
        linestyle="none",
        clip_on=False,
        label=f"{name}: {value:.2g}",
    )
ax.set(xlim=(-0.02, 0.9), ylim=(0, None), xlabel="sigma_b", ylabel="posterior density")
ax.set_title("Joint MAP, marginal mode and posterior mean of sigma_b")
ax.legend(fontsize=9)
plt.show()

# %%
# Does the summary follow the data?
# ---------------------------------
#
# A summary is useful only if it changes when the data change. Keep the radon data's counties
# and floors, but replace the measurements with simulated ones whose county slopes truly spread
# by ``sigma_b`` = 0.2, 0.5 and 1.0 (intercepts, noise and mean slope close to the real fit), and
# compute the three summaries again for each.
rng = np.random.default_rng(RANDOM_SEED)
county = radon["county_idx"].to_numpy()
floor = radon["floor"].to_numpy()
true_values = [0.2, 0.5, 1.0]
rows = []
for true_sigma_b in true_values:
    intercepts = rng.normal(1.5, 0.35, size=85)
    slopes = rng.normal(-0.65, true_sigma_b, size=85)
    simulated = radon.assign(
        log_radon=intercepts[county]
        + slopes[county] * floor
        + rng.normal(0, 0.75, len(radon))
    )
    summaries, _, _ = three_summaries(simulated)
    rows.append(
        {"true sigma_b": true_sigma_b, "sd of the 85 slopes": slopes.std(), **summaries}
    )
recovery = pd.DataFrame(rows).set_index("true sigma_b")
fg.plots.format_table(recovery)

# %%
# The same, drawn: each summary against the true ``sigma_b``.
fig, ax = plt.subplots(figsize=(7.2, 3.6), layout="constrained")
ax.plot(
    [0, 1.1], [0, 1.1], color=fg.plots.COLORS["exact"], lw=0.8, label="estimate = truth"
)
for name, style in styles.items():
    ax.plot(recovery.index, recovery[name], markersize=8, lw=1.2, label=name, **style)
ax.set(
    xlim=(0, 1.1),
    ylim=(-0.05, 1.1),
    xlabel="true sigma_b of the simulated data",
    ylabel="summary of the posterior of sigma_b",
)
ax.set_title("Three summaries of sigma_b against the true value")
ax.legend(fontsize=9, loc="upper left")
plt.show()

# sphinx_gallery_thumbnail_number = 1

# sphinx_gallery_start_ignore
# The claims of this page: the joint MAP sits at the boundary whatever the data, the marginal
# mode and the mean sit inside the posterior's bulk and follow the truth.
assert radon_summaries["joint MAP"] < 1e-3
assert np.std(radon_map["b"]) < 1e-4, "all slopes equal at the joint MAP"
assert low < radon_summaries["marginal mode"] < high
assert low < radon_summaries["posterior mean"] < high
assert radon_summaries["joint MAP"] < low
assert (recovery["joint MAP"] < 1e-3).all(), "the joint MAP ignores the data"
for name in ("marginal mode", "posterior mean"):
    assert (np.diff(recovery[name]) > 0).all(), (
        f"{name} should grow with the true sigma_b"
    )
    assert np.allclose(recovery[name], recovery.index, atol=0.25), name
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# On the radon data the marginal mode and the posterior mean both sit inside the central 90% of
# the posterior, a little apart because the posterior is skewed; the joint MAP sits at
# essentially zero, far below the 5% quantile, with all 85 county slopes equal. The second
# figure shows that this is no accident of these data: whether the simulated slopes spread by
# 0.2, 0.5 or 1.0, the joint MAP of ``sigma_b`` is zero every time, while the marginal mode and
# the mean rise with the truth and stay within 0.25 of it (the second figure shows how close).
#
# The reason is in the joint density. The slopes contribute
#
# .. math::
#
#    \sum_c \log \mathcal{N}(b_c \mid \mu_b, \sigma_b)
#    = -85 \log \sigma_b - \sum_c \frac{(b_c - \mu_b)^2}{2\sigma_b^2} + \text{const}.
#
# Set every :math:`b_c` equal to :math:`\mu_b` and the second term vanishes, while
# :math:`-85 \log \sigma_b` grows without bound as :math:`\sigma_b \to 0`. Making all slopes
# equal costs the likelihood only a finite amount, so for *any* data the joint density can be
# made as large as one likes: the joint MAP is a property of the model's form, not of the
# measurements. The marginal posterior of ``sigma_b`` averages over the slopes instead of
# maximizing over them, and the average weighs in how little room there is near zero, the same
# volume that made the typical set of the previous example. What remains is how much the
# counties' slopes actually differ, which is what the question was. The posterior mean (or a
# median, or an interval) comes with the draws of any sampler that explores the posterior
# correctly; the marginal mode needs the marginal density, which is rarely available.
#
# .. admonition:: References
#
#    The use of the following functions is shown in this example:
#
#    - `funnelguide.find_map`
#    - `funnelguide.exact_radon_scales`
#    - `funnelguide.ExactPosterior`
#    - `funnelguide.radon_model`
#    - `funnelguide.load_radon`
#    - `funnelguide.plots.format_table`
